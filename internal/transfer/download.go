package transfer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/s3kit/s3kit/internal/panics"
	"github.com/s3kit/s3kit/internal/s3err"
)

// copyBufferSize is the buffer each download worker copies through.
const copyBufferSize = 256 << 10

// Download holds the settings of one ranged download.
type Download struct {
	PartSize    int64     // size of each range
	Concurrency int       // ranges fetched at once
	Verify      bool      // read w back and check its MD5, if w is an io.ReaderAt
	Progress    *Progress // reports the download's progress; nil: none. The caller starts and finishes it, and marks an empty object done once it has checked it
}

// DownloadResult is what a download found.
type DownloadResult struct {
	First *s3.GetObjectOutput // the answer to the first range; its body is consumed
	Size  int64               // the object's size
	Empty bool                // the object is empty (the first range got InvalidRange): nothing was written
}

// RunDownload writes the object t names into w, fetching ranges of
// cfg.PartSize with up to cfg.Concurrency requests at once. Every range
// after the first carries If-Match with the first answer's ETag. w receives
// writes at different offsets from several goroutines at once.
func RunDownload(ctx context.Context, t *Target, w io.WriterAt, cfg *Download) (DownloadResult, error) {
	d := &download{t: t, w: w, cfg: cfg}
	return d.run(ctx)
}

// AsGetOutput is the part of a HeadObject answer that a GetObject answer
// shares (size, ETag, date, headers, metadata, storage class, version), so
// that one function describes both.
func AsGetOutput(out *s3.HeadObjectOutput) *s3.GetObjectOutput {
	return &s3.GetObjectOutput{
		ContentLength: out.ContentLength, ETag: out.ETag, LastModified: out.LastModified,
		ContentType: out.ContentType, CacheControl: out.CacheControl, ContentDisposition: out.ContentDisposition,
		ContentEncoding: out.ContentEncoding, ContentLanguage: out.ContentLanguage,
		Metadata: out.Metadata, StorageClass: out.StorageClass, VersionId: out.VersionId,
	}
}

// TrimETag removes the quotes S3 puts around entity tags.
func TrimETag(p *string) string {
	return strings.Trim(aws.ToString(p), `"`)
}

// download is the state of one Download call.
type download struct {
	t   *Target
	w   io.WriterAt
	cfg *Download

	res      DownloadResult
	etag     string // quoted, for If-Match
	progress *Progress
}

// run fetches the first range, which gives the object's size and ETag,
// then the other ranges, and checks the result. Bytes count as progress as
// they are written into w, ranges as they end; the download counts as done
// only once every range is written and checked. Reporting starts before
// the first request (the caller starts it), with the size unknown, so that
// a download that fails at once, or of an empty object, still gets its
// final report. An empty object is not marked done here: the caller checks
// that it is still empty first (TestProgressOfAnEmptyDownloadThatFails).
func (d *download) run(ctx context.Context) (DownloadResult, error) {
	d.progress = d.cfg.Progress
	first, sp, err := d.firstRange(ctx)
	switch {
	case err != nil:
		return DownloadResult{}, err
	case first == nil:
		d.progress.SetTotal(0, 0)
		return DownloadResult{Empty: true}, nil
	}
	d.res = DownloadResult{First: first, Size: sp.Size}
	d.etag = aws.ToString(first.ETag)
	q := newRanges(sp.Last, d.res.Size, d.cfg.PartSize) // sp.Last: the whole object if the server ignored Range
	d.progress.SetTotal(d.res.Size, q.count)

	if err := d.fetchAll(ctx, first, q); err != nil {
		return DownloadResult{}, err
	}
	if d.cfg.Verify {
		if err := d.verify(); err != nil {
			return DownloadResult{}, err
		}
	}
	d.progress.Done(d.res.Size, q.count)
	return d.res, nil
}

// firstRange requests the first range and checks the answer, which must
// give the object's size. It returns a nil answer and no error for an empty
// object.
func (d *download) firstRange(ctx context.Context) (*s3.GetObjectOutput, Span, error) {
	ps := d.cfg.PartSize
	first, err := d.get(ctx, 0, ps-1, "", true)
	if err != nil {
		if code, _ := d.t.Errs.Code(err); code == "InvalidRange" {
			// S3 answers 416 to any range of an empty object
			return nil, Span{}, nil
		}
		return nil, Span{}, err
	}
	sp, err := d.t.GetSpan(ctx, first, 0, ps-1, true)
	if err == nil && sp.Size < 0 {
		err = d.t.err(None, fmt.Errorf("the answer does not give the object's size (Content-Range %q)", aws.ToString(first.ContentRange)))
	}
	if err != nil {
		_ = first.Body.Close()
		return nil, Span{}, err
	}
	return first, sp, nil
}

// ranges hands out the ranges of a download after the first, one at a
// time, to the workers that fetch them.
type ranges struct {
	next     atomic.Int64 // index of the next range to fetch; range 0 is first
	count    int          // ranges in all, the first included
	firstEnd int64        // offset of the first range's last byte
	size     int64        // the object's size
	partSize int64
}

// newRanges divides an object of size bytes, whose first range ends at
// firstEnd, into ranges of partSize.
func newRanges(firstEnd, size, partSize int64) *ranges {
	q := &ranges{count: 1, firstEnd: firstEnd, size: size, partSize: partSize}
	if firstEnd < size-1 {
		q.count += int((size - firstEnd - 1 + partSize - 1) / partSize)
	}
	q.next.Store(1)
	return q
}

// take returns the bytes [start, end] of the next range, or ok false when
// every range has been handed out.
func (q *ranges) take() (start, end int64, ok bool) {
	n := q.next.Add(1) - 1
	if n >= int64(q.count) {
		return 0, 0, false
	}
	start = q.firstEnd + 1 + (n-1)*q.partSize
	end = min(start+q.partSize, q.size) - 1
	return start, end, true
}

// fetchAll writes the first answer and fetches and writes the ranges of q
// with up to cfg.Concurrency workers. The first failure stops them all and
// is returned.
func (d *download) fetchAll(ctx context.Context, first *s3.GetObjectOutput, q *ranges) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var wg sync.WaitGroup
	var once sync.Once
	var failed error
	fail := func(err error) {
		once.Do(func() { failed = err; cancel(err) })
	}
	// A panic in a worker (in w's WriteAt, say) is held and raised again
	// here, once every worker has stopped: raised in the worker, where
	// nobody can recover it, it would end the program
	// (TestAttack15_DownloadWriterThatPanics).
	var held panics.Hold
	defer held.Rethrow()
	workers := min(d.cfg.Concurrency, q.count)
	for i := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ended := false
			defer func() {
				if r := recover(); r != nil {
					held.Keep(r)
					fail(d.t.err(None, errWriterPanicked))
				} else if !ended {
					// runtime.Goexit (in w's WriteAt, say): recover
					// returns nil, and the range the worker held is not
					// written (TestReview15_DownloadWriterThatExits).
					fail(d.t.err(None, errWorkerExited))
				}
			}()
			if err := d.work(ctx, i == 0, first, q); err != nil {
				fail(err)
			}
			ended = true
		}()
	}
	wg.Wait()
	if failed != nil {
		return failed
	}
	if err := ctx.Err(); err != nil {
		return d.t.err(None, context.Cause(ctx))
	}
	return nil
}

// errWriterPanicked stops the other workers of a download whose worker
// panicked.
var errWriterPanicked = errors.New("writing the download panicked")

// errWorkerExited fails a download one of whose workers ended its
// goroutine (runtime.Goexit) before it was done.
var errWorkerExited = errors.New("a goroutine writing the download exited before it was done")

// work is one worker of fetchAll: it writes the first answer if withFirst,
// then fetches and writes ranges of q until none is left.
func (d *download) work(ctx context.Context, withFirst bool, first *s3.GetObjectOutput, q *ranges) error {
	buf := make([]byte, copyBufferSize)
	if withFirst {
		if err := d.copyRange(ctx, first, 0, q.firstEnd, buf); err != nil {
			return err
		}
	}
	return d.fetchRanges(ctx, q, buf)
}

// fetchRanges takes ranges from q until none is left or ctx ends, and
// fetches each and writes it through buf. It stops at the first error.
func (d *download) fetchRanges(ctx context.Context, q *ranges, buf []byte) error {
	for ctx.Err() == nil {
		start, end, ok := q.take()
		if !ok {
			return nil
		}
		out, err := d.get(ctx, start, end, d.etag, false)
		if err == nil {
			err = d.copyRange(ctx, out, start, end, buf)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// get requests bytes [start, end], with If-Match when etag is set. The
// answer to the first range is checked by run, since it may hold the whole
// object; every other answer here.
func (d *download) get(ctx context.Context, start, end int64, etag string, first bool) (*s3.GetObjectOutput, error) {
	rng := "bytes=" + strconv.FormatInt(start, 10) + "-" + strconv.FormatInt(end, 10)
	out, err := d.t.S3.GetObject(ctx, d.t.getObjectInput(rng, etag))
	if err != nil {
		return nil, d.t.wrap(s3err.Object, err)
	}
	if etag != "" && aws.ToString(out.ETag) != etag {
		_ = out.Body.Close()
		return nil, d.t.err(ObjectChanged, fmt.Errorf("ETag changed from %s to %s", etag, aws.ToString(out.ETag)))
	}
	if first {
		return out, nil
	}
	sp, err := answerSpan(out, start, end, true)
	if err == nil && sp.Last != end {
		err = fmt.Errorf("asked for bytes %d-%d, got %d-%d", start, end, sp.First, sp.Last)
	}
	if err != nil {
		_ = out.Body.Close()
		return nil, d.t.err(None, err)
	}
	return out, nil
}

// copyRange streams one response into w at start, resuming after drops.
func (d *download) copyRange(ctx context.Context, out *s3.GetObjectOutput, start, end int64, buf []byte) error {
	rr := NewRangeReader(ctx, d.t, d.etag, start, end, out.Body)
	defer rr.Close()
	dst := &progressWriter{w: io.NewOffsetWriter(d.w, start), p: d.progress}
	n, err := io.CopyBuffer(dst, rr, buf)
	if err != nil {
		if _, ok := d.t.Errs.Code(err); ok {
			return err
		}
		return d.t.err(None, err)
	}
	if n != end-start+1 {
		return d.t.err(DataCorrupted, fmt.Errorf("range %d-%d: got %d bytes", start, end, n))
	}
	d.progress.Add(0, 1)
	return nil
}

// verify re-reads w, if it can be read, and compares its MD5 with the ETag.
func (d *download) verify() error {
	ra, ok := d.w.(io.ReaderAt)
	h, want := newMD5(true, TrimETag(d.res.First.ETag))
	if !ok || h == nil {
		return nil // nothing to verify against, or nothing to read back
	}
	rr := &RangeReader{md5: h, wantMD5: want, t: d.t,
		end: d.res.Size - 1, body: io.NopCloser(io.NewSectionReader(ra, 0, d.res.Size))}
	_, err := io.Copy(io.Discard, rr)
	return err
}

// progressWriter counts the bytes written into w as progress, with one
// atomic add per Write.
type progressWriter struct {
	w io.Writer
	p *Progress
}

func (pw *progressWriter) Write(b []byte) (int, error) {
	n, err := pw.w.Write(b)
	pw.p.Add(int64(n), 0)
	return n, err
}
