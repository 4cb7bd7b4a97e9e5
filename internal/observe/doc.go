// Package observe holds the mechanics behind s3kit's logs, traces and
// metrics: a [Settings] value that the root package's options fill and that
// installs itself on the SDK's options, the smithy middleware that writes
// one log record per HTTP request attempt and one warning per retry, and
// the span that each public call of the root package starts.
//
// Nothing here imports OpenTelemetry: traces and metrics go through
// smithy-go's provider interfaces, which the SDK already uses, and the
// public package s3kitotel adapts OpenTelemetry's providers to them. With
// no logger and no providers, [Settings.Install] adds no middleware and
// [Settings.Start] returns its context unchanged.
package observe
