package s3kit_test

// Regression tests for the data-safety defects of issue 10 that live in the
// transfer engine: a truncated body stored as complete (1), a multipart copy
// mixing two versions of its source (2), the orphan clean-up aborting
// another writer's upload (3, 4), cancellation around the first and last
// request of a multipart upload (5), and the empty ETag of a multipart
// upload on Ceph RGW (12).

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/s3kit/s3kit"
	"github.com/s3kit/s3kit/s3kittest"
)

// mpOpts makes Put use multipart for anything over 5 MiB, in 5 MiB parts.
var mpOpts = []s3kit.PutOption{s3kit.WithMultipartThreshold(5 << 20), s3kit.WithPartSize(5 << 20)}

// twoParts is the size of a body that mpOpts sends in two parts, 5 MiB and
// 1 MiB, as is a copy of it with WithCopyLimits(5<<20, 5<<20): enough for
// a test of a multipart upload or copy that needs no third part.
const twoParts = 6 << 20

// cutBody returns the body of an HTTP response that promises n bytes and is
// cut after cut of them, as a proxy or a dropped connection leaves it: its
// Read returns io.ErrUnexpectedEOF.
func cutBody(t *testing.T, n, cut int) io.ReadCloser {
	t.Helper()
	data := randomBytes(n)
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", fmt.Sprint(n))
		_, _ = w.Write(data[:cut])
		// Returning with fewer bytes than promised makes net/http close the
		// connection, so the client's body ends early.
	}))
	t.Cleanup(hs.Close)
	resp, err := hs.Client().Get(hs.URL)
	require.NoError(t, err)
	t.Cleanup(func() { _ = resp.Body.Close() })
	return resp.Body
}

// errAtEndReader returns its data, then err instead of io.EOF.
type errAtEndReader struct {
	r   io.Reader
	err error
}

func (f *errAtEndReader) Read(p []byte) (int, error) {
	n, err := f.r.Read(p)
	if err == io.EOF {
		return n, f.err
	}
	return n, err
}

// TestTruncatedBodyIsNotStored is defect 1: a body that ends with an error,
// whatever it wraps, fails the Put, stores nothing and leaves no upload.
func TestTruncatedBodyIsNotStored(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		body func(t *testing.T) io.Reader
		opts []s3kit.PutOption
	}{
		{"HTTP body of 20 MiB cut at 10 MiB", func(t *testing.T) io.Reader { return cutBody(t, 20<<20, 10<<20) }, nil},
		{"HTTP body cut inside the first part", func(t *testing.T) io.Reader { return cutBody(t, 3<<20, 1<<20) }, nil},
		{"HTTP body cut at a part boundary", func(t *testing.T) io.Reader { return cutBody(t, 20<<20, 10<<20) }, mpOpts},
		{"io.ErrUnexpectedEOF, small", func(*testing.T) io.Reader {
			return &errAtEndReader{bytes.NewReader(randomBytes(1000)), io.ErrUnexpectedEOF}
		}, nil},
		{"wrapped io.EOF, multipart", func(*testing.T) io.Reader {
			return &errAtEndReader{bytes.NewReader(randomBytes(twoParts)), fmt.Errorf("proxy: %w", io.EOF)}
		}, mpOpts},
		{"error after exactly the declared size", func(*testing.T) io.Reader {
			return &errAtEndReader{bytes.NewReader(randomBytes(1000)), io.ErrUnexpectedEOF}
		}, []s3kit.PutOption{s3kit.WithSize(1000)}},
		{"error after exactly the declared size, multipart", func(*testing.T) io.Reader {
			return &errAtEndReader{bytes.NewReader(randomBytes(twoParts)), io.ErrUnexpectedEOF}
		}, append([]s3kit.PutOption{s3kit.WithSize(twoParts)}, mpOpts...)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, c := setup(t)
			_, err := c.Put(t.Context(), bucket, "k", tt.body(t), tt.opts...)
			require.Error(t, err)
			assert.Contains(t, err.Error(), "reading body")
			assert.False(t, errors.Is(err, s3kit.ErrOutcomeUnknown))
			assertNothingStored(t, srv, "k")
		})
	}
}

// TestMultipartCopyPinsItsSource is defect 2: a source overwritten while a
// multipart copy runs makes the copy fail with ErrObjectChanged and leaves
// nothing. Every part asks for the source's ETag (x-amz-copy-source-if-match),
// which servers that enforce it refuse; s3kittest, like Ceph RGW 16.2,
// ignores the header, so this also proves the check made before completing.
func TestMultipartCopyPinsItsSource(t *testing.T) {
	t.Parallel()
	lim := s3kit.WithCopyLimits(5<<10, 5<<10) // KiB, as in TestCopy
	srv, direct := setupClient(t, lim)
	v1, v2 := randomBytes(16<<10), bytes.Repeat([]byte("second version. "), 1<<10)
	first, err := direct.Put(t.Context(), bucket, "src", bytes.NewReader(v1))
	require.NoError(t, err)
	var parts int
	var ifMatch []string
	var mu sync.Mutex
	c := proxy(t, srv, func(w http.ResponseWriter, r *http.Request) bool {
		if s3kittest.Operation(r) != "UploadPartCopy" {
			return false
		}
		mu.Lock()
		defer mu.Unlock()
		ifMatch = append(ifMatch, r.Header.Get("X-Amz-Copy-Source-If-Match"))
		if parts++; parts == 2 {
			_, err := direct.Put(context.Background(), bucket, "src", bytes.NewReader(v2))
			assert.NoError(t, err)
		}
		return false
	}, lim)
	_, err = c.Copy(t.Context(), bucket, "src", bucket, "dst", s3kit.WithConcurrency(1))
	require.Error(t, err)
	assert.ErrorIs(t, err, s3kit.ErrObjectChanged)
	assertNothingStored(t, srv, "dst")
	require.NotEmpty(t, ifMatch)
	for _, v := range ifMatch {
		assert.Equal(t, `"`+first.ETag+`"`, v, "every part is pinned to the source's first ETag")
	}
}

// TestOtherWritersUploadSurvives is defects 3 and 4: when the answer to
// CreateMultipartUpload is lost and retried, Put and Copy finish, another
// writer's live upload of the same key is left alone, and the only upload
// left over is the empty one the lost answer created (which nobody can
// prove is this call's).
func TestOtherWritersUploadSurvives(t *testing.T) {
	t.Parallel()
	lim := s3kit.WithCopyLimits(5<<20, 5<<20)
	data := randomBytes(twoParts)
	for _, op := range []string{"Put", "Copy"} {
		t.Run(op, func(t *testing.T) {
			t.Parallel()
			rule := &s3kittest.Rule{Op: "CreateMultipartUpload", Key: "k", Nth: 1, Fault: s3kittest.DropResponse()}
			fe := newFrontEnd(t, []*s3kittest.Rule{rule}, lim)
			raw := fe.srv.Client(t).S3()
			if op == "Copy" {
				_, err := fe.srv.Client(t).Put(t.Context(), bucket, "src", bytes.NewReader(data))
				require.NoError(t, err)
			}
			// Another writer starts an upload of the same key and has sent one part.
			other, err := raw.CreateMultipartUpload(t.Context(), &s3.CreateMultipartUploadInput{Bucket: ptr(bucket), Key: ptr("k")})
			require.NoError(t, err)
			_, err = raw.UploadPart(t.Context(), &s3.UploadPartInput{Bucket: ptr(bucket), Key: ptr("k"), UploadId: other.UploadId,
				PartNumber: aws.Int32(1), Body: bytes.NewReader([]byte("other writer")), ContentLength: aws.Int64(12)})
			require.NoError(t, err)

			if op == "Put" {
				_, err = fe.client.Put(t.Context(), bucket, "k", bytes.NewReader(data), mpOpts...)
			} else {
				_, err = fe.client.Copy(t.Context(), bucket, "src", bucket, "k")
			}
			require.NoError(t, err)
			assert.Equal(t, 1, rule.Fired())

			parts, err := raw.ListParts(t.Context(), &s3.ListPartsInput{Bucket: ptr(bucket), Key: ptr("k"), UploadId: other.UploadId})
			require.NoError(t, err, "the other writer's upload still exists")
			assert.Len(t, parts.Parts, 1)
			withParts, empty := leftUploads(t, fe.srv.Client(t))
			assert.Equal(t, 1, withParts, "only the other writer's upload holds parts")
			assert.Equal(t, 1, empty, "the upload whose answer was lost is left, empty")
			got, _ := getAll(t, fe.srv.Client(t), "k")
			assert.Equal(t, sum(data), got)
		})
	}
}

// cancelDuring returns a client whose requests of operation op reach the
// server, which carries them out; then ctx's cancel is called before the
// answer goes back.
func cancelDuring(t *testing.T, srv *s3kittest.Server, op string, cancel context.CancelFunc) *s3kit.Client {
	t.Helper()
	return proxyWith(t, srv, func(next http.Handler) func(w http.ResponseWriter, r *http.Request) bool {
		return func(w http.ResponseWriter, r *http.Request) bool {
			if s3kittest.Operation(r) != op {
				return false
			}
			rec := httptest.NewRecorder()
			next.ServeHTTP(rec, r.WithContext(context.WithoutCancel(r.Context())))
			cancel()
			for k, v := range rec.Header() {
				w.Header()[k] = v
			}
			w.WriteHeader(rec.Code)
			_, _ = w.Write(rec.Body.Bytes())
			return true
		}
	})
}

// TestCancelAroundMultipart is defect 5: a context that ends while the
// server answers CreateMultipartUpload leaves no upload behind, and one
// that ends while it answers CompleteMultipartUpload does not report a
// failure for an object that was stored.
func TestCancelAroundMultipart(t *testing.T) {
	t.Parallel()
	data := randomBytes(12 << 20)
	t.Run("during CreateMultipartUpload", func(t *testing.T) {
		t.Parallel()
		srv := s3kittest.NewServer(t)
		srv.CreateBucket(t, bucket)
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		c := cancelDuring(t, srv, "CreateMultipartUpload", cancel)
		_, err := c.Put(ctx, bucket, "k", bytes.NewReader(data), mpOpts...)
		require.ErrorIs(t, err, context.Canceled)
		assert.False(t, errors.Is(err, s3kit.ErrOutcomeUnknown), "nothing was stored: %v", err)
		assertNothingStored(t, srv, "k")
		withParts, empty := leftUploads(t, srv.Client(t))
		assert.Zero(t, withParts+empty, "the upload created for the cancelled call was aborted")
	})
	t.Run("during CompleteMultipartUpload", func(t *testing.T) {
		t.Parallel()
		srv := s3kittest.NewServer(t)
		srv.CreateBucket(t, bucket)
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		c := cancelDuring(t, srv, "CompleteMultipartUpload", cancel)
		res, err := c.Put(ctx, bucket, "k", bytes.NewReader(data), mpOpts...)
		require.NoError(t, err, "the object was stored, so the call must say so")
		assert.Equal(t, int64(len(data)), res.Size)
		assertStored(t, srv, "k", data)
	})
	t.Run("before CompleteMultipartUpload", func(t *testing.T) {
		t.Parallel()
		srv := s3kittest.NewServer(t)
		srv.CreateBucket(t, bucket)
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		var parts int
		var mu sync.Mutex
		c := proxy(t, srv, func(w http.ResponseWriter, r *http.Request) bool {
			if s3kittest.Operation(r) == "UploadPart" {
				mu.Lock()
				defer mu.Unlock()
				if parts++; parts == 3 { // the last part: cancel as it arrives
					cancel()
				}
			}
			return false
		})
		_, err := c.Put(ctx, bucket, "k", bytes.NewReader(data), mpOpts...)
		require.ErrorIs(t, err, context.Canceled)
		assert.False(t, errors.Is(err, s3kit.ErrOutcomeUnknown))
		assertNothingStored(t, srv, "k")
	})
}

// TestOutcomeUnknown checks that a write whose outcome cannot be learned
// says so with ErrOutcomeUnknown, that one whose outcome can be learned is
// settled, and that definite refusals are not reported as unknown.
func TestOutcomeUnknown(t *testing.T) {
	t.Parallel()
	small, big := randomBytes(100<<10), randomBytes(twoParts)
	tests := []struct {
		name    string
		data    []byte
		rules   []*s3kittest.Rule
		stored  bool  // the server stored the object
		unknown bool  // the error must match ErrOutcomeUnknown
		want    error // else the error must match this (nil: success)
	}{
		{"PUT answer lost every time", small, []*s3kittest.Rule{{Op: "PutObject", Fault: s3kittest.DropResponse()}}, true, true, nil},
		{"PUT 500 every time", small, []*s3kittest.Rule{{Op: "PutObject", Fault: s3kittest.ErrorResponse(500, "InternalError")}}, false, true, nil},
		{"PUT 503 every time", small, []*s3kittest.Rule{{Op: "PutObject", Fault: s3kittest.ErrorResponse(503, "SlowDown")}}, false, false, nil},
		{"PUT refused", small, []*s3kittest.Rule{{Op: "PutObject", Fault: s3kittest.ErrorResponse(403, "AccessDenied")}}, false, false, s3kit.ErrAccessDenied},
		{"PUT lost, then refused", small, []*s3kittest.Rule{
			{Op: "PutObject", Nth: 1, Fault: s3kittest.DropResponse()},
			{Op: "PutObject", Fault: s3kittest.ErrorResponse(403, "AccessDenied")}}, true, true, nil},
		{"Complete answer lost every time: settled by HEAD", big, []*s3kittest.Rule{{Op: "CompleteMultipartUpload", Fault: s3kittest.DropResponse()}}, true, false, nil},
		{"Complete answer lost and HEAD failing", big, []*s3kittest.Rule{
			{Op: "CompleteMultipartUpload", Fault: s3kittest.DropResponse()},
			{Op: "HeadObject", Fault: s3kittest.ErrorResponse(500, "InternalError")}}, true, true, nil},
		{"Complete refused", big, []*s3kittest.Rule{{Op: "CompleteMultipartUpload", Fault: s3kittest.ErrorResponse(400, "InvalidPart")}}, false, false, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fe := newFrontEnd(t, tt.rules)
			_, err := fe.client.Put(t.Context(), bucket, "k", bytes.NewReader(tt.data), mpOpts...)
			switch {
			case tt.unknown:
				require.ErrorIs(t, err, s3kit.ErrOutcomeUnknown)
				assert.Contains(t, err.Error(), "outcome is unknown")
			case tt.stored:
				require.NoError(t, err)
			default:
				require.Error(t, err)
				assert.False(t, errors.Is(err, s3kit.ErrOutcomeUnknown), "a definite failure: %v", err)
				if tt.want != nil {
					assert.ErrorIs(t, err, tt.want)
				}
			}
			if tt.stored {
				assertStored(t, fe.srv, "k", tt.data)
			} else {
				assertNothingStored(t, fe.srv, "k")
			}
		})
	}
	t.Run("Delete 500 every time", func(t *testing.T) {
		t.Parallel()
		fe := newFrontEnd(t, []*s3kittest.Rule{{Op: "DeleteObject", Fault: s3kittest.ErrorResponse(500, "InternalError")}})
		err := fe.client.Delete(t.Context(), bucket, "k")
		assert.ErrorIs(t, err, s3kit.ErrOutcomeUnknown)
	})
	t.Run("connection refused", func(t *testing.T) {
		t.Parallel()
		hs := httptest.NewServer(http.NotFoundHandler())
		url := hs.URL
		hs.Close()
		c, err := s3kit.New(t.Context(), fastRetries(s3kit.WithEndpoint(url), s3kit.WithCredentials("a", "b"))...)
		require.NoError(t, err)
		_, err = c.Put(t.Context(), bucket, "k", bytes.NewReader(small))
		require.Error(t, err)
		assert.False(t, errors.Is(err, s3kit.ErrOutcomeUnknown), "nothing reached a server: %v", err)
	})
}

// TestMultipartETagWhenServerSendsNone is defect 12: Ceph RGW answers
// CompleteMultipartUpload with an empty ETag element; Put and Copy then
// report the ETag the parts produce, which is what HEAD shows.
func TestMultipartETagWhenServerSendsNone(t *testing.T) {
	t.Parallel()
	lim := s3kit.WithCopyLimits(5<<20, 5<<20)
	srv, direct := setupClient(t, lim)
	empty := regexp.MustCompile(`<ETag>[^<]*</ETag>`)
	c := proxyWith(t, srv, func(next http.Handler) func(w http.ResponseWriter, r *http.Request) bool {
		return func(w http.ResponseWriter, r *http.Request) bool {
			if s3kittest.Operation(r) != "CompleteMultipartUpload" {
				return false
			}
			rec := httptest.NewRecorder()
			next.ServeHTTP(rec, r)
			body := empty.ReplaceAll(rec.Body.Bytes(), []byte("<ETag></ETag>"))
			require.True(t, bytes.Contains(body, []byte("<ETag></ETag>")))
			w.Header().Set("Content-Type", "application/xml")
			w.WriteHeader(rec.Code)
			_, _ = w.Write(body)
			return true
		}
	}, lim)
	data := randomBytes(12 << 20)
	put, err := c.Put(t.Context(), bucket, "k", bytes.NewReader(data), mpOpts...)
	require.NoError(t, err)
	head, err := direct.Head(t.Context(), bucket, "k")
	require.NoError(t, err)
	assert.Equal(t, head.ETag, put.ETag)
	assert.True(t, strings.HasSuffix(put.ETag, "-3"), put.ETag)

	cp, err := c.Copy(t.Context(), bucket, "k", bucket, "k2")
	require.NoError(t, err)
	head, err = direct.Head(t.Context(), bucket, "k2")
	require.NoError(t, err)
	assert.Equal(t, head.ETag, cp.ETag)
	assert.NotEmpty(t, cp.ETag)
}

// TestCopySourceChangedIsNotAFailedCondition: a single CopyObject carries
// both the source's ETag (x-amz-copy-source-if-match) and the destination's
// condition; a 412 caused by a source overwritten since Copy read it is
// ErrObjectChanged, not ErrPreconditionFailed.
func TestCopySourceChangedIsNotAFailedCondition(t *testing.T) {
	t.Parallel()
	srv, direct := setup(t)
	_, err := direct.Put(t.Context(), bucket, "src", strings.NewReader("first"))
	require.NoError(t, err)
	c := proxy(t, srv, func(w http.ResponseWriter, r *http.Request) bool {
		if s3kittest.Operation(r) == "CopyObject" {
			_, err := direct.Put(context.Background(), bucket, "src", strings.NewReader("second"))
			assert.NoError(t, err)
		}
		return false
	})
	_, err = c.Copy(t.Context(), bucket, "src", bucket, "dst", s3kit.WithIfNoneMatch("*"))
	require.ErrorIs(t, err, s3kit.ErrObjectChanged)
	assert.NotErrorIs(t, err, s3kit.ErrPreconditionFailed)
	_, err = direct.Head(t.Context(), bucket, "dst")
	assert.ErrorIs(t, err, s3kit.ErrNotFound)
}
