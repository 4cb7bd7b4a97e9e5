package s3kit

import (
	"context"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/s3kit/s3kit/internal/names"
	"github.com/s3kit/s3kit/internal/s3err"
)

// ACL is a canned access control list, as accepted by the x-amz-acl header.
type ACL string

// The canned ACLs that S3-compatible providers understand. Providers without
// object ACLs (MinIO, versitygw, AWS buckets with ACLs disabled) reject or
// ignore all but ACLPrivate; see [ErrACLNotSupported].
const (
	ACLPrivate                ACL = "private"
	ACLPublicRead             ACL = "public-read"
	ACLPublicReadWrite        ACL = "public-read-write"
	ACLAuthenticatedRead      ACL = "authenticated-read"
	ACLBucketOwnerRead        ACL = "bucket-owner-read"
	ACLBucketOwnerFullControl ACL = "bucket-owner-full-control"
)

// valid reports whether a is one of the canned ACLs above.
func (a ACL) valid() bool {
	switch a {
	case ACLPrivate, ACLPublicRead, ACLPublicReadWrite, ACLAuthenticatedRead, ACLBucketOwnerRead, ACLBucketOwnerFullControl:
		return true
	}
	return false
}

func checkACL(op, bucket, key string, a ACL) error {
	if !a.valid() {
		return invalidf(op, bucket, key, "unknown canned ACL %q", string(a))
	}
	return nil
}

// SetACL replaces the ACL of an existing object with a canned ACL. The
// object's data and metadata are not touched. It returns an error matching
// [ErrNotFound] if the object does not exist and [ErrACLNotSupported] if the
// provider has no object ACLs (before any request with a profile that says
// so). Other errors: [ErrBucketNotFound]; [ErrAccessDenied];
// [ErrInvalidInput], before any request, for a bad name or an ACL that is
// not one of the canned ACLs.
func (c *Client) SetACL(ctx context.Context, bucket, key string, acl ACL) error {
	return c.setACL(ctx, "SetACL", bucket, key, acl)
}

// setACL is [Client.SetACL] for the operation op, which its errors name.
func (c *Client) setACL(ctx context.Context, op, bucket, key string, acl ACL) error {
	if err := c.checkNames(op, bucket, key); err != nil {
		return err
	}
	if err := checkACL(op, bucket, key, acl); err != nil {
		return err
	}
	if err := c.aclUnsupported(op, bucket, key); err != nil {
		return err
	}
	_, err := c.s3.PutObjectAcl(ctx, &s3.PutObjectAclInput{
		Bucket: &bucket,
		Key:    &key,
		ACL:    types.ObjectCannedACL(acl),
	})
	return wrapErr(op, bucket, key, s3err.ACL, err)
}

// MakePublic gives an existing object the public-read ACL and returns its
// public URL, as [Client.PublicURL] builds it. Anyone can then fetch the
// object with a plain GET of that URL. It fails with [ErrACLNotSupported] on
// providers without object ACLs; use a bucket policy there. Its other errors
// are those of [Client.SetACL].
func (c *Client) MakePublic(ctx context.Context, bucket, key string) (string, error) {
	if err := c.setACL(ctx, "MakePublic", bucket, key, ACLPublicRead); err != nil {
		return "", err
	}
	return c.PublicURL(bucket, key), nil
}

// PublicURL returns the URL at which an object can be fetched without
// credentials, if its ACL or the bucket's policy allows it. With path-style
// addressing on a custom endpoint it is endpoint/bucket/key. Otherwise its
// host and addressing style are those the client's own requests use, as the
// SDK's endpoint resolver gives them: the bucket is the first label of the
// host, except for a bucket name with dots, which goes path-style because a
// wildcard certificate does not cover it; on AWS the host is the region's,
// such as s3.eu-west-3.amazonaws.com or, in China,
// s3.cn-north-1.amazonaws.com.cn (TestPublicURLForms). The key is
// escaped the way S3 signs it: every byte except A-Z a-z 0-9 - . _ ~ is
// percent-encoded, and each "/" stays as a separator, so "a b+c" becomes
// "a%20b%2Bc". PublicURL does not check that the object exists or is
// public, nor the bucket name or key, and returns no error. [WithPublicBaseURL]
// replaces the endpoint with a CDN or custom domain.
func (c *Client) PublicURL(bucket, key string) string {
	if c.conf().publicBase != "" {
		return c.publicBaseURL(bucket, key)
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
func (c *Client) bucketLocation(bucket string) (scheme, host string, inHost bool) {
	if c.endpoint != nil && c.pathStyle {
		return c.endpoint.Scheme, c.endpoint.Host, false
	}
	params := s3.EndpointParameters{Bucket: &bucket, Region: &c.region, ForcePathStyle: &c.pathStyle}
	if c.endpoint != nil {
		ep := c.endpoint.String()
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
	scheme, host = "https", "s3."+c.region+".amazonaws.com"
	if c.endpoint != nil {
		scheme, host = c.endpoint.Scheme, c.endpoint.Host
	}
	if c.pathStyle {
		return scheme, host, false
	}
	return scheme, bucket + "." + host, true
}

// publicBaseURL builds a public URL on the configured base.
func (c *Client) publicBaseURL(bucket, key string) string {
	return strings.ReplaceAll(c.conf().publicBase, "{bucket}", names.EscapePath(bucket)) + "/" + names.EscapePath(key)
}
