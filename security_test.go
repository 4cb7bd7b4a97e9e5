package s3kit_test

import (
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go/logging"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/s3kit/s3kit"
	"github.com/s3kit/s3kit/s3kittest"
)

const (
	testAccessKey = "AKIDSECRETPROBE"
	testSecretKey = "wJalrXUtnFEMI-secret-probe-K7MDENG"
)

// leaks reports whether s shows either test credential.
func leaks(s string) bool {
	return strings.Contains(s, testSecretKey) || strings.Contains(s, testAccessKey)
}

// printings formats v every way a log line or error message might.
func printings(v any) []string {
	var text, js bytes.Buffer
	slog.New(slog.NewTextHandler(&text, nil)).Info("m", "v", v)
	slog.New(slog.NewJSONHandler(&js, nil)).Info("m", "v", v)
	return []string{
		fmt.Sprintf("%v", v), fmt.Sprintf("%+v", v), fmt.Sprintf("%#v", v), fmt.Sprintf("%s", v),
		text.String(), js.String(),
	}
}

func TestClientAndOptionsNeverPrintCredentials(t *testing.T) {
	t.Parallel()
	opts := []s3kit.Option{
		s3kit.WithEndpoint("https://s3.example.com"),
		s3kit.WithCredentials(testAccessKey, testSecretKey),
		s3kit.WithRegion("fr1"),
	}
	c, err := s3kit.New(t.Context(), opts...)
	require.NoError(t, err)
	type holder struct {
		c *s3kit.Client
		v s3kit.Client
	}
	values := []any{c, *c, opts, opts[1], holder{c, *c}, &holder{c, *c}, []any{c, *c}}
	for _, v := range values {
		for _, s := range printings(v) {
			assert.False(t, leaks(s), "credentials printed: %s", s)
		}
	}
	var text bytes.Buffer
	slog.New(slog.NewTextHandler(&text, nil)).Info("m", "client", c)
	assert.Contains(t, text.String(), "client.endpoint=https://s3.example.com")
}

// TestErrorsAndSDKLogsNeverShowTheSecret runs failing and retried calls
// with the SDK's request, response, retry and signing logs on, and searches
// every error and log line for the secret key.
func TestErrorsAndSDKLogsNeverShowTheSecret(t *testing.T) {
	t.Parallel()
	rules := []*s3kittest.Rule{
		{Op: "PutObject", Chance: 0.3, Seed: 1, Fault: s3kittest.ErrorResponse(503, "SlowDown")},
		{Op: "GetObject", Chance: 0.3, Seed: 2, Fault: s3kittest.ResetResponse(10)},
		{Op: "HeadObject", Chance: 0.3, Seed: 3, Fault: s3kittest.ResetRequest(0)},
		{Op: "ListObjectsV2", Chance: 0.3, Seed: 4, Fault: s3kittest.TruncateXML()},
		{Op: "HeadObject", Key: "k0", Fault: s3kittest.ErrorResponse(500, "InternalError")},
		{Op: "GetObject", Key: "k1", Fault: s3kittest.ErrorResponse(403, "AccessDenied")},
	}
	srv := s3kittest.NewServer(t, s3kittest.WithFaults(rules...))
	srv.CreateBucket(t, bucket)
	var logs bytes.Buffer
	logger := logging.LoggerFunc(func(_ logging.Classification, format string, v ...any) {
		fmt.Fprintf(&logs, format+"\n", v...)
	})
	var records logRecords // WithLogger's records, searched too
	for _, creds := range [][2]string{{testAccessKey, testSecretKey}, {s3kittest.AccessKey, s3kittest.SecretKey}} {
		c := srv.Client(t, fastRetries(
			s3kit.WithCredentials(creds[0], creds[1]),
			s3kit.WithLogger(records.logger()),
			s3kit.WithSDKOptions(func(o *s3.Options) {
				o.Logger = logger
				o.ClientLogMode = aws.LogRequest | aws.LogResponse | aws.LogRetries | aws.LogSigning | aws.LogRequestWithBody | aws.LogResponseWithBody
			}))...)
		var errs []string
		for i := range 30 {
			key := fmt.Sprintf("k%d", i%5)
			if _, err := c.Put(t.Context(), bucket, key, strings.NewReader("data")); err != nil {
				errs = append(errs, err.Error(), fmt.Sprintf("%+v", err))
			}
			if r, err := c.Get(t.Context(), bucket, key); err != nil {
				errs = append(errs, err.Error())
			} else {
				if _, err := io.Copy(io.Discard, r); err != nil {
					errs = append(errs, err.Error())
				}
				_ = r.Close()
			}
			if _, err := c.Head(t.Context(), bucket, key); err != nil {
				errs = append(errs, err.Error())
			}
			for _, err := range c.List(t.Context(), bucket) {
				if err != nil {
					errs = append(errs, err.Error())
				}
			}
		}
		require.NotEmpty(t, errs, "the faults produced errors")
		for _, e := range errs {
			assert.NotContains(t, e, testSecretKey)
			assert.NotContains(t, e, s3kittest.SecretKey)
		}
	}
	require.NotZero(t, logs.Len())
	assert.NotContains(t, logs.String(), testSecretKey)
	assert.NotContains(t, logs.String(), s3kittest.SecretKey)
	require.NotEmpty(t, records.records(t, "s3 request retry"))
	assert.NotContains(t, records.String(), testSecretKey)
	assert.NotContains(t, records.String(), s3kittest.SecretKey)
}

// TestLogRecordsNeverShowSecrets runs Put (single and multipart), Get,
// Head, List, Copy, Delete, DeleteMany and both presigns, with faults that
// make requests fail, lose their answers and be retried, under credentials
// with a session token and with a logger at debug level attached
// ([s3kit.WithLogger]). No record shows the access key, the secret key,
// the session token, a signature, an Authorization header, the query of
// any URL or a byte of a body.
func TestLogRecordsNeverShowSecrets(t *testing.T) {
	t.Parallel()
	const token, body = "TOKEN-PROBE-FwoGZXIvYXdzEJr", "BODY-PROBE-0123456789"
	rules := []*s3kittest.Rule{
		{Op: "PutObject", Nth: 1, Fault: s3kittest.ErrorResponse(503, "SlowDown")},
		{Op: "UploadPart", Nth: 2, Fault: s3kittest.DropResponse()},
		{Op: "GetObject", Nth: 1, Fault: s3kittest.ResetResponse(3)},
		{Op: "HeadObject", Nth: 1, Fault: s3kittest.ResetRequest(0)},
		{Op: "CompleteMultipartUpload", Nth: 1, Fault: s3kittest.ErrorResponse(500, "InternalError")},
	}
	srv := s3kittest.NewServer(t, s3kittest.WithFaults(rules...))
	srv.CreateBucket(t, bucket)
	var records logRecords
	for _, creds := range [][2]string{{testAccessKey, testSecretKey}, {s3kittest.AccessKey, s3kittest.SecretKey}} {
		c := srv.Client(t, fastRetries(
			s3kit.WithLogger(records.logger()),
			s3kit.WithMultipartThreshold(5<<20), s3kit.WithPartSize(5<<20),
			s3kit.WithSDKOptions(func(o *s3.Options) {
				o.Credentials = credentials.NewStaticCredentialsProvider(creds[0], creds[1], token)
			}))...)
		ctx := t.Context()
		big := bytes.Repeat([]byte(body), (11<<20)/len(body))
		_, _ = c.Put(ctx, bucket, "small", strings.NewReader(body), s3kit.WithMetadata(map[string]string{"m": body}))
		_, _ = c.Put(ctx, bucket, "big", bytes.NewReader(big))
		if r, err := c.Get(ctx, bucket, "small"); err == nil {
			_, _ = io.Copy(io.Discard, r)
			_ = r.Close()
		}
		_, _ = c.Head(ctx, bucket, "small")
		for _, err := range c.List(ctx, bucket) {
			_ = err
		}
		_, _ = c.Copy(ctx, bucket, "small", bucket, "copy")
		_ = c.Delete(ctx, bucket, "copy")
		_ = c.DeleteMany(ctx, bucket, slices.Values([]string{"a", "b"}))
		for _, presign := range []func() (s3kit.Presigned, error){
			func() (s3kit.Presigned, error) { return c.PresignGet(ctx, bucket, "small", time.Minute) },
			func() (s3kit.Presigned, error) { return c.PresignPut(ctx, bucket, "small", time.Minute) },
		} {
			p, err := presign()
			require.NoError(t, err)
			require.Contains(t, p.URL, "X-Amz-Signature=")
		}
	}
	out := records.String()
	require.NotEmpty(t, records.records(t, "s3 request retry"), "the faults caused retries")
	require.Len(t, records.records(t, "s3 presign"), 4)
	require.Contains(t, out, "?…", "an error that quoted a URL was logged without its query")
	for _, secret := range []string{testAccessKey, testSecretKey, s3kittest.AccessKey, s3kittest.SecretKey, token, body,
		"Authorization", "X-Amz-Signature", "X-Amz-Credential", "X-Amz-Security-Token", "uploadId=", "partNumber="} {
		assert.NotContains(t, out, secret)
	}
}

func TestPlainHTTPNeedsLoopbackOrOptIn(t *testing.T) {
	tests := []struct {
		endpoint string
		allow    bool
		ok       bool
	}{
		{"http://s3.example.com", false, false},
		{"http://10.0.0.5:9000", false, false},
		{"http://[2001:db8::1]:9000", false, false},
		{"http://localhost.example.com", false, false},
		{"http://s3.example.com", true, true},
		{"https://s3.example.com", false, true},
		{"http://127.0.0.1:9000", false, true},
		{"http://127.1.2.3", false, true},
		{"http://localhost:9000", false, true},
		{"http://LOCALHOST", false, true},
		{"http://[::1]:9000", false, true},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/%t", tt.endpoint, tt.allow), func(t *testing.T) {
			opts := []s3kit.Option{s3kit.WithEndpoint(tt.endpoint), s3kit.WithCredentials("a", "b")}
			if tt.allow {
				opts = append(opts, s3kit.WithAllowInsecureHTTP())
			}
			_, err := s3kit.New(t.Context(), opts...)
			if tt.ok {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, s3kit.ErrInvalidInput)
			assert.Contains(t, err.Error(), "WithAllowInsecureHTTP")
		})
	}
	t.Run("FromEnv", func(t *testing.T) {
		t.Setenv("S3_ENDPOINT_URL", "http://s3.example.com")
		t.Setenv("S3_ACCESS_KEY", "a")
		t.Setenv("S3_SECRET_KEY", "b")
		t.Setenv("AWS_CONFIG_FILE", "/nonexistent")
		t.Setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
		_, err := s3kit.New(t.Context(), s3kit.FromEnv())
		require.ErrorIs(t, err, s3kit.ErrInvalidInput)
	})
}

// TestURLErrorsNeverShowUserinfo gives user:password@ in every URL New
// reads, well-formed and malformed: New refuses each with ErrInvalidInput
// and neither the error nor the profile's description shows the password.
func TestURLErrorsNeverShowUserinfo(t *testing.T) {
	const (
		user = "probeuser"
		pass = "pr0beSecretPW"
	)
	urls := []struct{ name, url string }{
		{"userinfo present", "https://" + user + ":" + pass + "@s3.example.com"},
		{"bad port", "https://" + user + ":" + pass + "@s3.example.com:badport"},
		{"password with a slash", "https://" + user + ":" + pass + "/x@s3.example.com"},
		{"digits before a slash", "https://" + user + ":1234/" + pass + "@s3.example.com"},
		{"no scheme", user + ":" + pass + "@s3.example.com"},
	}
	creds := s3kit.WithCredentials("ak", "sk")
	endpoint := s3kit.WithEndpoint("https://s3.example.com")
	sources := []struct {
		name string
		env  string // environment variable to set, read with FromEnv
		opts func(u string) []s3kit.Option
	}{
		{name: "WithEndpoint", opts: func(u string) []s3kit.Option { return []s3kit.Option{s3kit.WithEndpoint(u), creds} }},
		{name: "WithPresignEndpoint", opts: func(u string) []s3kit.Option {
			return []s3kit.Option{endpoint, s3kit.WithPresignEndpoint(u), creds}
		}},
		{name: "WithPublicBaseURL", opts: func(u string) []s3kit.Option {
			return []s3kit.Option{endpoint, s3kit.WithPublicBaseURL(u), creds}
		}},
		{name: "MinIO profile", opts: func(u string) []s3kit.Option {
			return []s3kit.Option{s3kit.WithProvider(s3kit.MinIO(u)), creds}
		}},
		{name: "S3_ENDPOINT_URL", env: "S3_ENDPOINT_URL"},
		{name: "AWS_ENDPOINT_URL_S3", env: "AWS_ENDPOINT_URL_S3"},
		{name: "AWS_ENDPOINT_URL", env: "AWS_ENDPOINT_URL"},
		{name: "shared config endpoint_url", env: "AWS_CONFIG_FILE"},
	}
	for _, src := range sources {
		for _, u := range urls {
			t.Run(src.name+"/"+u.name, func(t *testing.T) {
				var opts []s3kit.Option
				if src.env == "" {
					opts = src.opts(u.url)
				} else {
					for _, v := range []string{"S3_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL", "AWS_PROFILE"} {
						t.Setenv(v, "")
					}
					t.Setenv("AWS_CONFIG_FILE", "/nonexistent")
					t.Setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
					t.Setenv("S3_ACCESS_KEY", "ak")
					t.Setenv("S3_SECRET_KEY", "sk")
					t.Setenv("S3_REGION", "fr1")
					value := u.url
					if src.env == "AWS_CONFIG_FILE" {
						value = filepath.Join(t.TempDir(), "config")
						require.NoError(t, os.WriteFile(value, []byte("[default]\nendpoint_url = "+u.url+"\n"), 0o600))
					}
					t.Setenv(src.env, value)
					opts = []s3kit.Option{s3kit.FromEnv()}
				}
				c, err := s3kit.New(t.Context(), opts...)
				require.Error(t, err, "client: %v", c)
				assert.ErrorIs(t, err, s3kit.ErrInvalidInput)
				for _, s := range []string{err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err)} {
					assert.NotContains(t, s, pass)
					assert.NotContains(t, s, user+":")
				}
				assert.Contains(t, err.Error(), "WithCredentials")
				assert.Contains(t, err.Error(), "S3_ACCESS_KEY")
			})
		}
	}
	t.Run("Provider.String", func(t *testing.T) {
		for _, u := range urls {
			s := s3kit.MinIO(u.url).String()
			assert.NotContains(t, s, pass)
			assert.NotContains(t, s, user+":")
		}
	})
}
