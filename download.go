package s3kit

import (
	"context"
	"errors"
	"io"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/s3kit/s3kit/internal/transfer"
)

// DownloadOption configures one call to [Client.Download].
type DownloadOption interface {
	applyDownload(*downloadConfig)
}

// downloadConfig holds the settings of one Download call.
type downloadConfig struct {
	transfer transferConfig
	progress func(Progress)
	verify   bool
}

// Download writes the object bucket/key into w, fetching ranges of part size
// (8 MiB by default) with up to concurrency (4) requests at once. Each range
// streams from the network straight into w at its offset, so memory stays at
// a small buffer per request whatever the object's size. Every range after
// the first carries If-Match with the first response's ETag, so a download
// never mixes two versions of an object: if it changed, Download fails with
// an error matching [ErrObjectChanged]. A range whose connection drops is
// resumed from its last byte. Each answer is checked as [Client.Get] checks
// it; one without Content-Length is measured against the size HEAD gives
// (TestDownloadOfAChunkedAnswer). It returns the object's description.
//
// w receives writes at different offsets from several goroutines at once, as
// *os.File allows. On error, w may hold part of the object.
func (c *Client) Download(ctx context.Context, bucket, key string, w io.WriterAt, opts ...DownloadOption) (Object, error) {
	const op = "Download"
	cfg := downloadConfig{transfer: c.transfer}
	for _, o := range opts {
		if o == nil {
			return Object{}, invalidf(op, bucket, key, "nil DownloadOption")
		}
		o.applyDownload(&cfg)
	}
	if err := checkObject(op, bucket, key, c.ext.relaxedNames); err != nil {
		return Object{}, err
	}
	if w == nil {
		return Object{}, invalidf(op, bucket, key, "destination is nil")
	}
	if err := cfg.transfer.validate(op, "", ""); err != nil {
		return Object{}, err
	}
	t := c.target(op, bucket, key)
	res, err := transfer.RunDownload(ctx, t, w, &transfer.Download{
		PartSize:    cfg.transfer.partSize,
		Concurrency: cfg.transfer.concurrency,
		Verify:      cfg.verify,
		Progress: func(total int64, parts int) *transfer.Progress {
			return startProgress(cfg.progress, total, parts)
		},
	})
	switch {
	case err != nil:
		return Object{}, err
	case res.Empty:
		return c.downloadEmpty(ctx, op, bucket, key)
	}
	obj := objectFromGet(key, res.First)
	obj.Size = res.Size
	return obj, nil
}

// downloadEmpty handles a zero-byte object, which has no valid range.
func (c *Client) downloadEmpty(ctx context.Context, op, bucket, key string) (Object, error) {
	obj, err := c.Head(ctx, bucket, key)
	if err != nil {
		return Object{}, err
	}
	if obj.Size != 0 {
		return Object{}, &Error{Op: op, Bucket: bucket, Key: key, kind: ErrObjectChanged, Err: errors.New("object changed size during the download")}
	}
	return obj, nil
}

// objectFromGet describes an object from a GetObject response.
func objectFromGet(key string, out *s3.GetObjectOutput) Object {
	obj := Object{
		Key:          key,
		Size:         aws.ToInt64(out.ContentLength),
		ETag:         trimETag(out.ETag),
		LastModified: aws.ToTime(out.LastModified),
		ContentType:  aws.ToString(out.ContentType),
		CacheControl: aws.ToString(out.CacheControl),
		Metadata:     out.Metadata,
		StorageClass: string(out.StorageClass),
		VersionID:    aws.ToString(out.VersionId),
	}
	if _, _, total, ok := transfer.ParseContentRange(aws.ToString(out.ContentRange)); ok && total >= 0 {
		obj.Size = total
	}
	return obj
}
