package s3kitotel_test

import (
	"bytes"
	"slices"
	"testing"

	"github.com/aws/smithy-go/tracing/smithyoteltracing"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/s3kit/s3kit"
	"github.com/s3kit/s3kit/s3kitotel"
	"github.com/s3kit/s3kit/s3kittest"
)

const bucket = "bkt"

// tracedClient returns a client of a fresh s3kittest server whose spans
// the returned recorder collects.
func tracedClient(t *testing.T, opts ...s3kit.Option) (*s3kit.Client, *tracetest.SpanRecorder) {
	t.Helper()
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	t.Cleanup(func() { _ = tp.Shutdown(t.Context()) })
	srv := s3kittest.NewServer(t)
	srv.CreateBucket(t, bucket)
	return srv.Client(t, append(opts, s3kitotel.WithTracerProvider(tp))...), rec
}

// named returns the spans called name.
func named(spans []sdktrace.ReadOnlySpan, name string) []sdktrace.ReadOnlySpan {
	var out []sdktrace.ReadOnlySpan
	for _, s := range spans {
		if s.Name() == name {
			out = append(out, s)
		}
	}
	return out
}

// children returns the names of the spans whose parent is parent, sorted.
func children(spans []sdktrace.ReadOnlySpan, parent sdktrace.ReadOnlySpan) []string {
	var out []string
	for _, s := range spans {
		if s.Parent().SpanID() == parent.SpanContext().SpanID() {
			out = append(out, s.Name())
		}
	}
	slices.Sort(out)
	return out
}

// attr returns the value of the attribute key of s, or "".
func attr(s sdktrace.ReadOnlySpan, key string) string {
	for _, kv := range s.Attributes() {
		if string(kv.Key) == key {
			return kv.Value.Emit()
		}
	}
	return ""
}

// TestMultipartPutTrace uploads 12 MiB in parts of 5 MiB and checks that
// the trace has one span "s3kit.Put" whose children are the SDK's spans of
// CreateMultipartUpload, each UploadPart and CompleteMultipartUpload, in
// one trace, each with the SDK's attempt spans below.
func TestMultipartPutTrace(t *testing.T) {
	t.Parallel()
	c, rec := tracedClient(t, s3kit.WithMultipartThreshold(5<<20), s3kit.WithPartSize(5<<20))
	res, err := c.Put(t.Context(), bucket, "big/object", bytes.NewReader(make([]byte, 12<<20)))
	require.NoError(t, err)
	require.Equal(t, 3, res.Parts)

	spans := rec.Ended()
	puts := named(spans, "s3kit.Put")
	require.Len(t, puts, 1)
	put := puts[0]
	assert.False(t, put.Parent().IsValid(), "s3kit.Put is the root span")
	assert.Equal(t, codes.Ok, put.Status().Code)
	assert.Equal(t, bucket, attr(put, "aws.s3.bucket"))
	assert.Equal(t, "big/object", attr(put, "aws.s3.key"))
	assert.Equal(t, []string{"S3.CompleteMultipartUpload", "S3.CreateMultipartUpload",
		"S3.UploadPart", "S3.UploadPart", "S3.UploadPart"}, children(spans, put))
	for _, s := range spans {
		assert.Equal(t, put.SpanContext().TraceID(), s.SpanContext().TraceID(), "span %s in the same trace", s.Name())
	}
	for _, part := range named(spans, "S3.UploadPart") {
		assert.Equal(t, put.SpanContext().SpanID(), part.Parent().SpanID())
		assert.Contains(t, children(spans, part), "RetryLoop", "the SDK's attempt spans are below each operation")
	}
}

// TestSpanRecordsTheError checks that a failed call's span has the error
// status, the S3 error code and the call's attributes.
func TestSpanRecordsTheError(t *testing.T) {
	t.Parallel()
	c, rec := tracedClient(t)
	_, err := c.Head(t.Context(), bucket, "missing")
	require.ErrorIs(t, err, s3kit.ErrNotFound)
	heads := named(rec.Ended(), "s3kit.Head")
	require.Len(t, heads, 1)
	assert.Equal(t, codes.Error, heads[0].Status().Code)
	assert.Equal(t, "true", attr(heads[0], "error"))
	assert.Equal(t, "NotFound", attr(heads[0], "api.error_code"))
	assert.Equal(t, "missing", attr(heads[0], "aws.s3.key"))
	assert.Contains(t, children(rec.Ended(), heads[0]), "S3.HeadObject")
}

// TestListSpanCoversTheLoop checks that a List span starts with the loop
// and holds the SDK's ListObjectsV2 span, and that a call refused before
// any request still has its span, with the error.
func TestListSpanCoversTheLoop(t *testing.T) {
	t.Parallel()
	c, rec := tracedClient(t)
	seq := c.List(t.Context(), bucket)
	assert.Empty(t, rec.Ended(), "no span before the loop")
	for _, err := range seq {
		require.NoError(t, err)
	}
	lists := named(rec.Ended(), "s3kit.List")
	require.Len(t, lists, 1)
	assert.Equal(t, codes.Ok, lists[0].Status().Code)
	assert.Equal(t, []string{"S3.ListObjectsV2"}, children(rec.Ended(), lists[0]))

	_, err := c.Put(t.Context(), "Bad_Bucket", "k", bytes.NewReader(nil))
	require.ErrorIs(t, err, s3kit.ErrInvalidInput)
	puts := named(rec.Ended(), "s3kit.Put")
	require.Len(t, puts, 1)
	assert.Equal(t, codes.Error, puts[0].Status().Code)
	assert.Empty(t, children(rec.Ended(), puts[0]), "no request was sent")
}

// TestRequestMetrics reads the SDK's request metrics with the
// OpenTelemetry SDK's manual reader after a Put and a Head.
func TestRequestMetrics(t *testing.T) {
	t.Parallel()
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	t.Cleanup(func() { _ = mp.Shutdown(t.Context()) })
	srv := s3kittest.NewServer(t)
	srv.CreateBucket(t, bucket)
	c := srv.Client(t, s3kitotel.WithMeterProvider(mp))
	_, err := c.Put(t.Context(), bucket, "k", bytes.NewReader([]byte("data")))
	require.NoError(t, err)
	_, err = c.Head(t.Context(), bucket, "k")
	require.NoError(t, err)

	var rm metricdata.ResourceMetrics
	require.NoError(t, reader.Collect(t.Context(), &rm))
	byName := map[string]metricdata.Metrics{}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			byName[m.Name] = m
		}
	}
	for _, name := range []string{"client.call.duration", "client.call.attempts", "client.call.attempt_duration"} {
		assert.Contains(t, byName, name)
	}
	duration, ok := byName["client.call.duration"].Data.(metricdata.Histogram[float64])
	require.True(t, ok, "client.call.duration is a histogram: %T", byName["client.call.duration"].Data)
	methods := map[string]uint64{}
	for _, dp := range duration.DataPoints {
		m, _ := dp.Attributes.Value(attribute.Key("rpc.method"))
		methods[m.AsString()] += dp.Count
	}
	assert.Equal(t, map[string]uint64{"PutObject": 1, "HeadObject": 1}, methods)
}

// TestNilProvidersAreNone checks that nil providers are accepted and
// trace nothing.
func TestNilProvidersAreNone(t *testing.T) {
	t.Parallel()
	srv := s3kittest.NewServer(t)
	srv.CreateBucket(t, bucket)
	c := srv.Client(t, s3kitotel.WithTracerProvider(nil), s3kitotel.WithMeterProvider(nil))
	_, err := c.Put(t.Context(), bucket, "k", bytes.NewReader([]byte("data")))
	require.NoError(t, err)
}

// TestNestedCallSpansKeepParts starts a multipart Put two smithy spans deep,
// as a call that wraps other calls does, and checks that each concurrent
// part's span still has the Put as its parent. smithy-go keeps the spans of
// a context in a slice that concurrent children would otherwise share.
func TestNestedCallSpansKeepParts(t *testing.T) {
	t.Parallel()
	rec := tracetest.NewSpanRecorder()
	otp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	t.Cleanup(func() { _ = otp.Shutdown(t.Context()) })
	srv := s3kittest.NewServer(t)
	srv.CreateBucket(t, bucket)
	c := srv.Client(t, s3kitotel.WithTracerProvider(otp), s3kit.WithMultipartThreshold(5<<20),
		s3kit.WithPartSize(5<<20), s3kit.WithConcurrency(4))
	tracer := smithyoteltracing.Adapt(otp).Tracer("test")
	ctx, outer := tracer.StartSpan(t.Context(), "outer")
	ctx, inner := tracer.StartSpan(ctx, "inner")
	_, err := c.Put(ctx, bucket, "k", bytes.NewReader(make([]byte, 21<<20)))
	require.NoError(t, err)
	inner.End()
	outer.End()
	spans := rec.Ended()
	puts := named(spans, "s3kit.Put")
	require.Len(t, puts, 1)
	assert.Equal(t, "inner", named(spans, "inner")[0].Name())
	assert.Equal(t, named(spans, "inner")[0].SpanContext().SpanID(), puts[0].Parent().SpanID())
	parts := named(spans, "S3.UploadPart")
	require.Len(t, parts, 5)
	for _, p := range parts {
		assert.Equal(t, puts[0].SpanContext().SpanID(), p.Parent().SpanID())
		assert.Contains(t, children(spans, p), "RetryLoop")
	}
}
