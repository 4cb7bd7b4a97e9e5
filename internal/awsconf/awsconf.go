// Package awsconf builds the AWS SDK configuration of an s3kit Client from
// its checked settings: static credentials behind a provider that never
// prints them, or the SDK's standard sources with FromEnv; an HTTP client
// that trusts extra certificate authorities; and the EC2 instance metadata
// service switched off for an endpoint that is not AWS. Its errors are
// plain; the root package wraps them as ErrInvalidInput.
package awsconf

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/feature/ec2/imds"
	"github.com/s3kit/s3kit/internal/names"
)

// Settings is what the configuration is built from.
type Settings struct {
	Region               string
	AccessKey, SecretKey string         // static credentials; both empty: none
	FromEnv              bool           // read the standard AWS sources
	CustomEndpoint       bool           // the endpoint is not AWS: never ask instance metadata
	HTTPClient           *http.Client   // the caller's own; nil: the SDK's, or one for RootCAs
	RootCAs              *x509.CertPool // nil: the system's roots
	RootCAsPEM           []byte         // the PEM RootCAs was built from, which wins over AWS_CA_BUNDLE
}

// envCredentials and credentialSources name where credentials can come
// from, for the errors that say none was found.
const (
	envCredentials    = "S3_ACCESS_KEY and S3_SECRET_KEY (or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or a profile named by AWS_PROFILE)"
	credentialSources = "set " + envCredentials + ", or use WithCredentials"
)

// Load builds the SDK configuration: static when FromEnv is not set,
// otherwise from the standard AWS sources with the explicit settings on
// top.
func Load(ctx context.Context, s Settings) (aws.Config, error) {
	var static aws.CredentialsProvider
	if s.AccessKey != "" || s.SecretKey != "" {
		static = &secretProvider{p: credentials.NewStaticCredentialsProvider(s.AccessKey, s.SecretKey, "")}
	}
	hc := s.httpClient()
	if !s.FromEnv {
		if static == nil {
			return aws.Config{}, fmt.Errorf("no credentials: use WithCredentials, or FromEnv with %s", envCredentials)
		}
		// A nil HTTPClient makes the SDK use its own default client.
		return aws.Config{Region: s.Region, Credentials: static, HTTPClient: hc}, nil
	}
	cfg, err := s.loadDefault(ctx, static)
	if err != nil {
		return aws.Config{}, fmt.Errorf("loading AWS configuration: %v", err)
	}
	if hc != nil {
		// Set after loading: an explicit client, or S3_CA_BUNDLE, wins over
		// AWS_CA_BUNDLE, which LoadDefaultConfig cannot apply to a client it
		// did not build.
		cfg.HTTPClient = hc
	}
	if cfg.Credentials == nil {
		return aws.Config{}, fmt.Errorf("no credentials found in the environment: %s", credentialSources)
	}
	if static == nil {
		if _, err := cfg.Credentials.Retrieve(ctx); err != nil {
			if s.CustomEndpoint {
				// The SDK's chain ends in EC2 instance metadata, which is
				// switched off for a custom endpoint: its complaint about
				// that would only mislead.
				return aws.Config{}, fmt.Errorf("no credentials found in the environment: %s", credentialSources)
			}
			return aws.Config{}, fmt.Errorf("no credentials found in the environment (%s): %w", credentialSources, err)
		}
	}
	return cfg, nil
}

// loadDefault runs LoadDefaultConfig. An endpoint_url in the shared
// configuration that is not AWS makes it load again without instance
// metadata, before any credential is asked for, and sets CustomEndpoint.
func (s *Settings) loadDefault(ctx context.Context, static aws.CredentialsProvider) (aws.Config, error) {
	cfg, err := config.LoadDefaultConfig(ctx, s.loadOptions(static)...)
	if err != nil || s.CustomEndpoint || cfg.BaseEndpoint == nil {
		return cfg, err
	}
	if u, perr := url.Parse(*cfg.BaseEndpoint); perr == nil && !names.IsAWSHost(u.Hostname()) {
		s.CustomEndpoint = true
		return config.LoadDefaultConfig(ctx, s.loadOptions(static)...)
	}
	return cfg, nil
}

// loadOptions are LoadDefaultConfig's options for the explicit settings.
func (s Settings) loadOptions(static aws.CredentialsProvider) []func(*config.LoadOptions) error {
	var opts []func(*config.LoadOptions) error
	if s.Region != "" {
		opts = append(opts, config.WithRegion(s.Region))
	}
	if static != nil {
		opts = append(opts, config.WithCredentialsProvider(static))
	}
	if s.CustomEndpoint {
		// Instance metadata only exists on AWS; never probe it for a
		// third-party endpoint.
		opts = append(opts, config.WithEC2IMDSClientEnableState(imds.ClientDisabled))
	}
	if s.RootCAsPEM != nil {
		// Given, it wins over AWS_CA_BUNDLE, which is then not even read.
		opts = append(opts, config.WithCustomCABundle(bytes.NewReader(s.RootCAsPEM)))
	}
	return opts
}

// httpClient returns the caller's client, one that trusts RootCAs, or nil
// for the SDK's own.
func (s Settings) httpClient() aws.HTTPClient {
	switch {
	case s.HTTPClient != nil:
		return keepMethod(s.HTTPClient)
	case s.RootCAs != nil:
		// The SDK's transport settings with the roots, and its redirect
		// rule; a plain *http.Client on an *http.Transport, so that its
		// owner can close idle connections.
		tr := awshttp.NewBuildableClient().GetTransport()
		if tr.TLSClientConfig == nil {
			tr.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
		}
		tr.TLSClientConfig.RootCAs = s.RootCAs
		return &http.Client{Transport: tr, CheckRedirect: sdkRedirect}
	}
	return nil
}

// sdkRedirect follows redirects as the SDK's own client does: only 307 and
// 308, which keep the method and body, and without the session token when
// the host changes (net/http already drops Authorization then). A 3xx
// without Location is returned as it is by net/http.
func sdkRedirect(r *http.Request, via []*http.Request) error {
	switch r.Response.StatusCode {
	case http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
		if len(via) >= 10 {
			return errors.New("stopped after 10 redirects")
		}
		if len(via) > 0 && via[len(via)-1].URL.Host != r.URL.Host {
			r.Header.Del("X-Amz-Security-Token")
		}
		return nil
	}
	return http.ErrUseLastResponse
}

// keepMethod returns a copy of the caller's client (sharing its transport,
// jar and timeout) that returns, rather than follows, a redirect that would
// change the request's method. net/http follows a 301, 302 or 303 answer
// to a PUT, POST or DELETE with a GET, whose 200 the SDK would then take
// for the write's success; the SDK's own client follows only 307 and 308,
// which keep the method (TestAttack14_RedirectedPutWithPlainClient). The
// caller's CheckRedirect decides every other redirect. As in the SDK's
// client, a redirect to another host loses the session token, as net/http
// drops Authorization (TestAttack14_RedirectKeepsTheTokenHome).
func keepMethod(hc *http.Client) *http.Client {
	cp := *hc
	check := hc.CheckRedirect
	cp.CheckRedirect = func(r *http.Request, via []*http.Request) error {
		if len(via) > 0 && r.Method != via[0].Method {
			return http.ErrUseLastResponse
		}
		if len(via) > 0 && via[len(via)-1].URL.Host != r.URL.Host {
			r.Header.Del("X-Amz-Security-Token")
		}
		if check != nil {
			return check(r, via)
		}
		if len(via) >= 10 {
			return errors.New("stopped after 10 redirects")
		}
		return nil
	}
	return &cp
}

// RootPool returns the system's certificate authorities and those in pem.
func RootPool(pem []byte) (*x509.CertPool, error) {
	pool, err := x509.SystemCertPool()
	if err != nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, errors.New("no PEM certificate found")
	}
	return pool, nil
}

// secretProvider holds static credentials behind a pointer whose printed
// forms are redacted, so that even a deep print of the SDK's options (fmt
// walks unexported fields without calling their methods) shows an address,
// not the secret.
type secretProvider struct{ p aws.CredentialsProvider }

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
