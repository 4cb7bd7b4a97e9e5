// Package s3kit makes S3-compatible object storage easy and safe to use from
// Go. It wraps the AWS SDK for Go v2 (service/s3) with a small, typed API:
// list a bucket through an iterator, put an object from any [io.Reader], get
// it as a stream, head and delete it, make it public and build its public URL.
//
// Its first-class target is Cloud Temple's object storage (Dell ECS
// underneath); it also works with Ceph RGW, MinIO, versitygw, AWS S3 and other
// S3-compatible providers.
//
// # The client
//
// [New] builds a [Client] from functional options and checks them once:
//
//	client, err := s3kit.New(ctx,
//		s3kit.WithEndpoint("https://NAMESPACE.s3.fr1.cloud-temple.com"),
//		s3kit.WithCredentials(accessKey, secretKey),
//	)
//
// or, reading S3_ENDPOINT_URL, S3_ACCESS_KEY, S3_SECRET_KEY and S3_REGION (then
// the standard AWS variables and files):
//
//	client, err := s3kit.New(ctx, s3kit.FromEnv())
//
// A Client is immutable and safe for concurrent use. Every method that does
// I/O takes a [context.Context] first; per-call options ([PutOption],
// [GetOption], [ListOption]) apply to that call only. [Client.S3] returns the
// configured SDK client for anything s3kit does not wrap.
//
// Head, Get, Delete, a Put sent in one request and each page of a listing go
// straight over the client's net/http client instead of through the SDK's
// per-call middleware stack: on an instant stub they take 0.5 to 0.6 times
// the time of the SDK's calls and 0.35 to 0.45 times their allocations, and
// a list page a fifth of the time (bench/small_test.go; the README's
// Performance section). They are built from the SDK client's settings,
// signed with the SDK's own signer and retried by the same retryer, and
// every error answer is decoded by the SDK's own operation, so requests,
// results and errors are the SDK's (TestDirectPathSendsAndMapsAsTheSDK; the
// conformance suite runs every server both ways). A client with a logger, a
// tracer or meter provider (TestDirectPathOffWhenObserved), AWS checksums or
// virtual-host addressing (route.go's directPath) sends every request
// through the SDK's stack.
//
// # Objects
//
// [Client.Put] streams its body. A body of known size up to 16 MiB goes in
// one PUT (read in place if it is an [io.ReaderAt] such as *os.File), as
// does a body of unknown size that fits in one part; larger bodies, and
// bodies of unknown size longer than one part (8 MiB by default), go as a
// multipart upload whose memory is
// bounded by concurrency × part size, and which is aborted if anything fails
// or the context is cancelled. Part buffers are reused from upload to upload:
// the process keeps at most 64 MiB of them idle, and lets them go 30 s after
// the last upload that used them. [Client.Get] returns an [ObjectReader] that
// streams the body and must be closed. [Client.Head] describes an object,
// [Client.Delete] removes it (a missing key is not an error, as in S3).
// Every single PUT and every part is signed with the SHA-256 of its body,
// which the provider checks ([WithContentMD5] adds Content-MD5).
//
// # Large transfers
//
// [Client.Download] fetches ranges concurrently straight into an
// [io.WriterAt], with If-Match on the ETag so that it never mixes two versions
// of an object. Both Download and the reader from Get resume a body whose
// connection drops, from the last byte received; if the object changed in the
// meantime the error matches [ErrObjectChanged]. Reads never end early
// without an error. Whole-object reads from Get are checked against a plain
// MD5 ETag ([ErrDataCorrupted]); [WithMD5Check] turns this off for Get and on
// for Download. [WithProgress] reports progress from one
// goroutine at most every 100 ms: bytes as they go onto the wire or into the
// destination, with a retried attempt's bytes taken back, and the transfer
// shown complete only once the object is stored (TestProgressNeverDoneBeforeStored).
//
// # Files and directories
//
// [Client.UploadFile] and [Client.DownloadFile] move one file; a download
// goes through a temporary file beside the target that is checked (length,
// and the MD5 or multipart ETag where it can be one), synced and renamed,
// so a failed download never leaves a partial file under the target name
// (TestDownloadFileLeavesNothingOnFailure). [Client.UploadDir] and
// [Client.DownloadDir] move a tree concurrently under one limit on requests
// in flight, with include and exclude patterns, [WithSkipUnchanged],
// [WithDeleteExtra] and a failure policy; a key that would escape the
// target directory or cannot be a file name is refused and reported, never
// written (TestDownloadDirRefusesEscapes).
//
// # Logs, traces and metrics
//
// [WithLogger] writes one debug record per HTTP attempt (operation, bucket,
// key, status, attempt, duration, bytes, request ID) and one warning per
// retry, and never credentials, signatures or URL queries
// (TestLogRecordsNeverShowSecrets). [WithTracerProvider] and
// [WithMeterProvider] take smithy-go providers and give each public call a
// span "s3kit.<Call>" whose children are the SDK's operation spans; the
// s3kitotel package adapts OpenTelemetry providers, so the root package does
// not depend on OpenTelemetry. Without them, nothing is added to a request.
//
// # Listing
//
// [Client.List] returns an [iter.Seq2] of [Object] and error. It fetches one
// page at a time as the loop asks for more, and stops the moment the loop
// breaks; no goroutine is involved. An error is yielded once and ends the
// loop. Providers that repeat a continuation token, or report a truncated
// page without one, end the listing with an error instead of a loop.
//
// [WithDelimiter] groups keys into common prefixes, which come back as
// entries with [Object.IsPrefix] set, like directories. [WithListV1] lists
// with ListObjects version 1 (markers) for providers without version 2; the
// loop protection covers markers too. Both ask for URL-encoded keys and
// decode them, so keys with control characters list back exactly on
// providers that support it (see [Client.List]).
//
// # Provider profiles
//
// Every S3-compatible provider differs a little. [WithProvider] applies a
// [Provider] profile that sets everything a provider needs: endpoint,
// region, addressing style, checksum mode, ListObjects version, object ACL
// support and key length limit:
//
//	client, err := s3kit.New(ctx,
//		s3kit.WithProvider(s3kit.CloudTemple("NAMESPACE", "fr1")),
//		s3kit.WithCredentials(accessKey, secretKey),
//	)
//
// Profiles: [CloudTemple], [AWS], [CephRGW], [MinIO], [Versitygw],
// [Scaleway], [OVHcloud], [Wasabi], [BackblazeB2], [CloudflareR2],
// [DigitalOceanSpaces] and [GoogleCloudStorage]. An explicit option always
// wins over the profile. With a profile that has no object ACLs, ACL calls
// fail with [ErrACLNotSupported] before any request is sent. Without a
// profile, s3kit uses the generic compatible settings below.
//
// # Presigned URLs
//
// [Client.PresignGet] and [Client.PresignPut] return a [Presigned] request
// that anyone can send without credentials until it expires (one second to
// 7 days, in whole seconds; [Presigned.Expires] says when). PresignPut binds
// [WithContentType] into the signature, so an upload with another
// Content-Type is refused. Keys are escaped as in public URLs (below), so
// "." and ".." segments reach the server unresolved. [WithPresignEndpoint]
// signs for a public host in front of the endpoint the client talks to.
//
// # Batch delete and copy
//
// [Client.DeleteMany] deletes the keys of an [iter.Seq] in DeleteObjects
// requests of 1000, with the Content-MD5 header some providers require and
// the SDK does not send; keys the provider refuses are listed in a
// [*DeleteError]. [Client.DeletePrefix] deletes everything under a prefix.
// [Client.Copy] copies inside the provider, in parts above 5 GiB.
//
// # Conditional writes
//
// [WithIfNoneMatch]("*") makes [Client.Put] or [Client.Copy] create the
// object only if the key is free, and [WithIfMatch](etag) replace it only if
// the stored object still has that ETag (compare-and-swap). A failed
// condition gives an error matching [ErrPreconditionFailed] and leaves the
// stored object as it was; of several create-only writes of one key, one
// wins. The condition is sent on PutObject, on CompleteMultipartUpload (so a
// multipart Put uploads its parts before the check, and is aborted if it
// fails) and on CopyObject; [Client.PresignPut] signs it. Bad values, and
// both options together, are [ErrInvalidInput] before any request.
//
// Servers do not all enforce these headers, and one that ignores them
// stores the write as if no condition were given. Seen with s3kit's
// conformance suite (internal/conformance, test ConditionalWrites, and the
// Doctor check): s3kittest enforces them on all three requests; Ceph RGW
// 16.2 on PutObject only; versitygw v1.8.0 on PutObject and
// CompleteMultipartUpload but not CopyObject. The [CephRGW] and [Versitygw]
// profiles therefore refuse, with [ErrInvalidInput] before any request, a
// conditional write that would go where the condition is ignored.
// [Client.Doctor] checks an endpoint (check "conditional writes"). A 412
// after an attempt whose answer was lost does not prove the write did not
// happen: such a write returns [ErrOutcomeUnknown].
//
// # ACLs and public URLs
//
// [WithACL] sets a canned [ACL] when putting; [Client.SetACL] changes the ACL
// of an existing object without touching its data; [Client.MakePublic] sets
// [ACLPublicRead] and returns [Client.PublicURL]. Public URLs are
// endpoint/bucket/key with path-style addressing (the default for custom
// endpoints) and bucket.endpoint/key otherwise, on the host the SDK's
// endpoint resolver gives (s3.cn-north-1.amazonaws.com.cn in China); a
// bucket name with dots goes path-style, as the SDK's requests do, because
// a wildcard certificate does not cover it. Keys are escaped segment by
// segment with S3's URI encoding, so "a b+c" becomes "a%20b%2Bc" and a CDN or
// strict server reads it back as the same key.
//
// Providers without object ACLs (MinIO, versitygw, AWS buckets with ACLs
// disabled) answer ACL requests with an error matching [ErrACLNotSupported];
// use a bucket policy there. [WithPublicBaseURL] builds public URLs on a CDN
// or custom domain instead of the endpoint.
//
// # Errors
//
// Every error a Client method returns is an [*Error] naming the operation,
// bucket and key, with the provider's code, HTTP status and request ID. It
// matches at most one sentinel with [errors.Is]:
//
//   - [ErrNotFound]: no such object (NoSuchKey from GET, NotFound from HEAD)
//   - [ErrBucketNotFound]: no such bucket
//   - [ErrAccessDenied]: AccessDenied, SignatureDoesNotMatch, InvalidAccessKeyId
//   - [ErrACLNotSupported]: the provider has no object ACLs
//   - [ErrInvalidInput]: a bad argument, refused before any request is sent
//   - [ErrDataCorrupted]: a download ended early or did not match its MD5
//   - [ErrObjectChanged]: the object changed during a resumed or ranged download
//   - [ErrPreconditionFailed]: a conditional write's condition did not hold
//   - [ErrOutcomeUnknown]: a write may or may not have taken effect
//
// It also unwraps to the SDK's error (for [errors.As] with smithy.APIError)
// and to [context.Canceled] or [context.DeadlineExceeded] when the context
// ended. [Error.Attempts] says how many requests were sent for the failed
// step. Errors never contain credentials, and neither does a printed or
// logged Client.
//
// # Retries and data safety
//
// Transient failures are retried with exponential backoff and full jitter:
// HTTP 5xx, SlowDown and other throttling codes, RequestTimeout, connection
// resets, and answers cut short or not parseable. Other 4xx errors fail at
// once.
// [WithMaxAttempts] (default 5) and [WithRetryTimeout] (default 2 minutes)
// bound each request; the SDK's retry-token quota is off, so a burst of 503s
// slows calls down instead of failing them.
//
// A write ([Client.Put], [Client.Copy], [Client.Delete]) that returns nil
// did what it says; one that returns an error not matching
// [ErrOutcomeUnknown] left the key as it was, with no multipart upload
// holding parts behind; one that returns [ErrOutcomeUnknown] may or may not
// have taken effect, because an attempt's answer was lost, garbled or a 500,
// or ctx ended while it was in flight, and nothing settled it. A completion
// whose answer was lost counts as a success only if an abort finds the
// upload gone and the object carries the ETag the parts produce.
// Only io.EOF ends a body: any other error from it, io.ErrUnexpectedEOF
// included, fails the Put. A multipart Copy pins its parts to the source's
// ETag and checks the source again before completing ([ErrObjectChanged]).
// s3kit aborts only uploads it created and knows the ID of: an upload whose
// CreateMultipartUpload answer was lost holds no parts and is left alone,
// since it cannot be told from another writer's; a bucket lifecycle rule
// (AbortIncompleteMultipartUpload) removes it. A download checks its length,
// and its MD5 when the ETag is one ([WithMD5Check]), so a short or damaged
// body fails with [ErrDataCorrupted] instead of ending cleanly. Every call
// returns promptly when its context is cancelled, except that a
// CreateMultipartUpload or CompleteMultipartUpload already sent gets up to
// 30 seconds more to answer, so that its outcome is known; an
// [ObjectReader] closed early releases its connection. A plain-http endpoint
// on a host that is not loopback is refused unless [WithAllowInsecureHTTP]
// is given. docs/RELIABILITY.md, "What a write promises", names the test behind
// each of these.
//
// # Compatibility
//
// For any endpoint that is not AWS, New switches on path-style addressing,
// uses region "eu-west-1" unless told otherwise, and sets the SDK's request
// checksum calculation and response validation to "when required". The SDK's
// default since 2025 sends uploads over HTTPS as aws-chunked bodies with
// trailing CRC32 checksums, which Dell ECS and Ceph RGW reject with
// XAmzContentSHA256Mismatch and some other servers store as corrupted data.
// Multipart uploads use the same client, so the setting covers them too.
// [Client.CreateBucket] sends no LocationConstraint unless asked, because Ceph
// RGW rejects constraints it does not know. Bucket names follow S3's current
// rules; [WithRelaxedBucketNames] also accepts the legacy names (upper case,
// '_', up to 255 characters) that Dell ECS allows, as the [CloudTemple]
// profile does.
//
// [WithSignatureV2] signs requests with the legacy SigV2 scheme, which some
// old servers and guides (boto3's signature_version='s3' for Cloud Temple's
// writes) still use. SigV4, the default, is preferred: it is stronger and
// the only scheme AWS and most providers accept today.
//
// [Client.Doctor] probes an endpoint (reachability, clock skew,
// authentication, addressing, ListObjectsV2, streaming checksums,
// Content-MD5 on DeleteObjects, object ACLs, anonymous reads, whether
// conditional writes are enforced, and whether a lifecycle rule aborts
// incomplete multipart uploads) and reports what it found with the
// options to use; examples/doctor runs it from the command line.
//
// # Testing
//
// The s3kittest package runs an in-process S3 server for tests, with ACL
// enforcement, conditional writes checked atomically per key, and the
// strictness about checksums that real providers have:
//
//	srv := s3kittest.NewServer(t)
//	srv.CreateBucket(t, "bucket")
//	client := srv.Client(t)
//
// It can also inject faults (error responses, connection resets, lost
// answers, delays, broken XML) by rules that match an operation, a key, the
// nth request or a seeded probability; see s3kittest.WithFaults.
package s3kit
