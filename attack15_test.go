package s3kit_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/s3kit/s3kit"
	"github.com/s3kit/s3kit/internal/knobs"
)

// appliedThenRefused is a user's transport that retries on its own, each
// try on a context of its own with its own time limit (so without the
// request's context values): the first try is sent and applied, its answer
// is lost, and the next try, to another address of the endpoint, meets a
// certificate the client refuses. It does that to the requests match
// picks, and passes the others on.
type appliedThenRefused struct {
	next    http.RoundTripper
	match   func(*http.Request) bool
	applied atomic.Int32
}

func (a *appliedThenRefused) RoundTrip(req *http.Request) (*http.Response, error) {
	if !a.match(req) {
		return a.next.RoundTrip(req)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	try := req.WithContext(ctx)
	if req.GetBody != nil {
		body, err := req.GetBody()
		if err != nil {
			return nil, err
		}
		try.Body = body
	}
	resp, err := a.next.RoundTrip(try)
	if err == nil {
		resp.Body.Close()
		if resp.StatusCode < 300 {
			a.applied.Add(1)
		}
	}
	return nil, &tls.CertificateVerificationError{Err: x509.UnknownAuthorityError{}}
}

// TestAttack15_CertificateRefusedByATransportOfItsOwn writes through a
// user's transport that applied the write and then reports a certificate
// it refused, without net/http ever handing the request of s3kit's
// attempt a connection on the attempt's context. The write may have been
// applied (here it was), so every write must say ErrOutcomeUnknown; a
// multipart upload's completion, which s3kit checks when its outcome is
// unknown (multipartRun.settle), is found to have worked.
func TestAttack15_CertificateRefusedByATransportOfItsOwn(t *testing.T) {
	type write struct {
		match   func(*http.Request) bool
		do      func(ctx context.Context, c *s3kit.Client) error
		check   func(t *testing.T, c *s3kit.Client) // the write took effect
		settled bool                                // s3kit checks the outcome and finds the write done
	}
	isPut := func(r *http.Request) bool {
		return r.Method == http.MethodPut && r.Header.Get("X-Amz-Copy-Source") == ""
	}
	exists := func(t *testing.T, c *s3kit.Client) {
		_, err := c.Head(t.Context(), bucket, "k")
		require.NoError(t, err, "the write took effect")
	}
	gone := func(t *testing.T, c *s3kit.Client) {
		_, err := c.Head(t.Context(), bucket, "src")
		require.ErrorIs(t, err, s3kit.ErrNotFound, "the delete took effect")
	}
	writes := map[string]write{
		"Put": {isPut, func(ctx context.Context, c *s3kit.Client) error {
			_, err := c.Put(ctx, bucket, "k", strings.NewReader("x"))
			return err
		}, exists, false},
		"Put multipart, its completion": {
			func(r *http.Request) bool { return r.Method == http.MethodPost && r.URL.Query().Has("uploadId") },
			func(ctx context.Context, c *s3kit.Client) error {
				_, err := c.Put(ctx, bucket, "k", strings.NewReader(strings.Repeat("x", twoParts)), mpOpts...)
				return err
			}, exists, true},
		"Delete": {func(r *http.Request) bool { return r.Method == http.MethodDelete },
			func(ctx context.Context, c *s3kit.Client) error { return c.Delete(ctx, bucket, "src") }, gone, false},
		"DeleteMany": {func(r *http.Request) bool { return r.Method == http.MethodPost && r.URL.Query().Has("delete") },
			func(ctx context.Context, c *s3kit.Client) error {
				return c.DeleteMany(ctx, bucket, slices.Values([]string{"src"}))
			}, gone, false},
		"Copy": {func(r *http.Request) bool { return r.Header.Get("X-Amz-Copy-Source") != "" },
			func(ctx context.Context, c *s3kit.Client) error {
				_, err := c.Copy(ctx, bucket, "src", bucket, "k")
				return err
			}, exists, false},
	}
	for name, w := range writes {
		for _, direct := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s/direct=%v", name, direct), func(t *testing.T) {
				srv, plain := setup(t)
				_, err := plain.Put(t.Context(), bucket, "src", strings.NewReader("source"))
				require.NoError(t, err)
				tr := &appliedThenRefused{next: srv.HTTPClient().Transport, match: w.match}
				c := srv.Client(t, s3kit.WithMaxAttempts(1), s3kit.WithHTTPClient(&http.Client{Transport: tr}),
					knobs.WithDirectPath(direct).(s3kit.Option))
				err = w.do(t.Context(), c)
				require.Positive(t, tr.applied.Load(), "the transport applied the write")
				w.check(t, plain)
				if w.settled {
					assert.NoError(t, err, "the check found the completion")
				} else {
					assert.ErrorIs(t, err, s3kit.ErrOutcomeUnknown, "the write was applied: %v", err)
				}
			})
		}
	}
}

// panicsInPlace is a body read in place (io.ReaderAt and io.Seeker, as an
// *os.File is) whose ReadAt panics past at: on the first read there (the
// hash of the part, or of the whole body) or, with again, only on a read
// of an offset read before (sending it, after the hash).
type panicsInPlace struct {
	*bytes.Reader
	at    int64
	again bool
	with  func() // panics; nil: panic("body panics")
	mu    sync.Mutex
	seen  map[int64]bool
}

func (p *panicsInPlace) ReadAt(b []byte, off int64) (int, error) {
	p.mu.Lock()
	seen := p.seen[off]
	p.seen[off] = true
	p.mu.Unlock()
	if off+int64(len(b)) > p.at && (!p.again || seen) {
		if p.with != nil {
			p.with()
		}
		panic("body panics")
	}
	return p.Reader.ReadAt(b, off)
}

// TestAttack15_BodyReadInPlaceThatPanics puts a body that Put reads in
// place, part by part, whose ReadAt panics: while the body, or a part, is
// hashed, or while net/http sends it, both on goroutines of their own. The
// panic must reach the caller of Put, as one from a body's Read does
// (TestPutBodyThatPanicsAbortsTheUpload), rather than end the program with
// the multipart upload left on the server; and nothing is stored.
func TestAttack15_BodyReadInPlaceThatPanics(t *testing.T) {
	const size = 4 * 5 << 20
	for _, tc := range []struct {
		name   string
		size   int64
		at     int64
		again  bool
		direct bool
	}{
		{"single, hashing", 1 << 10, 100, false, true},
		{"single, sending", 1 << 10, 100, true, true},
		{"single, sending, SDK path", 1 << 10, 100, true, false},
		{"multipart, hashing a part", size, 2*5<<20 + 1234, false, true},
		{"multipart, sending a part", size, 2*5<<20 + 1234, true, true},
		{"multipart, the first part", size, 1234, false, true},
		{"multipart, the last byte", size, size - 1, false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, c := setupClient(t, knobs.WithDirectPath(tc.direct).(s3kit.Option))
			body := &panicsInPlace{Reader: bytes.NewReader(randomBytes(int(tc.size))), at: tc.at, again: tc.again, seen: map[int64]bool{}}
			r := func() (r any) {
				defer func() { r = recover() }()
				_, _ = c.Put(t.Context(), bucket, "panics", body, mpOpts...)
				return nil
			}()
			assert.Equal(t, "body panics", r)
			assert.Zero(t, pendingUploads(t, c), "the upload was aborted before the panic went on")
			_, err := c.Head(t.Context(), bucket, "panics")
			assert.ErrorIs(t, err, s3kit.ErrNotFound)
		})
	}
}

// errPanicValue is a panic value that is an error.
var errPanicValue = errors.New("an error as the panic value")

// panicValues are what a body may panic with, and how to tell it came back
// unchanged.
var panicValues = map[string]struct {
	raise func()
	check func(t *testing.T, r any)
}{
	"an error": {func() { panic(errPanicValue) }, func(t *testing.T, r any) {
		assert.Same(t, errPanicValue, r)
	}},
	"nil": {func() { panic(nil) }, func(t *testing.T, r any) {
		var pn *runtime.PanicNilError
		assert.IsType(t, pn, r)
	}},
}

// TestAttack15_PanicValueReachesTheCallerUnchanged makes a body, read in
// place or in order, panic with an error or with nil (a
// *runtime.PanicNilError since Go 1.21) in the middle of a multipart upload:
// the caller recovers that same value, and the upload is aborted.
func TestAttack15_PanicValueReachesTheCallerUnchanged(t *testing.T) {
	const size = 4 * 5 << 20
	for name, v := range panicValues {
		for _, inPlace := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s/in place=%v", name, inPlace), func(t *testing.T) {
				_, c := setup(t)
				data := randomBytes(size)
				var body io.Reader = &panicsInPlace{Reader: bytes.NewReader(data), at: 2*5<<20 + 1234, with: v.raise, seen: map[int64]bool{}}
				if !inPlace {
					body = &panicsWith{r: bytes.NewReader(data), at: 2*5<<20 + 1234, with: v.raise}
				}
				r := func() (r any) {
					defer func() { r = recover() }()
					_, _ = c.Put(t.Context(), bucket, "panics", body, append(mpOpts[:len(mpOpts):len(mpOpts)], s3kit.WithSize(size))...)
					return "no panic"
				}()
				v.check(t, r)
				assert.Zero(t, pendingUploads(t, c), "the upload was aborted before the panic went on")
			})
		}
	}
}

// panicsWith is a body read in order whose Read calls with (which panics)
// at reads past at bytes; it cancels cancel first, if not nil.
type panicsWith struct {
	r      io.Reader
	read   int64
	at     int64
	with   func()
	cancel context.CancelFunc
}

func (p *panicsWith) Read(b []byte) (int, error) {
	if p.read+int64(len(b)) > p.at {
		if p.cancel != nil {
			p.cancel()
		}
		p.with()
	}
	n, err := p.r.Read(b)
	p.read += int64(n)
	return n, err
}

// TestAttack15_BodyThatPanicsAnywhere makes a body read in order panic in
// its first part (before any upload exists), at its very end (the read
// that would find io.EOF, or that checks a given size holds no more), and
// after cancelling the caller's context: the panic reaches the caller
// unchanged, and neither an upload nor an object is left.
func TestAttack15_BodyThatPanicsAnywhere(t *testing.T) {
	const size = 3 * 5 << 20
	for _, tc := range []struct {
		name   string
		at     int64
		size   int64
		cancel bool
	}{
		{"first part, unknown size", 1234, -1, false},
		{"first part, size given", 1234, size, false},
		{"at the end, unknown size", size, -1, false},
		{"at the end, size given", size, size, false},
		{"context cancelled, unknown size", 5<<20 + 1234, -1, true},
		{"context cancelled, size given", 5<<20 + 1234, size, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, c := setup(t)
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			body := &panicsWith{r: bytes.NewReader(randomBytes(size)), at: tc.at, with: func() { panic("body panics") }}
			if tc.cancel {
				body.cancel = cancel
			}
			r := func() (r any) {
				defer func() { r = recover() }()
				_, _ = c.Put(ctx, bucket, "panics", onlyReader{body}, append(mpOpts[:len(mpOpts):len(mpOpts)], s3kit.WithSize(tc.size))...)
				return "no panic"
			}()
			assert.Equal(t, "body panics", r)
			assert.Zero(t, pendingUploads(t, c), "no upload is left")
			_, err := c.Head(t.Context(), bucket, "panics")
			assert.ErrorIs(t, err, s3kit.ErrNotFound)
		})
	}
}

// TestAttack15_BodyPanicWinsOverProgressPanic makes both the body and the
// progress function panic (the progress function at every call, so at
// least at the last one, made while the body's panic unwinds Put). The
// body's panic came first and is the cause; it must reach the caller
// unchanged rather than be replaced by the progress function's.
func TestAttack15_BodyPanicWinsOverProgressPanic(t *testing.T) {
	const size = 3 * 5 << 20
	for name, size := range map[string]int64{"single": 1 << 10, "multipart": size} {
		t.Run(name, func(t *testing.T) {
			_, c := setup(t)
			body := &panicsWith{r: bytes.NewReader(randomBytes(int(size))), at: size / 2, with: func() { panic("body panics") }}
			r := func() (r any) {
				defer func() { r = recover() }()
				_, _ = c.Put(t.Context(), bucket, "panics", onlyReader{body},
					append(mpOpts[:len(mpOpts):len(mpOpts)], s3kit.WithSize(size), s3kit.WithProgress(func(s3kit.Progress) { panic("progress panics") }))...)
				return "no panic"
			}()
			assert.Equal(t, "body panics", r)
			assert.Zero(t, pendingUploads(t, c))
		})
	}
}

// TestAttack15_DirProgressFunctionThatPanics gives UploadDir and
// DownloadDir a progress function that panics. It runs on the reporting
// goroutine, where nobody can recover it, so it must not end the program
// in the middle of the transfer, with multipart uploads of the files in
// flight left on the server; as WithProgress's does
// (TestProgressFunctionThatPanics), the panic reaches the caller, with the
// same value, once the transfer has ended.
func TestAttack15_DirProgressFunctionThatPanics(t *testing.T) {
	_, c := setup(t)
	src := t.TempDir()
	makeTree(t, src, map[string][]byte{"small": []byte("x"), "big": randomBytes(twoParts)})
	boom := s3kit.WithDirProgress(func(s3kit.DirProgress) { panic("boom") })
	recovered := func(call func()) (r any) {
		defer func() { r = recover() }()
		call()
		return "no panic"
	}
	r := recovered(func() { _, _ = c.UploadDir(t.Context(), bucket, "d", src, append(smallParts, boom)...) })
	assert.Equal(t, "boom", r)
	assert.Zero(t, pendingUploads(t, c), "every upload was completed or aborted before the panic")
	r = recovered(func() { _, _ = c.DownloadDir(t.Context(), bucket, "d", t.TempDir(), append(downParts, boom)...) })
	assert.Equal(t, "boom", r)
}
