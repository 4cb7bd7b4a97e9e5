package s3kit_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/s3kit/s3kit"
	"github.com/s3kit/s3kit/s3kittest"
)

// TestBadInput checks that every kind of bad input is refused with
// ErrInvalidInput before a single request reaches the server.
func TestBadInput(t *testing.T) {
	t.Parallel()
	srv, c := setup(t)
	newWith := func(opts ...s3kit.Option) func(context.Context) error {
		return func(ctx context.Context) error {
			_, err := s3kit.New(ctx, opts...)
			return err
		}
	}
	put := func(b, k string, body io.Reader, opts ...s3kit.PutOption) func(context.Context) error {
		return func(ctx context.Context) error {
			_, err := c.Put(ctx, b, k, body, opts...)
			return err
		}
	}
	list := func(b string, opts ...s3kit.ListOption) func(context.Context) error {
		return func(ctx context.Context) error {
			for _, err := range c.List(ctx, b, opts...) {
				return err
			}
			return nil
		}
	}
	get := func(b, k string, opts ...s3kit.GetOption) func(context.Context) error {
		return func(ctx context.Context) error {
			_, err := c.Get(ctx, b, k, opts...)
			return err
		}
	}
	body := func() io.Reader { return strings.NewReader("x") }
	creds := s3kit.WithCredentials("ak", "sk")
	longKey := strings.Repeat("k", 1025)

	tests := []struct {
		name string
		call func(context.Context) error
	}{
		// Client construction.
		{"endpoint without scheme", newWith(creds, s3kit.WithEndpoint("s3.example.com"))},
		{"endpoint with ftp scheme", newWith(creds, s3kit.WithEndpoint("ftp://s3.example.com"))},
		{"endpoint without host", newWith(creds, s3kit.WithEndpoint("https://"))},
		{"endpoint with path", newWith(creds, s3kit.WithEndpoint("https://s3.example.com/bucket"))},
		{"endpoint with query", newWith(creds, s3kit.WithEndpoint("https://s3.example.com?x=1"))},
		{"endpoint with user info", newWith(creds, s3kit.WithEndpoint("https://ak:sk@s3.example.com"))},
		{"endpoint with bad port", newWith(creds, s3kit.WithEndpoint("https://s3.example.com:99999"))},
		{"endpoint unparsable", newWith(creds, s3kit.WithEndpoint("https://s3 example.com\x7f"))},
		{"empty endpoint", newWith(creds, s3kit.WithEndpoint(""))},
		{"no credentials", newWith(s3kit.WithEndpoint(srv.URL))},
		{"empty secret key", newWith(s3kit.WithEndpoint(srv.URL), s3kit.WithCredentials("ak", ""))},
		{"empty access key", newWith(s3kit.WithEndpoint(srv.URL), s3kit.WithCredentials("", "sk"))},
		{"nil http client", newWith(creds, s3kit.WithEndpoint(srv.URL), s3kit.WithHTTPClient(nil))},
		{"nil option", newWith(creds, nil)},
		{"region with space", newWith(creds, s3kit.WithEndpoint(srv.URL), s3kit.WithRegion("eu west"))},
		{"part size too small", newWith(creds, s3kit.WithEndpoint(srv.URL), s3kit.WithPartSize(1<<20))},
		{"concurrency zero", newWith(creds, s3kit.WithEndpoint(srv.URL), s3kit.WithConcurrency(0))},
		// Bucket names.
		{"empty bucket", put("", "k", body())},
		{"bucket too short", put("ab", "k", body())},
		{"bucket too long", put(strings.Repeat("b", 64), "k", body())},
		{"bucket upper case", put("MyBucket", "k", body())},
		{"bucket underscore", put("my_bucket", "k", body())},
		{"bucket starts with hyphen", put("-bucket", "k", body())},
		{"bucket ends with dot", put("bucket.", "k", body())},
		{"bucket double dot", put("my..bucket", "k", body())},
		{"bucket is an IP address", put("192.168.1.1", "k", body())},
		{"bucket reserved prefix", put("xn--bucket", "k", body())},
		{"bucket reserved suffix", put("bucket-s3alias", "k", body())},
		{"bucket with slash", get("bkt/x", "k")},
		// Keys.
		{"empty key", put(bucket, "", body())},
		{"key over 1024 bytes", put(bucket, longKey, body())},
		{"key not UTF-8", put(bucket, "bad\xff\xfe", body())},
		{"empty key on get", get(bucket, "")},
		{"empty key on head", func(ctx context.Context) error { _, err := c.Head(ctx, bucket, ""); return err }},
		{"empty key on delete", func(ctx context.Context) error { return c.Delete(ctx, bucket, "") }},
		// Put arguments.
		{"nil body", put(bucket, "k", nil)},
		{"unknown ACL", put(bucket, "k", body(), s3kit.WithACL("public"))},
		{"metadata key with space", put(bucket, "k", body(), s3kit.WithMetadata(map[string]string{"bad key": "v"}))},
		{"metadata value with newline", put(bucket, "k", body(), s3kit.WithMetadata(map[string]string{"k": "a\r\nX-Evil: 1"}))},
		{"metadata too large", put(bucket, "k", body(), s3kit.WithMetadata(map[string]string{"k": strings.Repeat("v", 2100)}))},
		{"content type with newline", put(bucket, "k", body(), s3kit.WithContentType("text/plain\r\nX: y"))},
		{"negative size", put(bucket, "k", body(), s3kit.WithSize(-5))},
		{"size over 5 TiB", put(bucket, "k", body(), s3kit.WithSize(6<<40))},
		{"part size too large", put(bucket, "k", body(), s3kit.WithPartSize(6<<30))},
		{"concurrency too high", put(bucket, "k", body(), s3kit.WithConcurrency(1000))},
		{"nil put option", put(bucket, "k", body(), nil)},
		// List and get options.
		{"page size zero", list(bucket, s3kit.WithPageSize(0))},
		{"page size 1001", list(bucket, s3kit.WithPageSize(1001))},
		{"list bad bucket", list("Bad_Bucket")},
		{"negative range offset", get(bucket, "k", s3kit.WithRange(-1, 10))},
		{"negative range length", get(bucket, "k", s3kit.WithRange(0, -10))},
		// ACLs.
		{"unknown ACL on SetACL", func(ctx context.Context) error { return c.SetACL(ctx, bucket, "k", "everyone") }},
		{"MakePublic bad bucket", func(ctx context.Context) error { _, err := c.MakePublic(ctx, "B", "k"); return err }},
		{"CreateBucket bad name", func(ctx context.Context) error { return c.CreateBucket(ctx, "UPPER") }},
	}
	require.GreaterOrEqual(t, len(tests), 30)
	before := srv.Requests()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call(t.Context())
			require.Error(t, err)
			assert.ErrorIs(t, err, s3kit.ErrInvalidInput)
			var e *s3kit.Error
			assert.ErrorAs(t, err, &e)
		})
	}
	assert.Equal(t, before, srv.Requests(), "no request may reach the server")
}

// recorder starts a server that records request headers and answers every
// request with 200 and an empty body.
type recorder struct {
	mu   sync.Mutex
	reqs []*http.Request
}

func (rec *recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	rec.mu.Lock()
	rec.reqs = append(rec.reqs, r)
	rec.mu.Unlock()
	w.Header().Set("ETag", `"abc"`)
}

func (rec *recorder) last() *http.Request {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return rec.reqs[len(rec.reqs)-1]
}

func TestCompatibleDefaults(t *testing.T) {
	t.Parallel()
	srv := s3kittest.NewServer(t, s3kittest.WithTLS())
	rec := &recorder{}
	front := newTLSRecorder(t, rec)
	c, err := s3kit.New(t.Context(), s3kit.WithEndpoint(front.URL), s3kit.WithCredentials("ak", "sk"), s3kit.WithHTTPClient(front.Client()))
	require.NoError(t, err)
	_ = srv

	for name, body := range map[string]io.Reader{
		"seekable":     bytes.NewReader([]byte("hello")),
		"unknown size": onlyReader{strings.NewReader("hello")},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := c.Put(t.Context(), "bkt", "dir/key", body)
			require.NoError(t, err)
			r := rec.last()
			assert.Equal(t, "/bkt/dir/key", r.URL.Path, "path-style addressing")
			assert.NotContains(t, r.Header.Get("Content-Encoding"), "aws-chunked")
			assert.False(t, strings.HasPrefix(r.Header.Get("X-Amz-Content-Sha256"), "STREAMING"), "no streaming payload")
			for h := range r.Header {
				assert.False(t, strings.HasPrefix(strings.ToLower(h), "x-amz-checksum"), "no checksum header %s", h)
				assert.NotEqual(t, "X-Amz-Trailer", h)
			}
			assert.Equal(t, int64(5), r.ContentLength)
			assert.Contains(t, r.Header.Get("Authorization"), "/eu-west-1/s3/aws4_request", "default region for an endpoint")
		})
	}
}

func TestCreateBucketSendsNoLocationConstraint(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	front := newTLSRecorder(t, rec)
	c, err := s3kit.New(t.Context(), s3kit.WithEndpoint(front.URL), s3kit.WithCredentials("ak", "sk"), s3kit.WithHTTPClient(front.Client()), s3kit.WithRegion("fr1"))
	require.NoError(t, err)
	require.NoError(t, c.CreateBucket(t.Context(), "newbucket"))
	assert.Zero(t, rec.last().ContentLength, "no CreateBucketConfiguration body")
	require.NoError(t, c.CreateBucket(t.Context(), "newbucket", s3kit.WithLocationConstraint("fr1")))
	assert.Positive(t, rec.last().ContentLength)
}

// TestSDKDefaultsFailOverTLS is the negative control: the raw SDK with its
// default checksum settings sends aws-chunked uploads over TLS, which
// s3kittest (like Dell ECS and Ceph RGW) rejects. s3kit's defaults pass the
// same test above.
func TestSDKDefaultsFailOverTLS(t *testing.T) {
	srv, _ := setup(t, s3kittest.WithTLS())
	// The SDK's defaults, as LoadDefaultConfig gives them, isolated from this
	// machine's AWS files and CA bundle.
	t.Setenv("AWS_CA_BUNDLE", "")
	t.Setenv("AWS_CONFIG_FILE", "/nonexistent")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
	cfg, err := config.LoadDefaultConfig(t.Context(),
		config.WithRegion("eu-west-1"),
		config.WithHTTPClient(srv.HTTPClient()),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(s3kittest.AccessKey, s3kittest.SecretKey, "")))
	require.NoError(t, err)
	require.Equal(t, aws.RequestChecksumCalculationWhenSupported, cfg.RequestChecksumCalculation)
	raw := s3.NewFromConfig(cfg, func(o *s3.Options) {
		o.BaseEndpoint = aws.String(srv.URL)
		o.UsePathStyle = true
	})
	_, err = raw.PutObject(t.Context(), &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("k"), Body: onlyReader{strings.NewReader("hello")}, ContentLength: aws.Int64(5)})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "XAmzContentSHA256Mismatch")
}

func TestFromEnv(t *testing.T) {
	srv, _ := setup(t)
	t.Setenv("S3_ENDPOINT_URL", srv.URL)
	t.Setenv("S3_ACCESS_KEY", s3kittest.AccessKey)
	t.Setenv("S3_SECRET_KEY", s3kittest.SecretKey)
	t.Setenv("S3_REGION", "fr1")
	t.Setenv("AWS_CONFIG_FILE", "/nonexistent")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")

	c, err := s3kit.New(t.Context(), s3kit.FromEnv())
	require.NoError(t, err)
	_, err = c.Put(t.Context(), bucket, "k", strings.NewReader("x"))
	require.NoError(t, err)
	assert.Equal(t, srv.URL+"/bkt/k", c.PublicURL(bucket, "k"))

	t.Run("explicit options win wherever FromEnv stands", func(t *testing.T) {
		c, err := s3kit.New(t.Context(), s3kit.WithCredentials("wrong", "wrong"), s3kit.FromEnv())
		require.NoError(t, err)
		_, err = c.Put(t.Context(), bucket, "k", strings.NewReader("x"))
		assert.ErrorIs(t, err, s3kit.ErrAccessDenied)
	})
	t.Run("standard AWS variables", func(t *testing.T) {
		t.Setenv("S3_ENDPOINT_URL", "")
		t.Setenv("S3_ACCESS_KEY", "")
		t.Setenv("S3_SECRET_KEY", "")
		t.Setenv("S3_REGION", "")
		t.Setenv("AWS_ENDPOINT_URL_S3", srv.URL)
		t.Setenv("AWS_ACCESS_KEY_ID", s3kittest.AccessKey)
		t.Setenv("AWS_SECRET_ACCESS_KEY", s3kittest.SecretKey)
		t.Setenv("AWS_REGION", "eu-west-1")
		c, err := s3kit.New(t.Context(), s3kit.FromEnv())
		require.NoError(t, err)
		_, err = c.Head(t.Context(), bucket, "k")
		require.NoError(t, err)
	})
	t.Run("no credentials anywhere", func(t *testing.T) {
		t.Setenv("S3_ACCESS_KEY", "")
		t.Setenv("S3_SECRET_KEY", "")
		t.Setenv("AWS_ACCESS_KEY_ID", "")
		t.Setenv("AWS_SECRET_ACCESS_KEY", "")
		t.Setenv("AWS_PROFILE", "")
		_, err := s3kit.New(t.Context(), s3kit.FromEnv())
		assert.ErrorIs(t, err, s3kit.ErrInvalidInput)
	})
}

func TestWrongCredentials(t *testing.T) {
	t.Parallel()
	srv, _ := setup(t)
	c, err := s3kit.New(t.Context(), s3kit.WithEndpoint(srv.URL), s3kit.WithCredentials("intruder", "guess"))
	require.NoError(t, err)
	_, err = c.Get(t.Context(), bucket, "k")
	require.ErrorIs(t, err, s3kit.ErrAccessDenied)
	var e *s3kit.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, "InvalidAccessKeyId", e.Code)
	assert.Equal(t, http.StatusForbidden, e.StatusCode)
	assert.NotContains(t, err.Error(), "guess")
}

func TestClientNeverPrintsSecrets(t *testing.T) {
	t.Parallel()
	const secret = "TopSecretValue123"
	c, err := s3kit.New(t.Context(), s3kit.WithEndpoint("https://s3.example.com"), s3kit.WithCredentials("AKIDEXAMPLE", secret))
	require.NoError(t, err)
	for _, format := range []string{"%v", "%+v", "%#v", "%s"} {
		out := fmt.Sprintf(format, c)
		assert.NotContains(t, out, secret, format)
		assert.Contains(t, out, "s3.example.com", format)
	}
}
