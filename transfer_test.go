package s3kit_test

import (
	"bytes"
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/s3kit/s3kit"
)

func TestDownload(t *testing.T) {
	t.Parallel()
	_, c := setup(t)
	for _, size := range []int{0, 1, 1 << 10, 5 << 20, 20<<20 + 123} {
		t.Run(sizeName(size), func(t *testing.T) {
			t.Parallel()
			data := randomBytes(size)
			key := "dl/" + sizeName(size)
			_, err := c.Put(t.Context(), bucket, key, bytes.NewReader(data))
			require.NoError(t, err)

			f, err := os.Create(filepath.Join(t.TempDir(), "out"))
			require.NoError(t, err)
			defer f.Close()
			var last s3kit.Progress
			obj, err := c.Download(t.Context(), bucket, key, f,
				s3kit.WithPartSize(5<<20), s3kit.WithConcurrency(3), s3kit.WithMD5Check(true),
				s3kit.WithProgress(func(p s3kit.Progress) { last = p }))
			require.NoError(t, err)
			assert.Equal(t, int64(size), obj.Size)
			got, err := os.ReadFile(f.Name())
			require.NoError(t, err)
			assert.Equal(t, sum(data), sum(got))
			if size > 0 {
				assert.Equal(t, int64(size), last.Bytes)
				assert.Equal(t, int64(size), last.Total)
				assert.Equal(t, (size+5<<20-1)/(5<<20), last.TotalParts)
				assert.Equal(t, last.TotalParts, last.Parts)
			}
		})
	}
	t.Run("missing object", func(t *testing.T) {
		f, err := os.Create(filepath.Join(t.TempDir(), "out"))
		require.NoError(t, err)
		defer f.Close()
		_, err = c.Download(t.Context(), bucket, "nope", f)
		assert.ErrorIs(t, err, s3kit.ErrNotFound)
	})
	t.Run("nil destination", func(t *testing.T) {
		_, err := c.Download(t.Context(), bucket, "k", nil)
		assert.ErrorIs(t, err, s3kit.ErrInvalidInput)
	})
}

// cutter is a proxy rule that drops the connection after limit body bytes
// of the first cuts GET responses for key.
type cutter struct {
	key   string
	limit int
	cuts  atomic.Int32
	gets  atomic.Int32
	// before, if set, runs when the first cut happens (to change the object).
	before func()
}

func (c *cutter) intercept(next http.Handler) func(w http.ResponseWriter, r *http.Request) bool {
	return func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method != http.MethodGet || !strings.HasSuffix(r.URL.Path, "/"+c.key) {
			return false
		}
		c.gets.Add(1)
		if c.cuts.Load() <= 0 {
			return false
		}
		c.cuts.Add(-1)
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		_, _ = w.Write(rec.Body.Bytes()[:min(c.limit, rec.Body.Len())])
		if c.before != nil {
			c.before()
		}
		// Drop the connection with the body incomplete.
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close()
		}
		return true
	}
}

func TestGetResumesAfterDroppedConnection(t *testing.T) {
	t.Parallel()
	srv, direct := setup(t)
	data := randomBytes(3 << 20)
	_, err := direct.Put(t.Context(), bucket, "big", bytes.NewReader(data))
	require.NoError(t, err)

	cut := &cutter{key: "big", limit: 100_000}
	cut.cuts.Store(3)
	c := proxyWith(t, srv, cut.intercept)

	r, err := c.Get(t.Context(), bucket, "big", s3kit.WithMD5Check(true))
	require.NoError(t, err)
	got, err := io.ReadAll(r)
	require.NoError(t, err, "the caller does not see the interruptions")
	require.NoError(t, r.Close())
	assert.Equal(t, sum(data), sum(got))
	assert.Equal(t, int32(4), cut.gets.Load(), "one GET and three resumes")

	t.Run("ranged get", func(t *testing.T) {
		cut.cuts.Store(1)
		r, err := c.Get(t.Context(), bucket, "big", s3kit.WithRange(1000, 500_000))
		require.NoError(t, err)
		got, err := io.ReadAll(r)
		require.NoError(t, err)
		r.Close()
		assert.Equal(t, data[1000:501_000], got)
	})
	t.Run("download", func(t *testing.T) {
		cut.cuts.Store(2)
		f, err := os.Create(filepath.Join(t.TempDir(), "out"))
		require.NoError(t, err)
		defer f.Close()
		_, err = c.Download(t.Context(), bucket, "big", f, s3kit.WithPartSize(5<<20))
		require.NoError(t, err)
		got, err := os.ReadFile(f.Name())
		require.NoError(t, err)
		assert.Equal(t, sum(data), sum(got))
	})
}

func TestResumeFailsWhenObjectChanged(t *testing.T) {
	t.Parallel()
	srv, direct := setup(t)
	_, err := direct.Put(t.Context(), bucket, "k", bytes.NewReader(randomBytes(1<<20)))
	require.NoError(t, err)
	cut := &cutter{key: "k", limit: 1000, before: func() {
		_, err := direct.Put(t.Context(), bucket, "k", strings.NewReader("new version"))
		assert.NoError(t, err)
	}}
	cut.cuts.Store(1)
	c := proxyWith(t, srv, cut.intercept)
	r, err := c.Get(t.Context(), bucket, "k")
	require.NoError(t, err)
	defer r.Close()
	_, err = io.ReadAll(r)
	require.ErrorIs(t, err, s3kit.ErrObjectChanged)
}

// TestResumeFailsWhenObjectDeleted checks that a body cut short whose
// resume finds the object gone fails with ErrNotFound alone: an error
// matches at most one sentinel.
func TestResumeFailsWhenObjectDeleted(t *testing.T) {
	t.Parallel()
	srv, direct := setup(t)
	_, err := direct.Put(t.Context(), bucket, "k", bytes.NewReader(randomBytes(1<<20)))
	require.NoError(t, err)
	cut := &cutter{key: "k", limit: 1000, before: func() {
		assert.NoError(t, direct.Delete(t.Context(), bucket, "k"))
	}}
	cut.cuts.Store(1)
	c := proxyWith(t, srv, cut.intercept)
	r, err := c.Get(t.Context(), bucket, "k")
	require.NoError(t, err)
	defer r.Close()
	_, err = io.ReadAll(r)
	require.ErrorIs(t, err, s3kit.ErrNotFound)
	assert.NotErrorIs(t, err, s3kit.ErrDataCorrupted)
	assert.Contains(t, err.Error(), "interrupted at byte")
}

func TestResumeGivesUpAfterRepeatedDrops(t *testing.T) {
	t.Parallel()
	srv, direct := setup(t)
	_, err := direct.Put(t.Context(), bucket, "k", bytes.NewReader(randomBytes(1<<20)))
	require.NoError(t, err)
	cut := &cutter{key: "k", limit: 0}
	cut.cuts.Store(100)
	c := proxyWith(t, srv, cut.intercept)
	r, err := c.Get(t.Context(), bucket, "k")
	if err == nil {
		defer r.Close()
		_, err = io.ReadAll(r)
	}
	require.Error(t, err, "never success with short data")
	if r != nil {
		assert.ErrorIs(t, err, s3kit.ErrDataCorrupted, "a read cut short for good")
	}
	assert.LessOrEqual(t, cut.gets.Load(), int32(7), "bounded resumes")
}

func TestVerifyDetectsCorruption(t *testing.T) {
	t.Parallel()
	srv, direct := setup(t)
	data := randomBytes(64 << 10)
	_, err := direct.Put(t.Context(), bucket, "k", bytes.NewReader(data))
	require.NoError(t, err)
	c := proxyWith(t, srv, func(next http.Handler) func(w http.ResponseWriter, r *http.Request) bool {
		return func(w http.ResponseWriter, r *http.Request) bool {
			if r.Method != http.MethodGet {
				return false
			}
			rec := httptest.NewRecorder()
			next.ServeHTTP(rec, r)
			for k, v := range rec.Header() {
				w.Header()[k] = v
			}
			w.WriteHeader(rec.Code)
			b := rec.Body.Bytes()
			if len(b) > 100 {
				b[100] ^= 0xff // one flipped byte
			}
			_, _ = w.Write(b)
			return true
		}
	})
	r, err := c.Get(t.Context(), bucket, "k", s3kit.WithMD5Check(true))
	require.NoError(t, err)
	_, err = io.ReadAll(r)
	r.Close()
	assert.ErrorIs(t, err, s3kit.ErrDataCorrupted)

	f, err := os.Create(filepath.Join(t.TempDir(), "out"))
	require.NoError(t, err)
	defer f.Close()
	_, err = c.Download(t.Context(), bucket, "k", f, s3kit.WithMD5Check(true))
	assert.ErrorIs(t, err, s3kit.ErrDataCorrupted)
}

func TestPutProgress(t *testing.T) {
	t.Parallel()
	// Five parts of 5 MiB, the last one short: one more part than the four
	// sent at once, so that the callback hears from concurrent parts, and a
	// streamed body reuses a part buffer, which the read back checks.
	const size = 21 << 20
	for name, body := range map[string]func([]byte) io.Reader{
		"known size":   func(b []byte) io.Reader { return bytes.NewReader(b) },
		"unknown size": func(b []byte) io.Reader { return onlyReader{bytes.NewReader(b)} },
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, c := setup(t)
			data := randomBytes(size)
			var calls []s3kit.Progress
			var inCall atomic.Int32
			_, err := c.Put(t.Context(), bucket, "p", body(data), append(mpOpts[:len(mpOpts):len(mpOpts)], s3kit.WithProgress(func(p s3kit.Progress) {
				assert.Equal(t, int32(1), inCall.Add(1), "never called concurrently")
				calls = append(calls, p)
				inCall.Add(-1)
			}))...)
			require.NoError(t, err)
			require.NotEmpty(t, calls)
			for i := 1; i < len(calls); i++ {
				assert.GreaterOrEqual(t, calls[i].Bytes, calls[i-1].Bytes, "monotonic")
			}
			last := calls[len(calls)-1]
			assert.Equal(t, s3kit.Progress{Bytes: size, Total: size, Parts: 5, TotalParts: 5}, last)
			got, _ := getAll(t, c, "p")
			assert.Equal(t, sum(data), got, "SHA-256 of the stored object")
		})
	}
}

func TestPutSignsItsPayload(t *testing.T) {
	t.Parallel()
	for _, withMD5 := range []bool{false, true} {
		t.Run(fmt.Sprintf("md5=%t", withMD5), func(t *testing.T) {
			t.Parallel()
			var checked atomic.Int32
			front := newTLSRecorder(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				body, _ := io.ReadAll(r.Body)
				if r.Method != http.MethodPut {
					(&partCounter{sizes: map[int]int64{}}).ServeHTTP(w, r)
					return
				}
				sh := sha256.Sum256(body)
				assert.Equal(t, hex.EncodeToString(sh[:]), r.Header.Get("X-Amz-Content-Sha256"), "signed SHA-256, even over TLS")
				assert.Contains(t, r.Header.Get("Authorization"), "x-amz-content-sha256")
				if withMD5 {
					m := md5.Sum(body)
					assert.Equal(t, base64.StdEncoding.EncodeToString(m[:]), r.Header.Get("Content-Md5"))
				} else {
					assert.Empty(t, r.Header.Get("Content-Md5"))
				}
				checked.Add(1)
				if r.Method == http.MethodPut && !r.URL.Query().Has("partNumber") {
					w.Header().Set("ETag", `"single"`)
					return
				}
				(&partCounter{sizes: map[int]int64{}}).ServeHTTP(w, r)
			}))
			c, err := s3kit.New(t.Context(), s3kit.WithEndpoint(front.URL), s3kit.WithCredentials("ak", "sk"),
				s3kit.WithHTTPClient(front.Client()), s3kit.WithContentMD5(withMD5))
			require.NoError(t, err)
			_, err = c.Put(t.Context(), "bkt", "small", bytes.NewReader(randomBytes(1000)))
			require.NoError(t, err)
			_, err = c.Put(t.Context(), "bkt", "big", onlyReader{bytes.NewReader(randomBytes(11 << 20))}, mpOpts...) // three parts
			require.NoError(t, err)
			assert.GreaterOrEqual(t, checked.Load(), int32(4), "one PUT and three parts at least")
		})
	}
}

func TestCorruptionInTransitIsRejected(t *testing.T) {
	t.Parallel()
	// A proxy flips one byte of every PUT body; s3kittest, like any SigV4
	// server, checks the body against the signed SHA-256 and refuses it.
	srv, direct := setup(t)
	c := proxyWith(t, srv, func(next http.Handler) func(w http.ResponseWriter, r *http.Request) bool {
		return func(w http.ResponseWriter, r *http.Request) bool {
			if r.Method != http.MethodPut {
				return false
			}
			body, _ := io.ReadAll(r.Body)
			if len(body) > 10 {
				body[10] ^= 1
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
			next.ServeHTTP(w, r)
			return true
		}
	})
	for name, size := range map[string]int{"single": 1000, "multipart": 9 << 20} { // multipart: over one 8 MiB part
		_, err := c.Put(t.Context(), bucket, name, onlyReader{bytes.NewReader(randomBytes(size))})
		var e *s3kit.Error
		require.ErrorAs(t, err, &e, name)
		assert.Equal(t, "XAmzContentSHA256Mismatch", e.Code, name)
		_, err = direct.Head(t.Context(), bucket, name)
		assert.ErrorIs(t, err, s3kit.ErrNotFound, "nothing stored for %s", name)
	}
	assert.Zero(t, pendingUploads(t, direct))
}

// partCounter is a minimal multipart sink: it accepts uploads, discards the
// parts and records their sizes.
type partCounter struct {
	mu    sync.Mutex
	sizes map[int]int64
}

func (pc *partCounter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	switch {
	case r.Method == http.MethodPost && q.Has("uploads"):
		fmt.Fprint(w, `<InitiateMultipartUploadResult><Bucket>bkt</Bucket><Key>k</Key><UploadId>U1</UploadId></InitiateMultipartUploadResult>`)
	case r.Method == http.MethodPut && q.Has("partNumber"):
		n, _ := io.Copy(io.Discard, r.Body)
		num, _ := strconv.Atoi(q.Get("partNumber"))
		pc.mu.Lock()
		pc.sizes[num] = n
		pc.mu.Unlock()
		w.Header().Set("ETag", fmt.Sprintf(`"etag%d"`, num))
	case r.Method == http.MethodPost && q.Has("uploadId"):
		_, _ = io.Copy(io.Discard, r.Body)
		fmt.Fprint(w, `<CompleteMultipartUploadResult><Bucket>bkt</Bucket><Key>k</Key><ETag>"x-1"</ETag></CompleteMultipartUploadResult>`)
	default:
		http.Error(w, "unexpected", http.StatusBadRequest)
	}
}

// handlerTransport is an http.RoundTripper that serves each request with h
// in the calling goroutine, without a connection.
type handlerTransport struct{ h http.Handler }

func (ht handlerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	rec := httptest.NewRecorder()
	ht.h.ServeHTTP(rec, r)
	if r.Body != nil {
		_ = r.Body.Close()
	}
	return rec.Result(), nil
}

// zeros is an endless reader of zero bytes, limited by the caller.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

func TestUnknownSizePartsGrow(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("streams 3 GiB")
	}
	pc := &partCounter{sizes: make(map[int]int64)}
	// The parts go straight to pc, without a socket: the part sizes are
	// what is checked, and moving 3 GiB through loopback TLS cost about
	// 90% of this test's time under the race detector.
	c, err := s3kit.New(t.Context(), s3kit.WithEndpoint("https://s3.test"), s3kit.WithCredentials("ak", "sk"),
		s3kit.WithHTTPClient(&http.Client{Transport: handlerTransport{pc}}))
	require.NoError(t, err)
	const total = 3 << 30
	res, err := c.Put(t.Context(), "bkt", "k", io.LimitReader(zeros{}, total), s3kit.WithPartSize(5<<20))
	require.NoError(t, err)
	assert.Equal(t, int64(total), res.Size)
	require.Equal(t, res.Parts, len(pc.sizes))
	var sumSizes int64
	for n := 1; n <= res.Parts; n++ {
		size, ok := pc.sizes[n]
		require.True(t, ok, "part %d", n)
		sumSizes += size
		if n < res.Parts {
			assert.GreaterOrEqual(t, size, int64(5<<20), "part %d", n)
			if n > 1 {
				assert.GreaterOrEqual(t, size, pc.sizes[n-1], "part %d never shrinks", n)
			}
		}
	}
	assert.Equal(t, int64(total), sumSizes)
	assert.Equal(t, int64(5<<20), pc.sizes[1], "starts small")
	assert.Greater(t, pc.sizes[res.Parts-1], int64(5<<20), "and grows")
	t.Logf("3 GiB in %d parts: first %d MiB, last full %d MiB", res.Parts, pc.sizes[1]>>20, pc.sizes[res.Parts-1]>>20)
}

// panicsAt is a body whose Read panics once at reads past at bytes.
type panicsAt struct {
	r    io.Reader
	read int64
	at   int64
}

func (p *panicsAt) Read(b []byte) (int, error) {
	if p.read+int64(len(b)) > p.at {
		panic("body panics")
	}
	n, err := p.r.Read(b)
	p.read += int64(n)
	return n, err
}

// TestPutBodyThatPanicsAbortsTheUpload makes a body's Read panic in the
// middle of a multipart upload, after parts were stored. The panic reaches
// the caller, where it can be recovered, and the upload is aborted first, so
// its parts are not left on the server, where they would cost storage until
// a lifecycle rule removed them.
func TestPutBodyThatPanicsAbortsTheUpload(t *testing.T) {
	t.Parallel()
	_, c := setup(t)
	for name, size := range map[string]int64{"unknown size": -1, "size given": 4 * 5 << 20} {
		t.Run(name, func(t *testing.T) {
			body := &panicsAt{r: onlyReader{bytes.NewReader(randomBytes(4 * 5 << 20))}, at: 2*5<<20 + 1234}
			r := func() (r any) {
				defer func() { r = recover() }()
				_, _ = c.Put(t.Context(), bucket, "panics", body, append(mpOpts[:len(mpOpts):len(mpOpts)], s3kit.WithSize(size))...)
				return nil
			}()
			assert.Equal(t, "body panics", r)
			assert.Zero(t, pendingUploads(t, c), "the upload was aborted before the panic went on")
			_, err := c.Head(t.Context(), bucket, "panics")
			assert.ErrorIs(t, err, s3kit.ErrNotFound)
		})
	}
}
