package s3kit

import (
	"context"
	"iter"

	"github.com/s3kit/s3kit/internal/listing"
	"github.com/s3kit/s3kit/internal/names"
	"github.com/s3kit/s3kit/internal/s3err"
)

const maxPageSize = 1000

// List returns an iterator over the objects in bucket, in the provider's
// order. It fetches one page at a time, only as the loop asks for more, and
// holds one page in memory. Breaking out of the loop stops it at once and
// leaves nothing running.
//
// List asks for URL-encoded keys (EncodingType=url) and decodes them when
// the provider says it encoded them, so keys with control characters that
// XML 1.0 cannot carry come back exactly as stored; keys from a provider
// that did not encode them are kept as sent
// (TestListDecodesURLEncodedKeys, TestListKeepsKeysOfProvidersThatDoNotEncode).
// On a provider that ignores EncodingType, such as gofakes3, such keys come
// back with U+FFFD in place of the control character. Ceph RGW 16 encodes
// keys but echoes markers and continuation tokens raw, so a page that ends
// on a key with such a character cannot be read there; a page size that
// holds the whole listing avoids the page boundary.
//
// An error is yielded once, as (Object{}, err), and ends the iteration. This
// includes bad arguments ([ErrInvalidInput]), a missing bucket
// ([ErrBucketNotFound]), refused credentials ([ErrAccessDenied]), a
// cancelled context, and a provider that breaks
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
	return c.spanSeq(ctx, "List", bucket, func(ctx context.Context) iter.Seq2[Object, error] { return c.listing(ctx, "List", bucket, opts) })
}

// listing is [Client.List] for the operation op, which its errors name.
func (c *Client) listing(ctx context.Context, op, bucket string, opts []ListOption) iter.Seq2[Object, error] {
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
		optErr = cfg.validate(op, bucket, c.conf().relaxedNames)
	}
	return func(yield func(Object, error) bool) {
		if optErr != nil {
			yield(Object{}, optErr)
			return
		}
		c.list(ctx, op, bucket, &cfg, yield)
	}
}

func (cfg *listConfig) validate(op, bucket string, relaxedNames bool) error {
	if err := checkBucket(op, bucket, relaxedNames); err != nil {
		return err
	}
	if cfg.pageSize < 1 || cfg.pageSize > maxPageSize {
		return invalidf(op, bucket, "", "page size %d out of range [1, %d]", cfg.pageSize, maxPageSize)
	}
	if len(cfg.prefix) > names.MaxKeyLen || len(cfg.startAfter) > names.MaxKeyLen || len(cfg.delimiter) > names.MaxKeyLen {
		return invalidf(op, bucket, "", "prefix, delimiter or start-after longer than %d bytes", names.MaxKeyLen)
	}
	return nil
}

// list walks the listing and feeds yield; see [listing.Walk].
func (c *Client) list(ctx context.Context, op, bucket string, cfg *listConfig, yield func(Object, error) bool) {
	q := &listing.Query{Bucket: bucket, Prefix: cfg.prefix, Delimiter: cfg.delimiter, StartAfter: cfg.startAfter,
		PageSize: int32(cfg.pageSize), V1: c.conf().listV1}
	wrapped := false // a request failed: wrap made the error
	wrap := func(err error) error {
		wrapped = true
		return wrapErr(op, bucket, "", s3err.Bucket, err)
	}
	err := listing.Walk(ctx, c.objects(), q, wrap, func(e listing.Entry) bool {
		return yield(Object{Key: e.Key, Size: e.Size, ETag: e.ETag, LastModified: e.LastModified, StorageClass: e.StorageClass, IsPrefix: e.IsPrefix}, nil)
	})
	if err != nil && !wrapped {
		// A cancelled ctx, or a provider that breaks pagination.
		err = &Error{Op: op, Bucket: bucket, Err: err}
	}
	if err != nil {
		yield(Object{}, err)
	}
}
