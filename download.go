package s3kit

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/s3kit/s3kit/internal/s3err"
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

// copyBufferSize is the buffer each download worker copies through.
const copyBufferSize = 256 << 10

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
	d := &download{c: c, op: op, bucket: bucket, key: key, w: w, cfg: &cfg}
	return d.run(ctx)
}

// download is the state of one Download call.
type download struct {
	c      *Client
	op     string
	bucket string
	key    string
	w      io.WriterAt
	cfg    *downloadConfig

	obj      Object
	etag     string // quoted, for If-Match
	progress *progressReporter
}

func (d *download) run(ctx context.Context) (Object, error) {
	ps := d.cfg.transfer.partSize
	first, err := d.get(ctx, 0, ps-1, "", true)
	if err != nil {
		var e *Error
		if errors.As(err, &e) && e.Code == "InvalidRange" {
			return d.empty(ctx) // S3 answers 416 to any range of an empty object
		}
		return Object{}, err
	}
	sp, err := d.c.getSpan(ctx, d.op, d.bucket, d.key, first, 0, ps-1, true)
	if err == nil && sp.size < 0 {
		err = &Error{Op: d.op, Bucket: d.bucket, Key: d.key, Err: fmt.Errorf("the answer does not give the object's size (Content-Range %q)", aws.ToString(first.ContentRange))}
	}
	if err != nil {
		_ = first.Body.Close()
		return Object{}, err
	}
	d.obj = objectFromGet(d.key, first)
	d.obj.Size = sp.size
	d.etag = aws.ToString(first.ETag)
	size := d.obj.Size
	firstEnd := sp.last // the whole object if the server ignored Range

	parts := 1
	if firstEnd < size-1 {
		parts += int((size - firstEnd - 1 + ps - 1) / ps)
	}
	d.progress = startProgress(d.cfg.progress, size, parts)
	defer d.progress.finish()

	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var next atomic.Int64 // index of the next range to fetch; range 0 is first
	next.Store(1)
	var wg sync.WaitGroup
	var once sync.Once
	var failed error
	fail := func(err error) {
		once.Do(func() { failed = err; cancel(err) })
	}
	workers := min(d.cfg.transfer.concurrency, parts)
	for i := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]byte, copyBufferSize)
			if i == 0 {
				if err := d.copyRange(ctx, first, 0, firstEnd, buf); err != nil {
					fail(err)
					return
				}
			}
			for ctx.Err() == nil {
				n := next.Add(1) - 1
				if n >= int64(parts) {
					return
				}
				start := firstEnd + 1 + (n-1)*ps
				end := min(start+ps, size) - 1
				out, err := d.get(ctx, start, end, d.etag, false)
				if err == nil {
					err = d.copyRange(ctx, out, start, end, buf)
				}
				if err != nil {
					fail(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if failed != nil {
		return Object{}, failed
	}
	if err := ctx.Err(); err != nil {
		return Object{}, &Error{Op: d.op, Bucket: d.bucket, Key: d.key, Err: context.Cause(ctx)}
	}
	if d.cfg.verify {
		if err := d.verify(); err != nil {
			return Object{}, err
		}
	}
	return d.obj, nil
}

// get requests bytes [start, end], with If-Match when etag is set. The
// answer to the first range is checked by run, since it may hold the whole
// object; every other answer here.
func (d *download) get(ctx context.Context, start, end int64, etag string, first bool) (*s3.GetObjectOutput, error) {
	rng := "bytes=" + strconv.FormatInt(start, 10) + "-" + strconv.FormatInt(end, 10)
	in := &s3.GetObjectInput{Bucket: &d.bucket, Key: &d.key, Range: &rng}
	if etag != "" {
		in.IfMatch = &etag
	}
	out, err := d.c.s3.GetObject(ctx, in)
	if err != nil {
		return nil, wrapErr(d.op, d.bucket, d.key, s3err.Object, err)
	}
	if etag != "" && aws.ToString(out.ETag) != etag {
		_ = out.Body.Close()
		return nil, &Error{Op: d.op, Bucket: d.bucket, Key: d.key, kind: ErrObjectChanged,
			Err: fmt.Errorf("ETag changed from %s to %s", etag, aws.ToString(out.ETag))}
	}
	if first {
		return out, nil
	}
	sp, err := answerSpan(out, start, end, true)
	if err == nil && sp.last != end {
		err = fmt.Errorf("asked for bytes %d-%d, got %d-%d", start, end, sp.first, sp.last)
	}
	if err != nil {
		_ = out.Body.Close()
		return nil, &Error{Op: d.op, Bucket: d.bucket, Key: d.key, Err: err}
	}
	return out, nil
}

// copyRange streams one response into w at start, resuming after drops.
func (d *download) copyRange(ctx context.Context, out *s3.GetObjectOutput, start, end int64, buf []byte) error {
	rr := &rangeReader{ctx: ctx, c: d.c, op: d.op, bucket: d.bucket, key: d.key, etag: d.etag,
		pos: start, end: end, body: out.Body}
	defer rr.Close()
	dst := &progressWriter{w: io.NewOffsetWriter(d.w, start), p: d.progress}
	n, err := io.CopyBuffer(dst, rr, buf)
	if err != nil {
		var e *Error
		if errors.As(err, &e) {
			return err
		}
		return &Error{Op: d.op, Bucket: d.bucket, Key: d.key, Err: err}
	}
	if n != end-start+1 {
		return &Error{Op: d.op, Bucket: d.bucket, Key: d.key, kind: ErrDataCorrupted,
			Err: fmt.Errorf("range %d-%d: got %d bytes", start, end, n)}
	}
	d.progress.add(0, 1)
	return nil
}

// empty handles a zero-byte object, which has no valid range.
func (d *download) empty(ctx context.Context) (Object, error) {
	obj, err := d.c.Head(ctx, d.bucket, d.key)
	if err != nil {
		return Object{}, err
	}
	if obj.Size != 0 {
		return Object{}, &Error{Op: d.op, Bucket: d.bucket, Key: d.key, kind: ErrObjectChanged, Err: errors.New("object changed size during the download")}
	}
	return obj, nil
}

// verify re-reads w, if it can be read, and compares its MD5 with the ETag.
func (d *download) verify() error {
	ra, ok := d.w.(io.ReaderAt)
	h, want := newMD5(true, d.obj.ETag)
	if !ok || h == nil {
		return nil // nothing to verify against, or nothing to read back
	}
	rr := &rangeReader{md5: h, wantMD5: want, op: d.op, bucket: d.bucket, key: d.key,
		end: d.obj.Size - 1, body: io.NopCloser(io.NewSectionReader(ra, 0, d.obj.Size))}
	_, err := io.Copy(io.Discard, rr)
	return err
}

// progressWriter counts bytes written into the progress reporter.
type progressWriter struct {
	w io.Writer
	p *progressReporter
}

func (pw *progressWriter) Write(b []byte) (int, error) {
	n, err := pw.w.Write(b)
	pw.p.add(int64(n), 0)
	return n, err
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
	if _, _, total, ok := parseContentRange(aws.ToString(out.ContentRange)); ok && total >= 0 {
		obj.Size = total
	}
	return obj
}
