// Package transfer is s3kit's transfer engine: the single PUT and the
// multipart upload behind Put, the CopyObject and multipart copy behind Copy
// (which share the upload's creation, completion, abort and recovery path),
// the ranged downloader behind Download, the resuming reader that Get and
// Download read through, and progress reporting.
//
// It talks to S3 through [API], the calls it needs, which *s3.Client
// satisfies, and it builds SDK inputs in one mapping function per input
// (inputs.go).
//
// # Files
//
// upload.go reads in the order a Put runs: [Upload.Single] and
// [Upload.Multipart], the reading of the body, then the multipart upload's
// creation, parts, completion, recovery and abort, which Copy (copy.go)
// shares. download.go holds the ranged downloader, resume.go the resuming
// reader and the checks of a GetObject answer.
//
// # Errors
//
// The engine cannot import the root package, whose *s3kit.Error every
// public call returns. It builds every error through [Errors], which the
// root package implements, so that an error is made once, with its
// operation, bucket, key and sentinel, and never changed afterwards.
package transfer
