package observe

import (
	"context"

	"github.com/aws/smithy-go/tracing"
)

// Span is the span of one public call, or nothing when tracing is off.
type Span struct {
	span tracing.Span
}

// Start begins the span "s3kit."+op with the bucket and key (if any) as
// attributes, and returns a context that carries it, so that the SDK's
// operation spans started under ctx become its children. With tracing off
// it returns ctx unchanged and a Span whose End does nothing, without
// allocating.
func (s *Settings) Start(ctx context.Context, op, bucket, key string) (context.Context, Span) {
	if s.tracer == nil {
		return ctx, Span{}
	}
	if parent, ok := tracing.GetSpan(ctx); ok {
		// The caller's lineage may have room that concurrent calls from
		// the same context would all append into
		// (TestConcurrentCallsFromADeepCallerContext).
		ctx = alone(ctx, parent)
	}
	ctx, sp := s.tracer.StartSpan(ctx, "s3kit."+op, func(o *tracing.SpanOptions) {
		o.Kind = tracing.SpanKindInternal
		o.Properties.Set("aws.s3.bucket", bucket)
		if key != "" {
			o.Properties.Set("aws.s3.key", key)
		}
	})
	return alone(ctx, sp), Span{sp}
}

// alone returns ctx with sp as the only span of its smithy-go lineage.
// smithy-go appends each new span to a slice kept in the context; after
// two spans, the slice has room for more, and the spans that concurrent
// goroutines start under sp (the parts of a multipart upload) would all
// be written into that room: a data race that can also give a child
// another's parent (TestConcurrentChildrenOfANestedCall). A lineage of one
// is full, so each child gets a slice of its own. Only the last span of a
// lineage parents new spans, so nothing else changes.
func alone(ctx context.Context, sp tracing.Span) context.Context {
	for {
		if _, ok := tracing.GetSpan(ctx); !ok {
			break
		}
		ctx, _ = tracing.PopSpan(ctx)
	}
	return tracing.WithSpan(ctx, sp)
}

// End ends the span, recording *err: an error sets the span's status to
// error and its text, and the S3 error code when there is one, as
// attributes. End takes a pointer so that a deferred call sees the error
// the call returns.
func (s Span) End(err *error) {
	if s.span == nil {
		return
	}
	defer s.span.End()
	if err == nil || *err == nil {
		s.span.SetProperty("error", false)
		s.span.SetStatus(tracing.SpanStatusOK)
		return
	}
	e := *err
	s.span.SetProperty("error", true)
	s.span.SetProperty("exception.message", ErrorText(e))
	if code := errorCode(e); code != "" {
		s.span.SetProperty("api.error_code", code)
	}
	s.span.SetStatus(tracing.SpanStatusError)
}
