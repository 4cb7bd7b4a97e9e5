package transfer

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/s3kit/s3kit/internal/s3err"
)

// maxResumes bounds how many times in a row a body is re-requested without
// any byte arriving in between, and maxTotalResumes how many times in all,
// so that a connection that drops after every few bytes ends in an error
// instead of thousands of requests.
const (
	maxResumes      = 5
	maxTotalResumes = 20
)

// RangeReader reads bytes [pos, end] of an object. When the connection drops
// in the middle, it asks again for the rest with If-Match on the ETag, so the
// caller never sees the interruption; if the object changed meanwhile, the
// error matches ErrObjectChanged. It also checks that exactly the expected
// number of bytes arrive, and, with verify, the MD5 of the whole object.
type RangeReader struct {
	ctx  context.Context
	t    *Target
	etag string // quoted as the server sent it; empty: no resume
	pos  int64  // absolute offset of the next byte
	end  int64  // absolute offset of the last byte
	body io.ReadCloser

	resumes int       // re-requests since the last byte arrived
	total   int       // re-requests in all
	md5     hash.Hash // non-nil: verify against wantMD5 at the end
	wantMD5 string
	err     error // sticky: returned by every Read after the first error
}

// Read reads from the body, resuming after a dropped connection.
func (r *RangeReader) Read(p []byte) (int, error) {
	if r.err != nil {
		return 0, r.err
	}
	n, err := r.read(p)
	if err != nil && err != io.EOF {
		r.err = err
	}
	return n, err
}

func (r *RangeReader) read(p []byte) (int, error) {
	if r.pos > r.end {
		return 0, r.finish()
	}
	if max := r.end - r.pos + 1; int64(len(p)) > max {
		p = p[:max]
	}
	for {
		n, err := r.body.Read(p)
		if n > 0 {
			r.pos += int64(n)
			r.resumes = 0
			if r.md5 != nil {
				r.md5.Write(p[:n])
			}
		}
		switch {
		case err == nil || (err == io.EOF && r.pos > r.end):
			if r.pos > r.end {
				return n, r.finish()
			}
			return n, nil
		case err == io.EOF:
			err = io.ErrUnexpectedEOF
		}
		if n > 0 {
			// Hand over what arrived; the next Read sees the error
			// again from the same broken body and resumes then.
			return n, nil
		}
		if rerr := r.resume(err); rerr != nil {
			return 0, rerr
		}
	}
}

// finish reports io.EOF, or an integrity error if the MD5 does not match.
func (r *RangeReader) finish() error {
	if r.md5 != nil {
		got := hex.EncodeToString(r.md5.Sum(nil))
		r.md5 = nil
		if got != r.wantMD5 {
			return r.t.err(DataCorrupted, fmt.Errorf("MD5 of the data is %s, the ETag says %s", got, r.wantMD5))
		}
	}
	return io.EOF
}

// resume replaces the broken body with a new request for the rest.
func (r *RangeReader) resume(cause error) error {
	if err := r.cannotResume(cause); err != nil {
		return err
	}
	r.resumes++
	r.total++
	_ = r.body.Close()
	r.body = io.NopCloser(eofReader{})
	body, err := r.requestRest(cause)
	if err != nil {
		return err
	}
	r.body = body
	return nil
}

// cannotResume returns the error that ends the read when the body broken by
// cause cannot be resumed: there is nothing to resume from, the context has
// ended, the ETag is unknown, or the resumes are used up. It returns nil
// when a resume may be tried.
func (r *RangeReader) cannotResume(cause error) error {
	if r.ctx == nil { // reading back a local copy: nothing to resume from
		return r.interrupted(cause, cause)
	}
	if r.ctx.Err() != nil {
		return r.interrupted(cause, errors.Join(context.Cause(r.ctx), cause))
	}
	if r.etag == "" || r.resumes >= maxResumes || r.total >= maxTotalResumes {
		return r.interrupted(cause, cause)
	}
	return nil
}

// requestRest asks, with If-Match on the ETag, for the bytes not yet read
// of the body broken by cause, and returns the new body once its answer is
// checked: an answer for another ETag gives an error matching
// ErrObjectChanged, and one that does not carry bytes [pos, end] fails the
// read.
func (r *RangeReader) requestRest(cause error) (io.ReadCloser, error) {
	rng := "bytes=" + strconv.FormatInt(r.pos, 10) + "-" + strconv.FormatInt(r.end, 10)
	out, err := r.t.S3.GetObject(r.ctx, r.t.getObjectInput(rng, r.etag))
	if err != nil {
		werr := r.t.wrap(s3err.Object, err)
		if r.t.Errs.Is(werr, ObjectChanged) {
			return nil, werr
		}
		return nil, r.interrupted(cause, errors.Join(cause, fmt.Errorf("resuming: %w", werr)))
	}
	if got := aws.ToString(out.ETag); got != r.etag {
		// A server or cache that ignores If-Match would splice two versions.
		_ = out.Body.Close()
		return nil, r.t.err(ObjectChanged, fmt.Errorf("resuming at byte %d: ETag %s, was %s", r.pos, got, r.etag))
	}
	sp, err := answerSpan(out, r.pos, r.end, true)
	if err == nil && sp.Known && sp.Last < r.end {
		err = fmt.Errorf("asked for bytes %d-%d, got %d-%d", r.pos, r.end, sp.First, sp.Last)
	}
	if err != nil {
		_ = out.Body.Close()
		return nil, r.interrupted(cause, errors.Join(cause, fmt.Errorf("resuming: %w", err)))
	}
	return out.Body, nil
}

// interrupted returns the error that ends a read whose body broke with
// cause and could not be resumed, for the reason err.
func (r *RangeReader) interrupted(cause, err error) error {
	kind := None
	if errors.Is(cause, io.ErrUnexpectedEOF) && r.ctx != nil && r.ctx.Err() == nil && !r.t.Errs.HasSentinel(err) {
		// The body ended short and could not be completed. When the
		// resume request said why (the object is gone, access was
		// revoked), that reason is the error's only sentinel.
		kind = DataCorrupted
	}
	return r.t.err(kind, fmt.Errorf("body interrupted at byte %d: %w", r.pos, err))
}

// Close closes the current body.
func (r *RangeReader) Close() error { return r.body.Close() }

// eofReader stands in for a body that was closed before its replacement came.
type eofReader struct{}

func (eofReader) Read([]byte) (int, error) { return 0, io.EOF }

// plainMD5 returns the ETag as an MD5 hex string if it is one (single-part
// uploads without SSE-KMS), or "".
func plainMD5(etag string) string {
	if len(etag) != 32 {
		return ""
	}
	for i := 0; i < len(etag); i++ {
		c := etag[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return ""
		}
	}
	return etag
}

// newMD5 returns a hash for verification when verify is asked and the ETag
// is a plain MD5, else nil.
func newMD5(verify bool, etag string) (hash.Hash, string) {
	if want := plainMD5(etag); verify && want != "" {
		return md5.New(), want
	}
	return nil, ""
}

// Span is the part of an object that a GetObject answer carries.
type Span struct {
	First, Last int64 // offsets of the body's first and last byte; last = first-1 for no bytes
	Size        int64 // the whole object's size; -1 if the answer does not say
	Known       bool  // false if the answer gave neither Content-Length nor Content-Range
}

// answerSpan checks a GetObject answer against its request for bytes
// [first, last] (last < 0: to the end of the object; ranged false: no Range
// header) and returns the part of the object its body carries. It checks
// the status (200 or 206), that Content-Range starts at first, does not go
// past last and ends early only at the end of the object, and that it
// agrees with Content-Length. A 200 without Content-Range carries the
// whole object, which answers a range only if the range starts at byte 0:
// the caller then reads the range's bytes and no more.
func answerSpan(out *s3.GetObjectOutput, first, last int64, ranged bool) (Span, error) {
	status := statusOf(out)
	if status != 0 && status != http.StatusOK && status != http.StatusPartialContent {
		return Span{}, fmt.Errorf("unexpected HTTP status %d", status)
	}
	n := int64(-1)
	if out.ContentLength != nil {
		n = *out.ContentLength
	}
	cr := aws.ToString(out.ContentRange)
	if cr == "" {
		return spanWithoutRange(status, n, first, ranged)
	}
	return spanOfRange(cr, n, first, last)
}

// spanWithoutRange is [answerSpan] for an answer without Content-Range, of
// HTTP status status (0: unknown) and Content-Length n (-1: none): it
// carries the whole object, which answers a request for bytes from first
// only if first is 0 or the request had no Range header.
func spanWithoutRange(status int, n, first int64, ranged bool) (Span, error) {
	switch {
	case status == http.StatusPartialContent:
		return Span{}, errors.New("HTTP 206 without Content-Range")
	case ranged && first > 0:
		return Span{}, fmt.Errorf("the server ignored the Range header: asked for bytes from %d, got the whole object", first)
	case n < 0:
		return Span{First: 0, Last: -1, Size: -1}, nil
	}
	return Span{First: 0, Last: n - 1, Size: n, Known: true}, nil
}

// spanOfRange is [answerSpan] for an answer with Content-Range cr and
// Content-Length n (-1: none) to a request for bytes [first, last] (last <
// 0: to the end of the object).
func spanOfRange(cr string, n, first, last int64) (Span, error) {
	a, b, total, ok := ParseContentRange(cr)
	switch {
	case !ok:
		return Span{}, fmt.Errorf("malformed Content-Range %q", cr)
	case n >= 0 && n != b-a+1:
		return Span{}, fmt.Errorf("Content-Length %d does not match Content-Range %q", n, cr)
	case a != first:
		return Span{}, fmt.Errorf("Content-Range %q does not start at byte %d", cr, first)
	case last >= 0 && b > last:
		return Span{}, fmt.Errorf("Content-Range %q goes past byte %d", cr, last)
	case (last < 0 || b < last) && total >= 0 && b != total-1:
		return Span{}, fmt.Errorf("Content-Range %q ends before the range asked for and before the end of the object", cr)
	}
	return Span{First: a, Last: b, Size: total, Known: true}, nil
}

// ParseContentRange parses "bytes a-b/total" (total may be "*", returned as
// -1) and checks that a <= b < total.
func ParseContentRange(cr string) (a, b, total int64, ok bool) {
	s, found := strings.CutPrefix(cr, "bytes ")
	rng, tot, found2 := strings.Cut(s, "/")
	as, bs, found3 := strings.Cut(rng, "-")
	if !found || !found2 || !found3 {
		return 0, 0, 0, false
	}
	a, errA := strconv.ParseInt(as, 10, 64)
	b, errB := strconv.ParseInt(bs, 10, 64)
	total = -1
	var errT error
	if tot != "*" {
		total, errT = strconv.ParseInt(tot, 10, 64)
	}
	if errA != nil || errB != nil || errT != nil || a < 0 || b < a || (total >= 0 && b >= total) {
		return 0, 0, 0, false
	}
	return a, b, total, true
}

// statusOf returns the HTTP status of a GetObject answer, or 0 if unknown.
func statusOf(out *s3.GetObjectOutput) int {
	if r, ok := awsmiddleware.GetRawResponse(out.ResultMetadata).(*smithyhttp.Response); ok {
		return r.StatusCode
	}
	return 0
}

// GetSpan checks a GetObject answer with answerSpan. When the answer gave
// no length (a chunked 200 without Content-Length), it asks HEAD for the
// object's size, so that a body cut short is noticed; an object whose ETag
// changed in between gives an error matching ErrObjectChanged.
func (t *Target) GetSpan(ctx context.Context, out *s3.GetObjectOutput, first, last int64, ranged bool) (Span, error) {
	sp, err := answerSpan(out, first, last, ranged)
	if err != nil {
		return Span{}, t.err(None, err)
	}
	if sp.Known {
		return sp, nil
	}
	h, err := t.S3.HeadObject(ctx, t.headObjectInput())
	if err != nil {
		return Span{}, t.wrap(s3err.Object, fmt.Errorf("the answer gave no length; asking HEAD: %w", err))
	}
	if etag := aws.ToString(out.ETag); aws.ToString(h.ETag) != etag {
		return Span{}, t.err(ObjectChanged, fmt.Errorf("ETag changed from %s to %s", etag, aws.ToString(h.ETag)))
	}
	size := aws.ToInt64(h.ContentLength)
	return Span{First: 0, Last: size - 1, Size: size, Known: true}, nil
}

// NewRangeReader reads bytes [pos, end] of the target from body, the body of
// a GetObject answer. When the connection drops, it asks again with
// If-Match on etag (quoted as the server sent it; empty: no resume) on ctx.
func NewRangeReader(ctx context.Context, t *Target, etag string, pos, end int64, body io.ReadCloser) *RangeReader {
	return &RangeReader{ctx: ctx, t: t, etag: etag, pos: pos, end: end, body: body}
}

// CheckMD5 makes the reader check, at the end, that the MD5 of the bytes read
// is etag, when verify is set and etag (without quotes) is a plain MD5. The
// reader must cover the whole object.
func (r *RangeReader) CheckMD5(verify bool, etag string) {
	r.md5, r.wantMD5 = newMD5(verify, etag)
}

// drainWait bounds how long Close waits for the rest of a small body before
// dropping the connection instead.
const drainWait = 50 * time.Millisecond

// drainLimit bounds how much of an unread body CloseDrain discards so that
// the connection can be reused; beyond it the connection is closed instead.
const drainLimit = 64 << 10

// CloseDrain releases the connection: a small unread rest is drained so the
// connection can be reused, but it never waits more than drainWait for it;
// otherwise cancel, which ends the request, closes the connection. It calls
// cancel in any case.
func (r *RangeReader) CloseDrain(cancel context.CancelFunc) error {
	if rest := r.end - r.pos + 1; rest > 0 && rest <= drainLimit && r.err == nil {
		t := time.AfterFunc(drainWait, cancel)
		_, _ = io.Copy(io.Discard, io.LimitReader(r.body, drainLimit))
		t.Stop()
	}
	err := r.Close()
	cancel()
	return err
}
