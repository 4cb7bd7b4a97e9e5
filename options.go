package s3kit

import (
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/aws/smithy-go/metrics"
	"github.com/aws/smithy-go/tracing"

	"github.com/s3kit/s3kit/internal/transfer"
)

// Option configures a [Client] in [New]. Options are applied in order and
// validated once; an invalid option makes New return an error matching
// [ErrInvalidInput]. Only this package can implement Option.
type Option interface {
	applyClient(*config)
}

// ListOption configures one call to [Client.List].
type ListOption interface {
	applyList(*listConfig)
}

// PutOption configures one call to [Client.Put].
type PutOption interface {
	applyPut(*putConfig)
}

// GetOption configures one call to [Client.Get].
type GetOption interface {
	applyGet(*getConfig)
}

// DownloadOption configures one call to [Client.Download].
type DownloadOption interface {
	applyDownload(*downloadConfig)
}

// BucketOption configures one call to [Client.CreateBucket].
type BucketOption interface {
	applyBucket(*bucketConfig)
}

// TransferOption tunes multipart uploads and downloads. It can be given to
// [New], where it sets the client's default, or to [Client.Put] or
// [Client.Download], where it applies to that call only.
type TransferOption interface {
	Option
	PutOption
	DownloadOption
	DirOption
}

// ProgressOption reports the progress of a [Client.Put] or a
// [Client.Download]. It is both a [PutOption] and a [DownloadOption].
type ProgressOption interface {
	PutOption
	DownloadOption
}

// MD5Option turns the MD5 check of a [Client.Get] or a [Client.Download] on
// or off.
type MD5Option interface {
	GetOption
	DownloadOption
}

type clientOption func(*config)

func (f clientOption) applyClient(c *config) { f(c) }

type listOption func(*listConfig)

func (f listOption) applyList(c *listConfig) { f(c) }

type putOption func(*putConfig)

func (f putOption) applyPut(c *putConfig) { f(c) }

type getOption func(*getConfig)

func (f getOption) applyGet(c *getConfig) { f(c) }

type bucketOption func(*bucketConfig)

func (f bucketOption) applyBucket(c *bucketConfig) { f(c) }

// transferOption sets transfer settings on a client or on one call. which
// records, per call, that it was given, so that a call that does not use it
// can refuse it.
type transferOption struct {
	which given
	set   func(*transferConfig)
}

func (o transferOption) applyClient(c *config) { o.set(&c.transfer) }
func (o transferOption) applyPut(c *putConfig) { o.set(&c.transfer); c.given |= o.which }
func (o transferOption) applyDownload(c *downloadConfig) {
	o.set(&c.transfer)
	c.given |= o.which
}

// progressOption reports progress to a function.
type progressOption func(Progress)

func (f progressOption) applyPut(c *putConfig) { c.progress, c.given = f, c.given|givenProgress }
func (f progressOption) applyDownload(c *downloadConfig) {
	c.progress, c.given = f, c.given|givenProgress
}

// given records which per-call options that not every call uses were
// given to one call.
type given uint8

const (
	givenSize given = 1 << iota
	givenProgress
	givenThreshold
	givenPartSize
	givenConcurrency
	givenContentMD5
)

// String names the options, such as "WithSize and WithProgress".
func (g given) String() string {
	var names []string
	for i, name := range []string{"WithSize", "WithProgress", "WithMultipartThreshold", "WithPartSize", "WithConcurrency", "WithContentMD5"} {
		if g&(1<<i) != 0 {
			names = append(names, name)
		}
	}
	return strings.Join(names, " and ")
}

// refuseUnused returns an error naming the options in g that op does not
// use, or nil: an option that would do nothing is refused rather than
// dropped.
func refuseUnused(op, bucket, key string, g, used given) error {
	if unused := g &^ used; unused != 0 {
		return invalidf(op, bucket, key, "%s does not use %s: remove it", op, unused)
	}
	return nil
}

// md5Option turns the MD5 check of a download on or off.
type md5Option bool

func (o md5Option) applyGet(c *getConfig)           { c.noMD5 = !bool(o) }
func (o md5Option) applyDownload(c *downloadConfig) { c.verify = bool(o) }

// WithEndpoint sets the S3 endpoint URL, such as
// "https://NAMESPACE.s3.fr1.cloud-temple.com". It must be an absolute http or
// https URL with a host and no path, query or user information: New refuses
// any '@' in it with [ErrInvalidInput], without quoting the URL, and the
// credentials go in [WithCredentials]. Default: AWS S3 for the configured
// region. A non-AWS endpoint switches on path-style addressing and the
// compatible checksum mode (see the package doc).
func WithEndpoint(url string) Option {
	return clientOption(func(c *config) { c.endpoint, c.endpointSet, c.endpointFrom = url, true, "WithEndpoint" })
}

// WithRegion sets the signing region. Default: "eu-west-1" when an endpoint
// is given, otherwise the region from the environment (with [FromEnv]).
func WithRegion(region string) Option {
	return clientOption(func(c *config) { c.region = region })
}

// WithCredentials sets a static access key and secret key. Default: none,
// which is an error unless [FromEnv] finds credentials.
func WithCredentials(accessKey, secretKey string) Option {
	return clientOption(func(c *config) { c.accessKey, c.secretKey, c.credsSet = accessKey, secretKey, true })
}

// WithPathStyle chooses path-style addressing (endpoint/bucket/key) when on
// is true, or virtual-host addressing (bucket.endpoint/key) when false.
// Default: true for a custom endpoint, false for AWS.
func WithPathStyle(on bool) Option {
	return clientOption(func(c *config) { c.pathStyle, c.pathStyleSet = on, true })
}

// WithHTTPClient sets the HTTP client used for every request, for example one
// with its own proxy or timeouts; to trust a private certificate authority,
// [WithRootCAs] is simpler. Default: the AWS SDK's buildable client. The
// client must not be nil. s3kit sends through a copy of it that never
// follows a redirect changing the method (a 301, 302 or 303 answer to a PUT
// or DELETE, which net/http would follow with a GET and report as the
// write's success), as the SDK's own client does not
// (TestAttack14_RedirectedPutWithPlainClient), and that drops the session
// token on a redirect to another host, as net/http drops Authorization
// (TestAttack14_RedirectKeepsTheTokenHome). A PUT of 2 MiB or more (the
// SDK's threshold, which the direct path copies) asks the store to agree
// before its body is sent (Expect: 100-continue), so that a refusal comes
// back as such (TestAttack14_RefusedBeforeTheBody, with 3 MiB;
// TestWaitForContinue); net/http waits for that agreement only if the
// transport's ExpectContinueTimeout is set (the SDK's client waits 1 s;
// see http.Transport), and otherwise sends the body at once, which a store
// that refuses may cut off, leaving the outcome unknown.
func WithHTTPClient(hc *http.Client) Option {
	return clientOption(func(c *config) { c.httpClient, c.httpSet = hc, true })
}

// WithRootCAs makes the client trust the certificate authorities in
// pemCerts (PEM-encoded certificates, such as the contents of a ca.pem
// file) besides the system's, for an endpoint whose certificate a private
// CA signed:
//
//	pem, err := os.ReadFile("/etc/ssl/private-ca.pem")
//	if err != nil {
//		return err
//	}
//	client, err := s3kit.New(ctx,
//		s3kit.WithEndpoint("https://s3.internal.example:7443"),
//		s3kit.WithRootCAs(pem),
//		s3kit.WithCredentials(accessKey, secretKey))
//
// With [FromEnv], S3_CA_BUNDLE (or AWS_CA_BUNDLE) names such a file instead.
// New refuses pemCerts that hold no certificate, and WithRootCAs together
// with [WithHTTPClient]: set RootCAs in that client's transport instead.
// Whoever fetches a presigned or public URL must trust the CA too, as the
// client's own HTTP client does (TestMistakesUsersMake, TestCertificatePEM,
// TestAttack12_CABundleFromTheEnvironmentAndExplicitOptions). Default:
// the system's certificate authorities only.
func WithRootCAs(pemCerts []byte) Option {
	cp := append([]byte(nil), pemCerts...)
	return clientOption(func(c *config) { c.rootCAs, c.rootCAsFrom, c.rootCAsErr = cp, "WithRootCAs", nil })
}

// FromEnv reads settings that no other option sets from the environment:
// S3_ENDPOINT_URL, S3_ACCESS_KEY, S3_SECRET_KEY, S3_REGION and S3_CA_BUNDLE
// (a PEM file of certificate authorities to trust, as [WithRootCAs]) first,
// then the standard AWS variables (AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL,
// AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION, AWS_PROFILE,
// AWS_CA_BUNDLE) and the shared config files. Options given explicitly always win over the
// environment, wherever FromEnv stands in the list. An endpoint URL from the
// environment follows the rules of [WithEndpoint]: one holding user
// information is refused without being quoted. The EC2 instance metadata
// service is consulted for credentials only when no custom endpoint is set.
func FromEnv() Option {
	return clientOption(func(c *config) { c.fromEnv = true })
}

// WithProvider applies a provider profile. Every explicit option (such as
// [WithEndpoint], [WithRegion], [WithPathStyle] or [WithListV1]) wins over the
// profile, wherever it stands in the list; the profile wins over [FromEnv].
// With a profile that has no object ACLs, [Client.SetACL],
// [Client.MakePublic] and a Put with a public [WithACL] fail with
// [ErrACLNotSupported] without sending a request, and a key longer than the
// profile allows fails with [ErrInvalidInput]. Default: no profile, which
// is the generic compatible behaviour described in the package doc.
func WithProvider(p Provider) Option {
	return clientOption(func(c *config) { c.provider, c.providerSet = p, true })
}

// WithAllowInsecureHTTP lets [New] accept a plain http:// endpoint on a host
// that is not loopback. Without it such an endpoint is refused with
// [ErrInvalidInput], because credentials' signatures, object data and
// presigned URLs would cross the network unencrypted. Default: http:// is
// accepted only for localhost, 127.0.0.0/8 and ::1.
func WithAllowInsecureHTTP() Option {
	return clientOption(func(c *config) { c.allowInsecure = true })
}

// WithMaxAttempts sets how many times one request is tried in all, the first
// attempt included, when it fails with a transient error: HTTP 5xx, SlowDown
// and other throttling codes, RequestTimeout, a connection reset or refused
// before the answer was read, or an answer cut short or not parseable.
// Other errors (4xx) are never retried.
// Default: 5. It must be between 1 (no retries) and 20.
func WithMaxAttempts(n int) Option {
	return clientOption(func(c *config) { c.retry.MaxAttempts = n })
}

// WithRetryTimeout bounds the time one request may spend being retried: no
// new attempt starts once d has passed since the first one began. It does
// not cut short an attempt in progress (bound those with the context) nor
// the reading of a body that [Client.Get] returned. Default: 2 minutes. It
// must be between 1 millisecond and 1 hour.
func WithRetryTimeout(d time.Duration) Option {
	return clientOption(func(c *config) { c.retry.Timeout = d })
}

// WithPresignEndpoint makes [Client.PresignGet] and [Client.PresignPut] sign
// URLs for url instead of the endpoint the client talks to, for example a
// public name in front of an internal address. The URL's rules are those of
// [WithEndpoint]. Default: the client's endpoint.
func WithPresignEndpoint(url string) Option {
	return clientOption(func(c *config) { c.presignURL, c.presignSet = url, true })
}

// WithPublicBaseURL makes [Client.PublicURL] and [Client.MakePublic] build
// URLs on base, such as a CDN or a custom domain: the result is
// base/escaped-key. If base contains "{bucket}", the bucket name replaces it;
// otherwise base serves one bucket's root. It must be an absolute http or
// https URL without query, fragment or '@' (user information is refused
// without being quoted; write %40 for an '@' in the path). Default: URLs on
// the endpoint.
func WithPublicBaseURL(base string) Option {
	return clientOption(func(c *config) { c.publicBase, c.publicBaseSet = base, true })
}

// WithListV1 makes [Client.List] use ListObjects (version 1, with markers)
// instead of ListObjectsV2, for providers that only implement version 1.
// Default: false, unless a [Provider] profile sets it.
func WithListV1() Option {
	return clientOption(func(c *config) { c.listV1, c.listV1Set = true, true })
}

// WithRelaxedBucketNames(true) accepts, besides S3's current rules, the
// legacy bucket names that Dell ECS (and so Cloud Temple) allows: 1 to 255
// characters of ASCII letters of either case, digits, '.', '-' and '_',
// starting with a letter, digit or '-', not ending with '.', with no ".." and
// not an IP address. Ceph RGW with rgw_relaxed_s3_bucket_names accepts
// names like these too, though it wants at least 3 characters and allows a
// few more shapes (a leading '_', a trailing '.'), which s3kit still
// refuses. Such names are not valid host names, so they need path-style
// addressing: New refuses WithRelaxedBucketNames(true) with
// [WithPathStyle](false). Every other name still gets [ErrInvalidInput]
// before any request is sent.
//
// Default: S3's rules (3 to 63 lower-case letters, digits, '.' and '-'),
// except with the [CloudTemple] profile, which turns relaxed names on while
// path-style addressing is in use.
func WithRelaxedBucketNames(on bool) Option {
	return clientOption(func(c *config) { c.relaxedNames, c.relaxedSet = on, true })
}

// WithSignatureV2 signs every request with the legacy AWS signature version 2
// ("AWS access:signature" with HMAC-SHA1) instead of SigV4, for old
// S3-compatible servers that know nothing else. SigV4 is preferred: it is
// stronger, and AWS and most providers no longer accept SigV2. Presigned URLs
// are still signed with SigV4. SigV2 does not make the SDK's default
// streaming checksums safe: Ceph RGW over TLS accepts a SigV2-signed
// aws-chunked upload and stores the chunk framing as the object's data
// (seen with [Client.Doctor]), so s3kit keeps computing checksums only
// when required. SigV2 is only offered with path-style
// addressing; New refuses it with [WithPathStyle](false). Default: SigV4.
func WithSignatureV2() Option {
	return clientOption(func(c *config) { c.sigV2 = true })
}

// WithMultipartThreshold sets the size above which Put uses a multipart
// upload. Bodies of unknown size that are longer than one part also go
// multipart. Default: 16 MiB. It must be at least 5 MiB and at most 5 GiB.
func WithMultipartThreshold(n int64) TransferOption {
	return transferOption{givenThreshold, func(c *transferConfig) { c.threshold = n }}
}

// WithPartSize sets the size of a multipart upload's parts, and of the ranges
// [Client.Download] fetches. For a body of
// known size the part size is raised if needed so the object fits in 10,000
// parts; for a body of unknown size it is the first part's size and grows as
// the upload goes on. Default: 8 MiB. It must be between 5 MiB and 5 GiB.
// A Put holds at most concurrency × part size bytes in memory.
func WithPartSize(n int64) TransferOption {
	return transferOption{givenPartSize, func(c *transferConfig) { c.partSize = n }}
}

// WithConcurrency sets how many parts of a multipart upload, or ranges of a
// [Client.Download], are in flight at once. Default: 4. It must be between 1 and 64.
func WithConcurrency(n int) TransferOption {
	return transferOption{givenConcurrency, func(c *transferConfig) { c.concurrency = n }}
}

// WithContentMD5 sends Content-MD5 with every single PUT and every part, in
// addition to the signed SHA-256 of the body that s3kit always sends and the
// provider always checks. Some setups demand it, such as AWS buckets with
// Object Lock. It costs CPU: MD5 has no hardware support and runs at about a
// quarter of SHA-256's speed. Default: off.
func WithContentMD5(on bool) TransferOption {
	return transferOption{givenContentMD5, func(c *transferConfig) { c.contentMD5 = on }}
}

// WithProgress calls fn with the transfer's progress at most every 100 ms
// while it changes, and once more when it ends, whether it succeeded or
// not, before the call returns (TestProgressDownloadAlwaysReportsItsEnd);
// no goroutine is left behind. fn is always called from the same
// goroutine, never concurrently, so it may draw a progress bar without
// locking (TestPutProgress); it should return quickly. If fn panics, it is
// not called again, and the call panics with the same value once the
// transfer has ended (a multipart upload completed or aborted), in the
// caller's goroutine, where it can be recovered
// (TestProgressFunctionThatPanics). Bytes count as they
// go onto the wire or into the destination, not per part, and a transfer
// shows as done (Bytes == Total) only in the last report of a call that
// succeeded, once the provider has confirmed that the object is stored: see
// [Progress] for the rules and the tests that prove them. Default: no
// reporting.
func WithProgress(fn func(Progress)) ProgressOption { return progressOption(fn) }

// WithMD5Check turns the MD5 check of a download on or off. When on, a read
// of a whole object whose ETag is a plain MD5 (single-part upload, no SSE-KMS
// or SSE-C) is hashed, and a mismatch is an error matching
// [ErrDataCorrupted] instead of io.EOF. The length of every read is checked
// either way. Default: on for [Client.Get], where the body is hashed as it
// streams (about 2.7 ms of CPU per MiB here); off for [Client.Download],
// where checking means reading the written file back, which needs a
// destination that is also an io.ReaderAt, such as *os.File.
func WithMD5Check(on bool) MD5Option { return md5Option(on) }

// listConfig holds the settings of one List call.
type listConfig struct {
	prefix     string
	pageSize   int
	startAfter string
	delimiter  string
}

// WithPrefix limits a listing to keys that start with prefix. Default: all
// keys.
func WithPrefix(prefix string) ListOption {
	return listOption(func(c *listConfig) { c.prefix = prefix })
}

// WithPageSize sets how many keys are asked for per request, from 1 to 1000.
// Default: 1000. It changes the number of requests, not the result.
func WithPageSize(n int) ListOption {
	return listOption(func(c *listConfig) { c.pageSize = n })
}

// WithStartAfter starts a listing after key, in the provider's order.
// Default: from the first key.
func WithStartAfter(key string) ListOption {
	return listOption(func(c *listConfig) { c.startAfter = key })
}

// WithDelimiter groups keys that contain delimiter after the prefix into
// one entry per common prefix, as a directory listing does: with
// WithPrefix("photos/") and WithDelimiter("/"), "photos/2026/a.jpg" comes
// back as the entry "photos/2026/" with [Object.IsPrefix] set. Prefixes and
// objects come in key order. Default: no grouping.
func WithDelimiter(delimiter string) ListOption {
	return listOption(func(c *listConfig) { c.delimiter = delimiter })
}

// putConfig holds the settings of one Put call.
type putConfig struct {
	headers  transfer.Headers
	acl      ACL
	metadata map[string]string
	size     int64 // -1: unknown
	transfer transferConfig
	progress func(Progress)
	cond     transfer.Condition
	given    given // options given that not every call uses
}

// WithContentType sets the object's Content-Type. Default: none, which most
// providers store as "binary/octet-stream" or "application/octet-stream".
func WithContentType(ct string) PutOption {
	return putOption(func(c *putConfig) { c.headers.ContentType = ct })
}

// WithACL sets a canned ACL on the new object, such as [ACLPublicRead].
// Default: none, which leaves the provider's default (private).
func WithACL(acl ACL) PutOption {
	return putOption(func(c *putConfig) { c.acl = acl })
}

// WithMetadata sets user metadata, sent as x-amz-meta-* headers. Keys are
// case-insensitive HTTP header tokens (providers return them in lower case),
// so two keys must not differ only in case; values must be printable ASCII
// without tabs or leading and trailing spaces, so that they read back
// exactly. The map is copied. Default: none.
func WithMetadata(md map[string]string) PutOption {
	cp := make(map[string]string, len(md))
	for k, v := range md {
		cp[k] = v
	}
	return putOption(func(c *putConfig) { c.metadata = cp })
}

// WithCacheControl sets the object's Cache-Control header, such as
// "max-age=3600". Default: none.
func WithCacheControl(v string) PutOption {
	return putOption(func(c *putConfig) { c.headers.CacheControl = v })
}

// WithContentDisposition sets the object's Content-Disposition header, such
// as `attachment; filename="report.pdf"`. Default: none.
func WithContentDisposition(v string) PutOption {
	return putOption(func(c *putConfig) { c.headers.ContentDisposition = v })
}

// WithContentEncoding sets the object's Content-Encoding header, such as
// "gzip" for a body that is stored compressed: s3kit stores and returns the
// bytes as given, and only HTTP clients that honour the header decompress
// them. Default: none.
func WithContentEncoding(v string) PutOption {
	return putOption(func(c *putConfig) { c.headers.ContentEncoding = v })
}

// WithContentLanguage sets the object's Content-Language header, such as
// "fr-CA". Default: none.
func WithContentLanguage(v string) PutOption {
	return putOption(func(c *putConfig) { c.headers.ContentLanguage = v })
}

// WithSize tells Put how many bytes body holds when Put cannot find out
// itself (Put knows the size of *bytes.Reader, *bytes.Buffer,
// *strings.Reader, *os.File and any io.Seeker). Put fails without storing
// anything if the body turns out shorter or longer; for a body whose size Put
// can measure, a different n is refused with [ErrInvalidInput] before any
// request. Default: unknown.
func WithSize(n int64) PutOption {
	return putOption(func(c *putConfig) { c.size, c.given = n, c.given|givenSize })
}

// WithIfNoneMatch("*") makes [Client.Put] or [Client.Copy] create the object
// only if nothing is stored under the key yet: if an object exists, the write
// fails with an error matching [ErrPreconditionFailed] and the existing
// object is left as it was. "*" is the only value S3 defines; any other value
// is refused with [ErrInvalidInput] before any request is sent. It cannot be
// combined with [WithIfMatch] (S3 refuses both headers on one write).
//
// The condition travels as the If-None-Match header on PutObject, on
// CompleteMultipartUpload for a multipart Put (parts are uploaded first; the
// condition is checked when they are assembled, and a failed upload is
// aborted) and on CopyObject, or the CompleteMultipartUpload of a multipart
// copy. [Client.PresignPut] signs it, so the upload must send it as
// [Presigned.Header] lists it. Not every server enforces it: see the package
// doc ("Conditional writes") and [Client.Doctor]. With a provider profile
// known to ignore it for the write at hand, s3kit refuses it with
// [ErrInvalidInput] rather than send a condition that would be dropped.
//
// Default: no condition (the last write wins).
func WithIfNoneMatch(v string) PutOption {
	return putOption(func(c *putConfig) { c.cond.NoneMatch, c.cond.NoneMatchSet = v, true })
}

// WithIfMatch makes [Client.Put] or [Client.Copy] replace the object only if
// the object stored under the key now has entity tag etag, as returned in
// [Object.ETag] or [PutResult.ETag] (with or without the surrounding
// quotes): the compare-and-swap of optimistic concurrency. If the stored
// object's ETag differs, the write fails with an error matching
// [ErrPreconditionFailed] and the stored object is left as it was. If no
// object exists under the key, the write fails too: AWS and s3kittest answer
// 404 NoSuchKey ([ErrNotFound]), some servers 412 ([ErrPreconditionFailed]).
// etag must be non-empty printable ASCII without quotes inside, or "*" (any
// existing object); otherwise it is refused with [ErrInvalidInput] before
// any request. It cannot be combined with [WithIfNoneMatch].
//
// The ETag is sent without quotes, as AWS's own examples do: Ceph RGW 16.2
// compares the If-Match header with the bare ETag and refuses a quoted one
// (seen). Where the condition goes, which servers enforce it, and what a
// provider profile does are as for [WithIfNoneMatch].
//
// Default: no condition (the last write wins).
func WithIfMatch(etag string) PutOption {
	return putOption(func(c *putConfig) { c.cond.Match, c.cond.MatchSet = etag, true })
}

// getConfig holds the settings of one Get call.
type getConfig struct {
	offset   int64
	length   int64
	hasRange bool
	noMD5    bool // see WithMD5Check
}

// WithRange reads length bytes starting at offset. A length of 0 reads to the
// end of the object. Both must be non-negative. Default: the whole object.
func WithRange(offset, length int64) GetOption {
	return getOption(func(c *getConfig) { c.offset, c.length, c.hasRange = offset, length, true })
}

// downloadConfig holds the settings of one Download call.
type downloadConfig struct {
	transfer transferConfig
	progress func(Progress)
	verify   bool
	given    given // options given that not every call uses
}

// bucketConfig holds the settings of one CreateBucket call.
type bucketConfig struct {
	location string
}

// WithLocationConstraint asks CreateBucket to send a LocationConstraint for
// region. Default: none, which every S3-compatible server accepts; some (Ceph
// RGW among them) reject constraints they do not know.
func WithLocationConstraint(region string) BucketOption {
	return bucketOption(func(c *bucketConfig) { c.location = region })
}

// WithLogger makes the client log its requests to l (TestWithLoggerRecords):
//
//   - at [slog.LevelDebug], one record "s3 request" for each HTTP request
//     attempt, with op (the S3 operation, such as "UploadPart"), bucket,
//     key, part (for a part of a multipart upload), attempt (from 1),
//     status (0 when no answer came), duration, sent and received (bytes,
//     where the request's and the answer's Content-Length say; the body of
//     a Get is read after the record), request_id (x-amz-request-id), and
//     code (the S3 error code) and error when the attempt failed;
//   - at [slog.LevelWarn], one record "s3 request retry" before each retry,
//     with what failed (attempt, status, code, error), next_attempt and the
//     backoff waited;
//   - at [slog.LevelDebug], one record "s3 presign" for each presigned URL,
//     with the method and the URL without its query.
//
// Records never hold credentials, a header (so neither Authorization nor
// X-Amz-Security-Token), a body, or the query of any URL: a presigned URL's
// query holds its signature, and the text of an error is logged with the
// query of every URL in it cut (TestLogRecordsNeverShowSecrets). Only
// handlers enabled for a level get records built for it; a handler at
// [slog.LevelInfo] sees the retries only. Default: no logging, and no
// middleware added to the requests at all (TestNoObserverAddsNothing). A
// nil l is the default.
func WithLogger(l *slog.Logger) Option {
	return clientOption(func(c *config) { c.observe.Logger = l })
}

// WithTracerProvider sends traces to tp, a smithy-go tracer provider such
// as the OpenTelemetry adapter that s3kitotel.WithTracerProvider sets, so
// that this package does not depend on OpenTelemetry. Each public call
// that sends requests ([Client.Put], [Client.Get], [Client.Head],
// [Client.Delete], [Client.List], [Client.Copy], [Client.Download],
// [Client.DeleteMany], [Client.DeletePrefix], [Client.CreateBucket],
// [Client.DeleteBucket], [Client.SetACL], [Client.MakePublic],
// [Client.UploadFile], [Client.DownloadFile], [Client.UploadDir],
// [Client.DownloadDir] and [Client.Doctor]) starts one span named after it, such as "s3kit.Put",
// with the attributes aws.s3.bucket and aws.s3.key; the SDK's span of
// each S3 operation it sends ("S3.PutObject", "S3.UploadPart", ...) is its
// child, with the SDK's spans of each attempt below. The span ends when the
// call returns (for List, when the loop ends; for Get, before the body is
// read) and records the call's error (s3kitotel's TestMultipartPutTrace,
// TestSpanRecordsTheError, TestListSpanCoversTheLoop). No span attribute,
// s3kit's or the SDK's, holds the query of a URL: the SDK's error texts
// quote request URLs, and their queries are cut as in [WithLogger]'s
// records (s3kitotel's TestSpanAttributesNeverShowAURLQuery). Presigning and
// [Client.PublicURL] send nothing and start no span of s3kit's own.
// Default: none, and the calls start no span (TestNoObserverAddsNothing,
// and internal/observe's TestZeroSettingsCostNothing). A nil tp is the
// default.
func WithTracerProvider(tp tracing.TracerProvider) Option {
	return clientOption(func(c *config) { c.observe.SetTracerProvider(tp) })
}

// WithMeterProvider sends the SDK's request metrics to mp, a smithy-go
// meter provider such as the OpenTelemetry adapter that
// s3kitotel.WithMeterProvider sets: among them client.call.duration,
// client.call.attempts, client.call.attempt_duration and
// client.call.errors, per S3 operation (attribute rpc.method; s3kitotel's
// TestRequestMetrics). Default: none. A nil mp is the default.
func WithMeterProvider(mp metrics.MeterProvider) Option {
	return clientOption(func(c *config) { c.observe.Meters = mp })
}

// DirOption configures one call to [Client.UploadDir] or
// [Client.DownloadDir]. Every [TransferOption] is one too: [WithConcurrency]
// sets the one limit shared by all the files of the call, [WithPartSize]
// the parts and ranges of each large file. Only this package can
// implement DirOption.
type DirOption interface {
	applyDir(*dirConfig)
}

type dirOption func(*dirConfig)

func (f dirOption) applyDir(c *dirConfig) { f(c) }

func (o transferOption) applyDir(c *dirConfig) { o.set(&c.transfer); c.given |= o.which }

// dirConfig holds the settings of one UploadDir or DownloadDir call.
type dirConfig struct {
	include       []string
	exclude       []string
	skipUnchanged bool
	deleteExtra   bool
	keepGoing     bool
	follow        bool
	put           []PutOption // nil: none given
	putGiven      bool
	progress      func(DirProgress)
	transfer      transferConfig
	given         given
}

// WithInclude limits a directory transfer to the files that match at least
// one of patterns; it may be given several times, which adds patterns.
// Patterns are matched against the file's path relative to the directory,
// '/' separated on every system, which is also its key without the prefix.
// A pattern is made of '/'-separated segments, each matched as path.Match
// matches ('*' and '?' do not cross a '/'), and a segment "**" matches any
// number of segments, none included. A pattern without '/' is matched
// against the base name ("*.jpg" takes "a.jpg" and "photos/2026/b.jpg");
// one with '/' against the whole relative path ("photos/*.jpg" takes
// "photos/b.jpg" but not "photos/2026/b.jpg"; "photos/**/*.jpg" takes
// both). A malformed pattern is refused with [ErrInvalidInput] before any
// request (TestDirFilters), and so is a pattern with an empty, "." or ".."
// segment, such as "build/" or "/secret", which would match nothing
// (TestAttack13PatternsThatMatchNothing). Default: every file.
func WithInclude(patterns ...string) DirOption {
	p := append([]string(nil), patterns...)
	return dirOption(func(c *dirConfig) { c.include = append(c.include, p...) })
}

// WithExclude leaves out of a directory transfer the files that match one
// of patterns, and the directories that do with all they hold: with
// WithExclude(".git", "*.tmp"), neither ".git/config" nor "a/b.tmp" is
// transferred. Patterns read as for [WithInclude]; an exclude wins over an
// include. It may be given several times, which adds patterns
// (TestDirFilters). Default: nothing excluded.
func WithExclude(patterns ...string) DirOption {
	p := append([]string(nil), patterns...)
	return dirOption(func(c *dirConfig) { c.exclude = append(c.exclude, p...) })
}

// WithSkipUnchanged makes a directory transfer a one-way sync: a file whose
// destination has the same size and the same content is not transferred
// (it counts in [DirResult.Skipped]). The content is compared with the
// object's ETag where that is the MD5 of the data (an object stored in one
// PUT, without SSE-KMS or SSE-C), otherwise with the SHA-256 that
// [Client.UploadDir] stores, with this option, as the metadata
// "s3kit-sha256" of every object it writes (one HEAD for such an object),
// and failing that, for a download, with a multipart ETag computed from the
// local file. A file that cannot be shown to be the same is transferred.
// A second run over an unchanged tree sends no object data
// (TestDirSkipUnchanged). Default: every file is transferred.
func WithSkipUnchanged() DirOption {
	return dirOption(func(c *dirConfig) { c.skipUnchanged = true })
}

// WithDeleteExtra makes a directory transfer delete, once every file is
// transferred, what the destination holds under the prefix or the
// directory that the source does not have and the include and exclude
// patterns take: objects for [Client.UploadDir] (with
// [Client.DeleteMany]), regular files for [Client.DownloadDir] (never
// symbolic links, never directories). It deletes nothing outside the
// prefix or the directory, and nothing at all if any file failed
// (TestDirDeleteExtra). A source with nothing to transfer (an empty or
// unmounted directory, a mistyped prefix) would make it delete everything,
// so that case is refused with [ErrInvalidInput] and nothing is deleted
// (TestDirDeleteExtraRefusesAnEmptySource). Default: nothing is deleted.
func WithDeleteExtra() DirOption {
	return dirOption(func(c *dirConfig) { c.deleteExtra = true })
}

// WithContinueOnError makes a directory transfer go on after a file fails
// and report every failure at the end, in one [*DirError]. Default: the
// first failure cancels the transfers in flight, no file starts after it,
// and the error reports that failure (TestDirFailurePolicy).
func WithContinueOnError() DirOption {
	return dirOption(func(c *dirConfig) { c.keepGoing = true })
}

// WithFollowSymlinks makes [Client.UploadDir] follow symbolic links: a link
// to a file is uploaded under the link's name, a link to a directory is
// walked, except one that leads back to a directory above it. Without it,
// links are left out and counted in [DirResult.Excluded]
// (TestUploadDirSymlinks). [Client.DownloadDir] never writes through a
// link and refuses this option with [ErrInvalidInput]. Default: links are
// not followed.
func WithFollowSymlinks() DirOption {
	return dirOption(func(c *dirConfig) { c.follow = true })
}

// WithPutOptions applies opts to every object [Client.UploadDir] stores,
// such as [WithACL], [WithMetadata] or [WithCacheControl]; a
// [WithContentType] among them replaces the type that UploadDir takes from
// each file's extension. Options that cannot apply to every file alike
// ([WithSize], [WithIfMatch], [WithProgress]) and the [TransferOption]s,
// which go to UploadDir itself, are refused with [ErrInvalidInput]
// (TestUploadDirPutOptions), as is WithPutOptions for [Client.DownloadDir].
// Default: none.
func WithPutOptions(opts ...PutOption) DirOption {
	p := append([]PutOption(nil), opts...)
	return dirOption(func(c *dirConfig) { c.put, c.putGiven = append(c.put, p...), true })
}

// WithDirProgress calls fn with the progress of a directory transfer, all
// files together, at most every 100 ms while it runs and once more when it
// ends, from one goroutine whatever the number of files, so fn may draw
// without locking; it should return quickly. If fn panics, it is not called
// again (TestHoldKeepsTheFirstPanic), and the call panics with the same
// value once every file is done, in the caller's goroutine
// (TestAttack15_DirProgressFunctionThatPanics).
// Bytes count as they move for files sent in parts or ranges, and when the
// file is done for the others (TestDirProgress). Default: no reporting.
func WithDirProgress(fn func(DirProgress)) DirOption {
	return dirOption(func(c *dirConfig) { c.progress = fn })
}
