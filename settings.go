package s3kit

import (
	"fmt"
	"net/url"
	"strings"
	"unicode/utf16"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/s3kit/s3kit/internal/names"
	"github.com/s3kit/s3kit/internal/sigv2"
)

// extConfig collects the client options added for provider profiles,
// presigned and public URLs, listing and legacy signatures. It lives in
// clientConfig as one field so that New stays small.
type extConfig struct {
	provider      *Provider
	presignURL    string
	presignSet    bool
	publicBase    string
	publicBaseSet bool
	listV1        bool
	listV1Set     bool
	sigV2         bool
	relaxed       bool // WithRelaxedBucketNames
	relaxedSet    bool
}

// clientExt is what a Client keeps of extConfig once New has checked it.
type clientExt struct {
	presign      *s3.PresignClient
	publicBase   string // "" means endpoint-based public URLs
	listV1       bool
	noObjectACLs bool
	maxKeyChars  int // 0 means no limit but S3's 1024 bytes
	equalParts   bool
	sigV2        bool
	provider     string
	relaxedNames bool       // legacy bucket names accepted (path-style only)
	condIgnored  condWrites // requests whose If-None-Match and If-Match the provider ignores
}

// applyProvider fills from the profile what no explicit option set. It runs
// after all options, so an explicit option wins wherever it stands.
func (c *clientConfig) applyProvider() error {
	p := c.ext.provider
	if p == nil {
		return nil
	}
	if err := p.check(); err != nil {
		return err
	}
	if !c.endpointSet && p.endpoint != "" {
		c.endpoint, c.endpointSet, c.endpointFrom = p.endpoint, true, p.name+" endpoint"
	}
	if c.region == "" {
		c.region = p.region
	}
	if !c.pathStyleSet && p.pathStyleSet {
		c.pathStyle, c.pathStyleSet = p.pathStyle, true
	}
	if !c.ext.listV1Set {
		c.ext.listV1 = p.listV1
	}
	if !c.ext.relaxedSet {
		c.ext.relaxed = p.relaxedNames
	}
	return nil
}

// compatChecksums reports whether the SDK must compute and validate
// checksums only when an operation requires them.
func (c *clientConfig) compatChecksums(isAWS bool) bool {
	if p := c.ext.provider; p != nil {
		return p.compatChecksums
	}
	return !isAWS
}

// s3Options adds the SDK settings the extension options need.
func (c *clientConfig) s3Options(o *s3.Options) {
	if c.ext.sigV2 {
		o.APIOptions = append(o.APIOptions, sigv2.APIOption(o.Credentials))
	}
}

// build checks the extension options and returns what the Client keeps.
func (c *clientConfig) buildExt(client *s3.Client, pathStyle bool) (clientExt, error) {
	ext := clientExt{listV1: c.ext.listV1, sigV2: c.ext.sigV2}
	if c.ext.sigV2 && !pathStyle {
		return clientExt{}, invalidf("New", "", "", "WithSignatureV2 needs path-style addressing")
	}
	switch {
	case c.ext.relaxed && pathStyle:
		ext.relaxedNames = true
	case c.ext.relaxed && c.ext.relaxedSet:
		return clientExt{}, invalidf("New", "", "", "WithRelaxedBucketNames needs path-style addressing")
	}
	if p := c.ext.provider; p != nil {
		ext.noObjectACLs = !p.objectACLs
		ext.maxKeyChars = p.maxKeyChars
		ext.equalParts = p.equalParts
		ext.provider = p.name
		ext.condIgnored = p.condIgnored
	}
	if c.ext.publicBaseSet {
		base, err := checkPublicBase(c.ext.publicBase)
		if err != nil {
			return clientExt{}, err
		}
		ext.publicBase = base
	}
	var presignEndpoint *url.URL
	if c.ext.presignSet {
		u, err := checkEndpoint("WithPresignEndpoint", c.ext.presignURL)
		if err != nil {
			return clientExt{}, err
		}
		presignEndpoint = u
	}
	ext.presign = s3.NewPresignClient(client, func(po *s3.PresignOptions) {
		po.ClientOptions = append(po.ClientOptions, func(o *s3.Options) {
			// A presigned URL must not carry checksums of a body it has not
			// seen; the SDK's default would bind the checksum of an empty one.
			o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
			o.UsePathStyle = pathStyle
			if presignEndpoint != nil {
				o.BaseEndpoint = aws.String(presignEndpoint.String())
			}
		})
	})
	return ext, nil
}

// checkPublicBase validates a WithPublicBaseURL value and returns it without
// a trailing slash.
func checkPublicBase(raw string) (string, error) {
	u, err := parseURLSetting("WithPublicBaseURL", strings.ReplaceAll(raw, "{bucket}", "bucket"))
	switch {
	case err != nil:
		return "", err
	case u.Scheme != "http" && u.Scheme != "https":
		return "", invalidf("New", "", "", "WithPublicBaseURL %q: scheme must be http or https", u.Redacted())
	case u.Host == "":
		return "", invalidf("New", "", "", "WithPublicBaseURL %q has no host", u.Redacted())
	case u.RawQuery != "" || u.Fragment != "" || u.ForceQuery:
		return "", invalidf("New", "", "", "WithPublicBaseURL %q must not have a query or a fragment", u.Redacted())
	}
	return strings.TrimSuffix(raw, "/"), nil
}

// checkKeyLimit applies the provider's key length limit in characters,
// which may be lower than S3's 1024 bytes (Dell ECS: 255). Characters are
// counted as UTF-16 code units, the stricter reading of ECS's "Unicode
// characters": a key that passes is never too long for ECS, and a key of 255
// accented letters (510 bytes) passes.
func (c *Client) checkKeyLimit(op, bucket, key string) error {
	if c.ext.maxKeyChars == 0 || len(key) <= c.ext.maxKeyChars {
		return nil // fast path: never more characters than bytes
	}
	if n := utf16Len(key); n > c.ext.maxKeyChars {
		return invalidf(op, bucket, key, "object key is %d characters long; %s allows at most %d", n, c.ext.provider, c.ext.maxKeyChars)
	}
	return nil
}

// utf16Len returns the length of s in UTF-16 code units.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

// aclUnsupported returns an error matching ErrACLNotSupported when the
// client's provider profile says it has no object ACLs, without sending a
// request.
func (c *Client) aclUnsupported(op, bucket, key string) error {
	if !c.ext.noObjectACLs {
		return nil
	}
	return &Error{Op: op, Bucket: bucket, Key: key, kind: ErrACLNotSupported,
		Err: fmt.Errorf("%s has no object ACLs; use a bucket policy", c.ext.provider)}
}

// WithPresignEndpoint makes [Client.PresignGet] and [Client.PresignPut] sign
// URLs for url instead of the endpoint the client talks to, for example a
// public name in front of an internal address. The URL's rules are those of
// [WithEndpoint]. Default: the client's endpoint.
func WithPresignEndpoint(url string) Option {
	return clientOption(func(c *clientConfig) { c.ext.presignURL, c.ext.presignSet = url, true })
}

// WithPublicBaseURL makes [Client.PublicURL] and [Client.MakePublic] build
// URLs on base, such as a CDN or a custom domain: the result is
// base/escaped-key. If base contains "{bucket}", the bucket name replaces it;
// otherwise base serves one bucket's root. It must be an absolute http or
// https URL without query, fragment or '@' (user information is refused
// without being quoted; write %40 for an '@' in the path). Default: URLs on
// the endpoint.
func WithPublicBaseURL(base string) Option {
	return clientOption(func(c *clientConfig) { c.ext.publicBase, c.ext.publicBaseSet = base, true })
}

// WithListV1 makes [Client.List] use ListObjects (version 1, with markers)
// instead of ListObjectsV2, for providers that only implement version 1.
// Default: false, unless a [Provider] profile sets it.
func WithListV1() Option {
	return clientOption(func(c *clientConfig) { c.ext.listV1, c.ext.listV1Set = true, true })
}

// WithRelaxedBucketNames(true) accepts, besides S3's current rules, the
// legacy bucket names that Dell ECS (and so Cloud Temple) allows: 1 to 255
// characters of ASCII letters of either case, digits, '.', '-' and '_',
// starting with a letter, digit or '-', not ending with '.', with no ".." and
// not an IP address. Ceph RGW with rgw_relaxed_s3_bucket_names accepts
// names like these too, though it wants at least 3 characters and allows a
// few more shapes (a leading '_', a trailing '.'), which s3kit still
// refuses. Such names are not valid host names, so they need path-style
// addressing: New refuses WithRelaxedBucketNames(true) with
// [WithPathStyle](false). Every other name still gets [ErrInvalidInput]
// before any request is sent.
//
// Default: S3's rules (3 to 63 lower-case letters, digits, '.' and '-'),
// except with the [CloudTemple] profile, which turns relaxed names on while
// path-style addressing is in use.
func WithRelaxedBucketNames(on bool) Option {
	return clientOption(func(c *clientConfig) { c.ext.relaxed, c.ext.relaxedSet = on, true })
}

// WithSignatureV2 signs every request with the legacy AWS signature version 2
// ("AWS access:signature" with HMAC-SHA1) instead of SigV4, for old
// S3-compatible servers that know nothing else. SigV4 is preferred: it is
// stronger, and AWS and most providers no longer accept SigV2. Presigned URLs
// are still signed with SigV4. SigV2 does not make the SDK's default
// streaming checksums safe: Ceph RGW over TLS accepts a SigV2-signed
// aws-chunked upload and stores the chunk framing as the object's data
// (seen with [Client.Doctor]), so s3kit keeps computing checksums only
// when required. SigV2 is only offered with path-style
// addressing; New refuses it with [WithPathStyle](false). Default: SigV4.
func WithSignatureV2() Option {
	return clientOption(func(c *clientConfig) { c.ext.sigV2 = true })
}

// publicBaseURL builds a public URL on the configured base.
func (c *Client) publicBaseURL(bucket, key string) string {
	return strings.ReplaceAll(c.ext.publicBase, "{bucket}", names.EscapePath(bucket)) + "/" + names.EscapePath(key)
}

// checkProviderPut applies the provider profile's limits to a Put: its key
// length and, for a public ACL, whether it has object ACLs at all.
func (c *Client) checkProviderPut(op, bucket, key string, cfg *putConfig) error {
	if err := c.checkKeyLimit(op, bucket, key); err != nil {
		return err
	}
	if cfg.acl != "" && cfg.acl != ACLPrivate {
		return c.aclUnsupported(op, bucket, key)
	}
	return nil
}
