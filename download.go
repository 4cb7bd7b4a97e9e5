package s3kit

import (
	"context"
	"errors"
	"io"

	"github.com/s3kit/s3kit/internal/transfer"
)

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
// [WithMultipartThreshold] and [WithContentMD5] do nothing for a download
// and are refused with [ErrInvalidInput] (TestMistakesUsersMake).
//
// Errors: [ErrInvalidInput], before any request, for a bad bucket name or
// key, a nil w or a bad option; [ErrNotFound] and [ErrBucketNotFound];
// [ErrAccessDenied]; [ErrObjectChanged] if the object changed during the
// download; [ErrDataCorrupted] if a range ended short and could not be
// resumed, or, with [WithMD5Check](true), if the data written does not match
// the object's MD5 ETag. An error from w's WriteAt is returned wrapped and
// matches no sentinel. A panic in w's WriteAt, which runs on a goroutine of
// the download's, stops the download and makes Download panic with the
// same value, in the caller's goroutine (TestAttack15_DownloadWriterThatPanics).
func (c *Client) Download(ctx context.Context, bucket, key string, w io.WriterAt, opts ...DownloadOption) (_ Object, err error) {
	const op = "Download"
	ctx, span := c.span(ctx, op, bucket, key)
	defer span.End(&err)
	cfg := downloadConfig{transfer: c.conf().transfer}
	for _, o := range opts {
		if o == nil {
			return Object{}, invalidf(op, bucket, key, "nil DownloadOption")
		}
		o.applyDownload(&cfg)
	}
	if err := refuseUnused(op, bucket, key, cfg.given, givenPartSize|givenConcurrency|givenProgress); err != nil {
		return Object{}, err
	}
	if err := c.checkNames(op, bucket, key); err != nil {
		return Object{}, err
	}
	if w == nil {
		return Object{}, invalidf(op, bucket, key, "destination is nil")
	}
	if err := cfg.transfer.validate(op, "", ""); err != nil {
		return Object{}, err
	}
	t := c.target(op, bucket, key)
	p := startProgress(cfg.progress, -1, 0)
	returned := false
	defer endProgress(p, &returned)
	res, err := transfer.RunDownload(ctx, t, w, &transfer.Download{
		PartSize:    cfg.transfer.partSize,
		Concurrency: cfg.transfer.concurrency,
		Verify:      cfg.verify,
		Progress:    p,
	})
	returned = true
	switch {
	case err != nil:
		return Object{}, err
	case res.Empty:
		obj, err := c.downloadEmpty(ctx, op, bucket, key)
		if err == nil {
			p.Done(0, 0)
		}
		return obj, err
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
