package s3kit_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/s3kit/s3kit"
)

// getStub serves one object, bkt/k, and answers GET in one of several
// wrong (or merely unusual) ways; HEAD always tells the truth.
type getStub struct {
	data []byte
	mode string
	gets atomic.Int32
}

// stubETag looks like the ETag of a multipart upload, which is no MD5, so
// only the length can show a short body.
const stubETag = `"0123456789abcdef0123456789abcdef-2"`

func (s *getStub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("ETag", stubETag)
	if r.Method == http.MethodHead {
		w.Header().Set("Content-Length", strconv.Itoa(len(s.data)))
		return
	}
	first := s.gets.Add(1) == 1
	a, b, ranged := parseRange(r.Header.Get("Range"), len(s.data))
	switch {
	case s.mode == "ignore range":
		w.Header().Set("Content-Length", strconv.Itoa(len(s.data)))
		_, _ = w.Write(s.data)
	case s.mode == "chunked":
		s.chunked(w, s.data)
	case s.mode == "chunked, cut short" || (s.mode == "chunked, cut short once" && first):
		s.chunked(w, s.data[:len(s.data)/2])
	case s.mode == "206 from another byte" && ranged:
		w.Header().Set("Content-Range", fmt.Sprintf("bytes 0-%d/%d", b-a, len(s.data)))
		w.WriteHeader(http.StatusPartialContent)
		_, _ = w.Write(s.data[:b-a+1])
	case s.mode == "206 whose length disagrees" && ranged:
		w.Header().Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", a, b, len(s.data)))
		w.Header().Set("Content-Length", strconv.Itoa(b-a))
		w.WriteHeader(http.StatusPartialContent)
		_, _ = w.Write(s.data[a:b])
	case ranged:
		w.Header().Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", a, b, len(s.data)))
		w.Header().Set("Content-Length", strconv.Itoa(b-a+1))
		w.WriteHeader(http.StatusPartialContent)
		_, _ = w.Write(s.data[a : b+1])
	default:
		w.Header().Set("Content-Length", strconv.Itoa(len(s.data)))
		_, _ = w.Write(s.data)
	}
}

// chunked sends a 200 without Content-Length: flushing the headers first
// makes the server use chunked encoding.
func (s *getStub) chunked(w http.ResponseWriter, body []byte) {
	w.WriteHeader(http.StatusOK)
	w.(http.Flusher).Flush()
	_, _ = w.Write(body)
}

// parseRange parses "bytes=a-b" or "bytes=a-" for an object of size n.
func parseRange(h string, n int) (a, b int, ok bool) {
	s, found := strings.CutPrefix(h, "bytes=")
	if !found {
		return 0, n - 1, false
	}
	as, bs, _ := strings.Cut(s, "-")
	a, _ = strconv.Atoi(as)
	b = n - 1
	if bs != "" {
		b, _ = strconv.Atoi(bs)
		b = min(b, n-1)
	}
	return a, b, true
}

func newGetStub(t *testing.T, mode string, data []byte) (*getStub, *s3kit.Client) {
	t.Helper()
	s := &getStub{data: data, mode: mode}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	c, err := s3kit.New(t.Context(), fastRetries(s3kit.WithEndpoint(srv.URL), s3kit.WithCredentials("ak", "sk"))...)
	require.NoError(t, err)
	return s, c
}

// TestGetChecksTheAnswer checks that Get compares each answer with what it
// asked for: status, Content-Range and length, and the length of the body.
func TestGetChecksTheAnswer(t *testing.T) {
	t.Parallel()
	data := randomBytes(1000)
	cases := []struct {
		name    string
		mode    string
		opts    []s3kit.GetOption
		want    []byte // nil: an error
		openErr string // the error comes from Get itself and contains this
		readErr error  // the error comes from reading and matches this
	}{
		{name: "200 with the whole object for a range from byte 10", mode: "ignore range",
			opts: []s3kit.GetOption{s3kit.WithRange(10, 10)}, openErr: "ignored the Range header"},
		{name: "200 with the whole object for a range from byte 0", mode: "ignore range",
			opts: []s3kit.GetOption{s3kit.WithRange(0, 10)}, want: data[:10]},
		{name: "206 from another byte", mode: "206 from another byte",
			opts: []s3kit.GetOption{s3kit.WithRange(10, 10)}, openErr: "does not start at byte 10"},
		{name: "206 whose Content-Length disagrees with Content-Range", mode: "206 whose length disagrees",
			opts: []s3kit.GetOption{s3kit.WithRange(10, 10)}, openErr: "does not match Content-Range"},
		{name: "chunked 200 without Content-Length", mode: "chunked", want: data},
		{name: "chunked 200 without Content-Length, cut short", mode: "chunked, cut short", readErr: s3kit.ErrDataCorrupted},
		{name: "chunked 200 without Content-Length, cut short, then resumed", mode: "chunked, cut short once", want: data},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, c := newGetStub(t, tc.mode, data)
			r, err := c.Get(t.Context(), bucket, "k", tc.opts...)
			if tc.openErr != "" {
				var e *s3kit.Error
				require.ErrorAs(t, err, &e)
				assert.Contains(t, err.Error(), tc.openErr)
				return
			}
			require.NoError(t, err)
			defer r.Close()
			got, err := io.ReadAll(r)
			if tc.readErr != nil {
				assert.ErrorIs(t, err, tc.readErr)
				assert.Less(t, len(got), len(data))
				return
			}
			require.NoError(t, err)
			assert.Equal(t, int64(len(tc.want)), r.ContentLength)
			assert.Equal(t, int64(len(data)), r.Size)
			assert.True(t, bytes.Equal(tc.want, got), "got %d bytes, want %d", len(got), len(tc.want))
		})
	}
}

// TestDownloadOfAChunkedAnswer checks that Download learns the size of an
// object whose answer has no Content-Length instead of writing nothing.
func TestDownloadOfAChunkedAnswer(t *testing.T) {
	t.Parallel()
	data := randomBytes(1000)
	for _, mode := range []string{"chunked", "chunked, cut short", "ignore range"} {
		t.Run(mode, func(t *testing.T) {
			_, c := newGetStub(t, mode, data)
			var w writerAt
			obj, err := c.Download(t.Context(), bucket, "k", &w)
			if mode == "chunked, cut short" {
				assert.ErrorIs(t, err, s3kit.ErrDataCorrupted)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, int64(len(data)), obj.Size)
			assert.True(t, bytes.Equal(data, w.b), "got %d bytes", len(w.b))
		})
	}
}

// writerAt is an in-memory io.WriterAt.
type writerAt struct{ b []byte }

func (w *writerAt) WriteAt(p []byte, off int64) (int, error) {
	if end := int(off) + len(p); end > len(w.b) {
		w.b = append(w.b, make([]byte, end-len(w.b))...)
	}
	return copy(w.b[off:], p), nil
}
