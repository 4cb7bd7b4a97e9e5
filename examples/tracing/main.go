// Command tracing uploads one object in parts with OpenTelemetry tracing on
// and prints the trace as a tree: s3kit's span of the call, the SDK's span
// of each S3 operation below it, and the SDK's spans of each attempt.
//
//	go run ./examples/tracing
//	go run ./examples/tracing -log          # also print the request log
//	go run ./examples/tracing -retry=false  # no failed attempt
//	go run ./examples/tracing -sdk          # all the SDK's spans
//
// By default the first attempt of part 2 is answered 503 SlowDown by a
// RoundTripper in front of the real transport (Go's default one), so the
// trace and the log show a retry. Spans go to OpenTelemetry's in-memory
// exporter; a real program would use an OTLP exporter instead.
// Configuration comes from the environment (see examples/internal/demo);
// without it an embedded server is used.
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/s3kit/s3kit"
	"github.com/s3kit/s3kit/examples/internal/demo"
	"github.com/s3kit/s3kit/s3kitotel"
)

func main() {
	logs := flag.Bool("log", false, "print the request log (debug level) to stderr")
	retry := flag.Bool("retry", true, "answer the first attempt of part 2 with 503 SlowDown")
	sdk := flag.Bool("sdk", false, "show the SDK's inner spans (signing, endpoint, ...)")
	flag.Parse()
	if err := run(*logs, *retry, *sdk); err != nil {
		fmt.Fprintln(os.Stderr, "tracing:", err)
		os.Exit(1)
	}
}

func run(logs, retry, sdk bool) error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()

	exporter := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exporter))
	defer tp.Shutdown(context.Background())
	opts := []s3kit.Option{s3kitotel.WithTracerProvider(tp),
		s3kit.WithMultipartThreshold(5 << 20), s3kit.WithPartSize(5 << 20), s3kit.WithConcurrency(2)}
	if logs {
		log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
		opts = append(opts, s3kit.WithLogger(log))
	}
	if retry {
		opts = append(opts, s3kit.WithHTTPClient(&http.Client{Transport: &slowDownOnce{next: http.DefaultTransport}}))
	}
	env, err := demo.Setup(ctx, opts...)
	if err != nil {
		return err
	}
	defer env.Close()
	exporter.Reset() // forget the set-up's spans

	key := "traced/object.bin"
	res, err := env.Client.Put(ctx, env.Bucket, key, bytes.NewReader(make([]byte, 12<<20)))
	if err != nil {
		return err
	}
	fmt.Printf("uploaded %s/%s in %d parts\n\n", env.Bucket, key, res.Parts)
	printTree(os.Stdout, exporter.GetSpans(), sdk)
	return nil
}

// shown are the SDK's spans printed below each operation without -sdk.
var shown = []string{"Attempt", "DoHTTPRequest"}

// printTree prints spans as a tree, each child under its parent, in the
// order they started.
func printTree(w io.Writer, spans tracetest.SpanStubs, all bool) {
	children := map[trace.SpanID][]tracetest.SpanStub{}
	for _, s := range spans {
		children[s.Parent.SpanID()] = append(children[s.Parent.SpanID()], s)
	}
	for _, list := range children {
		slices.SortFunc(list, func(a, b tracetest.SpanStub) int { return a.StartTime.Compare(b.StartTime) })
	}
	var walk func(s tracetest.SpanStub, depth int)
	walk = func(s tracetest.SpanStub, depth int) {
		if all || depth < 2 || slices.Contains(shown, s.Name) {
			fmt.Fprintf(w, "%-64s %9s  %s\n", strings.Repeat("  ", depth)+s.Name+describe(s),
				s.EndTime.Sub(s.StartTime).Round(10*time.Microsecond), status(s))
		} else {
			depth-- // hidden: its children move up
		}
		for _, c := range children[s.SpanContext.SpanID()] {
			walk(c, depth+1)
		}
	}
	for _, root := range children[trace.SpanID{}] {
		fmt.Fprintf(w, "trace %s\n", root.SpanContext.TraceID())
		walk(root, 0)
	}
}

// describe returns the attributes worth a look: the object, the attempt,
// the HTTP status and the S3 error code.
func describe(s tracetest.SpanStub) string {
	var parts []string
	for _, key := range []attribute.Key{"aws.s3.bucket", "aws.s3.key", "operation.attempt", "http.status_code", "api.error_code"} {
		for _, kv := range s.Attributes {
			if kv.Key == key {
				parts = append(parts, fmt.Sprintf("%s=%s", kv.Key, kv.Value.Emit()))
			}
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return " [" + strings.Join(parts, " ") + "]"
}

// status is the span's status: ok, error or unset.
func status(s tracetest.SpanStub) string {
	return strings.ToLower(s.Status.Code.String())
}

// slowDownOnce answers the first UploadPart of part 2 with 503 SlowDown,
// as a busy server sheds load, and passes every other request on.
type slowDownOnce struct {
	next  http.RoundTripper
	fired atomic.Bool
}

func (s *slowDownOnce) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Method != http.MethodPut || r.URL.Query().Get("partNumber") != "2" || !s.fired.CompareAndSwap(false, true) {
		return s.next.RoundTrip(r)
	}
	if r.Body != nil {
		_, _ = io.Copy(io.Discard, r.Body)
		_ = r.Body.Close()
	}
	body := `<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>`
	return &http.Response{
		StatusCode: http.StatusServiceUnavailable, Status: "503 Service Unavailable",
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header:        http.Header{"Content-Type": {"application/xml"}, "X-Amz-Request-Id": {"injected-503"}},
		Body:          io.NopCloser(strings.NewReader(body)),
		ContentLength: int64(len(body)), Request: r,
	}, nil
}
