// Package transfer is s3kit's transfer engine: the ranged downloader behind
// Download, the resuming reader that Get and Download read through, and
// progress reporting. (The multipart upload shared by Put and Copy is to
// follow; issue 11.)
//
// It talks to S3 through [API], the calls it needs, which *s3.Client
// satisfies, and it builds SDK inputs in one mapping function per input
// (inputs.go).
//
// # Errors
//
// The engine cannot import the root package, whose *s3kit.Error every
// public call returns. It builds every error through [Errors], which the
// root package implements, so that an error is made once, with its
// operation, bucket, key and sentinel, and never changed afterwards.
package transfer
