package s3kit

import (
	"context"
	"errors"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/s3kit/s3kit/internal/retry"
	"github.com/s3kit/s3kit/internal/s3err"
)

// CreateBucket creates a bucket. It sends no LocationConstraint unless
// [WithLocationConstraint] is given. A bad bucket name gives
// [ErrInvalidInput] before any request, and refused credentials
// [ErrAccessDenied]. Creating a bucket that exists gives [ErrBucketExists],
// with Code "BucketAlreadyOwnedByYou" (most providers, for your own bucket)
// or "BucketAlreadyExists" (someone else's; also your own on Dell ECS and
// s3kittest); Ceph RGW lets the owner create its bucket again without an
// error.
//
// When the request had to be sent more than once, an earlier attempt may
// have created the bucket before its answer was lost. CreateBucket then
// succeeds if the retry is answered BucketAlreadyOwnedByYou. Some providers
// answer BucketAlreadyExists to the owner too, which cannot be told from a
// bucket someone else owns; after a retry CreateBucket then asks ListBuckets,
// which lists only the caller's buckets, and succeeds only if the bucket is
// among them. Otherwise, and always on the first attempt, these codes are
// returned as errors (TestBucketCallsWhoseAnswerWasLost).
func (c *Client) CreateBucket(ctx context.Context, bucket string, opts ...BucketOption) (err error) {
	const op = "CreateBucket"
	ctx, span := c.span(ctx, op, bucket, "")
	defer span.End(&err)
	var cfg bucketConfig
	for _, o := range opts {
		if o == nil {
			return invalidf(op, bucket, "", "nil BucketOption")
		}
		o.applyBucket(&cfg)
	}
	if err := c.checkBucketName(op, bucket); err != nil {
		return err
	}
	in := &s3.CreateBucketInput{Bucket: &bucket}
	if cfg.location != "" {
		in.CreateBucketConfiguration = &types.CreateBucketConfiguration{LocationConstraint: types.BucketLocationConstraint(cfg.location)}
	}
	_, err = c.s3.CreateBucket(ctx, in)
	if err != nil && retry.Attempts(err) > 1 && c.createdByRetry(ctx, bucket, err) {
		return nil
	}
	return wrapErr(op, bucket, "", s3err.Bucket, err)
}

// createdByRetry reports whether the error of a retried CreateBucket shows
// that an earlier attempt of the same call created the bucket.
func (c *Client) createdByRetry(ctx context.Context, bucket string, err error) bool {
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) {
		return false
	}
	switch apiErr.ErrorCode() {
	case "BucketAlreadyOwnedByYou":
		return true
	case "BucketAlreadyExists":
		return c.ownsBucket(ctx, bucket)
	}
	return false
}

// maxBucketPages bounds the ListBuckets pages ownsBucket reads.
const maxBucketPages = 100

// ownsBucket reports whether ListBuckets, which lists the buckets the caller
// owns, names bucket. Any failure counts as no.
func (c *Client) ownsBucket(ctx context.Context, bucket string) bool {
	in := &s3.ListBucketsInput{Prefix: &bucket}
	for range maxBucketPages {
		out, err := c.s3.ListBuckets(ctx, in)
		if err != nil {
			return false
		}
		for _, b := range out.Buckets {
			if aws.ToString(b.Name) == bucket {
				return true
			}
		}
		next := aws.ToString(out.ContinuationToken)
		if next == "" || next == aws.ToString(in.ContinuationToken) {
			return false
		}
		in.ContinuationToken = &next
	}
	return false
}

// DeleteBucket deletes an empty bucket. A missing bucket gives an error
// matching [ErrBucketNotFound], except when the request had to be sent more
// than once: an earlier attempt may have deleted the bucket before its
// answer was lost, so NoSuchBucket on a retry counts as success
// (TestBucketCallsWhoseAnswerWasLost).
//
// Other errors: [ErrInvalidInput], before any request, for a bad bucket
// name; [ErrAccessDenied]. A bucket that still holds objects gives
// [ErrBucketNotEmpty] (Code "BucketNotEmpty", HTTP 409); empty it first,
// with [Client.DeletePrefix] or [Client.DeleteMany].
func (c *Client) DeleteBucket(ctx context.Context, bucket string) (err error) {
	const op = "DeleteBucket"
	ctx, span := c.span(ctx, op, bucket, "")
	defer span.End(&err)
	if err := c.checkBucketName(op, bucket); err != nil {
		return err
	}
	_, err = c.s3.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: &bucket})
	werr := wrapErr(op, bucket, "", s3err.Bucket, err)
	if retry.Attempts(err) > 1 && errors.Is(werr, ErrBucketNotFound) {
		return nil
	}
	return werr
}
