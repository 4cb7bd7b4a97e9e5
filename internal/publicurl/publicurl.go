// Package publicurl builds the URL at which anyone can fetch an object
// that is public: on a configured base (a CDN or custom domain), or at the
// host and addressing style the client's own requests use, as the SDK's
// endpoint resolver gives them.
package publicurl

import (
	"context"
	"net/url"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/s3kit/s3kit/internal/names"
)

// Client is what the URL depends on: the endpoint (nil for AWS S3 in
// Region), the addressing style, and the base URL of WithPublicBaseURL
// ("" for none; "{bucket}" in it stands for the bucket).
type Client struct {
	Endpoint  *url.URL
	Region    string
	PathStyle bool
	Base      string
}

// URL returns the public URL of bucket/key, with the key escaped the way S3
// signs it (names.EscapePath).
func (c Client) URL(bucket, key string) string {
	if c.Base != "" {
		return strings.ReplaceAll(c.Base, "{bucket}", names.EscapePath(bucket)) + "/" + names.EscapePath(key)
	}
	scheme, host, inHost := c.bucketLocation(bucket)
	var b strings.Builder
	b.WriteString(scheme)
	b.WriteString("://")
	b.WriteString(host)
	if !inHost {
		b.WriteByte('/')
		b.WriteString(names.EscapePath(bucket))
	}
	b.WriteByte('/')
	b.WriteString(names.EscapePath(key))
	return b.String()
}

// bucketLocation returns the scheme and host at which the client's requests
// reach bucket, and whether the bucket is the host's first label
// (virtual-host) rather than the first path segment. A custom endpoint with
// path-style addressing is used as it is. Otherwise it asks the SDK's
// endpoint resolver with the parameters the client's requests use, so that
// it follows the SDK's rules for partitions (amazonaws.com.cn) and for
// buckets that cannot be a host label. If the resolver refuses the input or
// answers in an unexpected shape, it falls back to the endpoint (or
// s3.REGION.amazonaws.com) and the client's addressing style.
func (c Client) bucketLocation(bucket string) (scheme, host string, inHost bool) {
	if c.Endpoint != nil && c.PathStyle {
		return c.Endpoint.Scheme, c.Endpoint.Host, false
	}
	params := s3.EndpointParameters{Bucket: &bucket, Region: &c.Region, ForcePathStyle: &c.PathStyle}
	if c.Endpoint != nil {
		ep := c.Endpoint.String()
		params.Endpoint = &ep
	}
	if ep, err := s3.NewDefaultEndpointResolverV2().ResolveEndpoint(context.Background(), params); err == nil {
		u := ep.URI
		switch {
		case u.Path == "/"+bucket:
			return u.Scheme, u.Host, false
		case (u.Path == "" || u.Path == "/") && strings.HasPrefix(u.Host, bucket+"."):
			return u.Scheme, u.Host, true
		}
	}
	scheme, host = "https", "s3."+c.Region+".amazonaws.com"
	if c.Endpoint != nil {
		scheme, host = c.Endpoint.Scheme, c.Endpoint.Host
	}
	if c.PathStyle {
		return scheme, host, false
	}
	return scheme, bucket + "." + host, true
}
