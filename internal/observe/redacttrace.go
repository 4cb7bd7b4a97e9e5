package observe

import (
	"context"

	"github.com/aws/smithy-go/tracing"
)

// redactedTraces is the tracer provider the SDK gets: the user's, whose
// spans have the query of every URL cut from their text attributes. The
// SDK sets the text of an operation's error on its span
// ("exception.message"), and net/http quotes the request's URL, query
// included, in that text (TestSpanAttributesNeverShowAURLQuery in
// s3kitotel).
type redactedTraces struct{ tp tracing.TracerProvider }

// Tracer returns tp's tracer for scope, redacted.
func (r redactedTraces) Tracer(scope string, opts ...tracing.TracerOption) tracing.Tracer {
	return redactedTracer{r.tp.Tracer(scope, opts...)}
}

type redactedTracer struct{ t tracing.Tracer }

// StartSpan starts the span with t and returns the context t made, so that
// the spans the context carries, which parent later ones, are t's own;
// only the span handed back to the caller, on which the SDK sets the
// error's text, is redacted.
func (r redactedTracer) StartSpan(ctx context.Context, name string, opts ...tracing.SpanOption) (context.Context, tracing.Span) {
	ctx, sp := r.t.StartSpan(ctx, name, opts...)
	return ctx, redactedSpan{sp}
}

// redactedSpan cuts URL queries from the text attributes set on Span.
type redactedSpan struct{ tracing.Span }

// SetProperty sets k to v, with the queries of the URLs in a text v cut.
func (s redactedSpan) SetProperty(k, v any) {
	if text, ok := v.(string); ok {
		v = StripQueries(text)
	}
	s.Span.SetProperty(k, v)
}
