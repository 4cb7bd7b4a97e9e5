package observe

import (
	"sync"
	"testing"

	"github.com/aws/smithy-go/tracing"
	"github.com/stretchr/testify/assert"
)

// TestConcurrentCallsFromADeepCallerContext starts public calls' spans
// from concurrent goroutines that share one caller context whose lineage
// is three spans deep, and so has room for a fourth: the tracer appends
// each call's span to that lineage before the call can give it a lineage
// of its own, so every goroutine would write into the same slot (a data
// race that the race detector reports, and that can hand one call's
// context another's span). Each call's context must carry its own span.
func TestConcurrentCallsFromADeepCallerContext(t *testing.T) {
	var s Settings
	s.SetTracerProvider(fakeTracer{})
	ctx, _ := fakeTracer{}.StartSpan(t.Context(), "a")
	ctx, _ = fakeTracer{}.StartSpan(ctx, "b")
	ctx, _ = fakeTracer{}.StartSpan(ctx, "c")
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			call, span := s.Start(ctx, "Head", "b", "k")
			defer span.End(nil)
			for range 100 {
				got, _ := tracing.GetSpan(call)
				if !assert.Same(t, span.span, got, "goroutine %d", i) {
					return
				}
			}
		}()
	}
	wg.Wait()
}
