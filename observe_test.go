package s3kit_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go/middleware"
	"github.com/aws/smithy-go/tracing"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/s3kit/s3kit"
	"github.com/s3kit/s3kit/s3kittest"
)

// logRecords is a slog handler's output, safe to write from many
// goroutines, read back as one map per record.
type logRecords struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logRecords) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

// logger returns a debug-level JSON logger that writes to l.
func (l *logRecords) logger() *slog.Logger {
	return slog.New(slog.NewJSONHandler(l, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// String returns every record, one a line.
func (l *logRecords) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// records returns the records whose message is msg.
func (l *logRecords) records(t *testing.T, msg string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(l.String()), "\n") {
		if line == "" {
			continue
		}
		var r map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &r), line)
		if r["msg"] == msg {
			out = append(out, r)
		}
	}
	return out
}

// TestWithLoggerRecords uploads 12 MiB in three parts of which one attempt
// gets a 503 SlowDown, and checks the records: one debug record per
// attempt with operation, bucket, key, part, attempt, status, duration,
// bytes and request ID, and one warning for the retry saying what failed
// and which attempt comes next.
func TestWithLoggerRecords(t *testing.T) {
	t.Parallel()
	slow := &s3kittest.Rule{Op: "UploadPart", Nth: 2, Fault: s3kittest.ErrorResponse(503, "SlowDown")}
	srv := s3kittest.NewServer(t, s3kittest.WithFaults(slow))
	srv.CreateBucket(t, bucket)
	var logs logRecords
	c := srv.Client(t, fastRetries(s3kit.WithLogger(logs.logger()),
		s3kit.WithMultipartThreshold(5<<20), s3kit.WithPartSize(5<<20))...)
	_, err := c.Put(t.Context(), bucket, "big", bytes.NewReader(make([]byte, 12<<20)))
	require.NoError(t, err)
	require.Equal(t, 1, slow.Fired())

	requests := logs.records(t, "s3 request")
	ops := map[string]int{}
	for _, r := range requests {
		ops[r["op"].(string)]++
		assert.Equal(t, "DEBUG", r["level"])
		assert.Equal(t, bucket, r["bucket"])
		assert.Equal(t, "big", r["key"])
		assert.Contains(t, r, "duration")
		assert.NotEmpty(t, r["request_id"])
	}
	assert.Equal(t, map[string]int{"CreateMultipartUpload": 1, "UploadPart": 4, "CompleteMultipartUpload": 1}, ops)

	retries := logs.records(t, "s3 request retry")
	require.Len(t, retries, 1)
	w := retries[0]
	assert.Equal(t, "WARN", w["level"])
	assert.Equal(t, "UploadPart", w["op"])
	assert.EqualValues(t, 1, w["attempt"])
	assert.EqualValues(t, 2, w["next_attempt"])
	assert.EqualValues(t, 503, w["status"])
	assert.Equal(t, "SlowDown", w["code"])
	assert.Equal(t, "injected by s3kittest", w["error"])
	assert.Contains(t, w, "backoff")

	// The failed attempt and its retry, for the part the warning names.
	var attempts []map[string]any
	for _, r := range requests {
		if r["op"] == "UploadPart" && r["part"] == w["part"] {
			attempts = append(attempts, r)
		}
	}
	require.Len(t, attempts, 2)
	assert.EqualValues(t, 1, attempts[0]["attempt"])
	assert.EqualValues(t, 503, attempts[0]["status"])
	assert.Equal(t, "SlowDown", attempts[0]["code"])
	assert.EqualValues(t, 2, attempts[1]["attempt"])
	assert.EqualValues(t, 200, attempts[1]["status"])
	assert.NotContains(t, attempts[1], "code")
	part := int64(w["part"].(float64))
	assert.EqualValues(t, min(5<<20, 12<<20-(part-1)*(5<<20)), attempts[1]["sent"], "the part's bytes")
}

// TestWithLoggerReadsAndFailures checks the bytes received of a GET, the
// record of a failed request, and that a logger at info level sees no
// request records.
func TestWithLoggerReadsAndFailures(t *testing.T) {
	t.Parallel()
	srv := s3kittest.NewServer(t)
	srv.CreateBucket(t, bucket)
	var logs logRecords
	c := srv.Client(t, s3kit.WithLogger(logs.logger()))
	_, err := c.Put(t.Context(), bucket, "k", strings.NewReader("hello"))
	require.NoError(t, err)
	r, err := c.Get(t.Context(), bucket, "k")
	require.NoError(t, err)
	require.NoError(t, r.Close())
	_, err = c.Head(t.Context(), bucket, "missing")
	require.ErrorIs(t, err, s3kit.ErrNotFound)

	byOp := map[string]map[string]any{}
	for _, r := range logs.records(t, "s3 request") {
		byOp[r["op"].(string)] = r
	}
	assert.EqualValues(t, 5, byOp["PutObject"]["sent"])
	assert.EqualValues(t, 5, byOp["GetObject"]["received"])
	assert.EqualValues(t, 404, byOp["HeadObject"]["status"])
	assert.Equal(t, "NotFound", byOp["HeadObject"]["code"])
	assert.Equal(t, "missing", byOp["HeadObject"]["key"])

	var quiet logRecords
	c = srv.Client(t, s3kit.WithLogger(slog.New(slog.NewJSONHandler(&quiet, nil))))
	_, err = c.Head(t.Context(), bucket, "k")
	require.NoError(t, err)
	assert.Empty(t, quiet.String(), "no request records at info level")
}

// TestNoObserverAddsNothing checks that a client without a logger or a
// tracer provider adds no middleware to the SDK's requests and leaves the
// SDK's no-op tracer provider in place, and that WithLogger adds the
// logging middlewares.
func TestNoObserverAddsNothing(t *testing.T) {
	t.Parallel()
	srv := s3kittest.NewServer(t)
	srv.CreateBucket(t, bucket)
	ids := func(opts ...s3kit.Option) (string, *s3.Client) {
		var mu sync.Mutex
		var seen []string
		inspect := s3kit.WithSDKOptions(func(o *s3.Options) {
			o.APIOptions = append(o.APIOptions, func(stack *middleware.Stack) error {
				mu.Lock()
				defer mu.Unlock()
				seen = append(seen, stack.Initialize.List()...)
				seen = append(seen, stack.Finalize.List()...)
				return nil
			})
		})
		c := srv.Client(t, append(opts, inspect)...)
		_, err := c.Head(t.Context(), bucket, "missing")
		require.ErrorIs(t, err, s3kit.ErrNotFound)
		mu.Lock()
		defer mu.Unlock()
		return strings.Join(seen, " "), c.S3()
	}
	plain, sdk := ids()
	assert.NotContains(t, plain, "s3kit.Log")
	assert.IsType(t, &tracing.NopTracerProvider{}, sdk.Options().TracerProvider)

	logged, _ := ids(s3kit.WithLogger(slog.New(slog.NewTextHandler(&logRecords{}, nil))))
	assert.Contains(t, logged, "s3kit.LogCall")
	assert.Contains(t, logged, "s3kit.LogAttempt")
}
