package observe

import (
	"log/slog"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go/metrics"
	"github.com/aws/smithy-go/tracing"
)

// Scope is the instrumentation scope of the spans s3kit starts itself.
const Scope = "github.com/s3kit/s3kit"

// Settings is what a client observes with. The zero Settings observes
// nothing and costs nothing.
type Settings struct {
	Logger *slog.Logger           // request records; nil: none
	Meters metrics.MeterProvider  // the SDK's request metrics; nil: none
	traces tracing.TracerProvider // the SDK's spans; nil: none
	tracer tracing.Tracer         // s3kit's own spans, from traces
}

// SetTracerProvider sends s3kit's spans and the SDK's to tp; nil turns
// tracing off. The SDK gets tp through [redactedTraces], so that no span
// attribute holds the query of a URL.
func (s *Settings) SetTracerProvider(tp tracing.TracerProvider) {
	s.traces, s.tracer = nil, nil
	if tp != nil {
		s.traces, s.tracer = redactedTraces{tp}, tp.Tracer(Scope)
	}
}

// Install sets the providers on the SDK's options and, with a logger, adds
// the request logging middleware. Without them it changes nothing.
func (s *Settings) Install(o *s3.Options) {
	if s.traces != nil {
		o.TracerProvider = s.traces
	}
	if s.Meters != nil {
		o.MeterProvider = s.Meters
	}
	if s.Logger != nil {
		o.APIOptions = append(o.APIOptions, LogRequests(s.Logger))
	}
}

// Tracing reports whether spans are on.
func (s *Settings) Tracing() bool { return s.tracer != nil }
