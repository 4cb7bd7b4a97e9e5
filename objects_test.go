package s3kit_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/s3kit/s3kit"
	"github.com/s3kit/s3kit/s3kittest"
)

func TestPutGetRoundTrip(t *testing.T) {
	t.Parallel()
	const mib = 1 << 20
	bodies := map[string]func(b []byte) (io.Reader, []s3kit.PutOption){
		"bytes.Reader": func(b []byte) (io.Reader, []s3kit.PutOption) { return bytes.NewReader(b), nil },
		"unknown size": func(b []byte) (io.Reader, []s3kit.PutOption) { return onlyReader{bytes.NewReader(b)}, nil },
		"declared size": func(b []byte) (io.Reader, []s3kit.PutOption) {
			return onlyReader{bytes.NewReader(b)}, []s3kit.PutOption{s3kit.WithSize(int64(len(b)))}
		},
	}
	for _, tlsOn := range []bool{false, true} {
		var opts []s3kittest.Option
		name := "http"
		if tlsOn {
			opts, name = append(opts, s3kittest.WithTLS()), "https"
		}
		srv, c := setup(t, opts...)
		// 17 MiB is over the 16 MiB threshold: three 8 MiB parts, the last
		// one short. (TestPutProgress sends more parts than are sent at
		// once, and reads them back.)
		for _, size := range []int{0, 1, 1 << 10, 17 * mib} {
			for kind, mk := range bodies {
				t.Run(strings.Join([]string{name, kind, sizeName(size)}, "/"), func(t *testing.T) {
					t.Parallel()
					if tlsOn && size > 1<<10 && testing.Short() {
						t.Skip("large TLS round trip in -short mode")
					}
					data := randomBytes(size)
					key := "rt/" + kind + "/" + sizeName(size)
					body, popts := mk(data)
					res, err := c.Put(t.Context(), bucket, key, body, popts...)
					require.NoError(t, err)
					assert.Equal(t, int64(size), res.Size)
					assert.NotEmpty(t, res.ETag)
					if size > 16*mib {
						assert.Equal(t, 3, res.Parts, "17 MiB in 8 MiB parts")
					} else {
						assert.Zero(t, res.Parts)
					}
					got, r := getAll(t, c, key)
					assert.Equal(t, sum(data), got, "SHA-256 of the stored object")
					assert.Equal(t, int64(size), r.Size)
					if res.Parts == 0 {
						assert.Equal(t, res.ETag, r.ETag)
					}
					obj, err := c.Head(t.Context(), bucket, key)
					require.NoError(t, err)
					assert.Equal(t, int64(size), obj.Size)
				})
			}
		}
		_ = srv
	}
}

func sizeName(n int) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%dMiB", n>>20)
	case n >= 1<<10:
		return fmt.Sprintf("%dKiB", n>>10)
	}
	return fmt.Sprintf("%dB", n)
}

func TestPutReadsReaderAtInPlace(t *testing.T) {
	t.Parallel()
	// A body that is an io.ReaderAt is sent from where it stands, even if
	// its read position is not at the start.
	_, c := setup(t)
	data := randomBytes(3<<20 + twoParts)
	r := bytes.NewReader(data)
	_, err := r.Seek(3<<20, io.SeekStart)
	require.NoError(t, err)
	res, err := c.Put(t.Context(), bucket, "offset", r, mpOpts...)
	require.NoError(t, err)
	assert.Equal(t, int64(twoParts), res.Size)
	assert.Equal(t, 2, res.Parts)
	got, _ := getAll(t, c, "offset")
	assert.Equal(t, sum(data[3<<20:]), got)
}

func TestPutMetadataRoundTrip(t *testing.T) {
	t.Parallel()
	// A body of unknown size goes multipart once it is longer than the
	// first 8 MiB part.
	for name, size := range map[string]int{"single": 10, "multipart": 9 << 20} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, c := setup(t)
			_, err := c.Put(t.Context(), bucket, "doc.json", onlyReader{bytes.NewReader(randomBytes(size))},
				s3kit.WithContentType("application/json"),
				s3kit.WithMetadata(map[string]string{"Author": "ada", "x-version": "3"}),
				s3kit.WithCacheControl("max-age=60"))
			require.NoError(t, err)
			obj, err := c.Head(t.Context(), bucket, "doc.json")
			require.NoError(t, err)
			assert.Equal(t, "application/json", obj.ContentType)
			assert.Equal(t, "max-age=60", obj.CacheControl)
			assert.Equal(t, map[string]string{"author": "ada", "x-version": "3"}, lowerKeys(obj.Metadata))
			r, err := c.Get(t.Context(), bucket, "doc.json")
			require.NoError(t, err)
			defer r.Close()
			assert.Equal(t, "application/json", r.ContentType)
			assert.Equal(t, "ada", lowerKeys(r.Metadata)["author"])
		})
	}
}

func lowerKeys(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[strings.ToLower(k)] = v
	}
	return out
}

func TestPutSizeMismatchStoresNothing(t *testing.T) {
	t.Parallel()
	const mib = 1 << 20
	tests := []struct {
		name     string
		actual   int
		declared int64
	}{
		{"single, body shorter", 5, 10},
		{"single, body longer", 10, 5},
		{"multipart, body shorter", 18 * mib, 20 * mib},
		{"multipart, body longer", 22 * mib, 20 * mib},
		{"multipart, body shorter than first part", 1 * mib, 20 * mib},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, c := setup(t)
			_, err := c.Put(t.Context(), bucket, "k", onlyReader{bytes.NewReader(randomBytes(tt.actual))}, s3kit.WithSize(tt.declared))
			require.ErrorIs(t, err, s3kit.ErrInvalidInput)
			_, err = c.Head(t.Context(), bucket, "k")
			assert.ErrorIs(t, err, s3kit.ErrNotFound, "nothing may be stored")
			assert.Zero(t, pendingUploads(t, c), "no multipart upload may be left")
		})
	}
}

// TestPutSizeMismatchMeasurableBody checks that WithSize disagreeing with a
// body whose size Put can measure (read in place, never to its end) is
// refused before any request, rather than storing a prefix or failing late.
func TestPutSizeMismatchMeasurableBody(t *testing.T) {
	t.Parallel()
	const mib = 1 << 20
	tests := []struct {
		name     string
		body     func([]byte) io.Reader
		actual   int
		declared int64
	}{
		{"bytes.Reader, declared shorter", func(b []byte) io.Reader { return bytes.NewReader(b) }, 10, 5},
		{"bytes.Reader, declared longer", func(b []byte) io.Reader { return bytes.NewReader(b) }, 10, 20},
		{"strings.Reader, declared shorter", func(b []byte) io.Reader { return strings.NewReader(string(b)) }, 10, 9},
		{"bytes.Buffer, declared shorter", func(b []byte) io.Reader { return bytes.NewBuffer(b) }, 10, 5},
		{"bytes.Reader multipart, declared shorter", func(b []byte) io.Reader { return bytes.NewReader(b) }, 22 * mib, 20 * mib},
		{"file, declared shorter", func(b []byte) io.Reader { return tempFile(t, b) }, 100, 50},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, c := setup(t)
			before := srv.Requests()
			_, err := c.Put(t.Context(), bucket, "k", tt.body(randomBytes(tt.actual)), s3kit.WithSize(tt.declared))
			require.ErrorIs(t, err, s3kit.ErrInvalidInput)
			assert.Contains(t, err.Error(), "WithSize")
			assert.Equal(t, before, srv.Requests(), "no request sent")
		})
	}

	// Matching declarations are fine, including for a file read from the
	// middle and a seekable body without ReadAt.
	data := randomBytes(100)
	mid := tempFile(t, data)
	_, err := mid.Seek(40, io.SeekStart)
	require.NoError(t, err)
	accepted := []struct {
		name string
		body io.Reader
		size int64
		want []byte
	}{
		{"bytes.Reader", bytes.NewReader(data), 100, data},
		{"file from the middle", mid, 60, data[40:]},
		{"seeker without ReadAt", struct{ io.ReadSeeker }{bytes.NewReader(data)}, 100, data},
	}
	for _, tt := range accepted {
		t.Run("accepts "+tt.name, func(t *testing.T) {
			_, c := setup(t)
			_, err := c.Put(t.Context(), bucket, "k", tt.body, s3kit.WithSize(tt.size))
			require.NoError(t, err)
			got, _ := getAll(t, c, "k")
			assert.Equal(t, sum(tt.want), got)
		})
	}

	// A file that is not a regular one reports no usable size: WithSize wins.
	t.Run("accepts a device with WithSize", func(t *testing.T) {
		f, err := os.Open("/dev/zero")
		if err != nil {
			t.Skip("no /dev/zero:", err)
		}
		defer f.Close()
		_, c := setup(t)
		_, err = c.Put(t.Context(), bucket, "k", f, s3kit.WithSize(10))
		require.NoError(t, err)
		got, _ := getAll(t, c, "k")
		assert.Equal(t, sum(make([]byte, 10)), got)
	})

	// A seekable body without ReadAt is streamed: a wrong WithSize is
	// caught while reading, and nothing is stored.
	t.Run("refuses seeker without ReadAt, declared shorter", func(t *testing.T) {
		_, c := setup(t)
		_, err := c.Put(t.Context(), bucket, "k", struct{ io.ReadSeeker }{bytes.NewReader(data)}, s3kit.WithSize(50))
		require.ErrorIs(t, err, s3kit.ErrInvalidInput)
		_, err = c.Head(t.Context(), bucket, "k")
		assert.ErrorIs(t, err, s3kit.ErrNotFound)
	})
}

// tempFile writes b to a file that is removed with the test and returns it
// open for reading.
func tempFile(t *testing.T, b []byte) *os.File {
	t.Helper()
	name := filepath.Join(t.TempDir(), "body")
	require.NoError(t, os.WriteFile(name, b, 0o600))
	f, err := os.Open(name)
	require.NoError(t, err)
	t.Cleanup(func() { _ = f.Close() })
	return f
}

// failingReader returns data, then err.
type failingReader struct {
	data []byte
	err  error
}

func (f *failingReader) Read(p []byte) (int, error) {
	if len(f.data) == 0 {
		return 0, f.err
	}
	n := copy(p, f.data)
	f.data = f.data[n:]
	return n, nil
}

func TestPutAbortsWhenBodyFails(t *testing.T) {
	t.Parallel()
	_, c := setup(t)
	boom := errors.New("disk on fire")
	_, err := c.Put(t.Context(), bucket, "k", &failingReader{data: randomBytes(9 << 20), err: boom}) // multipart: over one 8 MiB part
	require.ErrorIs(t, err, boom)
	_, err = c.Head(t.Context(), bucket, "k")
	assert.ErrorIs(t, err, s3kit.ErrNotFound)
	assert.Zero(t, pendingUploads(t, c))
}

// cancelReader cancels a context once it has returned limit bytes, then
// keeps serving data.
type cancelReader struct {
	data   []byte
	limit  int
	cancel context.CancelFunc
	read   int
}

func (r *cancelReader) Read(p []byte) (int, error) {
	if r.read >= r.limit {
		r.cancel()
	}
	if len(r.data) == 0 {
		return 0, io.EOF
	}
	n := copy(p, r.data)
	r.data, r.read = r.data[n:], r.read+n
	return n, nil
}

func TestPutCancelledAborts(t *testing.T) {
	t.Parallel()
	_, c := setup(t)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	_, err := c.Put(ctx, bucket, "k", &cancelReader{data: randomBytes(40 << 20), limit: 17 << 20, cancel: cancel})
	require.ErrorIs(t, err, context.Canceled)
	_, err = c.Head(t.Context(), bucket, "k")
	assert.ErrorIs(t, err, s3kit.ErrNotFound)
	assert.Zero(t, pendingUploads(t, c))
}

func TestPutAbortsWhenAPartFails(t *testing.T) {
	t.Parallel()
	srv, _ := setup(t)
	var aborts atomic.Int32
	c := proxy(t, srv, func(w http.ResponseWriter, r *http.Request) bool {
		q := r.URL.Query()
		if r.Method == http.MethodDelete && q.Has("uploadId") {
			aborts.Add(1)
		}
		if r.Method == http.MethodPut && q.Get("partNumber") == "3" {
			_, _ = io.Copy(io.Discard, r.Body)
			s3Error(w, http.StatusBadRequest, "EntityTooSmall")
			return true
		}
		return false
	})
	_, err := c.Put(t.Context(), bucket, "k", bytes.NewReader(randomBytes(40<<20)))
	var e *s3kit.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, "EntityTooSmall", e.Code)
	assert.Contains(t, err.Error(), "part 3")
	assert.Equal(t, int32(1), aborts.Load())
	assert.Zero(t, pendingUploads(t, srv.Client(t)))
	_, err = c.Head(t.Context(), bucket, "k")
	assert.ErrorIs(t, err, s3kit.ErrNotFound)
}

func TestGetRange(t *testing.T) {
	t.Parallel()
	_, c := setup(t)
	data := randomBytes(1000)
	_, err := c.Put(t.Context(), bucket, "r", bytes.NewReader(data))
	require.NoError(t, err)
	tests := []struct {
		offset, length int64
		want           []byte
	}{
		{0, 10, data[:10]},
		{990, 0, data[990:]},
		{100, 1, data[100:101]},
		{500, 0, data[500:]},
	}
	for _, tt := range tests {
		r, err := c.Get(t.Context(), bucket, "r", s3kit.WithRange(tt.offset, tt.length))
		require.NoError(t, err)
		got, err := io.ReadAll(r)
		require.NoError(t, err)
		require.NoError(t, r.Close())
		assert.Equal(t, tt.want, got, "range %d+%d", tt.offset, tt.length)
		assert.Equal(t, int64(1000), r.Size, "Size is the whole object's")
		assert.Equal(t, int64(len(tt.want)), r.ContentLength)
	}
}

func TestNotFoundAndDelete(t *testing.T) {
	t.Parallel()
	_, c := setup(t)
	ctx := t.Context()

	_, err := c.Head(ctx, bucket, "missing")
	assert.ErrorIs(t, err, s3kit.ErrNotFound, "HEAD answers NotFound")
	_, err = c.Get(ctx, bucket, "missing")
	assert.ErrorIs(t, err, s3kit.ErrNotFound, "GET answers NoSuchKey")
	var e *s3kit.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, "NoSuchKey", e.Code)
	assert.Equal(t, http.StatusNotFound, e.StatusCode)
	assert.Equal(t, "Get", e.Op)
	assert.Equal(t, bucket, e.Bucket)
	assert.Equal(t, "missing", e.Key)
	assert.NotEmpty(t, e.RequestID)
	assert.Contains(t, err.Error(), "Get bkt/missing")

	assert.NoError(t, c.Delete(ctx, bucket, "missing"), "deleting a missing key succeeds")

	_, err = c.Put(ctx, bucket, "present", strings.NewReader("x"))
	require.NoError(t, err)
	require.NoError(t, c.Delete(ctx, bucket, "present"))
	_, err = c.Head(ctx, bucket, "present")
	assert.ErrorIs(t, err, s3kit.ErrNotFound)
}

func TestMissingBucket(t *testing.T) {
	t.Parallel()
	_, c := setup(t)
	ctx := t.Context()
	_, err := c.Get(ctx, "nope", "k")
	assert.ErrorIs(t, err, s3kit.ErrBucketNotFound)
	_, err = c.Put(ctx, "nope", "k", strings.NewReader("x"))
	assert.ErrorIs(t, err, s3kit.ErrBucketNotFound)
	_, err = c.Put(ctx, "nope", "k", onlyReader{bytes.NewReader(randomBytes(9 << 20))})
	assert.ErrorIs(t, err, s3kit.ErrBucketNotFound, "multipart")
	assert.ErrorIs(t, c.Delete(ctx, "nope", "k"), s3kit.ErrBucketNotFound)
	for _, err := range c.List(ctx, "nope") {
		assert.ErrorIs(t, err, s3kit.ErrBucketNotFound)
	}
	assert.ErrorIs(t, c.SetACL(ctx, "nope", "k", s3kit.ACLPublicRead), s3kit.ErrBucketNotFound)
}

func TestObjectReaderClose(t *testing.T) {
	t.Parallel()
	_, c := setup(t)
	_, err := c.Put(t.Context(), bucket, "k", bytes.NewReader(randomBytes(1<<20)))
	require.NoError(t, err)
	r, err := c.Get(t.Context(), bucket, "k")
	require.NoError(t, err)
	buf := make([]byte, 10)
	_, err = io.ReadFull(r, buf)
	require.NoError(t, err)
	require.NoError(t, r.Close(), "closing before the end")
	require.NoError(t, r.Close(), "Close is idempotent")
	_, err = r.Read(buf)
	assert.Error(t, err)
}

func TestCreateAndDeleteBucket(t *testing.T) {
	t.Parallel()
	srv := s3kittest.NewServer(t)
	c := srv.Client(t)
	require.NoError(t, c.CreateBucket(t.Context(), "fresh"))
	_, err := c.Put(t.Context(), "fresh", "k", strings.NewReader("x"))
	require.NoError(t, err)
	require.NoError(t, c.Delete(t.Context(), "fresh", "k"))
	require.NoError(t, c.DeleteBucket(t.Context(), "fresh"))
	_, err = c.Put(t.Context(), "fresh", "k", strings.NewReader("x"))
	assert.ErrorIs(t, err, s3kit.ErrBucketNotFound)
}
