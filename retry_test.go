package s3kit_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/s3kit/s3kit"
	"github.com/s3kit/s3kit/s3kittest"
)

// fastRetries makes retries quick enough for tests.
func fastRetries(extra ...s3kit.Option) []s3kit.Option {
	return append([]s3kit.Option{s3kit.WithRetryDelays(time.Millisecond, 5*time.Millisecond)}, extra...)
}

// faultSetup starts a server with the rules and a client with fast retries.
func faultSetup(t *testing.T, rules []*s3kittest.Rule, opts ...s3kit.Option) (*s3kittest.Server, *s3kit.Client) {
	t.Helper()
	srv := s3kittest.NewServer(t, s3kittest.WithFaults(rules...))
	srv.CreateBucket(t, bucket)
	return srv, srv.Client(t, fastRetries(opts...)...)
}

// operation is one client call, run against object "k".
type operation struct {
	name string // S3 operation the faults target
	call func(ctx context.Context, c *s3kit.Client) error
}

var operations = []operation{
	{"PutObject", func(ctx context.Context, c *s3kit.Client) error {
		_, err := c.Put(ctx, bucket, "k", bytes.NewReader(randomBytes(4096)))
		return err
	}},
	{"GetObject", func(ctx context.Context, c *s3kit.Client) error {
		r, err := c.Get(ctx, bucket, "k")
		if err != nil {
			return err
		}
		defer r.Close()
		_, err = io.Copy(io.Discard, r)
		return err
	}},
	{"HeadObject", func(ctx context.Context, c *s3kit.Client) error {
		_, err := c.Head(ctx, bucket, "k")
		return err
	}},
	{"ListObjectsV2", func(ctx context.Context, c *s3kit.Client) error {
		for _, err := range c.List(ctx, bucket) {
			if err != nil {
				return err
			}
		}
		return nil
	}},
	{"DeleteObject", func(ctx context.Context, c *s3kit.Client) error {
		return c.Delete(ctx, bucket, "k")
	}},
}

// seed stores object "k" through a client without faults.
func seed(t *testing.T, srv *s3kittest.Server) {
	t.Helper()
	_, err := srv.Client(t).Put(t.Context(), bucket, "k", bytes.NewReader(randomBytes(4096)))
	require.NoError(t, err)
}

func TestTransientErrorsAreRetried(t *testing.T) {
	t.Parallel()
	faults := []struct {
		name  string
		fault s3kittest.Fault
	}{
		{"500 InternalError", s3kittest.ErrorResponse(500, "InternalError")},
		{"503 SlowDown", s3kittest.ErrorResponse(503, "SlowDown")},
		{"400 RequestTimeout", s3kittest.ErrorResponse(400, "RequestTimeout")},
		{"reset before any byte", s3kittest.ResetRequest(0)},
		{"reset after 100 request bytes", s3kittest.ResetRequest(100)},
	}
	for _, f := range faults {
		for _, op := range operations {
			if op.name == "HeadObject" && strings.Contains(f.name, "RequestTimeout") {
				continue // a HEAD answer has no body, so its code cannot be read
			}
			t.Run(f.name+"/"+op.name, func(t *testing.T) {
				t.Parallel()
				rule := &s3kittest.Rule{Op: op.name, Times: 3, Fault: f.fault}
				srv, c := faultSetup(t, []*s3kittest.Rule{rule})
				seed(t, srv)
				require.NoError(t, op.call(t.Context(), c))
				assert.Equal(t, 3, rule.Fired(), "three failures, then success on the fourth attempt")
			})
		}
	}
}

func TestPersistentFailureReportsAttempts(t *testing.T) {
	t.Parallel()
	rule := &s3kittest.Rule{Op: "HeadObject", Fault: s3kittest.ErrorResponse(503, "SlowDown")}
	_, c := faultSetup(t, []*s3kittest.Rule{rule}, s3kit.WithMaxAttempts(4))

	_, err := c.Get(t.Context(), bucket, "k") // GetObject is not targeted
	require.ErrorIs(t, err, s3kit.ErrNotFound)

	_, err = c.Head(t.Context(), bucket, "k")
	require.Error(t, err)
	var e *s3kit.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, 4, e.Attempts)
	assert.Equal(t, 4, rule.Fired())
	assert.Equal(t, 503, e.StatusCode)
	assert.Contains(t, err.Error(), "after 4 attempts")
}

func TestPersistentErrorCodeIsKept(t *testing.T) {
	t.Parallel()
	rule := &s3kittest.Rule{Op: "GetObject", Fault: s3kittest.ErrorResponse(500, "InternalError")}
	_, c := faultSetup(t, []*s3kittest.Rule{rule}, s3kit.WithMaxAttempts(3))
	_, err := c.Get(t.Context(), bucket, "k")
	var apiErr smithy.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "InternalError", apiErr.ErrorCode())
	assert.Contains(t, err.Error(), "InternalError (HTTP 500)")
	assert.Contains(t, err.Error(), "after 3 attempts")
}

func TestClientErrorsAreNotRetried(t *testing.T) {
	t.Parallel()
	tests := []struct {
		status int
		code   string
		kind   error
	}{
		{403, "AccessDenied", s3kit.ErrAccessDenied},
		{400, "InvalidArgument", nil},
		{404, "NoSuchKey", s3kit.ErrNotFound},
		{409, "OperationAborted", nil},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			t.Parallel()
			rule := &s3kittest.Rule{Op: "GetObject", Fault: s3kittest.ErrorResponse(tt.status, tt.code)}
			_, c := faultSetup(t, []*s3kittest.Rule{rule})
			_, err := c.Get(t.Context(), bucket, "k")
			var e *s3kit.Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, 1, rule.Fired())
			assert.Equal(t, 1, e.Attempts)
			assert.NotContains(t, err.Error(), "attempts")
			if tt.kind != nil {
				assert.ErrorIs(t, err, tt.kind)
			}
		})
	}
}

// TestBurstOf503sDoesNotEmptyARetryQuota checks that after a long storm of
// throttling, a call that needs retries still gets them. The SDK's default
// retryer spends 5 tokens of 500 per throttled retry and would answer
// "retry quota exceeded" here.
func TestBurstOf503sDoesNotEmptyARetryQuota(t *testing.T) {
	t.Parallel()
	storm := &s3kittest.Rule{Op: "HeadObject", Key: "storm", Fault: s3kittest.ErrorResponse(503, "SlowDown")}
	later := &s3kittest.Rule{Op: "HeadObject", Key: "k", Times: 2, Fault: s3kittest.ErrorResponse(503, "SlowDown")}
	srv, c := faultSetup(t, []*s3kittest.Rule{storm, later}, s3kit.WithMaxAttempts(5), s3kit.WithRetryDelays(0, 0))
	seed(t, srv)
	for range 40 { // 40 calls × 4 retries × 5 tokens = 800 tokens
		_, err := c.Head(t.Context(), bucket, "storm")
		require.Error(t, err)
		require.NotContains(t, err.Error(), "quota")
	}
	assert.Equal(t, 200, storm.Fired())
	_, err := c.Head(t.Context(), bucket, "k")
	require.NoError(t, err)
	assert.Equal(t, 2, later.Fired())
}

func TestRetryTimeoutBoundsRetries(t *testing.T) {
	fail := &s3kittest.Rule{Op: "HeadObject", Fault: s3kittest.ErrorResponse(500, "InternalError")}
	_, c := faultSetup(t, []*s3kittest.Rule{fail},
		s3kit.WithMaxAttempts(20), s3kit.WithRetryTimeout(30*time.Millisecond), s3kit.WithRetryDelays(10*time.Millisecond, 10*time.Millisecond))
	start := time.Now()
	_, err := c.Head(t.Context(), bucket, "k")
	require.Error(t, err)
	assert.Less(t, time.Since(start), 2*time.Second)
	assert.Less(t, fail.Fired(), 20)
	assert.Contains(t, err.Error(), "retry time limit of 30ms reached")
}

func TestMultipartPartsAreRetried(t *testing.T) {
	t.Parallel()
	rules := []*s3kittest.Rule{
		{Op: "UploadPart", Nth: 2, Fault: s3kittest.ErrorResponse(500, "InternalError")},
		{Op: "UploadPart", Nth: 3, Fault: s3kittest.ResetRequest(1 << 20)},
		{Op: "CreateMultipartUpload", Nth: 1, Fault: s3kittest.ErrorResponse(503, "SlowDown")},
		{Op: "CompleteMultipartUpload", Nth: 1, Fault: s3kittest.ErrorResponse(500, "InternalError")},
	}
	_, c := faultSetup(t, rules, s3kit.WithMultipartThreshold(5<<20), s3kit.WithPartSize(5<<20))
	data := randomBytes(12 << 20)
	for _, body := range []io.Reader{bytes.NewReader(data), onlyReader{bytes.NewReader(data)}} {
		res, err := c.Put(t.Context(), bucket, "big", body)
		require.NoError(t, err)
		assert.Equal(t, 3, res.Parts)
		got, _ := getAll(t, c, "big")
		assert.Equal(t, sum(data), got)
	}
	for _, r := range rules {
		assert.Equal(t, 1, r.Fired(), r.String())
	}
	assert.Zero(t, pendingUploads(t, c))
}

func TestRetryOptionsAreValidated(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		opt  s3kit.Option
	}{
		{"zero attempts", s3kit.WithMaxAttempts(0)},
		{"too many attempts", s3kit.WithMaxAttempts(21)},
		{"zero timeout", s3kit.WithRetryTimeout(0)},
		{"negative timeout", s3kit.WithRetryTimeout(-time.Second)},
		{"huge timeout", s3kit.WithRetryTimeout(2 * time.Hour)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s3kit.New(t.Context(), s3kit.WithEndpoint("https://s3.example.com"), s3kit.WithCredentials("a", "b"), tt.opt)
			require.ErrorIs(t, err, s3kit.ErrInvalidInput)
			assert.True(t, strings.Contains(err.Error(), "WithMaxAttempts") || strings.Contains(err.Error(), "WithRetryTimeout"), err.Error())
		})
	}
	_, err := s3kit.New(t.Context(), s3kit.WithEndpoint("https://s3.example.com"), s3kit.WithCredentials("a", "b"),
		s3kit.WithMaxAttempts(1), s3kit.WithRetryTimeout(time.Second))
	require.NoError(t, err)
}

func TestGarbledAnswersAreRetried(t *testing.T) {
	t.Parallel()
	for _, fault := range []s3kittest.Fault{s3kittest.TruncateXML(), s3kittest.InvalidXML(), s3kittest.ResetResponse(50)} {
		t.Run(fault.String(), func(t *testing.T) {
			t.Parallel()
			rule := &s3kittest.Rule{Op: "ListObjectsV2", Times: 2, Fault: fault}
			srv, c := faultSetup(t, []*s3kittest.Rule{rule})
			seed(t, srv)
			var keys []string
			for obj, err := range c.List(t.Context(), bucket) {
				require.NoError(t, err)
				keys = append(keys, obj.Key)
			}
			assert.Equal(t, []string{"k"}, keys)
			assert.Equal(t, 2, rule.Fired())
		})
	}
}

// TestPresignIgnoresRetryBookkeeping checks that the attempt-counting
// middleware does not break SDK features that remove the retry middleware.
func TestPresignIgnoresRetryBookkeeping(t *testing.T) {
	t.Parallel()
	_, c := setup(t)
	req, err := s3.NewPresignClient(c.S3()).PresignGetObject(t.Context(), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("k")})
	require.NoError(t, err)
	assert.Contains(t, req.URL, "X-Amz-Signature=")
}

// TestErrorTextShowsCause checks that an answer refused for its body, whose
// error has a status but no S3 code, names the reason in Error() without
// the SDK's prefix.
func TestErrorTextShowsCause(t *testing.T) {
	t.Parallel()
	list := func(ctx context.Context, c *s3kit.Client) error {
		for _, err := range c.List(ctx, bucket) {
			if err != nil {
				return err
			}
		}
		return nil
	}
	deleteMany := func(ctx context.Context, c *s3kit.Client) error {
		return c.DeleteMany(ctx, bucket, slices.Values([]string{"k"}))
	}
	cases := []struct {
		name  string
		op    string
		fault s3kittest.Fault
		call  func(context.Context, *s3kit.Client) error
		cause string
	}{
		{"List/invalid XML", "ListObjectsV2", s3kittest.InvalidXML(), list, "XML syntax error"},
		{"List/truncated XML", "ListObjectsV2", s3kittest.TruncateXML(), list, "unexpected EOF"},
		{"DeleteMany/invalid XML", "DeleteObjects", s3kittest.InvalidXML(), deleteMany, "XML syntax error"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rule := &s3kittest.Rule{Op: tc.op, Fault: tc.fault}
			srv, c := faultSetup(t, []*s3kittest.Rule{rule}, s3kit.WithMaxAttempts(2))
			seed(t, srv)
			err := tc.call(t.Context(), c)
			require.Error(t, err)
			var e *s3kit.Error
			require.ErrorAs(t, err, &e)
			require.Empty(t, e.Code, "precondition: no S3 code")
			require.NotZero(t, e.StatusCode, "precondition: an HTTP status")
			msg := err.Error()
			assert.Contains(t, msg, fmt.Sprintf("HTTP %d", e.StatusCode))
			assert.Contains(t, msg, tc.cause)
			assert.Contains(t, msg, "(after 2 attempts)")
			assert.NotContains(t, msg, "operation error S3", "the SDK's prefix repeats what the error says")
			assert.NotContains(t, msg, "StatusCode:")
		})
	}
}
