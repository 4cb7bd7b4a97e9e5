package s3kit

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// ErrDataCorrupted means a download did not deliver the object as the
// provider described it: the body ended before its Content-Length, or its
// MD5 differs from the object's ETag. The bytes already read must not be
// trusted; read the object again.
var ErrDataCorrupted = errors.New("s3kit: downloaded data does not match the object")

// WithMD5Check turns the MD5 check of a download on or off. When on, a Get of
// a whole object whose ETag is a plain MD5 (single-part upload, no SSE-KMS
// or SSE-C) hashes the body as it is read and fails the final Read with
// [ErrDataCorrupted] on a mismatch. Hashing costs about 1.5 ms per MiB of
// CPU. The length is always checked. Default: on.
func WithMD5Check(on bool) GetOption {
	return getOption(func(c *getConfig) { c.noMD5 = !on })
}

// drainWait bounds how long Close waits for the rest of a small body before
// dropping the connection instead.
const drainWait = 50 * time.Millisecond

// integrity checks a body while it is read: its length always, its MD5 when
// the ETag gives one.
type integrity struct {
	op, bucket, key string

	want   int64     // expected length, -1 if unknown
	read   int64     // bytes read so far
	md5    hash.Hash // nil: no MD5 check
	etag   string    // expected MD5 in hex
	err    error     // sticky: returned by every Read after the first error
	eof    bool      // the body was read to its end
	ctx    context.Context
	cancel context.CancelFunc // ends the request, and with it the connection
}

// newIntegrity prepares the checks for a GetObject answer.
func newIntegrity(ctx context.Context, cancel context.CancelFunc, op, bucket, key string, cfg *getConfig, out *s3.GetObjectOutput, obj *Object) *integrity {
	in := &integrity{op: op, bucket: bucket, key: key, want: -1, ctx: ctx, cancel: cancel}
	if out.ContentLength != nil {
		in.want = *out.ContentLength
	}
	encrypted := out.ServerSideEncryption == "aws:kms" || out.ServerSideEncryption == "aws:kms:dsse" || out.SSECustomerAlgorithm != nil
	if !cfg.hasRange && !cfg.noMD5 && !encrypted && isMD5(obj.ETag) && in.want == obj.Size {
		in.md5, in.etag = md5.New(), obj.ETag
	}
	return in
}

// isMD5 reports whether an ETag is 32 hex digits.
func isMD5(etag string) bool {
	if len(etag) != 32 {
		return false
	}
	_, err := hex.DecodeString(etag)
	return err == nil
}

// after accounts for one Read of the body and turns its outcome into what
// the caller sees.
func (in *integrity) after(p []byte, err error) error {
	in.read += int64(len(p))
	if in.md5 != nil {
		in.md5.Write(p)
	}
	switch {
	case err == nil:
		if in.want >= 0 && in.read > in.want {
			in.err = in.corrupted("body is longer than its Content-Length %d", in.want)
			return in.err
		}
		return nil
	case errors.Is(err, io.EOF):
		in.eof = true
		if in.want >= 0 && in.read != in.want {
			in.err = in.corrupted("body ended after %d of %d bytes", in.read, in.want)
			return in.err
		}
		if in.md5 != nil {
			if got := hex.EncodeToString(in.md5.Sum(nil)); got != in.etag {
				in.err = in.corrupted("MD5 of the body is %s, the ETag says %s", got, in.etag)
				return in.err
			}
		}
		return io.EOF
	}
	e := &Error{Op: in.op, Bucket: in.bucket, Key: in.key}
	switch {
	case in.ctx.Err() != nil:
		e.Err = fmt.Errorf("reading body after %d bytes: %w", in.read, errors.Join(context.Cause(in.ctx), err))
	case errors.Is(err, io.ErrUnexpectedEOF):
		e.kind, e.Err = ErrDataCorrupted, fmt.Errorf("body ended after %d of %d bytes: %w", in.read, in.want, err)
	default:
		e.Err = fmt.Errorf("reading body after %d bytes: %w", in.read, err)
	}
	in.err = e
	return e
}

func (in *integrity) corrupted(format string, args ...any) error {
	return &Error{Op: in.op, Bucket: in.bucket, Key: in.key, kind: ErrDataCorrupted, Err: fmt.Errorf(format, args...)}
}

// readBody reads from the body through the checks.
func (r *ObjectReader) readBody(p []byte) (int, error) {
	if r.check.err != nil {
		return 0, r.check.err
	}
	if r.check.eof {
		return 0, io.EOF
	}
	n, err := r.body.Read(p)
	return n, r.check.after(p[:n], err)
}

// closeBody releases the connection: a small unread rest is drained so the
// connection can be reused, but Close never waits more than drainWait for
// it; otherwise the request is cancelled, which closes the connection.
func (r *ObjectReader) closeBody() error {
	in := r.check
	if !in.eof && in.err == nil && in.want >= 0 && in.want-in.read <= drainLimit {
		t := time.AfterFunc(drainWait, in.cancel)
		_, _ = io.Copy(io.Discard, io.LimitReader(r.body, drainLimit))
		t.Stop()
	}
	err := r.body.Close()
	in.cancel()
	return err
}
