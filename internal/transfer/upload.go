package transfer

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/s3kit/s3kit/internal/panics"
	"github.com/s3kit/s3kit/internal/payload"
	"github.com/s3kit/s3kit/internal/retry"
	"github.com/s3kit/s3kit/internal/s3err"
)

// Upload is the state of one Put: what it stores, and where.
type Upload struct {
	t    *Target
	set  *Settings
	body io.Reader
	size int64       // -1 if unknown
	ra   io.ReaderAt // non-nil: parts are read in place from ra at base
	base int64
	held heldPanic // the caller's ReaderAt, which ra points to when it is not nil, and the panics of parts

	progress *Progress // nil without progress reporting

	pool *bufferPool // lends the buffers parts read from body are held in
}

// NewUpload prepares to store body, of size bytes (-1 if unknown), as t's
// object with settings set. When ra is not nil, the body is read in place
// from ra at base instead.
func NewUpload(t *Target, set *Settings, body io.Reader, size int64, ra io.ReaderAt, base int64) *Upload {
	u := &Upload{t: t, set: set, body: body, size: size, base: base, pool: partBuffers}
	if ra != nil {
		u.held.ra = ra
		u.ra = &u.held
	}
	return u
}

// heldPanic is a body read in place whose ReadAt, which runs on goroutines
// the caller cannot recover (a part's, or net/http's while it sends), may
// panic. The first panic is held, every read from then on fails, and
// [Upload.rethrow] raises the panic again on the caller's goroutine once
// no request reads the body any more: the panic reaches the caller of Put,
// as one from a body's Read does, after the multipart upload is aborted,
// rather than ending the program with the upload left on the server
// (TestAttack15_BodyReadInPlaceThatPanics). [Progress] holds a progress
// function's panic the same way.
type heldPanic struct {
	ra io.ReaderAt
	panics.Hold
}

// errBodyPanicked fails the reads of a body whose ReadAt has panicked.
var errBodyPanicked = errors.New("the body's ReadAt panicked")

// ReadAt reads from the body, unless it has panicked before.
func (h *heldPanic) ReadAt(p []byte, off int64) (n int, err error) {
	if h.Held() {
		return 0, errBodyPanicked
	}
	ok := false
	defer func() {
		if !ok {
			h.Keep(recover())
			n, err = 0, errBodyPanicked
		}
	}()
	n, err = h.ra.ReadAt(p, off)
	ok = true
	return n, err
}

// rethrow raises again the panic of the body's ReadAt or of the sending of
// a part, if one panicked. Call it once no request reads the body any more
// and every part has returned.
func (u *Upload) rethrow() { u.held.Rethrow() }

// Report makes the upload report its progress to p, which may be nil.
func (u *Upload) Report(p *Progress) { u.progress = p }

// Single stores a body of known size with one PutObject.
func (u *Upload) Single(ctx context.Context) (Result, error) {
	var body io.ReadSeeker
	if u.ra != nil {
		body = newSection(u.ra, u.base, u.size)
	} else {
		buf := make([]byte, u.size)
		if err := u.readExactly(buf); err != nil {
			return Result{}, err
		}
		body = bytes.NewReader(buf)
	}
	res, err := u.putBytes(ctx, body, u.size)
	u.rethrow()
	return res, err
}

// readExactly fills buf from the body and checks that the body ends there,
// so that a body shorter or longer than its declared size, or one that
// fails, is never stored.
func (u *Upload) readExactly(buf []byte) error {
	n, eof, err := readFull(u.body, buf)
	switch {
	case err != nil:
		return u.bodyErr(err)
	case eof && n < len(buf):
		return u.t.err(Invalid, fmt.Errorf("body ended after %d bytes; its size was given as %d", n, len(buf)))
	}
	return u.checkEnd()
}

// checkEnd checks that the body has nothing left after its declared size,
// and that it ends with io.EOF rather than an error.
func (u *Upload) checkEnd() error {
	var one [1]byte
	n, _, err := readFull(u.body, one[:])
	switch {
	case err != nil:
		return u.bodyErr(err)
	case n > 0:
		return u.t.err(Invalid, fmt.Errorf("body is longer than its given size %d", u.size))
	}
	return nil
}

// putBytes sends one seekable body of n bytes with PutObject, signed with
// its SHA-256. The bytes count as progress while the HTTP client reads them,
// and as done once the PUT has answered.
func (u *Upload) putBytes(ctx context.Context, body io.ReadSeeker, n int64) (Result, error) {
	sums, err := payload.Hash(body, u.set.ContentMD5)
	if err != nil {
		return Result{}, u.t.err(None, fmt.Errorf("reading body: %w", err))
	}
	u.progress.SetTotal(n, 0)
	out, err := u.t.S3.PutObject(ctx, u.t.putObjectInput(u.progress.Body(body, n), n, sums.MD5, u.set), payload.Sign(sums.SHA256))
	if err != nil {
		return Result{}, u.t.wrapWrite(u.set.WriteKind, err)
	}
	u.progress.Done(n, 0)
	return Result{ETag: TrimETag(out.ETag), VersionID: aws.ToString(out.VersionId), Size: n}, nil
}

// readFull reads from r until buf is full or the body ends, and reports
// which. Only io.EOF itself ends a body: any other error, io.ErrUnexpectedEOF
// from a response body cut short included, is returned as an error, so that
// a truncated stream is never stored as if it were complete.
//
// A body that keeps returning no bytes and no error fails with
// io.ErrNoProgress after maxEmptyReads calls in a row, as bufio does.
func readFull(r io.Reader, buf []byte) (n int, eof bool, err error) {
	empty := 0
	for n < len(buf) {
		k, err := r.Read(buf[n:])
		n += k
		switch {
		case err == io.EOF: //nolint:errorlint // io.Reader returns io.EOF itself at the end
			return n, true, nil
		case err != nil:
			return n, false, err
		case k > 0:
			empty = 0
		default:
			if empty++; empty >= maxEmptyReads {
				return n, false, io.ErrNoProgress
			}
		}
	}
	return n, false, nil
}

// maxEmptyReads is how many reads in a row may return nothing before a body
// is declared broken.
const maxEmptyReads = 100

// bodyErr reports an error from reading the caller's body.
func (u *Upload) bodyErr(err error) error {
	return u.t.err(None, fmt.Errorf("reading body: %w", err))
}

// copyBuffers holds buffers for copying bodies that are read in place.
var copyBuffers = sync.Pool{New: func() any { b := make([]byte, 64<<10); return &b }}

// section is a part of an io.ReaderAt sent in place. Its WriteTo copies
// through a pooled buffer, so that hashing and sending it allocate nothing.
type section struct{ *io.SectionReader }

func newSection(ra io.ReaderAt, off, n int64) section {
	return section{io.NewSectionReader(ra, off, n)}
}

// WriteTo copies the rest of the section to w.
func (s section) WriteTo(w io.Writer) (int64, error) {
	buf := copyBuffers.Get().(*[]byte)
	defer copyBuffers.Put(buf)
	return io.CopyBuffer(w, struct{ io.Reader }{s.SectionReader}, *buf)
}

// Multipart sends the body as a multipart upload, or as a single PUT if a
// body of unknown size turns out to fit in the first part.
func (u *Upload) Multipart(ctx context.Context) (Result, error) {
	var first *part
	if u.ra == nil {
		p, whole, err := u.readFirst()
		if err != nil {
			return Result{}, err
		}
		if whole {
			defer u.pool.put(p.buf)
			return u.putBytes(ctx, p.body, p.size)
		}
		first = &p
	}
	mp, err := u.create(ctx, u.t.createMultipartUploadInput(u.set))
	if err != nil {
		if first != nil {
			u.pool.put(first.buf)
		}
		return Result{}, err
	}
	ended := false
	defer func() {
		// Only a panic (in the body's Read or ReadAt, say) gets here
		// with ended false. It goes on to the caller, who may recover it; the upload
		// is aborted first, so that its parts are not left on the server
		// (TestPutBodyThatPanicsAbortsTheUpload).
		if !ended {
			_ = mp.abort(ctx, nil)
		}
	}()
	total, err := mp.runParts(ctx, bodyParts{u}, first)
	u.rethrow()
	var res Result
	if err == nil {
		res, err = mp.complete(ctx, total)
	}
	ended = true
	if err != nil {
		return Result{}, mp.abort(ctx, err)
	}
	return res, nil
}

// readFirst reads the first part of a body that is not read in place, into
// a buffer from the pool, and reports whether it is the whole body. The
// part holds no more than the declared size, if any, so that a body longer
// than declared is found here
// (TestPutOfDeclaredSizeLongerThanThePartFails) rather than sent as a first
// part past the object's end. On error the buffer is back in the pool.
func (u *Upload) readFirst() (first part, whole bool, err error) {
	first, err = bodyParts{u}.next(1, nil, 0)
	if err != nil {
		u.pool.put(first.buf)
		return part{}, false, err
	}
	return first, first.last, nil
}

// growthDivisor sets how fast the part size of an unknown-size upload grows:
// once the bytes sent exceed growthDivisor × the starting part size, each
// part is 1/growthDivisor of what has been sent so far. That is the slowest
// growth that still fits 5 TiB in 10,000 parts from a 5 MiB start (about
// 4,600 parts), and it keeps the buffers at about concurrency/512 of the
// bytes sent: 32 MiB for streams up to 4 GiB, 320 MiB at 40 GiB.
const growthDivisor = 512

// PartSizeFor returns the size of the part that starts at offset. For a
// known size the part size is fixed and large enough for the object to fit in
// 10,000 parts. For an unknown size it grows with the bytes already sent (see
// growthDivisor), rounded up to a whole MiB and capped at 5 GiB.
func (u *Upload) PartSizeFor(offset int64) int64 {
	const mib = 1 << 20
	ps := u.set.PartSize
	need := int64(0)
	switch {
	case u.size >= 0:
		need = (u.size + maxParts - 1) / maxParts
	case u.set.EqualParts:
		// Cloudflare R2 wants parts of one size: keep the first one, which
		// limits a stream of unknown size to 10,000 parts of it.
	default:
		need = offset / growthDivisor
	}
	if need > ps {
		ps = (need + mib - 1) / mib * mib
	}
	return min(ps, maxPartSize)
}

// Time limits of the requests that must finish even when the caller's
// context ends: starting an upload (so that its ID is not lost), completing
// it (so that the answer says what happened), aborting it, and checking the
// outcome of a completion whose answer was lost.
const (
	// abortTimeout bounds an AbortMultipartUpload, and the outcome check of
	// a completion, each on a context detached from the caller's.
	abortTimeout = 30 * time.Second
	// graceAfterCancel is how long a CreateMultipartUpload or
	// CompleteMultipartUpload already sent may still run once the caller's
	// context has ended.
	graceAfterCancel = 30 * time.Second
	// completeTimeout bounds a CompleteMultipartUpload in all; large
	// uploads can take the provider minutes to assemble.
	completeTimeout = 10 * time.Minute
)

// create starts the multipart upload described by in. The request runs on a
// context detached from ctx (see [detached]), so that a cancel while it is
// in flight cannot lose the ID of an upload the provider created; if ctx has
// ended by the time the answer arrives, the new upload is aborted at once.
//
// An attempt whose answer was lost may still have created an upload that
// nobody knows the ID of. It holds no parts, so no storage, and it is left
// alone: ListMultipartUploads cannot tell it from another writer's live
// upload of the same key, and aborting that would fail the other writer.
// A lifecycle rule (AbortIncompleteMultipartUpload) removes such uploads.
func (u *Upload) create(ctx context.Context, in *s3.CreateMultipartUploadInput) (*multipartRun, error) {
	if err := ctx.Err(); err != nil {
		return nil, u.t.err(None, context.Cause(ctx))
	}
	dctx, cancel := detached(ctx, graceAfterCancel, graceAfterCancel+abortTimeout)
	defer cancel()
	created, err := u.t.S3.CreateMultipartUpload(dctx, in)
	if err != nil {
		return nil, u.t.wrap(u.set.WriteKind, err)
	}
	mp := &multipartRun{u: u, id: aws.ToString(created.UploadId)}
	if ctx.Err() != nil {
		return nil, mp.abort(ctx, u.t.err(None, context.Cause(ctx)))
	}
	return mp, nil
}

// detached returns a context that carries ctx's values but not its
// cancellation: it ends grace after ctx ends, or limit after now, whichever
// comes first. The returned cancel must be called.
func detached(ctx context.Context, grace, limit time.Duration) (context.Context, context.CancelFunc) {
	dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), limit)
	var (
		mu    sync.Mutex
		timer *time.Timer
	)
	stop := context.AfterFunc(ctx, func() {
		mu.Lock()
		defer mu.Unlock()
		timer = time.AfterFunc(grace, cancel)
	})
	return dctx, func() {
		stop()
		mu.Lock()
		if timer != nil {
			timer.Stop()
		}
		mu.Unlock()
		cancel()
	}
}

// multipartRun uploads the parts of one multipart upload.
type multipartRun struct {
	u  *Upload
	id string

	wg      sync.WaitGroup
	sent    int  // parts started, numbered 1 to sent
	aborted bool // the upload is gone: aborted, or found gone by an abort
	mu      sync.Mutex
	parts   []types.CompletedPart
	failed  error // first part error
}

// partSource supplies and sends the parts of one multipart upload: a Put's
// are read from its body, a Copy's are ranges of its source.
type partSource interface {
	// next returns part n, which starts at offset; buf is a buffer it may
	// use (nil, or a buffer of an earlier part). The part's buf is the
	// buffer it holds, even with an error, for the caller to return to
	// the pool.
	next(n int, buf []byte, offset int64) (part, error)
	// send uploads part n of upload id and returns the ETag of the answer.
	send(ctx context.Context, id string, n int, p part) (*string, error)
}

// runParts takes parts from src and hands them to at most concurrency
// uploads at a time, and returns the number of bytes in all parts once
// every part is recorded. It stops at the first failure. Buffers circulate
// through tokens, so that one upload holds at most concurrency buffers
// (TestUploadHoldsAtMostConcurrencyBuffers), and go back to the pool once
// every part has returned. first, if not nil, is the already-read first
// part, which runParts then owns.
func (mp *multipartRun) runParts(ctx context.Context, src partSource, first *part) (int64, error) {
	u := mp.u
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	tokens := make(chan []byte, u.set.Concurrency)
	defer mp.returnBuffers(tokens)
	for range u.set.Concurrency {
		tokens <- nil
	}
	var total int64
	var readErr error
	for n := 1; ; n++ {
		var buf []byte
		took := false
		select {
		case buf = <-tokens:
			took = true
		case <-ctx.Done():
		}
		var p part
		if p, readErr = mp.nextPart(ctx, src, first, n, buf, total); readErr != nil || (p.size == 0 && n > 1) {
			// The previous part may have ended exactly at the end of the
			// body. The buffer goes back where it came from: a token
			// taken goes back to tokens, which has room for it and for
			// no more (TestUploadCancelledWhileEveryPartIsInFlight).
			if took {
				tokens <- p.buf
			} else {
				u.pool.put(p.buf)
			}
			break
		}
		total += p.size
		mp.wg.Add(1)
		mp.sent++
		go mp.sendPart(ctx, cancel, src, n, p, tokens)
		if p.last {
			break
		}
	}
	if readErr == nil {
		// The body has ended: a total unknown until now is known, while the
		// last parts are still being sent.
		u.progress.SetTotal(total, mp.sent)
	}
	mp.wg.Wait()
	if readErr != nil {
		return 0, readErr
	}
	if err := mp.firstErr(ctx); err != nil {
		return 0, err
	}
	return total, nil
}

// nextPart returns part n, which starts at offset: the already-read first
// part if n is 1 and first is not nil, or else the next part from src, read
// into buf if it needs a buffer. It fails if the upload has failed or ctx
// has ended, or if n is past the last part S3 allows. The part's buf is the
// buffer it holds, even with an error.
func (mp *multipartRun) nextPart(ctx context.Context, src partSource, first *part, n int, buf []byte, offset int64) (part, error) {
	if first != nil && n == 1 {
		buf = first.buf // every token is still nil
	}
	if err := mp.firstErr(ctx); err != nil {
		return part{buf: buf}, err
	}
	if n > maxParts {
		return part{buf: buf}, mp.u.t.err(Invalid, fmt.Errorf("body needs more than %d parts; raise the part size", maxParts))
	}
	if first != nil && n == 1 {
		return *first, nil
	}
	return src.next(n, buf, offset)
}

// returnBuffers waits for every part in flight, then returns the buffers
// in tokens to the pool.
func (mp *multipartRun) returnBuffers(tokens chan []byte) {
	mp.wg.Wait()
	for range len(tokens) {
		mp.u.pool.put(<-tokens)
	}
}

// part is one part ready to send.
type part struct {
	body io.ReadSeeker
	size int64
	buf  []byte // buffer holding the data, returned to the pool after sending
	last bool   // the body ends with this part
	rng  string // for a Copy: the source's bytes, as "bytes=a-b"
}

// bodyParts reads the parts of a Put from its body.
type bodyParts struct{ u *Upload }

// next returns part n, which starts at offset. It comes from the
// ReaderAt in place, or is read into buf, which is replaced with one from
// the pool if it is too small. A body that is shorter or longer than its
// declared size is an error.
func (b bodyParts) next(n int, buf []byte, offset int64) (part, error) {
	u := b.u
	want := u.PartSizeFor(offset)
	if u.size >= 0 {
		want = min(want, u.size-offset)
	}
	if u.ra != nil {
		return part{body: newSection(u.ra, u.base+offset, want), size: want, last: offset+want >= u.size, buf: buf}, nil
	}
	if int64(cap(buf)) < want {
		u.pool.put(buf)
		buf = u.pool.get(want)
	}
	read := false
	defer func() {
		if !read {
			// The caller's body panicked (or ended its goroutine): the
			// panic goes on to the caller of Put, and buf, which no
			// request holds yet, goes back to the pool, where a buffer
			// lent for ever would keep the idle ones from being let go
			// (TestAttackPool_BodyThatPanicsReturnsItsBuffer).
			u.pool.put(buf)
		}
	}()
	p, err := b.read(buf, want, offset)
	read = true
	return p, err
}

// read reads part n, of want bytes at most, which starts at offset, into
// buf. A body that is shorter or longer than its declared size is an error.
// The part's buf is buf, even with an error.
func (b bodyParts) read(buf []byte, want, offset int64) (part, error) {
	u := b.u
	read, eof, err := readFull(u.body, buf[:want])
	p := part{body: bytes.NewReader(buf[:read]), size: int64(read), buf: buf}
	switch {
	case err != nil:
		return part{buf: buf}, u.bodyErr(err)
	case eof && u.size >= 0 && offset+int64(read) != u.size:
		return part{buf: buf}, u.t.err(Invalid, fmt.Errorf("body ended after %d bytes; its size was given as %d", offset+int64(read), u.size))
	case eof: // a Read may return the last bytes with io.EOF
		p.last = true
	case u.size >= 0 && offset+int64(read) == u.size:
		if err := u.checkEnd(); err != nil {
			return part{buf: buf}, err
		}
		p.last = true
	}
	return p, nil
}

// send uploads part n with UploadPart, signed with its SHA-256. The hash
// is taken here, on the part's own goroutine, rather than while the part
// is read: the reader is one goroutine, and hashing there would cap a
// stream at one core's hashing speed (MD5 for Content-MD5, or SHA-256
// without SHA instructions, runs at a few hundred MB/s), while parts in
// flight hash on as many cores as there are.
func (b bodyParts) send(ctx context.Context, id string, n int, p part) (*string, error) {
	u := b.u
	sums, err := payload.Hash(p.body, u.set.ContentMD5)
	var out *s3.UploadPartOutput
	if err == nil {
		p.body = u.progress.Body(p.body, p.size)
		out, err = u.t.S3.UploadPart(ctx, u.t.uploadPartInput(id, n, p, sums.MD5), payload.Sign(sums.SHA256))
	}
	var etag *string
	if out != nil {
		etag = out.ETag
	}
	return etag, err
}

// sendPart sends part n from src, records the answer, and returns the
// part's buffer to the pool. The part's bytes have been counted as they
// were sent; the part counts once it is recorded.
func (mp *multipartRun) sendPart(ctx context.Context, cancel context.CancelFunc, src partSource, n int, p part, tokens chan<- []byte) {
	defer mp.wg.Done()
	sent := false
	defer func() {
		if !sent {
			// runtime.Goexit while the part was sent (in the caller's
			// HTTP transport, say), which no recover stops: the part
			// fails, and its buffer goes back, without which runParts
			// would wait for a token for ever
			// (TestReview15_TransportThatExitsInAPart).
			mp.partDone(n, nil, errPartExited, cancel)
			tokens <- p.buf
		}
	}()
	etag, err := mp.send(ctx, src, n, p)
	sent = true
	if mp.partDone(n, etag, err, cancel) {
		mp.u.progress.Add(0, 1)
	}
	tokens <- p.buf
}

// errPartExited fails a part whose sending ended its goroutine.
var errPartExited = errors.New("sending the part exited its goroutine")

// send sends part n from src. A panic while sending (in the caller's HTTP
// transport, say) fails the part and is held for the caller's goroutine,
// where [Upload.rethrow] raises it again once every part has returned:
// raised here, where nobody can recover it, it would end the program with
// the upload left on the server (TestAttack15_TransportThatPanicsInAPart).
func (mp *multipartRun) send(ctx context.Context, src partSource, n int, p part) (etag *string, err error) {
	defer func() {
		if r := recover(); r != nil {
			mp.u.held.Keep(r)
			etag, err = nil, errPartPanicked
		}
	}()
	return src.send(ctx, mp.id, n, p)
}

// errPartPanicked fails a part whose sending panicked.
var errPartPanicked = errors.New("sending the part panicked")

// partDone records the answer to part n: its ETag, or the failure that
// stops the upload (cancel stops the other parts). An answer without an
// ETag is a failure too: a part left out of the completion would silently
// shorten the object. It reports whether the part was recorded.
func (mp *multipartRun) partDone(n int, etag *string, err error, cancel context.CancelFunc) bool {
	u := mp.u
	mp.mu.Lock()
	defer mp.mu.Unlock()
	if err == nil && aws.ToString(etag) == "" {
		err = errors.New("the answer carries no ETag")
	}
	if err == nil {
		mp.parts = append(mp.parts, types.CompletedPart{ETag: etag, PartNumber: aws.Int32(int32(n))})
		return true
	}
	if mp.failed == nil {
		mp.failed = u.t.Errs.Wrap(Site{Op: u.t.Op, Bucket: u.t.Bucket, Key: u.t.Key, Kind: s3err.Object, Step: fmt.Sprintf("part %d", n)}, err)
		cancel()
	}
	return false
}

// firstErr returns the first part error, or the context's error.
func (mp *multipartRun) firstErr(ctx context.Context) error {
	mp.mu.Lock()
	defer mp.mu.Unlock()
	if mp.failed != nil {
		return mp.failed
	}
	if err := ctx.Err(); err != nil {
		return mp.u.t.err(None, context.Cause(ctx))
	}
	return nil
}

// complete asks the provider to assemble the parts into an object of total
// bytes, after checking that every part sent was recorded. Once sent, the request is not cut short by
// the end of ctx (it gets [graceAfterCancel]), so that its answer can say
// what was stored. If ctx has already ended, nothing is sent.
//
// A completion that fails without a definite refusal may have worked; see
// [multipartRun.settle]. On any error the caller aborts the upload, which
// is harmless after a completion that worked.
func (mp *multipartRun) complete(ctx context.Context, total int64) (Result, error) {
	u := mp.u
	if err := ctx.Err(); err != nil {
		return Result{}, u.t.err(None, context.Cause(ctx))
	}
	slices.SortFunc(mp.parts, func(a, b types.CompletedPart) int { return int(*a.PartNumber - *b.PartNumber) })
	complete := len(mp.parts) == mp.sent
	for i, p := range mp.parts {
		complete = complete && int(*p.PartNumber) == i+1
	}
	if !complete {
		return Result{}, u.t.err(None, fmt.Errorf("%d parts sent but %d recorded; not completing", mp.sent, len(mp.parts)))
	}
	dctx, cancel := detached(ctx, graceAfterCancel, completeTimeout)
	defer cancel()
	out, err := u.t.S3.CompleteMultipartUpload(dctx, u.t.completeMultipartUploadInput(mp.id, mp.parts, u.set))
	if err != nil {
		return mp.settle(ctx, err, total)
	}
	u.progress.Done(total, len(mp.parts))
	etag := TrimETag(out.ETag)
	if etag == "" {
		// Ceph RGW answers <ETag></ETag>; HEAD shows the usual one.
		etag = mp.etag()
	}
	return Result{ETag: etag, VersionID: aws.ToString(out.VersionId), Size: total, Parts: len(mp.parts)}, nil
}

// etag returns the ETag the completed upload should have, or "" if the parts'
// ETags are not MD5s.
func (mp *multipartRun) etag() string {
	etags := make([]string, len(mp.parts))
	for i, p := range mp.parts {
		etags[i] = aws.ToString(p.ETag)
	}
	return multipartETag(etags)
}

// multipartETag computes the ETag S3 gives a completed multipart upload:
// the MD5 of the parts' binary MD5s, then "-" and the number of parts. It
// returns "" if a part's ETag is not an MD5.
func multipartETag(parts []string) string {
	h := md5.New()
	for _, e := range parts {
		b, err := hex.DecodeString(strings.Trim(e, `"`))
		if err != nil || len(b) != md5.Size {
			return ""
		}
		h.Write(b)
	}
	return fmt.Sprintf("%s-%d", hex.EncodeToString(h.Sum(nil)), len(parts))
}

// settle decides what a failed CompleteMultipartUpload did. A definite
// refusal (an answer of 4xx or 503 to every attempt) is returned as it is.
// Otherwise the completion may have worked: the answer was lost or garbled,
// a retry got NoSuchUpload or 412 because the first attempt worked, or ctx
// ended while waiting. Then settle aborts the upload, on a detached
// context, so that no parts are left whatever happened. If the provider
// says the upload is already gone (NoSuchUpload), the completion happened
// unless someone else aborted the upload, and a HEAD showing the ETag and
// size exactly these parts produce settles it as a success; a HEAD alone
// proves nothing, since an object with the same bytes may have been there
// before. An abort that works proves nothing either: AWS accepts the abort
// of a completed upload for hours after the completion. Anything but a
// proven success gives an error matching ErrOutcomeUnknown.
func (mp *multipartRun) settle(ctx context.Context, err error, total int64) (Result, error) {
	u := mp.u
	kind := u.set.CompleteKind
	if !retry.OutcomeUnknown(err) {
		return Result{}, u.t.wrap(kind, err)
	}
	if found, _ := mp.abortUpload(ctx); found == abortGone {
		if want := mp.etag(); want != "" {
			hctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), abortTimeout)
			defer cancel()
			head, herr := u.t.S3.HeadObject(hctx, u.t.headObjectInput())
			if herr == nil && TrimETag(head.ETag) == want && aws.ToInt64(head.ContentLength) == total {
				u.progress.Done(total, len(mp.parts))
				return Result{ETag: want, VersionID: aws.ToString(head.VersionId), Size: total, Parts: len(mp.parts)}, nil
			}
		}
	}
	return Result{}, u.t.wrapWrite(kind, err)
}

// abort cancels the upload on a context that survives the caller's
// cancellation, and returns cause with any abort failure attached. An upload
// already aborted while settling its completion is not aborted again.
func (mp *multipartRun) abort(ctx context.Context, cause error) error {
	if mp.aborted {
		return cause
	}
	if _, err := mp.abortUpload(ctx); err != nil {
		return mp.u.t.Errs.JoinAbort(mp.id, cause, err)
	}
	return cause
}

// abortResult is what an AbortMultipartUpload found.
type abortResult int

const (
	abortFailed  abortResult = iota // no answer that settles it
	abortDone                       // the abort was accepted (AWS accepts it for a completed upload too)
	abortGone                       // the upload was already gone: completed, or aborted by someone else
	abortUnclear                    // NoSuchUpload after an attempt that may have been this abort
)

// abortUpload sends AbortMultipartUpload on a detached context and says
// what it found. Only abortFailed comes with an error.
func (mp *multipartRun) abortUpload(ctx context.Context) (abortResult, error) {
	u := mp.u
	actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), abortTimeout)
	defer cancel()
	_, err := u.t.S3.AbortMultipartUpload(actx, u.t.abortMultipartUploadInput(mp.id))
	switch {
	case err == nil:
		mp.aborted = true
		return abortDone, nil
	case isNoSuchUpload(err) && retry.OutcomeUnknown(err):
		mp.aborted = true
		return abortUnclear, nil
	case isNoSuchUpload(err):
		mp.aborted = true
		return abortGone, nil
	}
	return abortFailed, err
}

// isNoSuchUpload reports whether err says the multipart upload is gone.
func isNoSuchUpload(err error) bool {
	var apiErr smithy.APIError
	return errors.As(err, &apiErr) && apiErr.ErrorCode() == "NoSuchUpload"
}
