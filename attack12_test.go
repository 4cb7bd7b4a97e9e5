package s3kit_test

// Review of issue 12 ("The first hour: errors a user can act on, trust and
// region set-up, ..."). Each test fails on 54eb55d and names a defect; the
// report that comes with this file gives the output of each.

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/pem"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/s3kit/s3kit"
	"github.com/s3kit/s3kit/s3kittest"
)

// sdkNoise is what issue 12 says an error's text must never hold.
var sdkNoise = []string{"operation error", "StatusCode: 0", "RequestID: ,", "HostID: ,", "https response error",
	"request send failed", "UnknownError", "exceeded maximum number of attempts"}

// stub12 starts an httptest server around h and a client for it.
func stub12(t *testing.T, h http.HandlerFunc, opts ...s3kit.Option) *s3kit.Client {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	c, err := s3kit.New(t.Context(), append([]s3kit.Option{s3kit.WithEndpoint(srv.URL), s3kit.WithCredentials("AKID", "SECRET"),
		s3kit.WithRegion("eu-west-1"), s3kit.WithRetryDelays(time.Millisecond, time.Millisecond)}, opts...)...)
	require.NoError(t, err)
	return c
}

// TestAttack12_RegionHeaderOfTheClientsOwnRegionIsNotWrongRegion: wrap turns
// every error whose answer carries x-amz-bucket-region (except NoSuchBucket)
// into ErrWrongRegion, without comparing it with the region the client
// signed for. MinIO sets x-amz-bucket-region on every answer once a region
// is configured (cmd/api-headers.go, setCommonHeaders), and AWS sets it on
// a 403 to HeadBucket. Against such a server, signing for the right region,
// a missing key is no longer ErrNotFound, a failed If-None-Match no longer
// ErrPreconditionFailed, and so on; the text tells the user to set the
// region they already set, and Doctor says `expects "eu-west-1", not
// "eu-west-1"`.
func TestAttack12_RegionHeaderOfTheClientsOwnRegionIsNotWrongRegion(t *testing.T) {
	ctx := t.Context()
	c := stub12(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Amz-Bucket-Region", "eu-west-1") // the client's own region
		_, _ = io.Copy(io.Discard, r.Body)
		switch {
		case r.Method == http.MethodPut && r.URL.Path == "/newbkt":
			s3Error(w, http.StatusConflict, "BucketAlreadyOwnedByYou")
		case r.Method == http.MethodDelete && r.URL.Path == "/newbkt":
			s3Error(w, http.StatusConflict, "BucketNotEmpty")
		case r.Method == http.MethodPut && r.Header.Get("If-None-Match") != "":
			s3Error(w, http.StatusPreconditionFailed, "PreconditionFailed")
		case r.Method == http.MethodPut:
			s3Error(w, http.StatusForbidden, "AccessDenied")
		case r.Method == http.MethodHead:
			w.WriteHeader(http.StatusNotFound)
		default:
			s3Error(w, http.StatusNotFound, "NoSuchKey")
		}
	})
	calls := []struct {
		name string
		want error
		call func() error
	}{
		{"Get of a missing key", s3kit.ErrNotFound, func() error { _, err := c.Get(ctx, bucket, "k"); return err }},
		{"Head of a missing key", s3kit.ErrNotFound, func() error { _, err := c.Head(ctx, bucket, "k"); return err }},
		{"conditional Put", s3kit.ErrPreconditionFailed, func() error {
			_, err := c.Put(ctx, bucket, "k", strings.NewReader("x"), s3kit.WithIfNoneMatch("*"))
			return err
		}},
		{"Put refused", s3kit.ErrAccessDenied, func() error { _, err := c.Put(ctx, bucket, "k", strings.NewReader("x")); return err }},
		{"CreateBucket of an existing bucket", s3kit.ErrBucketExists, func() error { return c.CreateBucket(ctx, "newbkt") }},
		{"DeleteBucket of a full bucket", s3kit.ErrBucketNotEmpty, func() error { return c.DeleteBucket(ctx, "newbkt") }},
	}
	for _, tc := range calls {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			require.Error(t, err)
			assert.ErrorIs(t, err, tc.want)
			assert.NotErrorIs(t, err, s3kit.ErrWrongRegion, "the server's region is the one the client signs for")
			assert.NotContains(t, err.Error(), `use WithRegion("eu-west-1")`, "advice to set the region already set")
		})
	}
	t.Run("Doctor", func(t *testing.T) {
		rep, err := c.Doctor(ctx, bucket)
		require.NoError(t, err)
		f, _ := rep.Finding(s3kit.CheckAuth)
		assert.NotContains(t, f.Detail, `not "eu-west-1"`, "Doctor: %s", f.Detail)
		assert.NotContains(t, rep.Suggestions, `s3kit.WithRegion("eu-west-1")`)
	})
}

// awsLikeBadRequest is the well-formed HTML page a load balancer (here in
// the shape of AWS ELB's) answers a request it cannot parse with.
const awsLikeBadRequest = "<html>\r\n<head><title>400 Bad Request</title></head>\r\n<body>\r\n<center><h1>400 Bad Request</h1></center>\r\n</body>\r\n</html>\r\n"

// TestAttack12_BareBadRequestToAGETOrPUTDoesNotBlameHEADOrRegion: for any
// request, a 400 whose body is empty or not an S3 error document but
// parses as XML (an HTML page from a proxy) gets the SDK's code
// "BadRequest", and s3err.Text then explains it as a HEAD: "the server
// refused the request without saying why (a HEAD answer has no body); a
// region other than the server's is the usual cause". A GET or PUT is not a
// HEAD, had a body, and a wrong region on it always comes with an S3 error
// document that names the region: the advice points the user the wrong way.
func TestAttack12_BareBadRequestToAGETOrPUTDoesNotBlameHEADOrRegion(t *testing.T) {
	ctx := t.Context()
	for name, body := range map[string]string{"HTML page": awsLikeBadRequest, "empty body": ""} {
		t.Run(name, func(t *testing.T) {
			c := stub12(t, func(w http.ResponseWriter, r *http.Request) {
				_, _ = io.Copy(io.Discard, r.Body)
				w.Header().Set("Content-Type", "text/html")
				w.WriteHeader(http.StatusBadRequest)
				_, _ = io.WriteString(w, body)
			})
			_, putErr := c.Put(ctx, bucket, "k", strings.NewReader("x"))
			_, getErr := c.Get(ctx, bucket, "k")
			for _, err := range []error{putErr, getErr} {
				require.Error(t, err)
				assert.NotContains(t, err.Error(), "HEAD answer has no body", "not a HEAD")
				assert.NotContains(t, err.Error(), "region", "a wrong region on a GET or PUT is an S3 error document")
			}
		})
	}
}

// TestAttack12_HeadKeepsWhatItsGETFoundOut: explainBareStatus sends a
// one-byte GET after a bare 400 to a HEAD, and then throws away what that
// GET found unless it is a region or a non-S3 answer. A HEAD of an SSE-C
// object without its key is answered 400 with no body (AWS HeadObject
// documentation); the GET then says exactly why (InvalidRequest, "The
// object was stored using a form of Server Side Encryption..."), yet Head
// returns the HEAD's text, which blames the region. When the GET succeeds,
// signed the same way, the region is proven right, and Head still blames it.
func TestAttack12_HeadKeepsWhatItsGETFoundOut(t *testing.T) {
	ctx := t.Context()
	t.Run("SSE-C object", func(t *testing.T) {
		c := stub12(t, func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodHead {
				w.WriteHeader(http.StatusBadRequest)
				return
			}
			w.Header().Set("Content-Type", "application/xml")
			w.WriteHeader(http.StatusBadRequest)
			_, _ = io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>InvalidRequest</Code>`+
				`<Message>The object was stored using a form of Server Side Encryption. The correct parameters must be provided to retrieve the object.</Message>`+
				`<RequestId>R2</RequestId></Error>`)
		})
		_, err := c.Head(ctx, bucket, "k")
		require.Error(t, err)
		assert.Contains(t, err.Error(), "Server Side Encryption", "what the GET found out")
		assert.NotContains(t, err.Error(), "region other than the server's is the usual cause")
	})
	t.Run("GET works", func(t *testing.T) {
		c := stub12(t, func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodHead {
				w.WriteHeader(http.StatusBadRequest)
				return
			}
			w.Header().Set("Content-Range", "bytes 0-0/10")
			w.Header().Set("Content-Length", "1")
			w.WriteHeader(http.StatusPartialContent)
			_, _ = io.WriteString(w, "x")
		})
		_, err := c.Head(ctx, bucket, "k")
		require.Error(t, err)
		assert.NotContains(t, err.Error(), "WithRegion", "a GET signed for the same region worked")
	})
}

// TestAttack12_FailuresWithoutAnswerStillCarrySDKNoise: s3err.Cause strips
// the SDK's wrappers only for the causes explain knows (refused, DNS, TLS
// certificate, reset, EOF). Otherwise innermost stops at once, because
// the retry package's attemptsError sits between smithy.OperationError and
// the SDK's wrappers and is not in its list, so the text is the SDK's chain.
// The most common failure without answer, a context that ends, reads
// "https response error StatusCode: 0, RequestID: , HostID: , canceled,
// context deadline exceeded"; a timeout gives "exceeded maximum number of
// attempts, 2, ... (after 2 attempts)"; a spent retry budget names its
// limit twice, on two lines.
func TestAttack12_FailuresWithoutAnswerStillCarrySDKNoise(t *testing.T) {
	stall := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		select {
		case <-r.Context().Done():
		case <-time.After(2 * time.Second):
		}
	}))
	t.Cleanup(stall.Close)
	headerTimeout := func() *http.Client {
		tr := &http.Transport{ResponseHeaderTimeout: 50 * time.Millisecond}
		t.Cleanup(tr.CloseIdleConnections)
		return &http.Client{Transport: tr}
	}
	newClient := func(opts ...s3kit.Option) *s3kit.Client {
		c, err := s3kit.New(t.Context(), append([]s3kit.Option{s3kit.WithEndpoint(stall.URL), s3kit.WithCredentials("AKID", "SECRET"),
			s3kit.WithRetryDelays(time.Millisecond, time.Millisecond)}, opts...)...)
		require.NoError(t, err)
		return c
	}
	cases := []struct {
		name string
		run  func() error
	}{
		{"Get whose context ends", func() error {
			ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
			defer cancel()
			_, err := newClient().Get(ctx, bucket, "k")
			return err
		}},
		{"Put whose context ends", func() error {
			ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
			defer cancel()
			_, err := newClient().Put(ctx, bucket, "k", strings.NewReader("x"))
			return err
		}},
		{"response header timeout", func() error {
			_, err := newClient(s3kit.WithHTTPClient(headerTimeout()), s3kit.WithMaxAttempts(2)).Head(t.Context(), bucket, "k")
			return err
		}},
		{"retry time limit", func() error {
			_, err := newClient(s3kit.WithHTTPClient(headerTimeout()), s3kit.WithRetryTimeout(60*time.Millisecond)).Head(t.Context(), bucket, "k")
			return err
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.run()
			require.Error(t, err)
			t.Log(err)
			for _, noise := range sdkNoise {
				assert.NotContains(t, err.Error(), noise)
			}
			assert.NotContains(t, err.Error(), "\n", "one line")
			assert.LessOrEqual(t, strings.Count(err.Error(), "retry time limit"), 1, "said twice")
			assert.LessOrEqual(t, strings.Count(err.Error(), "outcome unknown"), 1, "said twice")
		})
	}
}

// TestAttack12_TLSHandshakeFailureIsNotRetried: docs/ERRORS.md says
// "Certificate and handshake failures are not retried", but only
// certificate errors, a non-TLS server and http.ErrSchemeMismatch are
// final (retry.IsTLSSetup). A handshake the server refuses with an alert
// (here: no common protocol version; likewise no common cipher, or a
// client certificate required) fails the same way every time and is sent
// 5 times, and its text is the SDK's chain.
func TestAttack12_TLSHandshakeFailureIsNotRetried(t *testing.T) {
	ts := httptest.NewUnstartedServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	ts.TLS = &tls.Config{MinVersion: tls.VersionTLS13}
	ts.Config.ErrorLog = log.New(io.Discard, "", 0) // the server's handshake errors
	ts.StartTLS()
	t.Cleanup(ts.Close)
	var dials atomic.Int64
	tr := &http.Transport{
		TLSClientConfig: &tls.Config{MaxVersion: tls.VersionTLS12, RootCAs: ts.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs},
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			dials.Add(1)
			return (&net.Dialer{}).DialContext(ctx, network, addr)
		},
	}
	t.Cleanup(tr.CloseIdleConnections)
	c, err := s3kit.New(t.Context(), s3kit.WithEndpoint(ts.URL), s3kit.WithCredentials("AKID", "SECRET"),
		s3kit.WithHTTPClient(&http.Client{Transport: tr}), s3kit.WithRetryDelays(time.Millisecond, time.Millisecond))
	require.NoError(t, err)
	_, err = c.Head(t.Context(), bucket, "k")
	require.Error(t, err)
	t.Log(err)
	assert.Equal(t, int64(1), dials.Load(), "a refused handshake is retried")
	assert.NotContains(t, err.Error(), "exceeded maximum number of attempts")
}

// TestAttack12_HTTPSEndpointIsNotToldToStartWithHTTPS: a server that
// closes or resets the connection during the TLS handshake of an https://
// endpoint gets "if it serves HTTPS, the endpoint must start with
// https://": the endpoint already does. (The advice fits a plain http://
// endpoint only.)
func TestAttack12_HTTPSEndpointIsNotToldToStartWithHTTPS(t *testing.T) {
	for name, drop := range map[string]func(net.Conn){
		"close": func(c net.Conn) { _ = c.Close() },
		"reset": func(c net.Conn) { _ = c.(*net.TCPConn).SetLinger(0); _ = c.Close() },
	} {
		t.Run(name, func(t *testing.T) {
			l, err := net.Listen("tcp", "127.0.0.1:0")
			require.NoError(t, err)
			t.Cleanup(func() { _ = l.Close() })
			go func() {
				for {
					c, err := l.Accept()
					if err != nil {
						return
					}
					drop(c)
				}
			}()
			c, err := s3kit.New(t.Context(), s3kit.WithEndpoint("https://"+l.Addr().String()), s3kit.WithCredentials("AKID", "SECRET"),
				s3kit.WithMaxAttempts(1))
			require.NoError(t, err)
			_, err = c.Head(t.Context(), bucket, "k")
			require.Error(t, err)
			t.Log(err)
			assert.NotContains(t, err.Error(), "must start with https://", "it does")
		})
	}
}

// TestAttack12_RootCAsClientFollowsRedirectsAsTheSDKsDoes: the HTTP client
// that WithRootCAs and S3_CA_BUNDLE build refuses every redirect
// (awsconf.Settings.httpClient: "redirects are not followed, as the SDK's
// own client does not follow them"). The SDK's own client follows 307 and
// 308 (aws/transport/http limitedRedirect), and so does the client
// AWS_CA_BUNDLE gives. The same endpoint and CA work with AWS_CA_BUNDLE and
// fail with WithRootCAs or S3_CA_BUNDLE.
func TestAttack12_RootCAsClientFollowsRedirectsAsTheSDKsDoes(t *testing.T) {
	ts := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/bkt/k" {
			w.Header().Set("Location", "/bkt/moved")
			w.WriteHeader(http.StatusTemporaryRedirect)
			return
		}
		w.Header().Set("Content-Length", "2")
		_, _ = io.WriteString(w, "ok")
	}))
	t.Cleanup(ts.Close)
	caPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ts.Certificate().Raw})
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	require.NoError(t, os.WriteFile(caFile, caPEM, 0o600))
	get := func(t *testing.T, opts ...s3kit.Option) error {
		c, err := s3kit.New(t.Context(), append([]s3kit.Option{s3kit.WithEndpoint(ts.URL), s3kit.WithCredentials("AKID", "SECRET")}, opts...)...)
		require.NoError(t, err)
		if hc, ok := c.S3().Options().HTTPClient.(interface{ CloseIdleConnections() }); ok {
			t.Cleanup(hc.CloseIdleConnections)
		}
		r, err := c.Get(t.Context(), bucket, "k", s3kit.WithMD5Check(false))
		if err == nil {
			_ = r.Close()
		}
		return err
	}
	t.Setenv("S3_CA_BUNDLE", "")
	t.Setenv("AWS_CA_BUNDLE", caFile)
	require.NoError(t, get(t, s3kit.FromEnv()), "AWS_CA_BUNDLE: the SDK's client follows the 307")
	t.Setenv("AWS_CA_BUNDLE", "")
	assert.NoError(t, get(t, s3kit.WithRootCAs(caPEM)), "WithRootCAs")
	t.Setenv("S3_CA_BUNDLE", caFile)
	assert.NoError(t, get(t, s3kit.FromEnv()), "S3_CA_BUNDLE")
}

// TestAttack12_CABundleFromTheEnvironmentAndExplicitOptions: FromEnv says
// "Options given explicitly always win over the environment" and
// CONFIGURATION.md ranks "S3_CA_BUNDLE, then AWS_CA_BUNDLE". Yet an
// S3_CA_BUNDLE in the environment makes New fail for a program that gives
// its own WithHTTPClient (AWS_CA_BUNDLE is silently ignored in that case),
// and an AWS_CA_BUNDLE naming a missing file makes New fail although
// S3_CA_BUNDLE, which wins, is fine.
func TestAttack12_CABundleFromTheEnvironmentAndExplicitOptions(t *testing.T) {
	ca := filepath.Join(t.TempDir(), "ca.pem")
	require.NoError(t, os.WriteFile(ca, otherCA(t), 0o600))
	base := []s3kit.Option{s3kit.FromEnv(), s3kit.WithEndpoint("https://s3.example.com"), s3kit.WithCredentials("AKID", "SECRET")}
	t.Run("S3_CA_BUNDLE and an explicit HTTP client", func(t *testing.T) {
		t.Setenv("AWS_CA_BUNDLE", "")
		t.Setenv("S3_CA_BUNDLE", ca)
		_, err := s3kit.New(t.Context(), append(base, s3kit.WithHTTPClient(&http.Client{}))...)
		assert.NoError(t, err, "the explicit option wins over the environment")
	})
	t.Run("S3_CA_BUNDLE wins over a broken AWS_CA_BUNDLE", func(t *testing.T) {
		t.Setenv("S3_CA_BUNDLE", ca)
		t.Setenv("AWS_CA_BUNDLE", filepath.Join(t.TempDir(), "missing.pem"))
		_, err := s3kit.New(t.Context(), base...)
		assert.NoError(t, err)
	})
}

// TestAttack12_SharedConfigEndpointNeverProbesIMDS: FromEnv takes the
// endpoint from endpoint_url in the shared config (settleEndpoint), but
// only after awsconf.Load, which decides whether to switch IMDS off from
// the S3_*/AWS_* variables and options alone. With the endpoint in
// ~/.aws/config and no keys, New asks EC2 instance metadata, the SDK prints
// "WARN falling back to IMDSv1", and the error says "no EC2 IMDS role
// found": what issue 12 set out to remove ("With an endpoint configured,
// never probe EC2 IMDS and never print its warnings").
func TestAttack12_SharedConfigEndpointNeverProbesIMDS(t *testing.T) {
	var imdsRequests atomic.Int64
	imds := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		imdsRequests.Add(1)
		w.WriteHeader(http.StatusNotFound)
	}))
	t.Cleanup(imds.Close)
	for _, k := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION",
		"S3_ACCESS_KEY", "S3_SECRET_KEY", "S3_REGION", "S3_ENDPOINT_URL", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_CA_BUNDLE", "S3_CA_BUNDLE",
		"AWS_EC2_METADATA_DISABLED", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_WEB_IDENTITY_TOKEN_FILE"} {
		t.Setenv(k, "")
	}
	dir := t.TempDir()
	t.Setenv("HOME", dir)
	cfg := filepath.Join(dir, "config")
	require.NoError(t, os.WriteFile(cfg, []byte("[default]\nregion = eu-west-1\nendpoint_url = https://s3.example.com\n"), 0o600))
	t.Setenv("AWS_CONFIG_FILE", cfg)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	t.Setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.URL)
	_, err := s3kit.New(t.Context(), s3kit.FromEnv())
	require.Error(t, err)
	t.Log(err)
	assert.Zero(t, imdsRequests.Load(), "requests to EC2 instance metadata")
	assert.NotContains(t, err.Error(), "IMDS")
	imds.CloseClientConnections()
}

// TestAttack12_MultipartStepIsNamedOnceAndKept: wrap puts the step ("part
// 3") in front of the error and then, for a failure without an answer,
// again in front of its plain cause, which already starts with it: "part
// 3: part 3: the answer carries no ETag". For an answer with a code but
// no message (a bare 404 or 500 to UploadPart), the step goes nowhere:
// "Put bkt/big: NotFound (HTTP 404)" does not say a part failed.
func TestAttack12_MultipartStepIsNamedOnceAndKept(t *testing.T) {
	for name, answer := range map[string]func(http.ResponseWriter){
		"200 without ETag": func(w http.ResponseWriter) { w.WriteHeader(http.StatusOK) },
		"bare 404":         func(w http.ResponseWriter) { w.WriteHeader(http.StatusNotFound) },
		"bare 500":         func(w http.ResponseWriter) { w.WriteHeader(http.StatusInternalServerError) },
	} {
		t.Run(name, func(t *testing.T) {
			srv := s3kittest.NewServer(t)
			srv.CreateBucket(t, bucket)
			c := proxy(t, srv, func(w http.ResponseWriter, r *http.Request) bool {
				if r.URL.Query().Get("partNumber") != "3" {
					return false
				}
				_, _ = io.Copy(io.Discard, r.Body)
				answer(w)
				return true
			}, s3kit.WithMaxAttempts(1))
			_, err := c.Put(t.Context(), bucket, "big", bytes.NewReader(make([]byte, 16<<20)),
				s3kit.WithMultipartThreshold(5<<20), s3kit.WithPartSize(5<<20), s3kit.WithConcurrency(1))
			require.Error(t, err)
			t.Log(err)
			assert.Equal(t, 1, strings.Count(err.Error(), "part 3"), "the step, once")
		})
	}
}

// TestAttack12_CopyNamesTheSourceWhenItsCheckFails: before completing a
// multipart copy, Copy checks the source again with HEAD. If the source is
// gone, the error names the destination ("Copy dst/dstkey: NotFound (HTTP
// 404)") and matches ErrNotFound: the "source bkt/src" the engine wrapped
// around the cause is dropped from the text, so it reads as a missing
// destination.
func TestAttack12_CopyNamesTheSourceWhenItsCheckFails(t *testing.T) {
	srv := s3kittest.NewServer(t)
	srv.CreateBucket(t, bucket)
	srv.CreateBucket(t, "dst")
	_, err := srv.Client(t).Put(t.Context(), bucket, "src", bytes.NewReader(make([]byte, 11<<20)))
	require.NoError(t, err)
	var heads atomic.Int32
	c := proxy(t, srv, func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method == http.MethodHead && r.URL.Path == "/"+bucket+"/src" && heads.Add(1) >= 2 {
			w.WriteHeader(http.StatusNotFound) // deleted while the parts were copied
			return true
		}
		return false
	}, s3kit.WithCopyLimits(5<<20, 5<<20))
	_, err = c.Copy(t.Context(), bucket, "src", "dst", "dstkey")
	require.Error(t, err)
	t.Log(err)
	assert.Contains(t, err.Error(), "source", "which object is missing")
}

// TestAttack12_CopyWithAWrongRegionMatchesErrWrongRegion: Copy's first
// request is a HEAD of the source; a wrong region gets a bare 400 there,
// and Copy, unlike Head, does not ask again. Download, DeletePrefix and
// Head all match ErrWrongRegion on the same server; Copy matches nothing.
func TestAttack12_CopyWithAWrongRegionMatchesErrWrongRegion(t *testing.T) {
	srv := s3kittest.NewServer(t, s3kittest.WithStrictRegion())
	srv.CreateBucket(t, bucket)
	_, err := srv.Client(t).Put(t.Context(), bucket, "a", strings.NewReader("x"))
	require.NoError(t, err)
	c, err := s3kit.New(t.Context(), s3kit.WithEndpoint(srv.URL), s3kit.WithCredentials(s3kittest.AccessKey, s3kittest.SecretKey), s3kit.WithRegion("fr1"))
	require.NoError(t, err)
	_, err = c.Head(t.Context(), bucket, "a")
	require.ErrorIs(t, err, s3kit.ErrWrongRegion)
	_, err = c.Copy(t.Context(), bucket, "a", bucket, "b")
	require.Error(t, err)
	t.Log(err)
	assert.ErrorIs(t, err, s3kit.ErrWrongRegion)
	assert.Contains(t, err.Error(), `WithRegion("`+s3kittest.Region+`")`)
}

// TestAttack12_DoctorSaysHowToTrustAPrivateCA: issue 12 lists "doctor
// without -ca reports the x509 failure and then 'suggested options: none
// beyond the defaults'". It still does (seen with examples/doctor on
// versitygw): the reachability check prints the raw url.Error and neither
// it nor the suggestions name WithRootCAs or S3_CA_BUNDLE.
func TestAttack12_DoctorSaysHowToTrustAPrivateCA(t *testing.T) {
	srv := s3kittest.NewServer(t, s3kittest.WithTLS())
	srv.CreateBucket(t, bucket)
	c, err := s3kit.New(t.Context(), s3kit.WithEndpoint(srv.URL), s3kit.WithCredentials(s3kittest.AccessKey, s3kittest.SecretKey))
	require.NoError(t, err)
	rep, err := c.Doctor(t.Context(), bucket)
	require.NoError(t, err)
	t.Log(rep)
	assert.Contains(t, rep.String(), "WithRootCAs")
}

// TestAttack12_BucketNotEmptyAdviceCanBeFollowed: the text of
// ErrBucketNotEmpty said "delete its objects first (DeletePrefix, or
// DeleteMany with the keys of List)", and ErrBucketNotEmpty's doc "empty it
// first, for example with [Client.DeletePrefix]"; but DeletePrefix refuses
// the empty prefix that would empty the bucket (ErrInvalidInput). The
// advice, followed, fails.
func TestAttack12_BucketNotEmptyAdviceCanBeFollowed(t *testing.T) {
	_, c := setup(t)
	_, err := c.Put(t.Context(), bucket, "a", strings.NewReader("x"))
	require.NoError(t, err)
	_, err = c.Put(t.Context(), bucket, "b/c", strings.NewReader("x"))
	require.NoError(t, err)
	err = c.DeleteBucket(t.Context(), bucket)
	require.ErrorIs(t, err, s3kit.ErrBucketNotEmpty)
	if strings.Contains(err.Error(), "DeletePrefix") {
		assert.NoError(t, c.DeletePrefix(t.Context(), bucket, ""), "the advice of %q", err)
	}
}
