package s3kit_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
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
	"github.com/s3kit/s3kit/s3kittest"
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
// same value, once the transfer has ended. fn is not called again after
// its panic, and every file is transferred all the same.
func TestAttack15_DirProgressFunctionThatPanics(t *testing.T) {
	_, c := setup(t)
	src := t.TempDir()
	files := map[string][]byte{"small": []byte("x"), "big": randomBytes(twoParts)}
	makeTree(t, src, files)
	var calls atomic.Int32
	boom := s3kit.WithDirProgress(func(s3kit.DirProgress) { calls.Add(1); panic("boom") })
	recovered := func(call func()) (r any) {
		defer func() { r = recover() }()
		call()
		return "no panic"
	}
	r := recovered(func() { _, _ = c.UploadDir(t.Context(), bucket, "d", src, append(smallParts, boom)...) })
	assert.Equal(t, "boom", r)
	assert.Equal(t, int32(1), calls.Load(), "fn is not called again once it panicked")
	assert.Zero(t, pendingUploads(t, c), "every upload was completed or aborted before the panic")
	for name := range files {
		_, err := c.Head(t.Context(), bucket, "d/"+name)
		assert.NoError(t, err, "%s was uploaded all the same", name)
	}
	calls.Store(0)
	dst := t.TempDir()
	r = recovered(func() { _, _ = c.DownloadDir(t.Context(), bucket, "d", dst, append(downParts, boom)...) })
	assert.Equal(t, "boom", r)
	assert.Equal(t, int32(1), calls.Load(), "fn is not called again once it panicked")
	for name, data := range files {
		got, err := os.ReadFile(filepath.Join(dst, name))
		if assert.NoError(t, err, "%s was downloaded all the same", name) {
			assert.Equal(t, data, got, name)
		}
	}
}

// connectProxy is an HTTP proxy on 127.0.0.1 that tunnels CONNECT
// requests, as HTTPS_PROXY points at; it counts the tunnels.
func connectProxy(t *testing.T) (*url.URL, *atomic.Int32) {
	t.Helper()
	var tunnels atomic.Int32
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodConnect {
			http.Error(w, "CONNECT only", http.StatusMethodNotAllowed)
			return
		}
		up, err := net.Dial("tcp", r.Host)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		tunnels.Add(1)
		w.WriteHeader(http.StatusOK)
		conn, rw, err := http.NewResponseController(w).Hijack()
		if err != nil {
			up.Close()
			return
		}
		go func() {
			_, _ = io.Copy(up, rw)
			_ = up.Close()
		}()
		_, _ = io.Copy(conn, up)
		_ = conn.Close()
	}))
	t.Cleanup(proxy.Close)
	u, err := url.Parse(proxy.URL)
	require.NoError(t, err)
	return u, &tunnels
}

// h2Front is a TLS server speaking HTTP/2 in front of srv (a reverse
// proxy), and a transport that trusts it and records the protocol of
// every answer.
func h2Front(t *testing.T, srv *s3kittest.Server) (string, *http.Transport, *atomic.Int32) {
	t.Helper()
	target, err := url.Parse(srv.URL)
	require.NoError(t, err)
	front := httptest.NewUnstartedServer(httputil.NewSingleHostReverseProxy(target))
	front.EnableHTTP2 = true
	front.StartTLS()
	t.Cleanup(front.Close)
	var h2 atomic.Int32
	front.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ProtoMajor == 2 {
			h2.Add(1)
		}
		httputil.NewSingleHostReverseProxy(target).ServeHTTP(w, r)
	})
	return front.URL, front.Client().Transport.(*http.Transport), &h2
}

// TestAttack15_RefusedCertificateOverHTTP2AndThroughAProxy checks the
// certificate rule where the connection is not a plain HTTP/1.1 one: over
// HTTP/2 (net/http's bundled transport, which hands connections out
// itself) and through a CONNECT proxy (the handshake runs inside the
// tunnel). A certificate refused in the handshake sends nothing and is a
// plain failure; one refused after the request was sent leaves the
// outcome unknown. Both request paths.
func TestAttack15_RefusedCertificateOverHTTP2AndThroughAProxy(t *testing.T) {
	plainSrv, _ := setup(t)
	h2URL, h2Trusting, h2Count := h2Front(t, plainSrv)
	tlsSrv := s3kittest.NewServer(t, s3kittest.WithTLS())
	tlsSrv.CreateBucket(t, bucket)
	proxyURL, tunnels := connectProxy(t)
	viaProxy := func(trust bool) *http.Transport {
		tr := &http.Transport{Proxy: http.ProxyURL(proxyURL)}
		if trust {
			tr.TLSClientConfig = tlsSrv.TLSConfig().Clone()
		}
		return tr
	}
	for _, tc := range []struct {
		name      string
		endpoint  string
		transport func() http.RoundTripper // a new one for each subtest, so that no tunnel is reused
		works     bool                     // the request reaches the server
		unknown   bool
		used      *atomic.Int32 // counts the requests over HTTP/2, or the tunnels
	}{
		{"HTTP/2, refused in the handshake", h2URL, func() http.RoundTripper { return &http.Transport{ForceAttemptHTTP2: true} }, false, false, nil},
		{"HTTP/2, refused after sending", h2URL, func() http.RoundTripper { return refusedAfterSending{h2Trusting} }, true, true, h2Count},
		{"proxy, refused in the handshake", tlsSrv.URL, func() http.RoundTripper { return viaProxy(false) }, false, false, tunnels},
		{"proxy, refused after sending", tlsSrv.URL, func() http.RoundTripper { return refusedAfterSending{viaProxy(true)} }, true, true, tunnels},
	} {
		for _, direct := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s/direct=%v", tc.name, direct), func(t *testing.T) {
				var used int32
				if tc.used != nil {
					used = tc.used.Load()
				}
				c, err := s3kit.New(t.Context(), s3kit.WithEndpoint(tc.endpoint), s3kit.WithRegion(s3kittest.Region),
					s3kit.WithCredentials(s3kittest.AccessKey, s3kittest.SecretKey), s3kit.WithMaxAttempts(1),
					s3kit.WithHTTPClient(&http.Client{Transport: tc.transport()}), knobs.WithDirectPath(direct).(s3kit.Option))
				require.NoError(t, err)
				key := fmt.Sprintf("k-%v-%s", direct, strings.ReplaceAll(tc.name, " ", ""))
				_, err = c.Put(t.Context(), bucket, key, strings.NewReader("x"))
				require.Error(t, err)
				assert.Equal(t, tc.unknown, errors.Is(err, s3kit.ErrOutcomeUnknown), "%v", err)
				if tc.used != nil {
					assert.Greater(t, tc.used.Load(), used, "the request went over HTTP/2, or through the proxy")
				}
				store := plainSrv
				if strings.HasPrefix(tc.name, "proxy") {
					store = tlsSrv
				}
				_, err = store.Client(t).Head(t.Context(), bucket, key)
				if tc.works {
					assert.NoError(t, err, "the write took effect")
				} else {
					assert.ErrorIs(t, err, s3kit.ErrNotFound)
				}
			})
		}
	}
}

// userTrace counts the hooks of a user's own httptrace.ClientTrace (an
// OpenTelemetry-like instrumentation).
type userTrace struct{ gotConn, failedHandshakes atomic.Int32 }

func (u *userTrace) trace() *httptrace.ClientTrace {
	return &httptrace.ClientTrace{
		GotConn: func(httptrace.GotConnInfo) { u.gotConn.Add(1) },
		TLSHandshakeDone: func(_ tls.ConnectionState, err error) {
			if err != nil {
				u.failedHandshakes.Add(1)
			}
		},
	}
}

// tracingTransport adds a user's trace to each request, as otelhttp's
// transport does, over the trace s3kit put in the request's context.
type tracingTransport struct {
	next http.RoundTripper
	u    *userTrace
}

func (tt tracingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	return tt.next.RoundTrip(req.WithContext(httptrace.WithClientTrace(req.Context(), tt.u.trace())))
}

// TestAttack15_UserTraceAndS3kitTraceBothFire puts with a user's own
// client trace, in the caller's context or added by the user's transport:
// the user's hooks keep firing, and s3kit's still tell a certificate
// refused in the handshake (a plain failure) from one refused after the
// request was sent (outcome unknown), on both request paths.
func TestAttack15_UserTraceAndS3kitTraceBothFire(t *testing.T) {
	srv := s3kittest.NewServer(t, s3kittest.WithTLS())
	srv.CreateBucket(t, bucket)
	for _, inTransport := range []bool{false, true} {
		for _, afterSending := range []bool{false, true} {
			for _, direct := range []bool{true, false} {
				t.Run(fmt.Sprintf("in transport=%v/after sending=%v/direct=%v", inTransport, afterSending, direct), func(t *testing.T) {
					u := &userTrace{}
					ctx := t.Context()
					var rt http.RoundTripper = &http.Transport{} // trusts nothing: refused in the handshake
					if afterSending {
						rt = refusedAfterSending{&http.Transport{TLSClientConfig: srv.TLSConfig().Clone()}}
					}
					if inTransport {
						rt = tracingTransport{rt, u}
					} else {
						ctx = httptrace.WithClientTrace(ctx, u.trace())
					}
					c, err := s3kit.New(t.Context(), s3kit.WithEndpoint(srv.URL), s3kit.WithRegion(s3kittest.Region),
						s3kit.WithCredentials(s3kittest.AccessKey, s3kittest.SecretKey), s3kit.WithMaxAttempts(1),
						s3kit.WithHTTPClient(&http.Client{Transport: rt}), knobs.WithDirectPath(direct).(s3kit.Option))
					require.NoError(t, err)
					_, err = c.Put(ctx, bucket, "k", strings.NewReader("x"))
					require.Error(t, err)
					assert.Equal(t, afterSending, errors.Is(err, s3kit.ErrOutcomeUnknown), "%v", err)
					if afterSending {
						assert.Positive(t, u.gotConn.Load(), "the user's GotConn fired")
					} else {
						assert.Positive(t, u.failedHandshakes.Load(), "the user's TLSHandshakeDone fired")
					}
				})
			}
		}
	}
}

// panicsWriterAt is a download destination whose WriteAt panics at
// writes past at.
type panicsWriterAt struct {
	at   int64
	with func()
}

func (p panicsWriterAt) WriteAt(b []byte, off int64) (int, error) {
	if off+int64(len(b)) > p.at {
		p.with()
	}
	return len(b), nil
}

// TestAttack15_DownloadWriterThatPanics downloads into a destination whose
// WriteAt panics, in the first range or a later one, with a string, an
// error or nil. WriteAt runs on the download's workers, where nobody can
// recover a panic; it must reach the caller of Download with the same
// value, rather than end the program.
func TestAttack15_DownloadWriterThatPanics(t *testing.T) {
	_, c := setup(t)
	const size = 3 * 5 << 20
	_, err := c.Put(t.Context(), bucket, "d", bytes.NewReader(randomBytes(size)), mpOpts...)
	require.NoError(t, err)
	values := map[string]struct {
		raise func()
		check func(t *testing.T, r any)
	}{"a string": {func() { panic("writer panics") }, func(t *testing.T, r any) { assert.Equal(t, "writer panics", r) }}}
	for name, v := range panicValues {
		values[name] = v
	}
	for name, v := range values {
		for _, at := range []int64{1234, 2*5<<20 + 1234} {
			t.Run(fmt.Sprintf("%s/at %d", name, at), func(t *testing.T) {
				r := func() (r any) {
					defer func() { r = recover() }()
					_, _ = c.Download(t.Context(), bucket, "d", panicsWriterAt{at: at, with: v.raise}, s3kit.WithPartSize(5<<20))
					return "no panic"
				}()
				v.check(t, r)
			})
		}
	}
}

// panickingTransport panics ("transport panics") on the requests match
// picks and passes the others on.
type panickingTransport struct {
	next  http.RoundTripper
	match func(*http.Request) bool
}

func (p panickingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if p.match(req) {
		panic("transport panics")
	}
	return p.next.RoundTrip(req)
}

// TestAttack15_TransportThatPanicsInAPart gives Put and Copy an HTTP
// transport that panics on a part (sent on a goroutine of the part's,
// where nobody can recover it) or on the completion (on the caller's). The
// panic reaches the caller with the same value, and the multipart upload
// is aborted first: none is left on the server, and no object.
func TestAttack15_TransportThatPanicsInAPart(t *testing.T) {
	isPart := func(r *http.Request) bool {
		return r.Method == http.MethodPut && r.URL.Query().Get("partNumber") == "2"
	}
	isComplete := func(r *http.Request) bool { return r.Method == http.MethodPost && r.URL.Query().Has("uploadId") }
	put := func(ctx context.Context, c *s3kit.Client) error {
		_, err := c.Put(ctx, bucket, "k", bytes.NewReader(randomBytes(3*5<<20)), mpOpts...)
		return err
	}
	cp := func(ctx context.Context, c *s3kit.Client) error {
		_, err := c.Copy(ctx, bucket, "src", bucket, "k")
		return err
	}
	for _, tc := range []struct {
		name  string
		match func(*http.Request) bool
		do    func(context.Context, *s3kit.Client) error
	}{
		{"Put, a part", isPart, put},
		{"Put, the completion", isComplete, put},
		{"Copy, a part", isPart, cp},
		{"Copy, the completion", isComplete, cp},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, plain := setup(t)
			_, err := plain.Put(t.Context(), bucket, "src", bytes.NewReader(randomBytes(3*5<<20)), mpOpts...)
			require.NoError(t, err)
			c := srv.Client(t, s3kit.WithCopyLimits(5<<20, 5<<20),
				s3kit.WithHTTPClient(&http.Client{Transport: panickingTransport{srv.HTTPClient().Transport, tc.match}}))
			r := func() (r any) {
				defer func() { r = recover() }()
				_ = tc.do(t.Context(), c)
				return "no panic"
			}()
			assert.Equal(t, "transport panics", r)
			assert.Zero(t, pendingUploads(t, plain), "the upload was aborted before the panic went on")
			_, err = plain.Head(t.Context(), bucket, "k")
			assert.ErrorIs(t, err, s3kit.ErrNotFound)
		})
	}
}
