package s3kit

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// BucketOption configures one call to [Client.CreateBucket].
type BucketOption interface {
	applyBucket(*bucketConfig)
}

type bucketConfig struct {
	location string
}

type bucketOption func(*bucketConfig)

func (f bucketOption) applyBucket(c *bucketConfig) { f(c) }

// WithLocationConstraint asks CreateBucket to send a LocationConstraint for
// region. Default: none, which every S3-compatible server accepts; some (Ceph
// RGW among them) reject constraints they do not know.
func WithLocationConstraint(region string) BucketOption {
	return bucketOption(func(c *bucketConfig) { c.location = region })
}

// CreateBucket creates a bucket. It sends no LocationConstraint unless
// [WithLocationConstraint] is given. Creating a bucket you already own
// returns an error whose Code is "BucketAlreadyOwnedByYou" on most providers.
func (c *Client) CreateBucket(ctx context.Context, bucket string, opts ...BucketOption) error {
	const op = "CreateBucket"
	var cfg bucketConfig
	for _, o := range opts {
		if o == nil {
			return invalidf(op, bucket, "", "nil BucketOption")
		}
		o.applyBucket(&cfg)
	}
	if err := checkBucket(op, bucket, c.ext.relaxedNames); err != nil {
		return err
	}
	in := &s3.CreateBucketInput{Bucket: &bucket}
	if cfg.location != "" {
		in.CreateBucketConfiguration = &types.CreateBucketConfiguration{LocationConstraint: types.BucketLocationConstraint(cfg.location)}
	}
	_, err := c.s3.CreateBucket(ctx, in)
	return wrapErr(op, bucket, "", kindBucket, err)
}

// DeleteBucket deletes an empty bucket.
func (c *Client) DeleteBucket(ctx context.Context, bucket string) error {
	const op = "DeleteBucket"
	if err := checkBucket(op, bucket, c.ext.relaxedNames); err != nil {
		return err
	}
	_, err := c.s3.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: &bucket})
	return wrapErr(op, bucket, "", kindBucket, err)
}
