package conformance

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/s3kit/s3kit"
)

// runExtensions runs the checks for presigned URLs, batch operations, copy,
// listing options, legacy signatures and the doctor.
func runExtensions(t *testing.T, s *suite) {
	t.Run("Presign", s.presign)
}

// do sends a request built from a presigned one.
func (s *suite) do(t *testing.T, p s3kit.Presigned, body []byte, header http.Header) (int, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), p.Method, p.URL, bytes.NewReader(body))
	require.NoError(t, err)
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := s.target.HTTPClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, b
}

func (s *suite) presign(t *testing.T) {
	ctx := t.Context()
	const key = "presign/a b+c~é.txt"
	t.Run("put with bound content type", func(t *testing.T) {
		p, err := s.c.PresignPut(ctx, s.bucket, key, 5*time.Minute, s3kit.WithContentType("text/csv"))
		require.NoError(t, err)
		status, body := s.do(t, p, []byte("x,y\n"), http.Header{"Content-Type": {"text/html"}})
		assert.Equal(t, http.StatusForbidden, status, "another content type: %s", body)
		status, body = s.do(t, p, []byte("x,y\n"), p.Header)
		require.Equal(t, http.StatusOK, status, string(body))
		obj, err := s.c.Head(ctx, s.bucket, key)
		require.NoError(t, err)
		assert.Equal(t, "text/csv", obj.ContentType)
	})
	t.Run("get", func(t *testing.T) {
		p, err := s.c.PresignGet(ctx, s.bucket, key, 5*time.Minute)
		require.NoError(t, err)
		status, body := s.do(t, p, nil, nil)
		require.Equal(t, http.StatusOK, status, string(body))
		assert.Equal(t, "x,y\n", string(body))
		status, _ = s.do(t, s3kit.Presigned{Method: p.Method, URL: strings.Replace(p.URL, "presign/", "presign/x", 1)}, nil, nil)
		assert.Equal(t, http.StatusForbidden, status, "tampered URL")
	})
}
