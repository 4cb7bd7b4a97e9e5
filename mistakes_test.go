package s3kit_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/s3kit/s3kit"
	"github.com/s3kit/s3kit/internal/knobs"
	"github.com/s3kit/s3kit/s3kittest"
)

// mistake is one thing a new user gets wrong, the call that shows it, the
// sentinel its error must match (nil: none) and words its text must hold.
type mistake struct {
	name     string
	sentinel error
	words    []string
	// run makes the mistake and returns the error. requests, if not nil,
	// says how many requests reached the server (so that a mistake that
	// must be caught before any request, or not retried, is checked).
	run func(t *testing.T) (requests func() int64, err error)
	// maxRequests is the most requests the server may see; -1: unchecked.
	maxRequests int64
}

// TestMistakesUsersMake is the first hour of a new user, as issue 12 lists
// it: each mistake fails with the sentinel a program can branch on and a
// text that says what to change, without the SDK's noise.
func TestMistakesUsersMake(t *testing.T) {
	ctx := context.Background()
	plain := s3kittest.NewServer(t)
	plain.CreateBucket(t, bucket)
	tlsSrv := s3kittest.NewServer(t, s3kittest.WithTLS())
	tlsSrv.CreateBucket(t, bucket)
	strict := s3kittest.NewServer(t, s3kittest.WithStrictRegion())
	strict.CreateBucket(t, bucket)
	creds := s3kit.WithCredentials(s3kittest.AccessKey, s3kittest.SecretKey)
	closed := closedPort(t)
	caPEM := tlsSrv.CertificatePEM()

	head := func(c *s3kit.Client) error { _, err := c.Head(ctx, bucket, "k"); return err }
	on := func(srv *s3kittest.Server, call func(*s3kit.Client) error, opts ...s3kit.Option) func(t *testing.T) (func() int64, error) {
		return func(t *testing.T) (func() int64, error) {
			c, err := s3kit.New(ctx, append([]s3kit.Option{s3kit.WithEndpoint(srv.URL), s3kit.WithRegion(s3kittest.Region), creds}, opts...)...)
			if err != nil {
				return srv.Requests, err
			}
			return srv.Requests, call(c)
		}
	}
	newOnly := func(opts ...s3kit.Option) func(t *testing.T) (func() int64, error) {
		return func(t *testing.T) (func() int64, error) {
			_, err := s3kit.New(ctx, opts...)
			return nil, err
		}
	}
	mistakes := []mistake{
		{name: "no CA for a private certificate", words: []string{"TLS", "unknown authority", "WithRootCAs", "S3_CA_BUNDLE"},
			run: on(tlsSrv, head), maxRequests: -1},
		{name: "wrong CA", words: []string{"TLS", "unknown authority", "WithRootCAs"},
			run: on(tlsSrv, head, s3kit.WithRootCAs(otherCA(t))), maxRequests: -1},
		{name: "right CA works", run: on(tlsSrv, func(c *s3kit.Client) error {
			_, err := c.Put(ctx, bucket, "ca", strings.NewReader("x"))
			return err
		}, s3kit.WithRootCAs(caPEM)), maxRequests: -1},
		{name: "CA file that holds no certificate", sentinel: s3kit.ErrInvalidInput, words: []string{"WithRootCAs", "no PEM certificate"},
			run: newOnly(s3kit.WithEndpoint("https://s3.example.com"), creds, s3kit.WithRootCAs([]byte("not a certificate")))},
		{name: "CA and own HTTP client", sentinel: s3kit.ErrInvalidInput, words: []string{"WithRootCAs", "WithHTTPClient", "RootCAs"},
			run: newOnly(s3kit.WithEndpoint("https://s3.example.com"), creds, s3kit.WithRootCAs(caPEM), s3kit.WithHTTPClient(http.DefaultClient))},
		{name: "wrong region", sentinel: s3kit.ErrWrongRegion, words: []string{`expects region "` + s3kittest.Region + `"`, `WithRegion("` + s3kittest.Region + `")`},
			run: on(strict, func(c *s3kit.Client) error { return c.CreateBucket(ctx, "newbucket") }, s3kit.WithRegion("fr1")), maxRequests: 1},
		{name: "wrong region on a HEAD, which has no body", sentinel: s3kit.ErrWrongRegion, words: []string{`WithRegion("` + s3kittest.Region + `")`},
			run: on(strict, head, s3kit.WithRegion("fr1")), maxRequests: 2},
		{name: "missing keys", sentinel: s3kit.ErrInvalidInput, words: []string{"no credentials", "WithCredentials", "S3_ACCESS_KEY"},
			run: newOnly(s3kit.WithEndpoint(plain.URL))},
		{name: "only one key", sentinel: s3kit.ErrInvalidInput, words: []string{"access key and secret key must both be set"},
			run: newOnly(s3kit.WithEndpoint(plain.URL), s3kit.WithCredentials(s3kittest.AccessKey, ""))},
		{name: "wrong secret", sentinel: s3kit.ErrAccessDenied, words: []string{"SignatureDoesNotMatch", "secret key"},
			run: on(plain, func(c *s3kit.Client) error { return c.CreateBucket(ctx, "newbucket") }, s3kit.WithCredentials(s3kittest.AccessKey, "wrong")), maxRequests: 1},
		{name: "wrong secret on a HEAD", sentinel: s3kit.ErrAccessDenied, words: []string{"403", "secret key"},
			run: on(plain, head, s3kit.WithCredentials(s3kittest.AccessKey, "wrong")), maxRequests: 1},
		{name: "unknown access key", sentinel: s3kit.ErrAccessDenied, words: []string{"InvalidAccessKeyId"},
			run: on(plain, func(c *s3kit.Client) error { return c.CreateBucket(ctx, "newbucket") }, s3kit.WithCredentials("NOSUCHKEY", s3kittest.SecretKey)), maxRequests: 1},
		{name: "http:// to a TLS port", words: []string{"not an S3 error document", "https://"},
			run: on(tlsSrv, head, s3kit.WithEndpoint(strings.Replace(tlsSrv.URL, "https://", "http://", 1))), maxRequests: -1},
		{name: "https:// to a plain port", words: []string{"plain HTTP", "http://"},
			run: on(plain, head, s3kit.WithEndpoint(strings.Replace(plain.URL, "http://", "https://", 1))), maxRequests: 1},
		{name: "endpoint down", words: []string{"connection refused", closed, "is the server running"},
			run: on(plain, head, s3kit.WithEndpoint("http://"+closed), s3kit.WithMaxAttempts(2)), maxRequests: -1},
		{name: "host that does not resolve", words: []string{"cannot resolve host", "s3.example.invalid", "host name"},
			run: on(plain, head, s3kit.WithEndpoint("https://s3.example.invalid"), s3kit.WithHTTPClient(&http.Client{Transport: &http.Transport{
				DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
					return nil, &net.OpError{Op: "dial", Net: network, Err: &net.DNSError{Err: "no such host", Name: "s3.example.invalid", IsNotFound: true}}
				}}}), s3kit.WithMaxAttempts(1)), maxRequests: -1},
		{name: "missing bucket", sentinel: s3kit.ErrBucketNotFound, words: []string{"NoSuchBucket", "bucket does not exist"},
			run: on(plain, func(c *s3kit.Client) error {
				_, err := c.Put(ctx, "nobucket", "k", strings.NewReader("x"))
				return err
			}), maxRequests: 1},
		{name: "missing object", sentinel: s3kit.ErrNotFound, words: []string{"404"},
			run: on(plain, head), maxRequests: 1},
		{name: "bucket not empty", sentinel: s3kit.ErrBucketNotEmpty, words: []string{"BucketNotEmpty", "DeleteMany"},
			run: on(plain, func(c *s3kit.Client) error {
				_, err := c.Put(ctx, bucket, "full", strings.NewReader("x"))
				require.NoError(t, err)
				return c.DeleteBucket(ctx, bucket)
			}), maxRequests: 2},
		{name: "bucket already exists", sentinel: s3kit.ErrBucketExists, words: []string{"BucketAlready"},
			run: on(plain, func(c *s3kit.Client) error { return c.CreateBucket(ctx, bucket) }), maxRequests: 1},
		{name: "endpoint without scheme", sentinel: s3kit.ErrInvalidInput, words: []string{"no scheme", `"https://127.0.0.1:9000"`},
			run: newOnly(s3kit.WithEndpoint("127.0.0.1:9000"), creds)},
		{name: "endpoint with credentials in it", sentinel: s3kit.ErrInvalidInput, words: []string{"user information", "WithCredentials"},
			run: newOnly(s3kit.WithEndpoint("https://AKID:secret@s3.example.com"), creds)},
		{name: "plain http over the network", sentinel: s3kit.ErrInvalidInput, words: []string{"plain http", "WithAllowInsecureHTTP"},
			run: newOnly(s3kit.WithEndpoint("http://s3.example.com"), creds)},
		{name: "provider region that does not exist", sentinel: s3kit.ErrInvalidInput, words: []string{"fr-paris", `"fr-par"`},
			run: newOnly(s3kit.WithProvider(s3kit.Scaleway("fr-paris")), creds)},
		{name: "option a call does not use", sentinel: s3kit.ErrInvalidInput, words: []string{"PresignPut does not use WithSize"},
			run: on(plain, func(c *s3kit.Client) error {
				_, err := c.PresignPut(ctx, bucket, "k", 60e9, s3kit.WithSize(3))
				return err
			}), maxRequests: 0},
		{name: "progress on a copy", sentinel: s3kit.ErrInvalidInput, words: []string{"Copy does not use WithProgress"},
			run: on(plain, func(c *s3kit.Client) error {
				_, err := c.Copy(ctx, bucket, "a", bucket, "b", s3kit.WithProgress(func(s3kit.Progress) {}))
				return err
			}), maxRequests: 0},
		{name: "download with an upload-only option", sentinel: s3kit.ErrInvalidInput, words: []string{"Download does not use WithContentMD5"},
			run: on(plain, func(c *s3kit.Client) error {
				_, err := c.Download(ctx, bucket, "k", &discardAt{}, s3kit.WithContentMD5(true))
				return err
			}), maxRequests: 0},
		{name: "bucket name with upper case", sentinel: s3kit.ErrInvalidInput, words: []string{"MyBucket", "WithRelaxedBucketNames"},
			run: on(plain, func(c *s3kit.Client) error { _, err := c.Head(ctx, "MyBucket", "k"); return err }), maxRequests: 0},
		{name: "key too long", sentinel: s3kit.ErrInvalidInput, words: []string{"1024"},
			run: on(plain, func(c *s3kit.Client) error { _, err := c.Head(ctx, bucket, strings.Repeat("k", 1025)); return err }), maxRequests: 0},
	}
	require.GreaterOrEqual(t, len(mistakes), 20)
	for _, m := range mistakes {
		t.Run(m.name, func(t *testing.T) {
			requests, err := m.run(t)
			var before int64
			if requests != nil && m.maxRequests >= 0 {
				before = requests()
				_, err = m.run(t)
			}
			if m.sentinel == nil && len(m.words) == 0 {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			if m.sentinel != nil {
				assert.ErrorIs(t, err, m.sentinel)
			}
			for _, w := range m.words {
				assert.Contains(t, err.Error(), w)
			}
			for _, noise := range []string{"operation error", "StatusCode: 0", "RequestID: ,", "UnknownError", "exceeded maximum number of attempts"} {
				assert.NotContains(t, err.Error(), noise, "the SDK's wrapping leaks into the text")
			}
			if requests != nil && m.maxRequests >= 0 {
				assert.LessOrEqual(t, requests()-before, m.maxRequests, "requests sent")
			}
			t.Log(err)
		})
	}
}

// TestTLSFailuresAreNotRetried: a certificate the client does not trust
// fails at once; retrying cannot help.
func TestTLSFailuresAreNotRetried(t *testing.T) {
	srv := s3kittest.NewServer(t, s3kittest.WithTLS())
	var dials int
	tr := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		dials++
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	}}
	c, err := s3kit.New(t.Context(), s3kit.WithEndpoint(srv.URL), s3kit.WithCredentials(s3kittest.AccessKey, s3kittest.SecretKey),
		s3kit.WithHTTPClient(&http.Client{Transport: tr}))
	require.NoError(t, err)
	_, err = c.Head(t.Context(), bucket, "k")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "unknown authority")
	assert.Equal(t, 1, dials, "one attempt")
	var e *s3kit.Error
	require.True(t, errors.As(err, &e))
	assert.LessOrEqual(t, e.Attempts, 1)
	var unknown x509.UnknownAuthorityError
	assert.True(t, errors.As(err, &unknown), "errors.As still reaches the cause")
}

// discardAt is an io.WriterAt that keeps nothing.
type discardAt struct{}

func (*discardAt) WriteAt(p []byte, _ int64) (int, error) { return len(p), nil }

// otherCA returns the PEM of a self-signed certificate authority that
// signed nothing the test servers present.
func otherCA(t *testing.T) []byte {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "another CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

// closedPort returns a loopback address nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	return addr
}

// TestRefusedCertificateIsNoUnknownOutcome writes through a client that
// refuses the server's certificate, or speaks TLS to a plain HTTP port. The
// handshake fails before any request is written, so the write is a plain
// failure, on both request paths, and not "outcome unknown", which would
// send the user to check the store for nothing instead of fixing the
// certificate. The store holds nothing.
func TestRefusedCertificateIsNoUnknownOutcome(t *testing.T) {
	tlsSrv := s3kittest.NewServer(t, s3kittest.WithTLS())
	tlsSrv.CreateBucket(t, bucket)
	plain := s3kittest.NewServer(t)
	plain.CreateBucket(t, bucket)
	writes := map[string]func(c *s3kit.Client) error{
		"Put": func(c *s3kit.Client) error {
			_, err := c.Put(t.Context(), bucket, "k", strings.NewReader("x"))
			return err
		},
		"Put multipart": func(c *s3kit.Client) error {
			_, err := c.Put(t.Context(), bucket, "k", strings.NewReader(strings.Repeat("x", twoParts)), mpOpts...)
			return err
		},
		"Delete": func(c *s3kit.Client) error { return c.Delete(t.Context(), bucket, "k") },
		"Copy": func(c *s3kit.Client) error {
			_, err := c.Copy(t.Context(), bucket, "src", bucket, "k")
			return err
		},
	}
	for _, target := range []struct {
		name     string
		srv      *s3kittest.Server
		endpoint string
		opts     []s3kit.Option
		words    string
	}{
		{"no CA", tlsSrv, tlsSrv.URL, nil, "unknown authority"},
		{"wrong CA", tlsSrv, tlsSrv.URL, []s3kit.Option{s3kit.WithRootCAs(otherCA(t))}, "unknown authority"},
		{"https to a plain port", plain, strings.Replace(plain.URL, "http://", "https://", 1), nil, "plain HTTP"},
	} {
		for name, write := range writes {
			for _, direct := range []bool{true, false} {
				t.Run(fmt.Sprintf("%s/%s/direct=%v", target.name, name, direct), func(t *testing.T) {
					before := target.srv.Requests()
					c, err := s3kit.New(t.Context(), append([]s3kit.Option{s3kit.WithEndpoint(target.endpoint),
						s3kit.WithRegion(s3kittest.Region), s3kit.WithCredentials(s3kittest.AccessKey, s3kittest.SecretKey),
						knobs.WithDirectPath(direct).(s3kit.Option)}, target.opts...)...)
					require.NoError(t, err)
					err = write(c)
					require.Error(t, err)
					assert.Contains(t, err.Error(), target.words)
					assert.NotErrorIs(t, err, s3kit.ErrOutcomeUnknown)
					assert.NotContains(t, err.Error(), "outcome is unknown")
					assert.Equal(t, before, target.srv.Requests(), "no request reached the server")
				})
			}
		}
	}
}

// refusedAfterSending is a transport that sends the request for real and
// then fails as if the certificate had been refused later on the same
// connection (a TLS 1.2 renegotiation, say), after the request went out.
type refusedAfterSending struct{ next http.RoundTripper }

func (r refusedAfterSending) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := r.next.RoundTrip(req)
	if err == nil {
		resp.Body.Close()
	}
	return nil, &tls.CertificateVerificationError{Err: x509.UnknownAuthorityError{}}
}

// TestCertificateRefusedAfterTheRequestIsOutcomeUnknown is the other side
// of TestRefusedCertificateIsNoUnknownOutcome: a certificate error on an
// attempt that had a connection, so may have been written, leaves the
// outcome unknown. It also shows that both request paths see net/http hand
// their requests a connection.
func TestCertificateRefusedAfterTheRequestIsOutcomeUnknown(t *testing.T) {
	srv := s3kittest.NewServer(t)
	srv.CreateBucket(t, bucket)
	for _, direct := range []bool{true, false} {
		t.Run(fmt.Sprintf("direct=%v", direct), func(t *testing.T) {
			c, err := s3kit.New(t.Context(), s3kit.WithEndpoint(srv.URL), s3kit.WithRegion(s3kittest.Region),
				s3kit.WithCredentials(s3kittest.AccessKey, s3kittest.SecretKey), s3kit.WithMaxAttempts(1),
				s3kit.WithHTTPClient(&http.Client{Transport: refusedAfterSending{http.DefaultTransport}}),
				knobs.WithDirectPath(direct).(s3kit.Option))
			require.NoError(t, err)
			_, err = c.Put(t.Context(), bucket, "k", strings.NewReader("x"))
			require.Error(t, err)
			assert.ErrorIs(t, err, s3kit.ErrOutcomeUnknown)
			plain := srv.Client(t)
			info, err := plain.Head(t.Context(), bucket, "k")
			require.NoError(t, err, "the write took effect")
			assert.EqualValues(t, 1, info.Size)
			require.NoError(t, plain.Delete(t.Context(), bucket, "k"))
		})
	}
}
