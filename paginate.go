package s3kit

import (
	"context"
	"fmt"
	"iter"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

const maxPageSize = 1000

// List returns an iterator over the objects in bucket, in the provider's
// order. It fetches one page at a time, only as the loop asks for more, and
// holds one page in memory. Breaking out of the loop stops it at once and
// leaves nothing running.
//
// An error is yielded once, as (Object{}, err), and ends the iteration. This
// includes bad arguments ([ErrInvalidInput]), a missing bucket
// ([ErrBucketNotFound]), a cancelled context, and a provider that breaks
// pagination by repeating a continuation token or by reporting a truncated
// page without a token; List never loops on such a provider.
//
//	for obj, err := range client.List(ctx, "bucket", s3kit.WithPrefix("logs/")) {
//		if err != nil {
//			return err
//		}
//		fmt.Println(obj.Key, obj.Size)
//	}
func (c *Client) List(ctx context.Context, bucket string, opts ...ListOption) iter.Seq2[Object, error] {
	const op = "List"
	cfg := listConfig{pageSize: maxPageSize}
	var optErr error
	for _, o := range opts {
		if o == nil {
			optErr = invalidf(op, bucket, "", "nil ListOption")
			break
		}
		o.applyList(&cfg)
	}
	if optErr == nil {
		optErr = cfg.validate(op, bucket)
	}
	return func(yield func(Object, error) bool) {
		if optErr != nil {
			yield(Object{}, optErr)
			return
		}
		c.list(ctx, op, bucket, &cfg, yield)
	}
}

func (cfg *listConfig) validate(op, bucket string) error {
	if err := checkBucket(op, bucket); err != nil {
		return err
	}
	if cfg.pageSize < 1 || cfg.pageSize > maxPageSize {
		return invalidf(op, bucket, "", "page size %d out of range [1, %d]", cfg.pageSize, maxPageSize)
	}
	if len(cfg.prefix) > maxKeyLen || len(cfg.startAfter) > maxKeyLen {
		return invalidf(op, bucket, "", "prefix or start-after longer than %d bytes", maxKeyLen)
	}
	return nil
}

// list walks the pages of ListObjectsV2 and feeds yield.
func (c *Client) list(ctx context.Context, op, bucket string, cfg *listConfig, yield func(Object, error) bool) {
	in := &s3.ListObjectsV2Input{Bucket: &bucket, MaxKeys: aws.Int32(int32(cfg.pageSize))}
	if cfg.prefix != "" {
		in.Prefix = &cfg.prefix
	}
	if cfg.startAfter != "" {
		in.StartAfter = &cfg.startAfter
	}
	seen := make(map[string]struct{})
	for page := 1; ; page++ {
		if err := ctx.Err(); err != nil {
			yield(Object{}, &Error{Op: op, Bucket: bucket, Err: context.Cause(ctx)})
			return
		}
		out, err := c.s3.ListObjectsV2(ctx, in)
		if err != nil {
			yield(Object{}, wrapErr(op, bucket, "", kindBucket, err))
			return
		}
		for _, o := range out.Contents {
			obj := Object{
				Key:          aws.ToString(o.Key),
				Size:         aws.ToInt64(o.Size),
				ETag:         trimETag(o.ETag),
				LastModified: aws.ToTime(o.LastModified),
				StorageClass: string(o.StorageClass),
			}
			if !yield(obj, nil) {
				return
			}
		}
		if !aws.ToBool(out.IsTruncated) {
			return
		}
		token := aws.ToString(out.NextContinuationToken)
		if token == "" {
			yield(Object{}, &Error{Op: op, Bucket: bucket, Err: fmt.Errorf("provider reported page %d as truncated but gave no continuation token", page)})
			return
		}
		if _, dup := seen[token]; dup {
			yield(Object{}, &Error{Op: op, Bucket: bucket, Err: fmt.Errorf("provider repeated continuation token %q on page %d; stopping instead of looping", token, page)})
			return
		}
		seen[token] = struct{}{}
		in.ContinuationToken = &token
		in.StartAfter = nil
	}
}
