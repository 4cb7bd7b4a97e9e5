package s3kit

import (
	"net/http"

	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/s3kit/s3kit/internal/knobs"
	"github.com/s3kit/s3kit/internal/retry"
)

// Option configures a [Client] in [New]. Options are applied in order and
// validated once; an invalid option makes New return an error matching
// [ErrInvalidInput]. Only this package can implement Option.
type Option interface {
	applyClient(*clientConfig)
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

// TransferOption tunes multipart uploads and downloads. It can be given to
// [New], where it sets the client's default, or to [Client.Put] or
// [Client.Download], where it applies to that call only.
type TransferOption interface {
	Option
	PutOption
	DownloadOption
}

type clientOption func(*clientConfig)

func (f clientOption) applyClient(c *clientConfig) { f(c) }

type listOption func(*listConfig)

func (f listOption) applyList(c *listConfig) { f(c) }

type putOption func(*putConfig)

func (f putOption) applyPut(c *putConfig) { f(c) }

type getOption func(*getConfig)

func (f getOption) applyGet(c *getConfig) { f(c) }

// transferOption sets transfer settings on a client or on one Put.
type transferOption func(*transferConfig)

func (f transferOption) applyClient(c *clientConfig)     { f(&c.transfer) }
func (f transferOption) applyPut(c *putConfig)           { f(&c.transfer) }
func (f transferOption) applyDownload(c *downloadConfig) { f(&c.transfer) }

// clientConfig collects what the client options say before New validates it.
type clientConfig struct {
	endpoint     string
	endpointSet  bool
	endpointFrom string // where endpoint came from, for errors
	region       string
	accessKey    string
	secretKey    string
	credsSet     bool
	credsFromEnv bool
	pathStyle    bool
	pathStyleSet bool
	httpClient   *http.Client
	httpSet      bool
	fromEnv      bool
	transfer     transferConfig
	ext          extConfig // settings.go
	// Reliability and security settings (retry.go, security.go).
	retry         retry.Config
	allowInsecure bool
	sdkOptions    []func(*s3.Options) // set only by tests, see export_test.go
	copyLimits    copyLimits
}

// copyLimits says when Copy goes multipart and with which part size. Only
// tests change them (internal/knobs), to copy in parts with small objects.
type copyLimits struct {
	threshold int64 // objects larger than this are copied in parts; CopyObject copies at most 5 GiB
	partSize  int64 // raised so that the object fits in 10,000 parts
}

// defaultCopyLimits are the limits every Client uses outside tests.
var defaultCopyLimits = copyLimits{threshold: 5 << 30, partSize: 512 << 20}

func init() {
	knobs.WithCopyLimits = func(threshold, partSize int64) any {
		return clientOption(func(c *clientConfig) { c.copyLimits = copyLimits{threshold, partSize} })
	}
}

// transferConfig holds the multipart settings.
type transferConfig struct {
	threshold   int64 // bodies larger than this, or of unknown size, go multipart
	partSize    int64 // first part size; grows for unknown sizes
	concurrency int   // parts in flight at once
	contentMD5  bool  // send Content-MD5 with every PUT and part
}

const (
	defaultThreshold   = 16 << 20
	defaultPartSize    = 8 << 20
	defaultConcurrency = 4
	minPartSize        = 5 << 20
	maxPartSize        = 5 << 30
	maxParts           = 10000
	maxObjectSize      = 5 << 40
)

func defaultTransfer() transferConfig {
	return transferConfig{threshold: defaultThreshold, partSize: defaultPartSize, concurrency: defaultConcurrency}
}

// WithEndpoint sets the S3 endpoint URL, such as
// "https://NAMESPACE.s3.fr1.cloud-temple.com". It must be an absolute http or
// https URL with a host and no path, query or user information: New refuses
// any '@' in it with [ErrInvalidInput], without quoting the URL, and the
// credentials go in [WithCredentials]. Default: AWS S3 for the configured
// region. A non-AWS endpoint switches on path-style addressing and the
// compatible checksum mode (see the package doc).
func WithEndpoint(url string) Option {
	return clientOption(func(c *clientConfig) { c.endpoint, c.endpointSet, c.endpointFrom = url, true, "WithEndpoint" })
}

// WithRegion sets the signing region. Default: "eu-west-1" when an endpoint
// is given, otherwise the region from the environment (with [FromEnv]).
func WithRegion(region string) Option {
	return clientOption(func(c *clientConfig) { c.region = region })
}

// WithCredentials sets a static access key and secret key. Default: none,
// which is an error unless [FromEnv] finds credentials.
func WithCredentials(accessKey, secretKey string) Option {
	return clientOption(func(c *clientConfig) { c.accessKey, c.secretKey, c.credsSet = accessKey, secretKey, true })
}

// WithPathStyle chooses path-style addressing (endpoint/bucket/key) when on
// is true, or virtual-host addressing (bucket.endpoint/key) when false.
// Default: true for a custom endpoint, false for AWS.
func WithPathStyle(on bool) Option {
	return clientOption(func(c *clientConfig) { c.pathStyle, c.pathStyleSet = on, true })
}

// WithHTTPClient sets the HTTP client used for every request, for example one
// that trusts a private certificate authority. Default: the AWS SDK's
// buildable client. The client must not be nil.
func WithHTTPClient(hc *http.Client) Option {
	return clientOption(func(c *clientConfig) { c.httpClient, c.httpSet = hc, true })
}

// FromEnv reads settings that no other option sets from the environment:
// S3_ENDPOINT_URL, S3_ACCESS_KEY, S3_SECRET_KEY and S3_REGION first, then the
// standard AWS variables (AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL,
// AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION, AWS_PROFILE) and the
// shared config files. Options given explicitly always win over the
// environment, wherever FromEnv stands in the list. An endpoint URL from the
// environment follows the rules of [WithEndpoint]: one holding user
// information is refused without being quoted. The EC2 instance metadata
// service is consulted for credentials only when no custom endpoint is set.
func FromEnv() Option {
	return clientOption(func(c *clientConfig) { c.fromEnv = true })
}

// WithMultipartThreshold sets the size above which Put uses a multipart
// upload. Bodies of unknown size that are longer than one part also go
// multipart. Default: 16 MiB. It must be at least 5 MiB and at most 5 GiB.
func WithMultipartThreshold(n int64) TransferOption {
	return transferOption(func(c *transferConfig) { c.threshold = n })
}

// WithPartSize sets the size of a multipart upload's parts, and of the ranges
// [Client.Download] fetches. For a body of
// known size the part size is raised if needed so the object fits in 10,000
// parts; for a body of unknown size it is the first part's size and grows as
// the upload goes on. Default: 8 MiB. It must be between 5 MiB and 5 GiB.
// A Put holds at most concurrency × part size bytes in memory.
func WithPartSize(n int64) TransferOption {
	return transferOption(func(c *transferConfig) { c.partSize = n })
}

// WithConcurrency sets how many parts of a multipart upload, or ranges of a
// [Client.Download], are in flight at once. Default: 4. It must be between 1 and 64.
func WithConcurrency(n int) TransferOption {
	return transferOption(func(c *transferConfig) { c.concurrency = n })
}

// WithContentMD5 sends Content-MD5 with every single PUT and every part, in
// addition to the signed SHA-256 of the body that s3kit always sends and the
// provider always checks. Some setups demand it, such as AWS buckets with
// Object Lock. It costs CPU: MD5 has no hardware support and runs at about a
// quarter of SHA-256's speed. Default: off.
func WithContentMD5(on bool) TransferOption {
	return transferOption(func(c *transferConfig) { c.contentMD5 = on })
}

// validate checks the transfer settings; an error names op, bucket and key.
func (t transferConfig) validate(op, bucket, key string) error {
	switch {
	case t.threshold < minPartSize || t.threshold > maxPartSize:
		return invalidf(op, bucket, key, "multipart threshold %d out of range [5 MiB, 5 GiB]", t.threshold)
	case t.partSize < minPartSize || t.partSize > maxPartSize:
		return invalidf(op, bucket, key, "part size %d out of range [5 MiB, 5 GiB]", t.partSize)
	case t.concurrency < 1 || t.concurrency > 64:
		return invalidf(op, bucket, key, "concurrency %d out of range [1, 64]", t.concurrency)
	}
	return nil
}

// listConfig holds the settings of one List call.
type listConfig struct {
	prefix     string
	pageSize   int
	startAfter string
	delimiter  string // listing.go
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

// putConfig holds the settings of one Put call.
type putConfig struct {
	contentType  string
	acl          ACL
	metadata     map[string]string
	cacheControl string
	size         int64 // -1: unknown
	transfer     transferConfig
	progress     func(Progress)
	cond         writeCondition // conditional.go
}

// WithContentType sets the object's Content-Type. Default: none, which most
// providers store as "binary/octet-stream" or "application/octet-stream".
func WithContentType(ct string) PutOption {
	return putOption(func(c *putConfig) { c.contentType = ct })
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
	return putOption(func(c *putConfig) { c.cacheControl = v })
}

// WithSize tells Put how many bytes body holds when Put cannot find out
// itself (Put knows the size of *bytes.Reader, *bytes.Buffer,
// *strings.Reader, *os.File and any io.Seeker). Put fails without storing
// anything if the body turns out shorter or longer; for a body whose size Put
// can measure, a different n is refused with [ErrInvalidInput] before any
// request. Default: unknown.
func WithSize(n int64) PutOption {
	return putOption(func(c *putConfig) { c.size = n })
}

// getConfig holds the settings of one Get call.
type getConfig struct {
	offset   int64
	length   int64
	hasRange bool
	noMD5    bool // see WithMD5Check in reader.go
}

// WithRange reads length bytes starting at offset. A length of 0 reads to the
// end of the object. Both must be non-negative. Default: the whole object.
func WithRange(offset, length int64) GetOption {
	return getOption(func(c *getConfig) { c.offset, c.length, c.hasRange = offset, length, true })
}
