package s3kit

import (
	"context"
	"log/slog"
	"net"
	"net/url"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// WithAllowInsecureHTTP lets [New] accept a plain http:// endpoint on a host
// that is not loopback. Without it such an endpoint is refused with
// [ErrInvalidInput], because credentials' signatures, object data and
// presigned URLs would cross the network unencrypted. Default: http:// is
// accepted only for localhost, 127.0.0.0/8 and ::1.
func WithAllowInsecureHTTP() Option {
	return clientOption(func(c *clientConfig) { c.allowInsecure = true })
}

// checkTransport refuses a plain-http endpoint on a host that is not
// loopback unless allow is set.
func checkTransport(endpoint *url.URL, allow bool) error {
	if endpoint == nil || endpoint.Scheme != "http" || allow || isLoopback(endpoint.Hostname()) {
		return nil
	}
	return invalidf("New", "", "", "endpoint %q uses plain http on a host that is not loopback; use https or WithAllowInsecureHTTP", endpoint.Redacted())
}

// redactURL returns a URL setting fit for an error or a log: everything
// before its last '@', which may be user information or part of a mangled
// one, is replaced, and the scheme is kept.
func redactURL(raw string) string {
	at := strings.LastIndex(raw, "@")
	if at < 0 {
		return raw
	}
	scheme := ""
	if i := strings.Index(raw[:at], "://"); i > 0 && strings.Trim(raw[:i], "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+-.") == "" {
		scheme = raw[:i+3]
	}
	return scheme + "REDACTED@" + raw[at+1:]
}

// isLoopback reports whether host names this machine.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// secretProvider holds static credentials behind a pointer whose printed
// forms are redacted, so that even a deep print of the SDK's options (fmt
// walks unexported fields without calling their methods) shows an address,
// not the secret.
type secretProvider struct{ p aws.CredentialsProvider }

func redactedCredentials(p aws.CredentialsProvider) aws.CredentialsProvider {
	return &secretProvider{p: p}
}

// Retrieve returns the credentials.
func (s *secretProvider) Retrieve(ctx context.Context) (aws.Credentials, error) {
	return s.p.Retrieve(ctx)
}

// String hides the credentials.
func (s *secretProvider) String() string { return "s3kit.credentials{REDACTED}" }

// GoString hides the credentials.
func (s *secretProvider) GoString() string { return s.String() }

// LogValue hides the credentials.
func (s *secretProvider) LogValue() slog.Value { return slog.StringValue(s.String()) }

// LogValue describes the client for log/slog, without its credentials.
func (c Client) LogValue() slog.Value {
	ep := "AWS"
	if c.endpoint != nil {
		ep = c.endpoint.Redacted()
	}
	return slog.GroupValue(
		slog.String("endpoint", ep),
		slog.String("region", c.region),
		slog.Bool("pathStyle", c.pathStyle),
	)
}
