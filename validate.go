package s3kit

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"
)

const maxKeyLen = 1024

// checkBucket applies the S3 bucket naming rules (strictBucketProblem), or
// with relaxed the legacy rules of Dell ECS (legacyBucketProblem).
func checkBucket(op, bucket string, relaxed bool) error {
	if bucket == "" {
		return invalidf(op, "", "", "bucket name is empty")
	}
	var why string
	switch {
	case relaxed:
		why = legacyBucketProblem(bucket)
	default:
		why = strictBucketProblem(bucket)
		if why != "" && legacyBucketProblem(bucket) == "" {
			why += "; a legacy name like this one, as Dell ECS allows, needs WithRelaxedBucketNames(true)"
		}
	}
	if why == "" {
		return nil
	}
	return invalidf(op, bucket, "", "bucket name %q %s", bucket, why)
}

// strictBucketProblem returns why a non-empty bucket name breaks S3's
// current rules, or "" if it does not: 3 to 63 characters of lower-case
// letters, digits, dots and hyphens, starting and ending with a letter or
// digit, no two dots in a row, not an IP address, and none of the prefixes
// and suffixes S3 reserves.
func strictBucketProblem(bucket string) string {
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

// maxLegacyBucketLen is the longest bucket name Dell ECS accepts.
const maxLegacyBucketLen = 255

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

// checkKey rejects keys S3 cannot store: empty, longer than 1024 bytes, or
// not valid UTF-8.
func checkKey(op, bucket, key string) error {
	switch {
	case key == "":
		return invalidf(op, bucket, "", "object key is empty")
	case len(key) > maxKeyLen:
		return invalidf(op, bucket, "", "object key is %d bytes long; the limit is %d", len(key), maxKeyLen)
	case !utf8.ValidString(key):
		return invalidf(op, bucket, "", "object key %q is not valid UTF-8", key)
	}
	return nil
}

// checkObject validates a bucket and a key together.
func checkObject(op, bucket, key string, relaxedNames bool) error {
	if err := checkBucket(op, bucket, relaxedNames); err != nil {
		return err
	}
	return checkKey(op, bucket, key)
}

// checkEndpoint parses and validates an endpoint URL that came from source,
// an option or environment variable named in errors.
func checkEndpoint(source, raw string) (*url.URL, error) {
	u, err := parseURLSetting(source, raw)
	if err != nil {
		return nil, err
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, invalidf("New", "", "", "%s %q: scheme must be http or https", source, u.Redacted())
	case u.Host == "" || u.Hostname() == "":
		return nil, invalidf("New", "", "", "%s %q has no host", source, u.Redacted())
	case u.RawQuery != "" || u.Fragment != "" || u.ForceQuery:
		return nil, invalidf("New", "", "", "%s %q must not have a query or fragment", source, u.Redacted())
	case u.Path != "" && u.Path != "/":
		return nil, invalidf("New", "", "", "%s %q must not have a path", source, u.Redacted())
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return nil, invalidf("New", "", "", "%s %q has an invalid port", source, u.Redacted())
		}
	}
	u.Path = ""
	return u, nil
}

// parseURLSetting parses raw, a URL setting that came from source. It
// refuses any '@' without quoting raw: user information does not belong in
// these URLs, and a password that holds a '/' or a ':' would make url.Parse
// see it as a port or a path and quote it in its error. A URL without '@'
// holds no user information, so the errors here may quote it.
func parseURLSetting(source, raw string) (*url.URL, error) {
	if strings.Contains(raw, "@") {
		return nil, invalidf("New", "", "", "%s must not hold user information (no '@'); "+
			"pass credentials with WithCredentials, or with S3_ACCESS_KEY and S3_SECRET_KEY and FromEnv", source)
	}
	u, err := url.Parse(raw)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // its text quotes raw again
		}
		return nil, invalidf("New", "", "", "%s %q: %v", source, raw, err)
	}
	return u, nil
}

// checkHeaderValue rejects values that cannot travel in an HTTP header.
func checkHeaderValue(op, bucket, key, what, v string) error {
	for i := 0; i < len(v); i++ {
		if c := v[i]; c < 0x20 && c != '\t' || c == 0x7f || c >= 0x80 {
			return invalidf(op, bucket, key, "%s must be printable ASCII, got %q", what, v)
		}
	}
	return nil
}

// checkMetadata validates user metadata: keys are HTTP header tokens, unique
// regardless of case (providers lower-case them, so "A" and "a" would
// collide); values are printable ASCII without leading or trailing spaces
// (HTTP trims them, so they would not read back the same; tabs are refused
// because signers disagree on how to canonicalise them); and the total stays
// within S3's 2 KB limit.
func checkMetadata(op, bucket, key string, md map[string]string) error {
	total := 0
	seen := make(map[string]string, len(md))
	for k, v := range md {
		if k == "" {
			return invalidf(op, bucket, key, "metadata key is empty")
		}
		for i := 0; i < len(k); i++ {
			if !isTokenChar(k[i]) {
				return invalidf(op, bucket, key, "metadata key %q must be an HTTP header token", k)
			}
		}
		lower := strings.ToLower(k)
		if other, dup := seen[lower]; dup {
			return invalidf(op, bucket, key, "metadata keys %q and %q differ only in case", other, k)
		}
		seen[lower] = k
		for i := 0; i < len(v); i++ {
			if c := v[i]; c < 0x20 || c > 0x7e {
				return invalidf(op, bucket, key, "metadata value for %s must be printable ASCII without tabs, got %q", k, v)
			}
		}
		if strings.TrimSpace(v) != v {
			return invalidf(op, bucket, key, "metadata value for %s must not start or end with a space, got %q", k, v)
		}
		total += len(k) + len(v)
	}
	if total > 2048 {
		return invalidf(op, bucket, key, "metadata is %d bytes; the limit is 2048", total)
	}
	return nil
}

func isTokenChar(c byte) bool {
	if ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') || ('0' <= c && c <= '9') {
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}
