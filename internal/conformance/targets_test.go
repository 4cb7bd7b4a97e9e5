package conformance_test

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/stretchr/testify/require"

	"github.com/s3kit/s3kit"
	"github.com/s3kit/s3kit/internal/conformance"
	"github.com/s3kit/s3kit/internal/knobs"
	"github.com/s3kit/s3kit/s3kittest"
)

const startHint = "start real servers with scripts/servers/install.sh && scripts/servers/start.sh, then source /tmp/s3kit-servers/env"

func TestS3kittest(t *testing.T) {
	for _, tlsOn := range []bool{false, true} {
		name := "s3kittest-http"
		opts := []s3kittest.Option{s3kittest.WithStrictRegion()}
		if tlsOn {
			name, opts = "s3kittest-tls", append(opts, s3kittest.WithTLS())
		}
		t.Run(name, func(t *testing.T) {
			srv := s3kittest.NewServer(t, opts...)
			target := conformance.Target{
				Name:                name,
				Options:             srv.Options(),
				HTTPClient:          srv.HTTPClient(),
				ObjectACLs:          true,
				EmptySegmentsListed: true,
				EncodedListing:      true,
				ConditionalWrites:   conformance.Conditions{Put: true, Multipart: true, Copy: true},
				ProfileOptions: []s3kit.Option{
					s3kit.WithProvider(s3kit.CephRGW(srv.URL)),
					s3kit.WithCredentials(s3kittest.AccessKey, s3kittest.SecretKey),
					s3kit.WithHTTPClient(srv.HTTPClient()),
				},
				Endpoint:       srv.URL,
				Region:         s3kittest.Region,
				RegionEnforced: true,
			}
			if tlsOn {
				target.CA = srv.CertificatePEM()
				target.RawSDK = rawSDK(srv.URL, "eu-west-1", s3kittest.AccessKey, s3kittest.SecretKey, srv.HTTPClient())
			}
			runBothPaths(t, target)
		})
	}
}

func TestRGW(t *testing.T) {
	for _, v := range []struct{ name, endpointVar string }{
		{"rgw-http", "S3KIT_TEST_RGW_ENDPOINT"},
		{"rgw-tls", "S3KIT_TEST_RGW_TLS_ENDPOINT"},
	} {
		t.Run(v.name, func(t *testing.T) {
			target := fromEnv(t, v.name, v.endpointVar, "S3KIT_TEST_RGW")
			target.ObjectACLs = true
			target.EmptySegmentsListed = true
			target.SigV2 = true
			target.EncodedListing = true
			// RGW 16.2 enforces If-None-Match and If-Match on PutObject
			// only, and compares If-Match with the bare ETag.
			target.ConditionalWrites = conformance.Conditions{Put: true}
			target.LegacyBucketNames = os.Getenv("S3KIT_TEST_RGW_RELAXED_NAMES") == "1"
			target.ProfileOptions = profileOptions(s3kit.CephRGW(os.Getenv(v.endpointVar)), "S3KIT_TEST_RGW", target.HTTPClient)
			runBothPaths(t, target)
		})
	}
}

func TestVersitygw(t *testing.T) {
	target := fromEnv(t, "versitygw-tls", "S3KIT_TEST_VERSITYGW_ENDPOINT", "S3KIT_TEST_VERSITYGW")
	target.ObjectACLs = false                                                     // object ACLs are NotImplemented
	target.EmptySegmentsListed = false                                            // posix backend lists "a//b" as "a/b"
	target.RawSDK = nil                                                           // versitygw accepts the SDK's streaming checksums
	target.ConditionalWrites = conformance.Conditions{Put: true, Multipart: true} // CopyObject ignores them
	target.RegionEnforced = true                                                  // it answers AuthorizationHeaderMalformed
	// versitygw enforces the region it was started with, which differs
	// from the profile's default: the explicit option wins.
	target.ProfileOptions = append(profileOptions(s3kit.Versitygw(os.Getenv("S3KIT_TEST_VERSITYGW_ENDPOINT")), "S3KIT_TEST_VERSITYGW", target.HTTPClient),
		s3kit.WithRegion(os.Getenv("S3KIT_TEST_VERSITYGW_REGION")))
	runBothPaths(t, target)
}

// fromEnv builds a target from PREFIX_ACCESS_KEY, PREFIX_SECRET_KEY,
// PREFIX_REGION, PREFIX_CA and the endpoint variable, or skips.
func fromEnv(t *testing.T, name, endpointVar, prefix string) conformance.Target {
	endpoint := os.Getenv(endpointVar)
	if endpoint == "" {
		if required(prefix) {
			t.Fatalf("%s not set but S3KIT_TEST_REQUIRE=%s requires this server: %s", endpointVar, os.Getenv("S3KIT_TEST_REQUIRE"), startHint)
		}
		t.Skipf("%s not set: %s", endpointVar, startHint)
	}
	ak, sk := os.Getenv(prefix+"_ACCESS_KEY"), os.Getenv(prefix+"_SECRET_KEY")
	region := os.Getenv(prefix + "_REGION")
	hc := &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
	if ca := os.Getenv(prefix + "_CA"); ca != "" {
		pem, err := os.ReadFile(ca)
		require.NoError(t, err)
		pool := x509.NewCertPool()
		require.True(t, pool.AppendCertsFromPEM(pem), "no certificate in %s", ca)
		hc.Transport.(*http.Transport).TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	}
	t.Cleanup(hc.CloseIdleConnections)
	target := conformance.Target{
		Name: name,
		Options: []s3kit.Option{
			s3kit.WithEndpoint(endpoint),
			s3kit.WithRegion(region),
			s3kit.WithCredentials(ak, sk),
			s3kit.WithHTTPClient(hc),
		},
		HTTPClient: hc,
		Endpoint:   endpoint,
		Region:     region,
	}
	if ca := os.Getenv(prefix + "_CA"); ca != "" && strings.HasPrefix(endpoint, "https://") {
		pem, err := os.ReadFile(ca)
		require.NoError(t, err)
		target.CA = pem
	}
	if endpoint[:8] == "https://" {
		target.RawSDK = rawSDK(endpoint, region, ak, sk, hc)
	}
	return target
}

// required reports whether S3KIT_TEST_REQUIRE (a comma-separated list such
// as "rgw,versitygw", set by CI) names the server with this variable prefix,
// so that its tests fail rather than skip when it is missing.
func required(prefix string) bool {
	name := strings.ToLower(strings.TrimPrefix(prefix, "S3KIT_TEST_"))
	return slices.Contains(strings.Split(os.Getenv("S3KIT_TEST_REQUIRE"), ","), name)
}

// rawSDK returns the negative control: an upload through the plain SDK with
// the defaults LoadDefaultConfig gives, read back and compared. It returns
// the upload's error, an error if the data came back different, or nil if
// the SDK's defaults worked.
func rawSDK(endpoint, region, ak, sk string, hc *http.Client) func(t *testing.T, bucket string) error {
	return func(t *testing.T, bucket string) error {
		t.Setenv("AWS_CA_BUNDLE", "")
		t.Setenv("AWS_CONFIG_FILE", os.DevNull)
		t.Setenv("AWS_SHARED_CREDENTIALS_FILE", os.DevNull)
		cfg, err := config.LoadDefaultConfig(t.Context(),
			config.WithRegion(region),
			config.WithHTTPClient(hc),
			config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(ak, sk, "")))
		require.NoError(t, err)
		require.Equal(t, aws.RequestChecksumCalculationWhenSupported, cfg.RequestChecksumCalculation, "SDK default")
		raw := s3.NewFromConfig(cfg, func(o *s3.Options) {
			o.BaseEndpoint = aws.String(endpoint)
			o.UsePathStyle = true
		})
		want := bytes.Repeat([]byte("0123456789"), 1000)
		_, err = raw.PutObject(t.Context(), &s3.PutObjectInput{
			Bucket:        aws.String(bucket),
			Key:           aws.String("negative-control"),
			Body:          io.MultiReader(bytes.NewReader(want)), // a stream, as from a pipe
			ContentLength: aws.Int64(int64(len(want))),
		})
		if err != nil {
			return err
		}
		out, err := raw.GetObject(t.Context(), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("negative-control")})
		require.NoError(t, err)
		defer out.Body.Close()
		got, err := io.ReadAll(out.Body)
		require.NoError(t, err)
		if !bytes.Equal(got, want) {
			return fmt.Errorf("data corrupted: stored %d bytes, sent %d", len(got), len(want))
		}
		return nil
	}
}

// profileOptions points a client at a server through its provider profile.
func profileOptions(p s3kit.Provider, prefix string, hc *http.Client) []s3kit.Option {
	return []s3kit.Option{
		s3kit.WithProvider(p),
		s3kit.WithCredentials(os.Getenv(prefix+"_ACCESS_KEY"), os.Getenv(prefix+"_SECRET_KEY")),
		s3kit.WithHTTPClient(hc),
	}
}

// runBothPaths runs the suite on target twice: every call through the SDK's
// middleware stack, and Head, Get, Delete, single Puts and List on the direct request path
// (internal/direct), which must behave the same.
func runBothPaths(t *testing.T, target conformance.Target) {
	for _, on := range []bool{false, true} {
		name := "path=sdk"
		if on {
			name = "path=direct"
		}
		t.Run(name, func(t *testing.T) {
			tg := target
			route := knobs.WithDirectPath(on).(s3kit.Option)
			tg.Options = append(slices.Clip(tg.Options), route)
			if tg.ProfileOptions != nil {
				tg.ProfileOptions = append(slices.Clip(tg.ProfileOptions), route)
			}
			conformance.Run(t, tg)
		})
	}
}
