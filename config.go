package s3kit

import (
	"context"
	"crypto/x509"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/s3kit/s3kit/internal/awsconf"
	"github.com/s3kit/s3kit/internal/knobs"
	"github.com/s3kit/s3kit/internal/names"
	"github.com/s3kit/s3kit/internal/observe"
	"github.com/s3kit/s3kit/internal/payload"
	"github.com/s3kit/s3kit/internal/retry"
	"github.com/s3kit/s3kit/internal/sigv2"
)

// config is a Client's whole configuration, in one place: the options fill
// it, then [newConfig] adds what the provider profile and the environment
// say and checks it, and [New] settles what depends on the endpoint. A
// Client keeps it and never changes it.
type config struct {
	endpoint     string
	endpointSet  bool
	endpointFrom string   // where endpoint came from, for errors
	endpointURL  *url.URL // endpoint once checked; nil means AWS S3
	region       string
	accessKey    string // cleared once the credentials provider holds it
	secretKey    string // cleared once the credentials provider holds it
	credsSet     bool
	credsFromEnv bool
	pathStyle    bool
	pathStyleSet bool
	httpClient   *http.Client
	httpSet      bool
	fromEnv      bool
	rootCAs      []byte         // PEM of WithRootCAs, or read from S3_CA_BUNDLE
	rootCAsFrom  string         // "WithRootCAs" or "S3_CA_BUNDLE", for errors; "" if none
	rootPool     *x509.CertPool // the system's roots and rootCAs, once checked
	rootCAsErr   error          // reading S3_CA_BUNDLE failed

	provider    Provider // the profile of WithProvider; the zero Provider if none
	providerSet bool

	presignURL    string
	presignSet    bool
	publicBase    string // without a trailing slash once checked; "" means endpoint-based public URLs
	publicBaseSet bool
	listV1        bool
	listV1Set     bool
	sigV2         bool
	relaxedNames  bool // once checked: legacy bucket names accepted (path-style only)
	relaxedSet    bool

	transfer      transferConfig
	copy          copyLimits
	retry         retry.Config
	allowInsecure bool
	observe       observe.Settings    // WithLogger, WithTracerProvider, WithMeterProvider
	sdkOptions    []func(*s3.Options) // set only by tests, see export_test.go
	direct        bool                // Head, Get, Delete, single PUTs and list pages on the direct request path (route.go); knobs.WithDirectPath(false) turns it off
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
	maxObjectSize      = 5 << 40
	maxMaxAttempts     = 20 // the most attempts WithMaxAttempts accepts
)

// defaultEndpointRegion is the region used with a custom endpoint when none is
// configured. Most S3-compatible servers accept any region in SigV4.
const defaultEndpointRegion = "eu-west-1"

// copyLimits say when Copy goes multipart and with which part size. Only
// tests change them (internal/knobs), to copy in parts with small objects.
type copyLimits struct {
	threshold int64 // objects larger than this are copied in parts; CopyObject copies at most 5 GiB
	partSize  int64 // raised so that the object fits in 10,000 parts
}

func init() {
	knobs.WithCopyLimits = func(threshold, partSize int64) any {
		return clientOption(func(c *config) { c.copy = copyLimits{threshold, partSize} })
	}
}

// newConfig applies opts, fills in from the provider profile and the
// environment what no option set, and checks everything that does not need
// the AWS configuration.
func newConfig(opts []Option) (*config, error) {
	cfg := &config{
		transfer: transferConfig{threshold: defaultThreshold, partSize: defaultPartSize, concurrency: defaultConcurrency},
		copy:     copyLimits{threshold: 5 << 30, partSize: 512 << 20},
		retry:    retry.Default(),
		direct:   true,
	}
	for _, o := range opts {
		if o == nil {
			return nil, invalidf("New", "", "", "nil Option")
		}
		o.applyClient(cfg)
	}
	if err := cfg.applyProvider(); err != nil {
		return nil, err
	}
	if cfg.fromEnv {
		cfg.fillFromEnv()
	}
	if err := cfg.check(); err != nil {
		return nil, err
	}
	return cfg, nil
}

// applyProvider fills from the profile what no explicit option set. It runs
// after all options, so an explicit option wins wherever it stands.
func (c *config) applyProvider() error {
	if !c.providerSet {
		return nil
	}
	p := &c.provider
	if err := p.check(); err != nil {
		return err
	}
	if !c.endpointSet && p.endpoint != "" {
		c.endpoint, c.endpointSet, c.endpointFrom = p.endpoint, true, p.name+" endpoint"
	}
	if c.region == "" {
		c.region = p.region
	}
	if !c.pathStyleSet && p.pathStyleSet {
		c.pathStyle, c.pathStyleSet = p.pathStyle, true
	}
	if !c.listV1Set {
		c.listV1 = p.listV1
	}
	if !c.relaxedSet {
		c.relaxedNames = p.relaxedNames
	}
	return nil
}

// fillFromEnv sets from S3_* variables what no explicit option set. The AWS_*
// variables and shared config are read later by config.LoadDefaultConfig.
func (c *config) fillFromEnv() {
	if !c.endpointSet {
		for _, name := range []string{"S3_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"} {
			if v := os.Getenv(name); v != "" {
				c.endpoint, c.endpointFrom = v, name
				break
			}
		}
	}
	if c.region == "" {
		c.region = os.Getenv("S3_REGION")
	}
	if c.rootCAsFrom == "" {
		if f := os.Getenv("S3_CA_BUNDLE"); f != "" {
			c.rootCAsFrom = "S3_CA_BUNDLE"
			c.rootCAs, c.rootCAsErr = os.ReadFile(f)
		}
	}
	if !c.credsSet {
		ak, sk := os.Getenv("S3_ACCESS_KEY"), os.Getenv("S3_SECRET_KEY")
		if ak != "" || sk != "" {
			c.accessKey, c.secretKey, c.credsSet, c.credsFromEnv = ak, sk, true, true
		}
	}
}

// check validates the settings and parses the endpoint.
func (c *config) check() error {
	if err := c.transfer.validate("New", "", ""); err != nil {
		return err
	}
	if err := checkRetry(c.retry); err != nil {
		return err
	}
	if c.httpSet && c.httpClient == nil {
		return invalidf("New", "", "", "WithHTTPClient: nil *http.Client")
	}
	if err := c.checkRootCAs(); err != nil {
		return err
	}
	if c.endpoint != "" || c.endpointSet {
		u, err := checkEndpoint(c.endpointFrom, c.endpoint)
		if err != nil {
			return err
		}
		c.endpointURL = u
	}
	return c.checkRegionAndKeys()
}

// checkRegionAndKeys defaults the region for a custom endpoint and checks
// it, and checks that credentials come as a pair.
func (c *config) checkRegionAndKeys() error {
	if c.region == "" && c.endpointURL != nil && !c.fromEnv {
		c.region = defaultEndpointRegion
	}
	if strings.ContainsAny(c.region, " \t\r\n/") {
		return invalidf("New", "", "", "region %q is not a valid region name", c.region)
	}
	if c.credsSet && (c.accessKey == "" || c.secretKey == "") {
		if c.credsFromEnv {
			return invalidf("New", "", "", "S3_ACCESS_KEY and S3_SECRET_KEY must both be set")
		}
		return invalidf("New", "", "", "WithCredentials: access key and secret key must both be set")
	}
	return nil
}

// checkRootCAs builds the pool of trusted certificate authorities from
// WithRootCAs or S3_CA_BUNDLE: the system's, and those given.
func (c *config) checkRootCAs() error {
	switch {
	case c.rootCAsFrom == "":
		return nil
	case c.httpSet && c.rootCAsFrom == "S3_CA_BUNDLE":
		c.rootCAs, c.rootCAsFrom, c.rootCAsErr = nil, "", nil // the explicit client wins over the environment
		return nil
	case c.rootCAsErr != nil:
		return invalidf("New", "", "", "S3_CA_BUNDLE: %v", c.rootCAsErr)
	case c.httpSet:
		return invalidf("New", "", "", "%s cannot be combined with WithHTTPClient: set RootCAs in the TLS configuration of that client's transport", c.rootCAsFrom)
	}
	pool, err := awsconf.RootPool(c.rootCAs)
	if err != nil {
		return invalidf("New", "", "", "%s: %v", c.rootCAsFrom, err)
	}
	c.rootPool = pool
	return nil
}

// awsConfig builds the SDK configuration (internal/awsconf). The static
// keys live on only behind its redacted credentials provider: they are
// cleared here, because the Client keeps this config.
func (c *config) awsConfig(ctx context.Context) (aws.Config, error) {
	s := awsconf.Settings{Region: c.region, FromEnv: c.fromEnv, CustomEndpoint: c.endpointURL != nil,
		HTTPClient: c.httpClient, RootCAs: c.rootPool, RootCAsPEM: c.rootCAs}
	if c.credsSet {
		s.AccessKey, s.SecretKey = c.accessKey, c.secretKey
		c.accessKey, c.secretKey = "", ""
	}
	cfg, err := awsconf.Load(ctx, s)
	if err != nil {
		return aws.Config{}, invalid("New", "", "", err)
	}
	return cfg, nil
}

// checkRetry validates the retry settings that options set.
func checkRetry(r retry.Config) error {
	switch {
	case r.MaxAttempts < 1 || r.MaxAttempts > maxMaxAttempts:
		return invalidf("New", "", "", "WithMaxAttempts: %d out of range [1, %d]", r.MaxAttempts, maxMaxAttempts)
	case r.Timeout < time.Millisecond || r.Timeout > time.Hour:
		return invalidf("New", "", "", "WithRetryTimeout: %v out of range [1ms, 1h]", r.Timeout)
	case r.BaseDelay < 0 || r.ThrottleDelay < 0 || r.MaxDelay < 0:
		return invalidf("New", "", "", "negative retry delay")
	}
	return nil
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

// settleEndpoint takes the endpoint FromEnv found in the shared
// configuration (endpoint_url) when no other was given, refuses plain http
// where it is not allowed, and settles the region.
func (c *config) settleEndpoint(awsCfg *aws.Config) error {
	if c.endpointURL == nil && awsCfg.BaseEndpoint != nil {
		u, err := checkEndpoint("endpoint_url in the AWS shared configuration", *awsCfg.BaseEndpoint)
		if err != nil {
			return err
		}
		c.endpointURL = u
	}
	if err := names.CheckTransport(c.endpointURL, c.allowInsecure); err != nil {
		return invalid("New", "", "", err)
	}
	if awsCfg.Region == "" && c.endpointURL != nil {
		awsCfg.Region = defaultEndpointRegion
	}
	if awsCfg.Region == "" {
		return invalidf("New", "", "", "no region configured: use WithRegion or set S3_REGION or AWS_REGION")
	}
	c.region = awsCfg.Region
	return nil
}

// isAWS reports whether the client talks to Amazon S3.
func (c *config) isAWS() bool {
	return c.endpointURL == nil || names.IsAWSHost(c.endpointURL.Hostname())
}

// forgetRawURLs drops the URL settings as they were given, once New has
// checked and parsed what it needs of them: a profile's endpoint that an
// explicit WithEndpoint overrode was never checked and may hold user
// information, and the Client keeps this config (a %s print of a struct
// that holds a Client shows it).
func (c *config) forgetRawURLs() {
	c.endpoint, c.presignURL = "", ""
	c.provider.endpoint = ""
}

// checkEndpoint parses and validates an endpoint URL that came from source,
// an option or environment variable named in errors (names.CheckEndpoint).
func checkEndpoint(source, raw string) (*url.URL, error) {
	u, err := names.CheckEndpoint(source, raw)
	if err != nil {
		return nil, invalid("New", "", "", err)
	}
	return u, nil
}

// settleAddressing chooses path-style or virtual-host addressing and checks
// the settings that depend on it.
func (c *config) settleAddressing() error {
	if !c.pathStyleSet {
		c.pathStyle = !c.isAWS()
	}
	if c.sigV2 && !c.pathStyle {
		return invalidf("New", "", "", "WithSignatureV2 needs path-style addressing")
	}
	if c.relaxedNames && !c.pathStyle {
		if c.relaxedSet {
			return invalidf("New", "", "", "WithRelaxedBucketNames needs path-style addressing")
		}
		c.relaxedNames = false // the profile's relaxed names only apply with path-style
	}
	if c.publicBaseSet {
		base, err := names.CheckPublicBase(c.publicBase)
		if err != nil {
			return invalid("New", "", "", err)
		}
		c.publicBase = base
	}
	return nil
}

// s3Options sets the SDK options of the client New builds.
func (c *config) s3Options(o *s3.Options) {
	o.UsePathStyle = c.pathStyle
	if c.endpointURL != nil {
		o.BaseEndpoint = aws.String(c.endpointURL.String())
	}
	if c.compatChecksums() {
		// Third-party stores (Dell ECS, Ceph RGW, ...) reject the
		// aws-chunked streaming checksums the SDK sends by default.
		o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
		o.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenRequired
	}
	o.DisableLogOutputChecksumValidationSkipped = true
	o.APIOptions = append(o.APIOptions, payload.WaitForContinue)
	if c.sigV2 {
		o.APIOptions = append(o.APIOptions, sigv2.APIOption(o.Credentials))
	}
	retry.Install(o, c.retry)
	c.observe.Install(o)
	for _, fn := range c.sdkOptions {
		fn(o)
	}
}

// compatChecksums reports whether the SDK must compute and validate
// checksums only when an operation requires them.
func (c *config) compatChecksums() bool {
	if c.providerSet {
		return c.provider.compatChecksums
	}
	return !c.isAWS()
}

// presignClient builds the client that signs presigned URLs, for the
// endpoint of WithPresignEndpoint if any.
func (c *config) presignClient(client *s3.Client) (*s3.PresignClient, error) {
	var presignEndpoint *url.URL
	if c.presignSet {
		u, err := checkEndpoint("WithPresignEndpoint", c.presignURL)
		if err != nil {
			return nil, err
		}
		presignEndpoint = u
	}
	return s3.NewPresignClient(client, func(po *s3.PresignOptions) {
		po.ClientOptions = append(po.ClientOptions, func(o *s3.Options) {
			// A presigned URL must not carry checksums of a body it has not
			// seen; the SDK's default would bind the checksum of an empty one.
			o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
			o.UsePathStyle = c.pathStyle
			if presignEndpoint != nil {
				o.BaseEndpoint = aws.String(presignEndpoint.String())
			}
		})
	}), nil
}
