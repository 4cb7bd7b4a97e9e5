package s3kit_test

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/s3kit/s3kit"
	"github.com/s3kit/s3kit/s3kittest"
)

// frontEnd is a proxy in front of an s3kittest server that injects faults
// and counts the connections clients hold open to it.
type frontEnd struct {
	srv       *s3kittest.Server // the server behind, reachable without faults
	client    *s3kit.Client     // a client of the front, with fast retries
	transport *http.Transport   // the client's transport
	backend   *http.Transport   // the proxy's transport to the server
	arrived   chan string       // receives the operation of each request, if not nil

	mu    sync.Mutex
	open  int // connections open now
	total int // connections ever opened
}

// newFrontEnd starts a server with one bucket and a faulty front for it.
func newFrontEnd(t *testing.T, rules []*s3kittest.Rule, opts ...s3kit.Option) *frontEnd {
	t.Helper()
	srv := s3kittest.NewServer(t)
	srv.CreateBucket(t, bucket)
	target, err := url.Parse(srv.URL)
	require.NoError(t, err)
	rp := httputil.NewSingleHostReverseProxy(target)
	rp.ErrorLog = log.New(io.Discard, "", 0)
	fe := &frontEnd{srv: srv, backend: &http.Transport{}}
	rp.Transport = fe.backend
	t.Cleanup(fe.backend.CloseIdleConnections)
	faulty := s3kittest.NewFaultHandler(rp, rules...)
	hs := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if fe.arrived != nil {
			select {
			case fe.arrived <- s3kittest.Operation(r):
			default:
			}
		}
		faulty.ServeHTTP(w, r)
	}))
	hs.Config.ConnState = fe.connState
	hs.Config.ErrorLog = log.New(io.Discard, "", 0)
	hs.Start()
	t.Cleanup(hs.Close)
	fe.transport = &http.Transport{MaxIdleConnsPerHost: 4}
	t.Cleanup(fe.transport.CloseIdleConnections)
	opts = append([]s3kit.Option{
		s3kit.WithEndpoint(hs.URL),
		s3kit.WithCredentials(s3kittest.AccessKey, s3kittest.SecretKey),
		s3kit.WithHTTPClient(&http.Client{Transport: fe.transport}),
	}, fastRetries(opts...)...)
	fe.client, err = s3kit.New(t.Context(), opts...)
	require.NoError(t, err)
	return fe
}

func (fe *frontEnd) connState(_ net.Conn, s http.ConnState) {
	fe.mu.Lock()
	defer fe.mu.Unlock()
	switch s {
	case http.StateNew:
		fe.open++
		fe.total++
	case http.StateClosed, http.StateHijacked:
		fe.open--
	}
}

// conns returns the connections open now and ever opened.
func (fe *frontEnd) conns() (open, total int) {
	fe.mu.Lock()
	defer fe.mu.Unlock()
	return fe.open, fe.total
}

// put stores data under key on the server behind, without faults.
func (fe *frontEnd) put(t *testing.T, key string, data []byte) {
	t.Helper()
	_, err := fe.srv.Client(t).Put(t.Context(), bucket, key, bytes.NewReader(data))
	require.NoError(t, err)
}

func TestEarlyCloseDoesNotLeakConnections(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		size int
		read int
	}{
		{"small rest is drained", 40 << 10, 10},
		{"large rest drops the connection", 1 << 20, 10}, // 16 times the 64 KiB Close drains
		{"nothing read", 1 << 20, 0},
		{"read to the end", 100 << 10, 100 << 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fe := newFrontEnd(t, nil)
			fe.put(t, "k", randomBytes(tt.size))
			for range 20 {
				r, err := fe.client.Get(t.Context(), bucket, "k")
				require.NoError(t, err)
				_, err = io.ReadFull(r, make([]byte, tt.read))
				require.NoError(t, err)
				require.NoError(t, r.Close())
			}
			open, total := fe.conns()
			t.Logf("%d connections open, %d opened", open, total)
			// Once the client closes its idle connections, the server sees
			// every connection closed: none was left behind by a reader.
			fe.transport.CloseIdleConnections()
			require.Eventually(t, func() bool { open, _ := fe.conns(); return open == 0 }, 5*time.Second, time.Millisecond)
		})
	}
}

func TestShortOrDamagedDownloadsFail(t *testing.T) {
	t.Parallel()
	data := randomBytes(64 << 10)
	sum := md5.Sum(data)
	etag := `"` + hex.EncodeToString(sum[:]) + `"`
	serve := func(body []byte, length int) func(http.ResponseWriter, *http.Request) bool {
		return func(w http.ResponseWriter, r *http.Request) bool {
			if r.Method != http.MethodGet {
				return false
			}
			w.Header().Set("ETag", etag)
			w.Header().Set("Content-Length", strconv.Itoa(length))
			_, _ = w.Write(body)
			return true
		}
	}
	flipped := bytes.Clone(data)
	flipped[1000] ^= 1
	tests := []struct {
		name    string
		body    []byte
		length  int
		opts    []s3kit.GetOption
		corrupt bool
	}{
		{"intact", data, len(data), nil, false},
		{"one bit flipped", flipped, len(data), nil, true},
		{"truncated with matching length", data[:1000], 1000, nil, true},
		{"body shorter than its length", data[:1000], len(data), nil, true},
		{"flipped, MD5 check off", flipped, len(data), []s3kit.GetOption{s3kit.WithMD5Check(false)}, false},
		{"truncated, MD5 check off", data[:1000], len(data), []s3kit.GetOption{s3kit.WithMD5Check(false)}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := s3kittest.NewServer(t)
			c := proxy(t, srv, serve(tt.body, tt.length))
			r, err := c.Get(t.Context(), bucket, "k", tt.opts...)
			require.NoError(t, err)
			defer r.Close()
			_, err = io.ReadAll(r)
			if !tt.corrupt {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, s3kit.ErrDataCorrupted)
			var e *s3kit.Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, "Get", e.Op)
			assert.Equal(t, "k", e.Key)
			_, again := r.Read(make([]byte, 10))
			assert.Equal(t, err, again, "the error is sticky")
		})
	}
}

func TestInterruptedDownloadNeverSucceedsWithWrongData(t *testing.T) {
	t.Parallel()
	// Every GET response is cut after n bytes. The reader resumes from the
	// last byte; it either completes the object exactly or fails, never a
	// short success, and its resumes are bounded.
	data := randomBytes(256 << 10)
	for _, n := range []int64{0, 1, 100 << 10, int64(len(data)) - 1} {
		t.Run(strconv.FormatInt(n, 10), func(t *testing.T) {
			t.Parallel()
			rule := &s3kittest.Rule{Op: "GetObject", Fault: s3kittest.ResetResponse(n)}
			fe := newFrontEnd(t, []*s3kittest.Rule{rule})
			fe.put(t, "k", data)
			r, err := fe.client.Get(t.Context(), bucket, "k")
			require.NoError(t, err)
			defer r.Close()
			got, err := io.ReadAll(r)
			if err != nil {
				assert.Less(t, len(got), len(data))
				var e *s3kit.Error
				require.ErrorAs(t, err, &e)
				assert.Equal(t, "k", e.Key)
			} else {
				assert.Equal(t, sum(data), sum(got), "a completed read is the whole object")
			}
			assert.LessOrEqual(t, rule.Fired(), 21, "bounded resumes")
			if n <= 1 {
				assert.Error(t, err, "too few bytes per connection to finish")
			}
		})
	}
}

// promptly is how soon a call must return once its context is cancelled.
// A multipart upload waits for its part goroutines, one of which may be
// hashing a 5 MiB part for the signature; the race detector makes that
// about ten times slower.
var promptly = map[bool]time.Duration{false: 100 * time.Millisecond, true: time.Second}[raceEnabled]

// TestCancellationIsPrompt cancels each call while the server holds it, and
// checks that the call returns within 100 ms with context.Canceled.
func TestCancellationIsPrompt(t *testing.T) {
	ops := append(slices.Clone(operations),
		operation{"UploadPart", func(ctx context.Context, c *s3kit.Client) error {
			_, err := c.Put(ctx, bucket, "big", onlyReader{bytes.NewReader(randomBytes(11 << 20))}, s3kit.WithPartSize(5<<20), s3kit.WithMultipartThreshold(5<<20))
			return err
		}},
		operation{"PutObjectAcl", func(ctx context.Context, c *s3kit.Client) error {
			return c.SetACL(ctx, bucket, "k", s3kit.ACLPublicRead)
		}},
		operation{"CreateBucket", func(ctx context.Context, c *s3kit.Client) error {
			return c.CreateBucket(ctx, "other-bucket")
		}},
		operation{"DeleteBucket", func(ctx context.Context, c *s3kit.Client) error {
			return c.DeleteBucket(ctx, bucket)
		}},
	)
	for _, op := range ops {
		for _, fault := range []s3kittest.Fault{s3kittest.DelayHeaders(time.Minute), s3kittest.DelayBody(time.Minute)} {
			if op.name != "GetObject" && op.name != "ListObjectsV2" && fault.String() != s3kittest.DelayHeaders(time.Minute).String() {
				continue // no body to delay
			}
			t.Run(op.name+"/"+fault.String(), func(t *testing.T) {
				rule := &s3kittest.Rule{Op: op.name, Fault: fault}
				fe := newFrontEnd(t, []*s3kittest.Rule{rule})
				fe.put(t, "k", randomBytes(4096))
				fe.arrived = make(chan string, 16)
				ctx, cancel := context.WithCancel(t.Context())
				defer cancel()
				done := make(chan error, 1)
				go func() { done <- op.call(ctx, fe.client) }()
				for got := range fe.arrived {
					if got == op.name {
						break
					}
				}
				if fault.String() != s3kittest.DelayHeaders(time.Minute).String() {
					require.Eventually(t, func() bool { return rule.Fired() > 0 }, time.Second, time.Millisecond)
				}
				start := time.Now()
				cancel()
				err := <-done
				elapsed := time.Since(start)
				require.Error(t, err)
				assert.ErrorIs(t, err, context.Canceled)
				var e *s3kit.Error
				assert.ErrorAs(t, err, &e)
				assert.Less(t, elapsed, promptly)
				if op.name == "UploadPart" {
					assert.Zero(t, pendingUploads(t, fe.srv.Client(t)), "the cancelled upload was aborted")
				}
			})
		}
	}
}

func TestCloseOfStalledBodyIsPrompt(t *testing.T) {
	rule := &s3kittest.Rule{Op: "GetObject", Fault: s3kittest.DelayBody(time.Minute)}
	fe := newFrontEnd(t, []*s3kittest.Rule{rule})
	fe.put(t, "k", randomBytes(4096)) // small enough that Close would drain it
	r, err := fe.client.Get(t.Context(), bucket, "k")
	require.NoError(t, err)
	start := time.Now()
	require.NoError(t, r.Close())
	assert.Less(t, time.Since(start), promptly)
	_, err = r.Read(make([]byte, 1))
	assert.Error(t, err)
}

// TestNoGoroutineOutlivesACall checks, right after each call, that nothing
// it started is still running: a listing broken off, failed and cancelled
// uploads, a Get closed early and a failing Get.
func TestNoGoroutineOutlivesACall(t *testing.T) {
	failPart := &s3kittest.Rule{Op: "UploadPart", Key: "fail", Nth: 2, Fault: s3kittest.ErrorResponse(400, "InvalidArgument")}
	fe := newFrontEnd(t, []*s3kittest.Rule{failPart})
	for i := range 5 {
		fe.put(t, fmt.Sprint("k", i), randomBytes(100<<10))
	}
	mp := []s3kit.PutOption{s3kit.WithMultipartThreshold(5 << 20), s3kit.WithPartSize(5 << 20), s3kit.WithConcurrency(4)}
	calls := map[string]func(){
		"break out of List": func() {
			for range fe.client.List(t.Context(), bucket, s3kit.WithPageSize(2)) {
				break
			}
		},
		"failed multipart Put": func() {
			_, err := fe.client.Put(t.Context(), bucket, "fail", onlyReader{bytes.NewReader(randomBytes(16 << 20))}, mp...)
			require.Error(t, err)
		},
		"cancelled multipart Put": func() {
			ctx, cancel := context.WithCancel(t.Context())
			r := &cancelReader{data: randomBytes(16 << 20), limit: 11 << 20, cancel: cancel}
			_, err := fe.client.Put(ctx, bucket, "cancelled", r, mp...)
			require.ErrorIs(t, err, context.Canceled)
		},
		"Get closed early": func() {
			r, err := fe.client.Get(t.Context(), bucket, "k0")
			require.NoError(t, err)
			require.NoError(t, r.Close())
		},
		"Get of a missing key": func() {
			_, err := fe.client.Get(t.Context(), bucket, "missing")
			require.ErrorIs(t, err, s3kit.ErrNotFound)
		},
	}
	idle := func() {
		fe.transport.CloseIdleConnections()
		fe.backend.CloseIdleConnections()
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			idle()
			before := goleak.IgnoreCurrent()
			call()
			idle()
			goleak.VerifyNone(t, before,
				// The server's side of the closed connections ends on its own.
				goleak.IgnoreTopFunction("net/http.(*conn).serve"),
				goleak.IgnoreAnyFunction("net/http.(*conn).serve"))
		})
	}
}
