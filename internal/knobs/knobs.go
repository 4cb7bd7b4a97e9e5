// Package knobs gives s3kit's tests, and the conformance suite, options
// that lower internal limits to exercise code paths, such as multipart copy,
// with small objects. Only s3kit and its tests import it; nothing here is
// part of the API, and nothing here changes a running Client: each knob is
// an option given to s3kit.New, so tests that use it can run in parallel.
package knobs

// WithCopyLimits returns an s3kit.Option (as any, since this package cannot
// import s3kit) that makes Copy use a multipart copy for objects larger than
// threshold, in parts of partSize. Package s3kit sets it when it is
// initialised; use it as knobs.WithCopyLimits(t, p).(s3kit.Option).
var WithCopyLimits func(threshold, partSize int64) any

// WithDirectPath returns an s3kit.Option (as any) that sends Head, Get,
// Delete, a single Put and the pages of List on the direct request path
// (internal/direct) when on, the default, or every call through the SDK's
// middleware stack when off. The conformance suite runs each target both
// ways, and the benchmarks measure both.
var WithDirectPath func(on bool) any
