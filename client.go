package s3kit

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"

	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/s3kit/s3kit/internal/direct"
	"github.com/s3kit/s3kit/internal/transfer"
)

// Client talks to one S3-compatible endpoint. Create it with [New]. A Client
// is immutable once created and safe for concurrent use by many goroutines;
// per-call options apply to that call only.
type Client struct {
	s3        *s3.Client
	presign   *s3.PresignClient
	endpoint  *url.URL // nil means AWS S3 for region
	region    string
	pathStyle bool
	cfg       *config        // as New checked it; never changed (a pointer keeps Client comparable)
	hot       *direct.Client // the direct request path (route.go); nil: every call goes through the SDK
}

// New builds a Client from opts. It checks every option and returns an error
// matching [ErrInvalidInput] for a malformed endpoint, a missing region or
// missing credentials, without sending any request. ctx is used only to load
// shared configuration and credentials when [FromEnv] is given.
//
// For any endpoint that is not AWS, New switches on path-style addressing and
// asks the SDK to compute and validate checksums only when an operation
// requires them; see the package documentation.
func New(ctx context.Context, opts ...Option) (*Client, error) {
	cfg, err := newConfig(opts)
	if err != nil {
		return nil, err
	}
	awsCfg, err := cfg.awsConfig(ctx)
	if err != nil {
		return nil, err
	}
	if err := cfg.settleEndpoint(&awsCfg); err != nil {
		return nil, err
	}
	if err := cfg.settleAddressing(); err != nil {
		return nil, err
	}
	client := s3.NewFromConfig(awsCfg, cfg.s3Options)
	presign, err := cfg.presignClient(client)
	if err != nil {
		return nil, err
	}
	cfg.forgetRawURLs()
	return &Client{s3: client, presign: presign, endpoint: cfg.endpointURL, region: cfg.region, pathStyle: cfg.pathStyle, cfg: cfg,
		hot: cfg.directPath(client)}, nil
}

// S3 returns the configured SDK client, for operations s3kit does not wrap.
// It carries the same endpoint, credentials, addressing and checksum settings
// as c. Errors it returns are the SDK's own, not [*Error].
func (c *Client) S3() *s3.Client { return c.s3 }

// String describes the client without its credentials. It has a value
// receiver so that printing a Client value, not only a pointer, uses it.
func (c Client) String() string {
	return fmt.Sprintf("s3kit.Client{endpoint: %s, region: %s, pathStyle: %t}", c.endpointName(), c.region, c.pathStyle)
}

// GoString is like String, so that %#v does not print credentials either.
func (c Client) GoString() string { return c.String() }

// LogValue describes the client for log/slog, without its credentials.
func (c Client) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("endpoint", c.endpointName()),
		slog.String("region", c.region),
		slog.Bool("pathStyle", c.pathStyle),
	)
}

// endpointName is the endpoint without user information, or "AWS".
func (c Client) endpointName() string {
	if c.endpoint == nil {
		return "AWS"
	}
	return c.endpoint.Redacted()
}

// conf returns the client's configuration. A Client must come from New,
// but the zero Client behaves as it did when its settings were fields of
// its own: empty, with errors rather than a panic.
func (c *Client) conf() *config {
	if c.cfg == nil {
		return &zeroConfig
	}
	return c.cfg
}

// zeroConfig is the configuration of the zero Client; nothing changes it.
var zeroConfig config

// target names op's object for the transfer engine.
func (c *Client) target(op, bucket, key string) *transfer.Target {
	return &transfer.Target{S3: c.objects(), Errs: engineErrors{}, Op: op, Bucket: bucket, Key: key}
}

// checkBucketName applies S3's bucket naming rules, or with
// [WithRelaxedBucketNames] the legacy rules of Dell ECS.
func (c *Client) checkBucketName(op, bucket string) error {
	return checkBucket(op, bucket, c.conf().relaxedNames)
}

// checkNames validates a bucket and a key together.
func (c *Client) checkNames(op, bucket, key string) error {
	return checkObject(op, bucket, key, c.conf().relaxedNames)
}
