package s3kitotel_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/s3kit/s3kit"
	"github.com/s3kit/s3kit/s3kitotel"
	"github.com/s3kit/s3kit/s3kittest"
)

// TestSpanAttributesNeverShowAURLQuery makes every request of a multipart
// Put lose its connection, so that the SDK's errors quote the requests'
// URLs, and checks that no span attribute, s3kit's or the SDK's, holds the
// query of a URL (the upload ID, the part number), as WithLogger's records
// never do.
func TestSpanAttributesNeverShowAURLQuery(t *testing.T) {
	t.Parallel()
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	t.Cleanup(func() { _ = tp.Shutdown(t.Context()) })
	srv := s3kittest.NewServer(t, s3kittest.WithFaults(&s3kittest.Rule{Op: "UploadPart", Fault: s3kittest.ResetRequest(0)}))
	srv.CreateBucket(t, bucket)
	c := srv.Client(t, s3kitotel.WithTracerProvider(tp), s3kit.WithMaxAttempts(2),
		s3kit.WithMultipartThreshold(5<<20), s3kit.WithPartSize(5<<20))
	_, err := c.Put(t.Context(), bucket, "k", bytes.NewReader(make([]byte, 6<<20)))
	require.Error(t, err)
	spans := rec.Ended()
	require.NotEmpty(t, named(spans, "S3.UploadPart"))
	for _, s := range spans {
		for _, kv := range s.Attributes() {
			v := kv.Value.Emit()
			for _, q := range []string{"uploadId=", "partNumber=", "x-id="} {
				assert.False(t, strings.Contains(v, q), "span %s, attribute %s = %q", s.Name(), kv.Key, v)
			}
		}
		for _, ev := range s.Events() {
			for _, kv := range ev.Attributes {
				assert.NotContains(t, kv.Value.Emit(), "uploadId=", "span %s, event %s", s.Name(), ev.Name)
			}
		}
	}
}
