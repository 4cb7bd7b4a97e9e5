package s3kit

import (
	"context"
	"iter"

	"github.com/s3kit/s3kit/internal/observe"
)

// span starts the span of the public call op on bucket and key, as
// [WithTracerProvider] describes; the caller ends it with the call's error:
//
//	ctx, span := c.span(ctx, op, bucket, key)
//	defer span.End(&err)
//
// Without a tracer provider it returns ctx and does nothing.
func (c *Client) span(ctx context.Context, op, bucket, key string) (context.Context, observe.Span) {
	return c.conf().observe.Start(ctx, op, bucket, key)
}

// spanSeq is span for a call that returns an iterator: the span starts
// when the loop starts and ends with it, with the error the loop was given.
func (c *Client) spanSeq(ctx context.Context, op, bucket string, seq func(context.Context) iter.Seq2[Object, error]) iter.Seq2[Object, error] {
	if !c.conf().observe.Tracing() {
		return seq(ctx)
	}
	return func(yield func(Object, error) bool) {
		ctx, span := c.span(ctx, op, bucket, "")
		var err error
		defer span.End(&err)
		for obj, e := range seq(ctx) {
			if e != nil {
				err = e
			}
			if !yield(obj, e) {
				return
			}
		}
	}
}
