package s3kit_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/s3kit/s3kit"
	"github.com/s3kit/s3kit/s3kittest"
)

// The tests below make progress deterministic without sleeping: the wire
// (an http.RoundTripper in front of s3kittest) or the destination of a
// download stops at chosen byte counts and waits there until a progress
// report has caught up, so that what each report must say is known exactly.

// reports collects the progress reports of one transfer and lets other
// goroutines wait for one.
type reports struct {
	mu   sync.Mutex
	all  []s3kit.Progress
	next chan struct{} // closed at the next report
}

func newReports() *reports { return &reports{next: make(chan struct{})} }

// add is the progress function.
func (r *reports) add(p s3kit.Progress) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.all = append(r.all, p)
	close(r.next)
	r.next = make(chan struct{})
}

// option returns WithProgress(r.add).
func (r *reports) option() s3kit.ProgressOption { return s3kit.WithProgress(r.add) }

// waitFor waits until the latest report satisfies ok, and returns it.
func (r *reports) waitFor(ctx context.Context, ok func(s3kit.Progress) bool) (s3kit.Progress, error) {
	for {
		r.mu.Lock()
		next := r.next
		var last s3kit.Progress
		have := len(r.all) > 0
		if have {
			last = r.all[len(r.all)-1]
		}
		r.mu.Unlock()
		if have && ok(last) {
			return last, nil
		}
		select {
		case <-next:
		case <-ctx.Done():
			return s3kit.Progress{}, context.Cause(ctx)
		}
	}
}

// atLeast waits for a report of at least n bytes.
func (r *reports) atLeast(ctx context.Context, n int64) (s3kit.Progress, error) {
	return r.waitFor(ctx, func(p s3kit.Progress) bool { return p.Bytes >= n })
}

// list returns the reports so far.
func (r *reports) list() []s3kit.Progress {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]s3kit.Progress(nil), r.all...)
}

// checkNeverDoneEarly checks that no report but the last shows every byte or
// every part done, and that the reports stay within Total.
func checkNeverDoneEarly(t *testing.T, all []s3kit.Progress) {
	t.Helper()
	require.NotEmpty(t, all)
	for i, p := range all[:len(all)-1] {
		if p.Total >= 0 {
			assert.Less(t, p.Bytes, p.Total, "report %d of %d: %+v", i+1, len(all), p)
		}
		if p.TotalParts > 0 {
			assert.Less(t, p.Parts, p.TotalParts, "report %d of %d: %+v", i+1, len(all), p)
		}
	}
}

// guarded returns t's context, ended after a minute, so that a regression
// in the counting fails the tests that wait for a report instead of hanging
// them. No assertion depends on time.
func guarded(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// wireClient returns a client of srv whose requests go through rt, which
// passes them on to srv with next.
func wireClient(t *testing.T, srv *s3kittest.Server, rt func(req *http.Request, next http.RoundTripper) (*http.Response, error), opts ...s3kit.Option) *s3kit.Client {
	t.Helper()
	next := srv.HTTPClient().Transport
	hc := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) { return rt(r, next) })}
	return srv.Client(t, append([]s3kit.Option{s3kit.WithHTTPClient(hc)}, opts...)...)
}

// pausingBody is a request body that calls pause after the HTTP client has
// read each of the byte counts in at, before it returns those bytes.
type pausingBody struct {
	body  io.ReadCloser
	at    []int64 // increasing
	read  int64
	pause func(read int64)
}

// pauseEvery returns req with a body that pauses after every step bytes and
// at its end.
func pauseEvery(req *http.Request, step int64, pause func(read int64)) *http.Request {
	var at []int64
	for k := step; k < req.ContentLength; k += step {
		at = append(at, k)
	}
	return pauseAt(req, append(at, req.ContentLength), pause)
}

// pauseAt returns req with a body that pauses at the given byte counts.
func pauseAt(req *http.Request, at []int64, pause func(read int64)) *http.Request {
	req = req.Clone(req.Context())
	req.Body = &pausingBody{body: req.Body, at: at, pause: pause}
	return req
}

func (b *pausingBody) Read(p []byte) (int, error) {
	if len(b.at) > 0 && int64(len(p)) > b.at[0]-b.read {
		p = p[:b.at[0]-b.read]
	}
	n, err := b.body.Read(p)
	b.read += int64(n)
	if len(b.at) > 0 && b.read == b.at[0] {
		b.at = b.at[1:]
		b.pause(b.read)
	}
	return n, err
}

func (b *pausingBody) Close() error { return b.body.Close() }

// errorAnswer is an S3 error answer to req, made without a server.
func errorAnswer(req *http.Request, status int, code string) *http.Response {
	body := "<Error><Code>" + code + "</Code><Message>injected by the test</Message></Error>"
	return &http.Response{
		StatusCode: status, Status: http.StatusText(status), Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header:        http.Header{"Content-Type": {"application/xml"}},
		Body:          io.NopCloser(strings.NewReader(body)),
		ContentLength: int64(len(body)),
		Request:       req,
	}
}

// TestProgressSinglePutCountsOnTheWire checks that a single PUT of 15 MiB
// reports while its body is sent: the wire stops every 3 MiB until a report
// shows exactly the bytes sent so far (the last one less one byte, with
// Finishing, since the PUT has not answered yet), and only the final report
// shows 15 MiB. The PUT still carries Content-Length.
func TestProgressSinglePutCountsOnTheWire(t *testing.T) {
	t.Parallel()
	const size, step = 15 << 20, 3 << 20
	srv, _ := setup(t)
	rep := newReports()
	type stop struct {
		sent int64
		seen s3kit.Progress
	}
	var mu sync.Mutex
	var stops []stop
	var lengths []int64 // RoundTrip runs in the goroutine that calls Put
	c := wireClient(t, srv, func(req *http.Request, next http.RoundTripper) (*http.Response, error) {
		if req.Method == http.MethodPut {
			lengths = append(lengths, req.ContentLength)
			assert.Empty(t, req.TransferEncoding, "not chunked")
			req = pauseEvery(req, step, func(sent int64) {
				p, err := rep.atLeast(req.Context(), min(sent, size-1))
				assert.NoError(t, err)
				mu.Lock()
				stops = append(stops, stop{sent, p})
				mu.Unlock()
			})
		}
		return next.RoundTrip(req)
	})
	_, err := c.Put(guarded(t), bucket, "single", bytes.NewReader(randomBytes(size)), rep.option())
	require.NoError(t, err)

	assert.Equal(t, []int64{size}, lengths, "one PUT with its Content-Length")
	mu.Lock()
	defer mu.Unlock()
	require.Len(t, stops, size/step)
	for _, s := range stops {
		want := s3kit.Progress{Bytes: min(s.sent, size-1), Total: size, Finishing: s.sent == size}
		assert.Equal(t, want, s.seen, "after %d bytes sent", s.sent)
	}
	all := rep.list()
	checkNeverDoneEarly(t, all)
	assert.Equal(t, s3kit.Progress{Bytes: size, Total: size}, all[len(all)-1], "the final report, after the PUT answered")
}

// TestProgressMultipartCountsWithinParts checks that a 30 MiB multipart
// upload in parts of 8 MiB, two at a time, reports within each part: the
// wire stops every 2 MiB of the bodies sent, and a report must catch up
// each time, so there are more reports than parts, and some count bytes
// before any part has completed. Parts and bytes show as done only in the
// final report. A body of unknown size reports Total -1 until it ends.
func TestProgressMultipartCountsWithinParts(t *testing.T) {
	t.Parallel()
	const size, partSize, step = 30 << 20, 8 << 20, 2 << 20
	for name, body := range map[string]func([]byte) io.Reader{
		"known size":   func(b []byte) io.Reader { return bytes.NewReader(b) },
		"unknown size": func(b []byte) io.Reader { return onlyReader{bytes.NewReader(b)} },
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv, _ := setup(t)
			rep := newReports()
			var sent atomic.Int64 // bytes of all part bodies read by the HTTP client
			var mu sync.Mutex
			var seen []s3kit.Progress // the reports the wire waited for
			c := wireClient(t, srv, func(req *http.Request, next http.RoundTripper) (*http.Response, error) {
				if req.Method == http.MethodPut {
					var last int64
					req = pauseEvery(req, step, func(read int64) {
						total := sent.Add(read - last)
						last = read
						p, err := rep.atLeast(req.Context(), min(total, size-1))
						assert.NoError(t, err)
						mu.Lock()
						seen = append(seen, p)
						mu.Unlock()
					})
				}
				return next.RoundTrip(req)
			})
			_, err := c.Put(guarded(t), bucket, "mp", body(randomBytes(size)), rep.option(),
				s3kit.WithPartSize(partSize), s3kit.WithConcurrency(2))
			require.NoError(t, err)

			all := rep.list()
			checkNeverDoneEarly(t, all)
			assert.Equal(t, s3kit.Progress{Bytes: size, Total: size, Parts: 4, TotalParts: 4}, all[len(all)-1])
			assert.Greater(t, len(all), 4, "more reports than parts")
			require.NotEmpty(t, seen)
			first := seen[0]
			assert.Zero(t, first.Parts, "bytes count before any part has completed")
			assert.Positive(t, first.Bytes)
			if name == "unknown size" {
				assert.Equal(t, int64(-1), first.Total, "unknown until the body ends")
			} else {
				assert.Equal(t, int64(size), first.Total)
			}
		})
	}
}

// TestProgressRetryTakesBackTheFailedAttempt checks that a request sent
// again does not count its bytes twice. The wire reads half of the first
// PUT's body, waits for a report of exactly that, and fails the attempt
// with a 500; the SDK rewinds the body and sends it again, and after three
// quarters of it the report must say three quarters, not five.
func TestProgressRetryTakesBackTheFailedAttempt(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name       string
		size, body int64 // the object's size, and that of the failed request's body
		opts       []s3kit.PutOption
	}{
		{"single PUT", 4 << 20, 4 << 20, nil},
		{"first part", twoParts, 5 << 20, append(mpOpts[:len(mpOpts):len(mpOpts)], s3kit.WithConcurrency(1))},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, _ := setup(t)
			rep := newReports()
			var puts atomic.Int32
			var mu sync.Mutex // the HTTP client reads bodies in its own goroutines
			var failed, retried s3kit.Progress
			c := wireClient(t, srv, func(req *http.Request, next http.RoundTripper) (*http.Response, error) {
				if req.Method != http.MethodPut {
					return next.RoundTrip(req)
				}
				switch puts.Add(1) {
				case 1:
					assert.Equal(t, tt.body, req.ContentLength)
					_, err := io.CopyN(io.Discard, req.Body, tt.body/2)
					assert.NoError(t, err)
					p, err := rep.atLeast(req.Context(), tt.body/2)
					assert.NoError(t, err)
					mu.Lock()
					failed = p
					mu.Unlock()
					_ = req.Body.Close()
					return errorAnswer(req, http.StatusInternalServerError, "InternalError"), nil
				case 2:
					req = pauseAt(req, []int64{tt.body * 3 / 4}, func(read int64) {
						p, err := rep.atLeast(req.Context(), read)
						assert.NoError(t, err)
						mu.Lock()
						retried = p
						mu.Unlock()
					})
				}
				return next.RoundTrip(req)
			})
			res, err := c.Put(guarded(t), bucket, "retried", bytes.NewReader(randomBytes(int(tt.size))), append(tt.opts, rep.option())...)
			require.NoError(t, err)

			mu.Lock()
			defer mu.Unlock()
			assert.Equal(t, tt.body/2, failed.Bytes, "the failed attempt's bytes counted while it was sent")
			assert.Equal(t, tt.body*3/4, retried.Bytes, "the failed attempt's bytes taken back")
			all := rep.list()
			checkNeverDoneEarly(t, all)
			assert.Equal(t, s3kit.Progress{Bytes: tt.size, Total: tt.size, Parts: res.Parts, TotalParts: res.Parts}, all[len(all)-1])
		})
	}
}

// TestProgressNeverDoneBeforeStored checks that a transfer that fails once
// every byte has been sent (or written) never reports every byte done: its
// last report says Finishing, one byte short of Total and one part short of
// TotalParts.
func TestProgressNeverDoneBeforeStored(t *testing.T) {
	t.Parallel()
	refusePut := func(req *http.Request, next http.RoundTripper) (*http.Response, error) {
		if req.Method != http.MethodPut {
			return next.RoundTrip(req)
		}
		_, _ = io.Copy(io.Discard, req.Body)
		_ = req.Body.Close()
		return errorAnswer(req, http.StatusForbidden, "AccessDenied"), nil
	}
	complete := func(status int, code string) []s3kittest.Option {
		return []s3kittest.Option{s3kittest.WithFaults(&s3kittest.Rule{Op: "CompleteMultipartUpload", Fault: s3kittest.ErrorResponse(status, code)})}
	}
	for _, tt := range []struct {
		name  string
		size  int
		srv   []s3kittest.Option
		wire  func(*http.Request, http.RoundTripper) (*http.Response, error)
		parts int
		opts  []s3kit.PutOption
	}{
		{name: "PUT refused after its body was sent", size: 1 << 20, wire: refusePut},
		{name: "CompleteMultipartUpload refused", size: twoParts, parts: 2, srv: complete(http.StatusBadRequest, "InvalidPart"), opts: mpOpts},
		{name: "CompleteMultipartUpload failing", size: twoParts, parts: 2, srv: complete(http.StatusInternalServerError, "InternalError"), opts: mpOpts},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, _ := setup(t, tt.srv...)
			wire := tt.wire
			if wire == nil {
				wire = func(req *http.Request, next http.RoundTripper) (*http.Response, error) { return next.RoundTrip(req) }
			}
			c := wireClient(t, srv, wire, s3kit.WithMaxAttempts(2))
			rep := newReports()
			_, err := c.Put(t.Context(), bucket, "k", bytes.NewReader(randomBytes(tt.size)), append(tt.opts, rep.option())...)
			require.Error(t, err)
			all := rep.list()
			checkNeverDoneEarly(t, all)
			want := s3kit.Progress{Bytes: int64(tt.size) - 1, Total: int64(tt.size), Finishing: true}
			if tt.parts > 0 {
				want.Parts, want.TotalParts = tt.parts-1, tt.parts
			}
			assert.Equal(t, want, all[len(all)-1], "the final report of a failure")
		})
	}
	t.Run("Download whose MD5 check fails", func(t *testing.T) {
		t.Parallel()
		const size = 3 << 20
		_, c := setup(t)
		_, err := c.Put(t.Context(), bucket, "k", bytes.NewReader(randomBytes(size)))
		require.NoError(t, err)
		rep := newReports()
		_, err = c.Download(t.Context(), bucket, "k", &corruptingFile{b: make([]byte, size)}, s3kit.WithMD5Check(true), rep.option())
		require.ErrorIs(t, err, s3kit.ErrDataCorrupted)
		all := rep.list()
		checkNeverDoneEarly(t, all)
		assert.Equal(t, s3kit.Progress{Bytes: size - 1, Total: size, Parts: 0, TotalParts: 1, Finishing: true}, all[len(all)-1])
	})
}

// corruptingFile is an in-memory file of fixed size that flips a bit of
// its first byte as it is written.
type corruptingFile struct {
	mu sync.Mutex
	b  []byte
}

func (f *corruptingFile) WriteAt(p []byte, off int64) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := copy(f.b[off:], p)
	if off == 0 && n > 0 {
		f.b[0] ^= 1
	}
	return n, nil
}

func (f *corruptingFile) ReadAt(p []byte, off int64) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if off >= int64(len(f.b)) {
		return 0, io.EOF
	}
	n := copy(p, f.b[off:])
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// pausingFile is an in-memory file of fixed size whose writes, once every
// step bytes have been written in all, wait until a progress report has
// counted them.
type pausingFile struct {
	mu      sync.Mutex
	b       []byte
	written int64
	next    int64
	step    int64
	wait    func(written int64)
}

func (f *pausingFile) WriteAt(p []byte, off int64) (int, error) {
	f.mu.Lock()
	pause := f.written >= f.next
	written := f.written
	if pause {
		f.next += f.step
	}
	f.mu.Unlock()
	if pause && written > 0 {
		f.wait(written) // the bytes of earlier writes, counted once WriteAt returned
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	n := copy(f.b[off:], p)
	f.written += int64(n)
	return n, nil
}

// TestProgressDownloadCountsAsItStreams checks that a Download counts bytes
// as they are written into the destination, while the ranges stream: the
// destination stops after every 2 MiB written until a report has counted
// them, and the first such report comes before any range has completed.
// Everything shows done only in the final report.
func TestProgressDownloadCountsAsItStreams(t *testing.T) {
	t.Parallel()
	const size, step = 12 << 20, 2 << 20
	_, c := setup(t)
	data := randomBytes(size)
	_, err := c.Put(t.Context(), bucket, "dl", bytes.NewReader(data))
	require.NoError(t, err)

	ctx := guarded(t)
	rep := newReports()
	var mu sync.Mutex
	var seen []s3kit.Progress
	dst := &pausingFile{b: make([]byte, size), step: step}
	dst.wait = func(written int64) {
		p, err := rep.atLeast(ctx, min(written, size-1))
		assert.NoError(t, err)
		mu.Lock()
		seen = append(seen, p)
		mu.Unlock()
	}
	_, err = c.Download(ctx, bucket, "dl", dst, s3kit.WithPartSize(5<<20), s3kit.WithConcurrency(2), rep.option())
	require.NoError(t, err)
	assert.Equal(t, sum(data), sum(dst.b))
	mu.Lock()
	defer mu.Unlock()

	all := rep.list()
	checkNeverDoneEarly(t, all)
	assert.Equal(t, s3kit.Progress{Bytes: size, Total: size, Parts: 3, TotalParts: 3}, all[len(all)-1])
	require.NotEmpty(t, seen)
	assert.Zero(t, seen[0].Parts, "bytes count before any range has completed")
	assert.Positive(t, seen[0].Bytes)
	assert.Greater(t, len(all), 3, "more reports than ranges")
}

// TestProgressDownloadAlwaysReportsItsEnd checks that a Download makes its
// final report even when it never gets to a range: an empty object is done
// at 0 of 0 bytes, a missing one ends with its size unknown.
func TestProgressDownloadAlwaysReportsItsEnd(t *testing.T) {
	t.Parallel()
	_, c := setup(t)
	_, err := c.Put(t.Context(), bucket, "empty", bytes.NewReader(nil))
	require.NoError(t, err)

	rep := newReports()
	_, err = c.Download(t.Context(), bucket, "empty", &discardAt{}, rep.option())
	require.NoError(t, err)
	all := rep.list()
	require.NotEmpty(t, all)
	assert.Equal(t, s3kit.Progress{}, all[len(all)-1])

	rep = newReports()
	_, err = c.Download(t.Context(), bucket, "missing", &discardAt{}, rep.option())
	require.ErrorIs(t, err, s3kit.ErrNotFound)
	all = rep.list()
	require.NotEmpty(t, all)
	assert.Equal(t, s3kit.Progress{Total: -1}, all[len(all)-1])
}

// TestProgressKeepsTheRequestsAsTheyWere checks that counting changes
// nothing on the wire: over TLS, with Content-MD5 required and every
// signed payload hash checked by s3kittest, single PUTs and parts sent with
// progress on are stored as they are without it.
func TestProgressKeepsTheRequestsAsTheyWere(t *testing.T) {
	t.Parallel()
	_, c := setup(t, s3kittest.WithTLS(), s3kittest.WithRequireContentMD5())
	for name, size := range map[string]int{"empty": 0, "single PUT": 1 << 20, "multipart": twoParts} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			data := randomBytes(size)
			rep := newReports()
			opts := append(mpOpts[:len(mpOpts):len(mpOpts)], s3kit.WithContentMD5(true), rep.option())
			_, err := c.Put(t.Context(), bucket, "tls/"+name, bytes.NewReader(data), opts...)
			require.NoError(t, err)
			got, r := getAll(t, c, "tls/"+name)
			assert.Equal(t, sum(data), got)
			assert.Equal(t, int64(size), r.Size)
			all := rep.list()
			assert.Equal(t, int64(size), all[len(all)-1].Bytes)
		})
	}
}
