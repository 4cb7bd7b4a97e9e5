package s3kit

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/feature/ec2/imds"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/s3kit/s3kit/internal/retry"
)

// Client talks to one S3-compatible endpoint. Create it with [New]. A Client
// is immutable once created and safe for concurrent use by many goroutines;
// per-call options apply to that call only.
type Client struct {
	s3        *s3.Client
	endpoint  *url.URL // nil means AWS S3 for region
	region    string
	pathStyle bool
	transfer  transferConfig
	copy      copyLimits
	ext       clientExt // settings.go
}

// defaultEndpointRegion is the region used with a custom endpoint when none is
// configured. Most S3-compatible servers accept any region in SigV4.
const defaultEndpointRegion = "eu-west-1"

// New builds a Client from opts. It checks every option and returns an error
// matching [ErrInvalidInput] for a malformed endpoint, a missing region or
// missing credentials, without sending any request. ctx is used only to load
// shared configuration and credentials when [FromEnv] is given.
//
// For any endpoint that is not AWS, New switches on path-style addressing and
// asks the SDK to compute and validate checksums only when an operation
// requires them; see the package documentation.
func New(ctx context.Context, opts ...Option) (*Client, error) {
	cfg := clientConfig{transfer: defaultTransfer(), retry: retry.Default(), copyLimits: defaultCopyLimits}
	for _, o := range opts {
		if o == nil {
			return nil, invalidf("New", "", "", "nil Option")
		}
		o.applyClient(&cfg)
	}
	if err := cfg.applyProvider(); err != nil {
		return nil, err
	}
	if cfg.fromEnv {
		cfg.fillFromEnv()
	}
	if err := cfg.transfer.validate("New", "", ""); err != nil {
		return nil, err
	}
	if err := checkRetry(cfg.retry); err != nil {
		return nil, err
	}
	if cfg.httpSet && cfg.httpClient == nil {
		return nil, invalidf("New", "", "", "WithHTTPClient: nil *http.Client")
	}
	var endpoint *url.URL
	if cfg.endpoint != "" || cfg.endpointSet {
		u, err := checkEndpoint(cfg.endpointFrom, cfg.endpoint)
		if err != nil {
			return nil, err
		}
		endpoint = u
	}
	isAWS := endpoint == nil || isAWSHost(endpoint.Hostname())
	if cfg.region == "" && endpoint != nil && !cfg.fromEnv {
		cfg.region = defaultEndpointRegion
	}
	if strings.ContainsAny(cfg.region, " \t\r\n/") {
		return nil, invalidf("New", "", "", "region %q is not a valid region name", cfg.region)
	}
	if cfg.credsSet && (cfg.accessKey == "" || cfg.secretKey == "") {
		if cfg.credsFromEnv {
			return nil, invalidf("New", "", "", "S3_ACCESS_KEY and S3_SECRET_KEY must both be set")
		}
		return nil, invalidf("New", "", "", "WithCredentials: access key and secret key must both be set")
	}

	awsCfg, err := cfg.awsConfig(ctx, endpoint)
	if err != nil {
		return nil, err
	}
	if endpoint == nil && awsCfg.BaseEndpoint != nil {
		// FromEnv found AWS_ENDPOINT_URL in the shared configuration.
		if endpoint, err = checkEndpoint("endpoint_url in the AWS shared configuration", *awsCfg.BaseEndpoint); err != nil {
			return nil, err
		}
		isAWS = isAWSHost(endpoint.Hostname())
	}
	if err := checkTransport(endpoint, cfg.allowInsecure); err != nil {
		return nil, err
	}
	if awsCfg.Region == "" && endpoint != nil {
		awsCfg.Region = defaultEndpointRegion
	}
	if awsCfg.Region == "" {
		return nil, invalidf("New", "", "", "no region configured: use WithRegion or set S3_REGION or AWS_REGION")
	}
	pathStyle := !isAWS
	compat := cfg.compatChecksums(isAWS)
	if cfg.pathStyleSet {
		pathStyle = cfg.pathStyle
	}

	client := s3.NewFromConfig(awsCfg, func(o *s3.Options) {
		o.UsePathStyle = pathStyle
		if endpoint != nil {
			o.BaseEndpoint = aws.String(endpoint.String())
		}
		if compat {
			// Third-party stores (Dell ECS, Ceph RGW, ...) reject the
			// aws-chunked streaming checksums the SDK sends by default.
			o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
			o.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenRequired
		}
		o.DisableLogOutputChecksumValidationSkipped = true
		cfg.s3Options(o)
		retry.Install(o, cfg.retry)
		for _, fn := range cfg.sdkOptions {
			fn(o)
		}
	})
	ext, err := cfg.buildExt(client, pathStyle)
	if err != nil {
		return nil, err
	}
	return &Client{
		s3:        client,
		endpoint:  endpoint,
		region:    awsCfg.Region,
		pathStyle: pathStyle,
		transfer:  cfg.transfer,
		copy:      cfg.copyLimits,
		ext:       ext,
	}, nil
}

// S3 returns the configured SDK client, for operations s3kit does not wrap.
// It carries the same endpoint, credentials, addressing and checksum settings
// as c. Errors it returns are the SDK's own, not [*Error].
func (c *Client) S3() *s3.Client { return c.s3 }

// String describes the client without its credentials. It has a value
// receiver so that printing a Client value, not only a pointer, uses it.
func (c Client) String() string {
	ep := "AWS"
	if c.endpoint != nil {
		ep = c.endpoint.Redacted()
	}
	return fmt.Sprintf("s3kit.Client{endpoint: %s, region: %s, pathStyle: %t}", ep, c.region, c.pathStyle)
}

// GoString is like String, so that %#v does not print credentials either.
func (c Client) GoString() string { return c.String() }

// fillFromEnv sets from S3_* variables what no explicit option set. The AWS_*
// variables and shared config are read later by config.LoadDefaultConfig.
func (c *clientConfig) fillFromEnv() {
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
	if !c.credsSet {
		ak, sk := os.Getenv("S3_ACCESS_KEY"), os.Getenv("S3_SECRET_KEY")
		if ak != "" || sk != "" {
			c.accessKey, c.secretKey, c.credsSet, c.credsFromEnv = ak, sk, true, true
		}
	}
}

// awsConfig builds the SDK configuration: static when FromEnv is not given,
// otherwise from the standard AWS sources with explicit settings on top.
func (c *clientConfig) awsConfig(ctx context.Context, endpoint *url.URL) (aws.Config, error) {
	var static aws.CredentialsProvider
	if c.credsSet {
		static = redactedCredentials(credentials.NewStaticCredentialsProvider(c.accessKey, c.secretKey, ""))
	}
	var hc aws.HTTPClient
	if c.httpClient != nil {
		hc = c.httpClient
	}
	if !c.fromEnv {
		if static == nil {
			return aws.Config{}, invalidf("New", "", "", "no credentials: use WithCredentials or FromEnv")
		}
		// A nil HTTPClient makes the SDK use its own default client.
		return aws.Config{Region: c.region, Credentials: static, HTTPClient: hc}, nil
	}

	loadOpts := []func(*config.LoadOptions) error{}
	if c.region != "" {
		loadOpts = append(loadOpts, config.WithRegion(c.region))
	}
	if static != nil {
		loadOpts = append(loadOpts, config.WithCredentialsProvider(static))
	}
	if endpoint != nil {
		// Instance metadata only exists on AWS; never probe it for a
		// third-party endpoint.
		loadOpts = append(loadOpts, config.WithEC2IMDSClientEnableState(imds.ClientDisabled))
	}
	cfg, err := config.LoadDefaultConfig(ctx, loadOpts...)
	if err != nil {
		return aws.Config{}, invalidf("New", "", "", "loading AWS configuration: %v", err)
	}
	if hc != nil {
		// Set after loading: an explicit client wins over AWS_CA_BUNDLE,
		// which LoadDefaultConfig cannot apply to a client it did not build.
		cfg.HTTPClient = hc
	}
	if cfg.Credentials == nil {
		return aws.Config{}, invalidf("New", "", "", "no credentials found in the environment")
	}
	if static == nil {
		if _, err := cfg.Credentials.Retrieve(ctx); err != nil {
			return aws.Config{}, &Error{Op: "New", kind: ErrInvalidInput, Err: fmt.Errorf("no credentials found in the environment: %w", err)}
		}
	}
	return cfg, nil
}

// isAWSHost reports whether host is an Amazon S3 endpoint.
func isAWSHost(host string) bool {
	host = strings.ToLower(host)
	return strings.HasSuffix(host, ".amazonaws.com") || strings.HasSuffix(host, ".amazonaws.com.cn")
}
