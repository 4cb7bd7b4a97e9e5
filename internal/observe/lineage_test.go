package observe

import (
	"context"
	"sync"
	"testing"

	"github.com/aws/smithy-go/tracing"
	"github.com/stretchr/testify/assert"
)

// fakeTracer starts spans as smithy-go's OpenTelemetry adapter does: it
// appends them to the context's lineage with tracing.WithSpan.
type fakeTracer struct{}

func (fakeTracer) Tracer(string, ...tracing.TracerOption) tracing.Tracer { return fakeTracer{} }

func (fakeTracer) StartSpan(ctx context.Context, name string, _ ...tracing.SpanOption) (context.Context, tracing.Span) {
	s := &fakeSpan{name: name}
	return tracing.WithSpan(ctx, s), s
}

type fakeSpan struct {
	tracing.Span // nil: only the methods below are called
	name         string
}

func (s *fakeSpan) SetProperty(any, any)         {}
func (s *fakeSpan) SetStatus(tracing.SpanStatus) {}
func (s *fakeSpan) End()                         {}

// TestConcurrentChildrenOfANestedCall starts a call's span three deep and
// children of it from concurrent goroutines, as a multipart upload's parts
// do, and checks under the race detector that each child stays the current
// span of its own context: smithy-go's lineage is a slice that children
// would share if the call's span left spare capacity behind it.
func TestConcurrentChildrenOfANestedCall(t *testing.T) {
	var s Settings
	s.SetTracerProvider(fakeTracer{})
	ctx, _ := fakeTracer{}.StartSpan(t.Context(), "outer")
	ctx, _ = fakeTracer{}.StartSpan(ctx, "inner")
	ctx, span := s.Start(ctx, "Put", "b", "k")
	defer span.End(nil)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			child, mine := fakeTracer{}.StartSpan(ctx, "part")
			for range 100 {
				got, _ := tracing.GetSpan(child)
				if !assert.Same(t, mine, got, "goroutine %d", i) {
					return
				}
			}
		}()
	}
	wg.Wait()
}
