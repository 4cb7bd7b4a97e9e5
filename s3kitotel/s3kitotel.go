// Package s3kitotel connects an s3kit client to OpenTelemetry. It adapts
// OpenTelemetry's tracer and meter providers with smithy-go's own adapters
// (smithyoteltracing, smithyotelmetrics), which the AWS SDK uses, and hands
// them to [s3kit.WithTracerProvider] and [s3kit.WithMeterProvider]. The
// package s3kit itself does not import OpenTelemetry: a program that does
// not import this package does not compile it.
//
//	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exporter))
//	client, err := s3kit.New(ctx, s3kit.FromEnv(),
//		s3kitotel.WithTracerProvider(tp),
//		s3kitotel.WithMeterProvider(otel.GetMeterProvider()))
//
// Each public call of the client is one span, such as "s3kit.Put", whose
// children are the SDK's spans of the S3 operations it sends, such as
// "S3.CreateMultipartUpload", "S3.UploadPart" and
// "S3.CompleteMultipartUpload" (TestMultipartPutTrace); the SDK's request
// metrics, such as client.call.duration, go to the meter provider
// (TestRequestMetrics). See examples/tracing for a trace printed as a tree.
package s3kitotel

import (
	"github.com/aws/smithy-go/metrics/smithyotelmetrics"
	"github.com/aws/smithy-go/tracing/smithyoteltracing"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"

	"github.com/s3kit/s3kit"
)

// WithTracerProvider sends the client's spans, s3kit's and the SDK's, to
// tp; see [s3kit.WithTracerProvider]. A nil tp sends none.
func WithTracerProvider(tp trace.TracerProvider) s3kit.Option {
	if tp == nil {
		return s3kit.WithTracerProvider(nil)
	}
	return s3kit.WithTracerProvider(smithyoteltracing.Adapt(tp))
}

// WithMeterProvider sends the SDK's request metrics to mp; see
// [s3kit.WithMeterProvider]. A nil mp sends none.
func WithMeterProvider(mp metric.MeterProvider) s3kit.Option {
	if mp == nil {
		return s3kit.WithMeterProvider(nil)
	}
	return s3kit.WithMeterProvider(smithyotelmetrics.Adapt(mp))
}
