// Package names checks the names s3kit sends to S3 (bucket names, object
// keys, user metadata, header values and host labels) and escapes bucket
// names and keys for URLs.
//
// The checks return plain errors whose text says what is wrong; s3kit wraps
// them into its ErrInvalidInput errors at its API boundary, adding the
// operation, bucket and key.
package names

import (
	"errors"
	"fmt"
	"net"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"
)

// MaxKeyLen is the longest object key S3 accepts, in bytes.
const MaxKeyLen = 1024

// maxLegacyBucketLen is the longest bucket name Dell ECS accepts.
const maxLegacyBucketLen = 255

// CheckBucket applies the S3 bucket naming rules ([StrictBucketProblem]),
// or with relaxed the legacy rules of Dell ECS (legacyBucketProblem).
func CheckBucket(bucket string, relaxed bool) error {
	if bucket == "" {
		return errors.New("bucket name is empty")
	}
	var why string
	switch {
	case relaxed:
		why = legacyBucketProblem(bucket)
	default:
		why = StrictBucketProblem(bucket)
		if why != "" && legacyBucketProblem(bucket) == "" {
			why += "; a legacy name like this one, as Dell ECS allows, needs WithRelaxedBucketNames(true)"
		}
	}
	if why == "" {
		return nil
	}
	return fmt.Errorf("bucket name %q %s", bucket, why)
}

// StrictBucketProblem returns why a non-empty bucket name breaks S3's
// current rules, or "" if it does not: 3 to 63 characters of lower-case
// letters, digits, dots and hyphens, starting and ending with a letter or
// digit, no two dots in a row, not an IP address, and none of the prefixes
// and suffixes S3 reserves.
func StrictBucketProblem(bucket string) string {
	n := len(bucket)
	switch {
	case n < 3 || n > 63:
		return "must be 3 to 63 characters long"
	case !isLowerAlnum(bucket[0]) || !isLowerAlnum(bucket[n-1]):
		return "must start and end with a lower-case letter or digit"
	case strings.Contains(bucket, ".."):
		return "must not contain two dots in a row"
	case net.ParseIP(bucket) != nil:
		return "must not be an IP address"
	case strings.HasPrefix(bucket, "xn--") || strings.HasPrefix(bucket, "sthree-"):
		return "uses a reserved prefix"
	case strings.HasSuffix(bucket, "-s3alias") || strings.HasSuffix(bucket, "--ol-s3"):
		return "uses a reserved suffix"
	}
	for i := 0; i < n; i++ {
		c := bucket[i]
		if !isLowerAlnum(c) && c != '-' && c != '.' {
			return "may only hold lower-case letters, digits, '.' and '-'"
		}
	}
	return ""
}

// legacyBucketProblem returns why a non-empty bucket name breaks the older,
// relaxed rules of Dell ECS, or "" if it does not (Ceph RGW's
// rgw_relaxed_s3_bucket_names is close but not the same): up to 255
// characters of ASCII letters of either case, digits, '.', '-' and '_',
// starting with a letter, digit or '-', not ending with '.', no two dots in
// a row, and not an IP address. Such names are only usable with path-style
// addressing.
func legacyBucketProblem(bucket string) string {
	n := len(bucket)
	switch {
	case n > maxLegacyBucketLen:
		return fmt.Sprintf("must be at most %d characters long", maxLegacyBucketLen)
	case !isAlnum(bucket[0]) && bucket[0] != '-':
		return "must start with a letter, a digit or '-'"
	case bucket[n-1] == '.':
		return "must not end with '.'"
	case strings.Contains(bucket, ".."):
		return "must not contain two dots in a row"
	case net.ParseIP(bucket) != nil:
		return "must not be an IP address"
	}
	for i := 0; i < n; i++ {
		c := bucket[i]
		if !isAlnum(c) && c != '-' && c != '.' && c != '_' {
			return "may only hold letters, digits, '.', '-' and '_'"
		}
	}
	return ""
}

func isAlnum(c byte) bool { return isLowerAlnum(c) || ('A' <= c && c <= 'Z') }

func isLowerAlnum(c byte) bool { return ('a' <= c && c <= 'z') || ('0' <= c && c <= '9') }

// CheckKey rejects keys S3 cannot store: empty, longer than [MaxKeyLen]
// bytes, or not valid UTF-8.
func CheckKey(key string) error {
	switch {
	case key == "":
		return errors.New("object key is empty")
	case len(key) > MaxKeyLen:
		return fmt.Errorf("object key is %d bytes long; the limit is %d", len(key), MaxKeyLen)
	case !utf8.ValidString(key):
		return fmt.Errorf("object key %q is not valid UTF-8", key)
	}
	return nil
}

// CheckHeaderValue rejects values that cannot travel in an HTTP header.
// what names the value in the error, such as "content type".
func CheckHeaderValue(what, v string) error {
	for i := 0; i < len(v); i++ {
		if c := v[i]; c < 0x20 && c != '\t' || c == 0x7f || c >= 0x80 {
			return fmt.Errorf("%s must be printable ASCII, got %q", what, v)
		}
	}
	return nil
}

// CheckMetadata validates user metadata: keys are HTTP header tokens, unique
// regardless of case (providers lower-case them, so "A" and "a" would
// collide); values are printable ASCII without leading or trailing spaces
// (HTTP trims them, so they would not read back the same; tabs are refused
// because signers disagree on how to canonicalise them); and the total stays
// within S3's 2 KB limit.
func CheckMetadata(md map[string]string) error {
	total := 0
	seen := make(map[string]string, len(md))
	for k, v := range md {
		if k == "" {
			return errors.New("metadata key is empty")
		}
		for i := 0; i < len(k); i++ {
			if !isTokenChar(k[i]) {
				return fmt.Errorf("metadata key %q must be an HTTP header token", k)
			}
		}
		lower := strings.ToLower(k)
		if other, dup := seen[lower]; dup {
			return fmt.Errorf("metadata keys %q and %q differ only in case", other, k)
		}
		seen[lower] = k
		for i := 0; i < len(v); i++ {
			if c := v[i]; c < 0x20 || c > 0x7e {
				return fmt.Errorf("metadata value for %s must be printable ASCII without tabs, got %q", k, v)
			}
		}
		if strings.TrimSpace(v) != v {
			return fmt.Errorf("metadata value for %s must not start or end with a space, got %q", k, v)
		}
		total += len(k) + len(v)
	}
	if total > 2048 {
		return fmt.Errorf("metadata is %d bytes; the limit is 2048", total)
	}
	return nil
}

func isTokenChar(c byte) bool {
	if ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') || ('0' <= c && c <= '9') {
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}

// CheckLabel reports an error if s cannot be one label of a host name, such
// as a region or an account ID that a provider puts in its endpoint. what
// names s in the error.
func CheckLabel(what, s string) error {
	if s == "" || len(s) > 63 || s[0] == '-' || s[len(s)-1] == '-' {
		return fmt.Errorf("%s %q is not a valid host name label", what, s)
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !isAlnum(c) && c != '-' {
			return fmt.Errorf("%s %q is not a valid host name label", what, s)
		}
	}
	return nil
}

// XMLSafe reports whether XML 1.0 can carry key. The SDK writes a character
// it cannot, such as a control character, as U+FFFD, so a DeleteObjects
// request would name another key.
func XMLSafe(key string) bool {
	for _, r := range key {
		if r < 0x20 && r != '\t' && r != '\n' && r != '\r' || r == 0xFFFE || r == 0xFFFF {
			return false
		}
	}
	return true
}

// AWSLikeRegion, B2Region, DORegion and OVHRegion match the region names
// of providers whose region is part of the endpoint (Wasabi, Backblaze B2,
// DigitalOcean Spaces, OVHcloud).
// Scaleway publishes three regions; the others publish lists that grow, so
// s3kit checks the shape of their region names, which catches typos such as
// "fr-paris" or "US-East-1" before a DNS error would.
var (
	AWSLikeRegion = regexp.MustCompile(`^[a-z]{2}-[a-z]+-[0-9]$`).MatchString
	B2Region      = regexp.MustCompile(`^[a-z]{2}-[a-z]+-[0-9]{3}$`).MatchString
	DORegion      = regexp.MustCompile(`^[a-z]{3}[0-9]$`).MatchString
	OVHRegion     = regexp.MustCompile(`^[a-z]{2,3}(-[a-z]+-[a-z]{3})?$`).MatchString
)

// RegionIn accepts exactly the regions listed.
func RegionIn(list ...string) func(string) bool {
	return func(r string) bool { return slices.Contains(list, r) }
}

// CheckRegion checks a profile's region argument; want says what a valid
// one looks like.
func CheckRegion(provider, region string, ok func(string) bool, want string) error {
	if !ok(region) {
		return fmt.Errorf("%s region %q is not one of its regions: want %s", provider, region, want)
	}
	return nil
}
