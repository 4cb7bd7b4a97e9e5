package s3kit

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// maxResumes bounds how many times in a row a body is re-requested without
// any byte arriving in between, and maxTotalResumes how many times in all,
// so that a connection that drops after every few bytes ends in an error
// instead of thousands of requests.
const (
	maxResumes      = 5
	maxTotalResumes = 20
)

// rangeReader reads bytes [pos, end] of an object. When the connection drops
// in the middle, it asks again for the rest with If-Match on the ETag, so the
// caller never sees the interruption; if the object changed meanwhile, the
// error matches [ErrObjectChanged]. It also checks that exactly the expected
// number of bytes arrive, and, with verify, the MD5 of the whole object.
type rangeReader struct {
	ctx    context.Context
	c      *Client
	op     string
	bucket string
	key    string
	etag   string // quoted as the server sent it; empty: no resume
	pos    int64  // absolute offset of the next byte
	end    int64  // absolute offset of the last byte
	body   io.ReadCloser

	resumes int       // re-requests since the last byte arrived
	total   int       // re-requests in all
	md5     hash.Hash // non-nil: verify against wantMD5 at the end
	wantMD5 string
	err     error // sticky: returned by every Read after the first error
}

// Read reads from the body, resuming after a dropped connection.
func (r *rangeReader) Read(p []byte) (int, error) {
	if r.err != nil {
		return 0, r.err
	}
	n, err := r.read(p)
	if err != nil && err != io.EOF {
		r.err = err
	}
	return n, err
}

func (r *rangeReader) read(p []byte) (int, error) {
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
func (r *rangeReader) finish() error {
	if r.md5 != nil {
		got := hex.EncodeToString(r.md5.Sum(nil))
		r.md5 = nil
		if got != r.wantMD5 {
			return &Error{Op: r.op, Bucket: r.bucket, Key: r.key, kind: ErrDataCorrupted,
				Err: fmt.Errorf("MD5 of the data is %s, the ETag says %s", got, r.wantMD5)}
		}
	}
	return io.EOF
}

// resume replaces the broken body with a new request for the rest.
func (r *rangeReader) resume(cause error) error {
	fail := func(err error) error {
		e := &Error{Op: r.op, Bucket: r.bucket, Key: r.key, Err: fmt.Errorf("body interrupted at byte %d: %w", r.pos, err)}
		if errors.Is(cause, io.ErrUnexpectedEOF) && r.ctx != nil && r.ctx.Err() == nil && !hasSentinel(err) {
			// The body ended short and could not be completed. When the
			// resume request said why (the object is gone, access was
			// revoked), that reason is the error's only sentinel.
			e.kind = ErrDataCorrupted
		}
		return e
	}
	if r.ctx == nil { // reading back a local copy: nothing to resume from
		return fail(cause)
	}
	if r.ctx.Err() != nil {
		return fail(errors.Join(context.Cause(r.ctx), cause))
	}
	if r.etag == "" || r.resumes >= maxResumes || r.total >= maxTotalResumes {
		return fail(cause)
	}
	r.resumes++
	r.total++
	_ = r.body.Close()
	r.body = io.NopCloser(eofReader{})
	rng := "bytes=" + strconv.FormatInt(r.pos, 10) + "-" + strconv.FormatInt(r.end, 10)
	out, err := r.c.s3.GetObject(r.ctx, &s3.GetObjectInput{Bucket: &r.bucket, Key: &r.key, Range: &rng, IfMatch: &r.etag})
	if err != nil {
		werr := wrapErr(r.op, r.bucket, r.key, kindObject, err)
		if errors.Is(werr, ErrObjectChanged) {
			return werr
		}
		return fail(errors.Join(cause, fmt.Errorf("resuming: %w", werr)))
	}
	if aws.ToString(out.ContentRange) == "" {
		_ = out.Body.Close()
		return fail(errors.Join(cause, errors.New("the server ignored the Range header on resume")))
	}
	r.body = out.Body
	return nil
}

// Close closes the current body.
func (r *rangeReader) Close() error { return r.body.Close() }

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
