package s3kit_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"log"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/stretchr/testify/require"

	"github.com/s3kit/s3kit"
	"github.com/s3kit/s3kit/s3kittest"
)

const bucket = "bkt"

// setup starts an s3kittest server with one bucket and returns a client for it.
func setup(t *testing.T, opts ...s3kittest.Option) (*s3kittest.Server, *s3kit.Client) {
	t.Helper()
	srv := s3kittest.NewServer(t, opts...)
	srv.CreateBucket(t, bucket)
	return srv, srv.Client(t)
}

// setupClient is setup with client options.
func setupClient(t *testing.T, opts ...s3kit.Option) (*s3kittest.Server, *s3kit.Client) {
	t.Helper()
	srv, _ := setup(t)
	return srv, srv.Client(t, opts...)
}

// randomBytes returns n reproducible pseudo-random bytes.
func randomBytes(n int) []byte {
	b := make([]byte, n)
	r := rand.NewChaCha8([32]byte{1, 2, 3})
	_, _ = r.Read(b)
	return b
}

func sum(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// onlyReader hides every method but Read, so Put cannot learn the size.
type onlyReader struct{ r io.Reader }

func (o onlyReader) Read(p []byte) (int, error) { return o.r.Read(p) }

// getAll reads a whole object and returns its SHA-256.
func getAll(t *testing.T, c *s3kit.Client, key string) (string, *s3kit.ObjectReader) {
	t.Helper()
	r, err := c.Get(t.Context(), bucket, key)
	require.NoError(t, err)
	defer r.Close()
	h := sha256.New()
	_, err = io.Copy(h, r)
	require.NoError(t, err)
	return hex.EncodeToString(h.Sum(nil)), r
}

// anonGet fetches url without credentials.
func anonGet(t *testing.T, srv *s3kittest.Server, u string) (int, []byte) {
	t.Helper()
	resp, err := srv.HTTPClient().Get(u)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, b
}

// pendingUploads lists the multipart uploads in progress in bucket.
func pendingUploads(t *testing.T, c *s3kit.Client) int {
	t.Helper()
	out, err := c.S3().ListMultipartUploads(t.Context(), &s3.ListMultipartUploadsInput{Bucket: ptr(bucket)})
	require.NoError(t, err)
	return len(out.Uploads)
}

// leftUploads lists the multipart uploads in progress in bucket and splits
// them into those holding parts and those holding none. An empty one is
// what a CreateMultipartUpload whose answer was lost leaves behind: s3kit
// cannot tell it from another writer's live upload, so it leaves it alone.
func leftUploads(t *testing.T, c *s3kit.Client) (withParts, empty int) {
	t.Helper()
	out, err := c.S3().ListMultipartUploads(t.Context(), &s3.ListMultipartUploadsInput{Bucket: ptr(bucket)})
	require.NoError(t, err)
	for _, up := range out.Uploads {
		parts, err := c.S3().ListParts(t.Context(), &s3.ListPartsInput{Bucket: ptr(bucket), Key: up.Key, UploadId: up.UploadId})
		require.NoError(t, err)
		if len(parts.Parts) > 0 {
			withParts++
		} else {
			empty++
		}
	}
	return withParts, empty
}

func ptr[T any](v T) *T { return &v }

// proxy starts a reverse proxy to srv whose intercept function may answer a
// request itself (returning true) instead of passing it on.
func proxy(t *testing.T, srv *s3kittest.Server, intercept func(w http.ResponseWriter, r *http.Request) bool, opts ...s3kit.Option) *s3kit.Client {
	t.Helper()
	target, err := url.Parse(srv.URL)
	require.NoError(t, err)
	rp := httputil.NewSingleHostReverseProxy(target)
	rp.ErrorLog = log.New(io.Discard, "", 0)
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if intercept(w, r) {
			return
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(front.Close)
	c, err := s3kit.New(t.Context(), append([]s3kit.Option{s3kit.WithEndpoint(front.URL), s3kit.WithCredentials(s3kittest.AccessKey, s3kittest.SecretKey)}, opts...)...)
	require.NoError(t, err)
	return c
}

// s3Error writes an S3 error document.
func s3Error(w http.ResponseWriter, status int, code string) {
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	_, _ = io.Copy(w, bytes.NewBufferString(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>`+code+`</Code><Message>injected</Message><RequestId>RID</RequestId></Error>`))
}

// newTLSRecorder starts a TLS server around h.
func newTLSRecorder(t *testing.T, h http.Handler) *httptest.Server {
	t.Helper()
	s := httptest.NewTLSServer(h)
	t.Cleanup(s.Close)
	return s
}

// proxyWith is like proxy, but the intercept function is built around the
// s3kittest server's own handler, so it can pass a request on and then
// tamper with the response.
func proxyWith(t *testing.T, srv *s3kittest.Server, build func(next http.Handler) func(w http.ResponseWriter, r *http.Request) bool, opts ...s3kit.Option) *s3kit.Client {
	t.Helper()
	target, err := url.Parse(srv.URL)
	require.NoError(t, err)
	rp := httputil.NewSingleHostReverseProxy(target)
	rp.ErrorLog = log.New(io.Discard, "", 0)
	return proxy(t, srv, build(rp), opts...)
}
