package s3kit

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/s3kit/s3kit/internal/publicurl"
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
func (c *Client) SetACL(ctx context.Context, bucket, key string, acl ACL) (err error) {
	ctx, span := c.span(ctx, "SetACL", bucket, key)
	defer span.End(&err)
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
func (c *Client) MakePublic(ctx context.Context, bucket, key string) (_ string, err error) {
	ctx, span := c.span(ctx, "MakePublic", bucket, key)
	defer span.End(&err)
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
	return publicurl.Client{Endpoint: c.endpoint, Region: c.region, PathStyle: c.pathStyle, Base: c.conf().publicBase}.URL(bucket, key)
}
