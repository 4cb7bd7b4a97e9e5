package names

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
)

// CheckEndpoint parses and validates an endpoint URL that came from source,
// an option or environment variable named in errors.
func CheckEndpoint(source, raw string) (*url.URL, error) {
	u, err := parseURLSetting(source, raw)
	if err != nil {
		return nil, err
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, fmt.Errorf("%s %q: scheme must be http or https", source, u.Redacted())
	case u.Host == "" || u.Hostname() == "":
		return nil, fmt.Errorf("%s %q has no host", source, u.Redacted())
	case u.RawQuery != "" || u.Fragment != "" || u.ForceQuery:
		return nil, fmt.Errorf("%s %q must not have a query or fragment", source, u.Redacted())
	case u.Path != "" && u.Path != "/":
		return nil, fmt.Errorf("%s %q must not have a path", source, u.Redacted())
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return nil, fmt.Errorf("%s %q has an invalid port", source, u.Redacted())
		}
	}
	u.Path = ""
	return u, nil
}

// CheckPublicBase validates a WithPublicBaseURL value and returns it without
// a trailing slash.
func CheckPublicBase(raw string) (string, error) {
	u, err := parseURLSetting("WithPublicBaseURL", strings.ReplaceAll(raw, "{bucket}", "bucket"))
	switch {
	case err != nil:
		return "", err
	case u.Scheme != "http" && u.Scheme != "https":
		return "", fmt.Errorf("WithPublicBaseURL %q: scheme must be http or https", u.Redacted())
	case u.Host == "":
		return "", fmt.Errorf("WithPublicBaseURL %q has no host", u.Redacted())
	case u.RawQuery != "" || u.Fragment != "" || u.ForceQuery:
		return "", fmt.Errorf("WithPublicBaseURL %q must not have a query or a fragment", u.Redacted())
	}
	return strings.TrimSuffix(raw, "/"), nil
}

// parseURLSetting parses raw, a URL setting that came from source. It
// refuses any '@' without quoting raw: user information does not belong in
// these URLs, and a password that holds a '/' or a ':' would make url.Parse
// see it as a port or a path and quote it in its error. A URL without '@'
// holds no user information, so the errors here may quote it.
func parseURLSetting(source, raw string) (*url.URL, error) {
	if strings.Contains(raw, "@") {
		return nil, fmt.Errorf("%s must not hold user information (no '@'); "+
			"pass credentials with WithCredentials, or with S3_ACCESS_KEY and S3_SECRET_KEY and FromEnv", source)
	}
	if raw == "" {
		return nil, fmt.Errorf("%s is empty", source)
	}
	if !strings.Contains(raw, "://") {
		return nil, fmt.Errorf("%s %q has no scheme: write %q, or %q for a server that speaks plain HTTP", source, raw, "https://"+raw, "http://"+raw)
	}
	u, err := url.Parse(raw)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // its text quotes raw again
		}
		return nil, fmt.Errorf("%s %q: %v", source, raw, err)
	}
	return u, nil
}

// CheckTransport refuses a plain-http endpoint on a host that is not
// loopback unless allow is set.
func CheckTransport(endpoint *url.URL, allow bool) error {
	if endpoint == nil || endpoint.Scheme != "http" || allow || IsLoopback(endpoint.Hostname()) {
		return nil
	}
	return fmt.Errorf("endpoint %q uses plain http on a host that is not loopback; use https or WithAllowInsecureHTTP", endpoint.Redacted())
}

// IsLoopback reports whether host names this machine.
func IsLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// RedactURL returns a URL setting fit for an error or a log: everything
// before its last '@', which may be user information or part of a mangled
// one, is replaced, and the scheme is kept.
func RedactURL(raw string) string {
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

// IsAWSHost reports whether host is an Amazon S3 endpoint.
func IsAWSHost(host string) bool {
	host = strings.ToLower(host)
	return strings.HasSuffix(host, ".amazonaws.com") || strings.HasSuffix(host, ".amazonaws.com.cn")
}
