package s3kit

import (
	"errors"
	"net/url"
	"strconv"
	"strings"

	"github.com/s3kit/s3kit/internal/names"
)

// checkBucket applies the bucket naming rules (names.CheckBucket): S3's,
// or with relaxed the legacy rules of Dell ECS.
func checkBucket(op, bucket string, relaxed bool) error {
	if err := names.CheckBucket(bucket, relaxed); err != nil {
		return invalid(op, bucket, "", err)
	}
	return nil
}

// checkKey rejects keys S3 cannot store (names.CheckKey).
func checkKey(op, bucket, key string) error {
	if err := names.CheckKey(key); err != nil {
		return invalid(op, bucket, "", err)
	}
	return nil
}

// checkObject validates a bucket and a key together.
func checkObject(op, bucket, key string, relaxedNames bool) error {
	if err := checkBucket(op, bucket, relaxedNames); err != nil {
		return err
	}
	return checkKey(op, bucket, key)
}

// checkEndpoint parses and validates an endpoint URL that came from source,
// an option or environment variable named in errors.
func checkEndpoint(source, raw string) (*url.URL, error) {
	u, err := parseURLSetting(source, raw)
	if err != nil {
		return nil, err
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, invalidf("New", "", "", "%s %q: scheme must be http or https", source, u.Redacted())
	case u.Host == "" || u.Hostname() == "":
		return nil, invalidf("New", "", "", "%s %q has no host", source, u.Redacted())
	case u.RawQuery != "" || u.Fragment != "" || u.ForceQuery:
		return nil, invalidf("New", "", "", "%s %q must not have a query or fragment", source, u.Redacted())
	case u.Path != "" && u.Path != "/":
		return nil, invalidf("New", "", "", "%s %q must not have a path", source, u.Redacted())
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return nil, invalidf("New", "", "", "%s %q has an invalid port", source, u.Redacted())
		}
	}
	u.Path = ""
	return u, nil
}

// parseURLSetting parses raw, a URL setting that came from source. It
// refuses any '@' without quoting raw: user information does not belong in
// these URLs, and a password that holds a '/' or a ':' would make url.Parse
// see it as a port or a path and quote it in its error. A URL without '@'
// holds no user information, so the errors here may quote it.
func parseURLSetting(source, raw string) (*url.URL, error) {
	if strings.Contains(raw, "@") {
		return nil, invalidf("New", "", "", "%s must not hold user information (no '@'); "+
			"pass credentials with WithCredentials, or with S3_ACCESS_KEY and S3_SECRET_KEY and FromEnv", source)
	}
	u, err := url.Parse(raw)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // its text quotes raw again
		}
		return nil, invalidf("New", "", "", "%s %q: %v", source, raw, err)
	}
	return u, nil
}

// checkHeaderValue rejects values that cannot travel in an HTTP header
// (names.CheckHeaderValue).
func checkHeaderValue(op, bucket, key, what, v string) error {
	if err := names.CheckHeaderValue(what, v); err != nil {
		return invalid(op, bucket, key, err)
	}
	return nil
}

// checkMetadata validates user metadata (names.CheckMetadata).
func checkMetadata(op, bucket, key string, md map[string]string) error {
	if err := names.CheckMetadata(md); err != nil {
		return invalid(op, bucket, key, err)
	}
	return nil
}
