package s3kit

import (
	"log/slog"
	"net"
	"net/url"
	"strings"
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

// isLoopback reports whether host names this machine.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// LogValue describes the client for log/slog, without its credentials.
func (c *Client) LogValue() slog.Value {
	ep := "AWS"
	if c.endpoint != nil {
		ep = c.endpoint.String()
	}
	return slog.GroupValue(
		slog.String("endpoint", ep),
		slog.String("region", c.region),
		slog.Bool("pathStyle", c.pathStyle),
	)
}
