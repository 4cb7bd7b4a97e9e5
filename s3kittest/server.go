// Package s3kittest runs an in-process S3 server for tests, in the spirit of
// net/http/httptest. It wraps gofakes3 (an in-memory S3 implementation) with a
// middleware that adds what gofakes3 lacks and real providers have:
//
//   - the ?acl sub-resource (GET and PUT with canned ACLs, and x-amz-acl on
//     PutObject and CreateMultipartUpload), kept beside the data so that an
//     ACL change never touches an object's bytes;
//   - ACL enforcement: an anonymous request (no signature) may only GET or
//     HEAD an object whose ACL is public-read or public-read-write, anything
//     else gets 403 AccessDenied;
//   - SigV4 verification: a signed request must use [AccessKey] and a valid
//     signature made with [SecretKey] (any region), its canonical path is
//     rebuilt from the decoded key as a strict server does, and a signed
//     payload hash is checked against the body; failures get 403
//     SignatureDoesNotMatch or InvalidAccessKeyId, as on a real server; an
//     x-amz-* header that the signature does not cover gets 403
//     AccessDenied, as on S3, so a presigned PUT cannot gain an unsigned
//     x-amz-acl;
//   - SigV2 verification ("Authorization: AWS key:signature"), as Ceph RGW
//     does, for clients built with s3kit.WithSignatureV2;
//   - rejection of aws-chunked streaming uploads with
//     XAmzContentSHA256Mismatch, as Dell ECS and Ceph RGW do, so that the
//     AWS SDK's default checksum mode fails here as it fails there, unless
//     [WithStreamingUploads] is given;
//   - S3's metadata rules: an overwrite or a REPLACE copy stores exactly the
//     new metadata (gofakes3 merges in the old keys), and user metadata keys
//     are stored and sent in lower case;
//   - S3's listing rules for delimiters of any length, without the repeated
//     CommonPrefixes and empty last pages of gofakes3's paging;
//   - encoding-type=url on ListObjects, ListObjectsV2 and
//     ListMultipartUploads, as on S3: the answer says
//     <EncodingType>url</EncodingType> and URL-encodes keys, common
//     prefixes and the echoed Prefix, Delimiter, Marker, StartAfter,
//     KeyMarker, NextMarker and NextKeyMarker the way url.QueryEscape does
//     (a space as '+', '+' as "%2B"); continuation tokens stay opaque.
//     Without it, keys are written as S3 writes them: a character XML 1.0
//     cannot carry, such as \x01, becomes a character reference such as
//     "&#x1;", which XML parsers (the AWS SDK for Go's included) refuse, so
//     the listing fails in the client as it does against S3, where gofakes3
//     would list U+FFFD in its place;
//   - conditional writes: If-None-Match: * and If-Match on PutObject,
//     CopyObject and CompleteMultipartUpload, checked against the ETag the
//     server serves and applied atomically with respect to other writes of
//     the key; a failed condition gets 412 PreconditionFailed (404 NoSuchKey
//     for If-Match on a missing object), as on S3;
//   - Cache-Control and Content-Language, which gofakes3 drops, and an empty answer to
//     ListMultipartUploads where gofakes3 answers 404;
//   - 501 NotImplemented for sub-resources gofakes3 would misroute to
//     object writes (tagging, policy, and so on).
//
// Everything lives in memory; the server suits correctness tests, not
// benchmarks.
package s3kittest

import (
	"context"
	"crypto/tls"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/s3kit/s3kit"
)

// Credentials the server accepts. [Server.Client] uses them.
const (
	AccessKey = "s3kittest-access"
	SecretKey = "s3kittest-secret"
	Region    = "eu-west-1"
)

// Server is an in-process S3 server listening on 127.0.0.1.
type Server struct {
	// URL is the endpoint, such as "http://127.0.0.1:40123".
	URL string

	httpSrv    *httptest.Server
	backend    *s3mem.Backend
	store      *store // backend as gofakes3 sees it; store.go
	requests   atomic.Int64
	requireMD5 bool
	streaming  bool // streaming.go
	// strictRegion refuses requests signed for another region than Region.
	strictRegion bool

	mu      sync.Mutex
	objects map[objectID]objectExtra // ACL and headers gofakes3 drops, per object
	pending map[string]pendingUpload // the same, per multipart upload ID

	writeLocks keyLocks // one per object being written (conditional.go)
}

// objectID names an object.
type objectID struct{ bucket, key string }

// objectExtra is what the middleware keeps beside gofakes3's data.
type objectExtra struct {
	acl     s3kit.ACL
	headers keptHeaders
	etag    string // multipart ETag ("md5-N"), which gofakes3 does not keep
}

// keptHeaders are the object headers gofakes3 drops, kept by the middleware
// (gofakes3 keeps Content-Type, Content-Disposition and Content-Encoding).
type keptHeaders struct{ cacheControl, contentLanguage string }

// headersOf reads the kept headers of a write.
func headersOf(r *http.Request) keptHeaders {
	return keptHeaders{r.Header.Get("Cache-Control"), r.Header.Get("Content-Language")}
}

// set puts the kept headers that are not empty on an answer.
func (k keptHeaders) set(h http.Header) {
	for name, v := range map[string]string{"Cache-Control": k.cacheControl, "Content-Language": k.contentLanguage} {
		if v != "" {
			h.Set(name, v)
		}
	}
}

// pendingUpload is what the middleware keeps beside a multipart upload of
// gofakes3's until it completes: the object's extras, and its bucket and
// key, which gofakes3's listing of uploads can garble (listing.go).
type pendingUpload struct {
	objectExtra
	objectID
}

// Option configures a Server.
type Option interface{ apply(*serverConfig) }

type serverConfig struct {
	tls        bool
	requireMD5 bool // batch.go
	streaming  bool // streaming.go
	faults     []*Rule
	// strictRegion refuses requests signed for another region.
	strictRegion bool
}

type optionFunc func(*serverConfig)

func (f optionFunc) apply(c *serverConfig) { f(c) }

// WithTLS serves HTTPS with a self-signed certificate instead of HTTP.
// [Server.Client] and [Server.HTTPClient] trust it.
func WithTLS() Option { return optionFunc(func(c *serverConfig) { c.tls = true }) }

// WithStrictRegion makes the server refuse requests signed for another
// region than [Region], as AWS, MinIO and versitygw do (Ceph RGW accepts
// any): 400 AuthorizationHeaderMalformed naming the region it expects, and a
// bare 400 to a HEAD, which has no body (TestMistakesUsersMake and the
// conformance suite use it). Default: any region is accepted.
func WithStrictRegion() Option { return optionFunc(func(c *serverConfig) { c.strictRegion = true }) }

// Start starts a server. The caller must call [Server.Close]. Tests should
// prefer [NewServer], which closes the server when the test ends.
func Start(opts ...Option) *Server {
	var cfg serverConfig
	for _, o := range opts {
		o.apply(&cfg)
	}
	s := &Server{
		backend: s3mem.New(),
		objects: make(map[objectID]objectExtra),
		pending: make(map[string]pendingUpload),

		requireMD5:   cfg.requireMD5,
		streaming:    cfg.streaming,
		strictRegion: cfg.strictRegion,
	}
	s.store = &store{Backend: s.backend}
	faker := gofakes3.New(s.store, gofakes3.WithAutoBucket(false))
	handler := s.middleware(faker.Server())
	if len(cfg.faults) > 0 {
		handler = NewFaultHandler(handler, cfg.faults...)
	}
	s.httpSrv = httptest.NewUnstartedServer(handler)
	if cfg.tls {
		s.httpSrv.StartTLS()
	} else {
		s.httpSrv.Start()
	}
	s.URL = s.httpSrv.URL
	return s
}

// NewServer starts a server that is closed when t ends.
func NewServer(t testing.TB, opts ...Option) *Server {
	t.Helper()
	s := Start(opts...)
	t.Cleanup(s.Close)
	return s
}

// Close shuts the server down and waits for its requests to finish.
func (s *Server) Close() { s.httpSrv.Close() }

// HTTPClient returns an HTTP client that trusts the server's certificate,
// for example to fetch a public URL anonymously.
func (s *Server) HTTPClient() *http.Client { return s.httpSrv.Client() }

// TLSConfig returns the TLS client configuration that trusts the server, or
// nil for a plain HTTP server.
func (s *Server) TLSConfig() *tls.Config {
	if tr, ok := s.httpSrv.Client().Transport.(*http.Transport); ok && s.httpSrv.TLS != nil {
		return tr.TLSClientConfig
	}
	return nil
}

// CertificatePEM returns the PEM of the certificate a server started
// [WithTLS] presents, which is its own certificate authority: give it to
// s3kit.WithRootCAs, or write it to the file S3_CA_BUNDLE names. It returns
// nil for a plain HTTP server (TestCertificatePEM).
func (s *Server) CertificatePEM() []byte {
	c := s.httpSrv.Certificate()
	if c == nil {
		return nil
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
}

// Options returns the s3kit options that point a client at this server: its
// endpoint, credentials and an HTTP client that trusts it.
func (s *Server) Options() []s3kit.Option {
	return []s3kit.Option{
		s3kit.WithEndpoint(s.URL),
		s3kit.WithRegion(Region),
		s3kit.WithCredentials(AccessKey, SecretKey),
		s3kit.WithHTTPClient(s.HTTPClient()),
	}
}

// NewClient returns an s3kit Client for this server; opts are applied after
// the server's own, so they can override them.
func (s *Server) NewClient(ctx context.Context, opts ...s3kit.Option) (*s3kit.Client, error) {
	return s3kit.New(ctx, append(s.Options(), opts...)...)
}

// Client is like [Server.NewClient] but fails t on error.
func (s *Server) Client(t testing.TB, opts ...s3kit.Option) *s3kit.Client {
	t.Helper()
	c, err := s.NewClient(t.Context(), opts...)
	if err != nil {
		t.Fatalf("s3kittest: new client: %v", err)
	}
	return c
}

// CreateBucket creates a bucket directly in the backend, without a request,
// and fails t on error.
func (s *Server) CreateBucket(t testing.TB, name string) {
	t.Helper()
	if err := s.backend.CreateBucket(name); err != nil {
		t.Fatalf("s3kittest: create bucket %q: %v", name, err)
	}
}

// Requests returns how many HTTP requests the server has received.
func (s *Server) Requests() int64 { return s.requests.Load() }

// ObjectACL returns the canned ACL the server holds for an object:
// [s3kit.ACLPrivate] unless one was set.
func (s *Server) ObjectACL(bucket, key string) s3kit.ACL {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e, ok := s.objects[objectID{bucket, key}]; ok && e.acl != "" {
		return e.acl
	}
	return s3kit.ACLPrivate
}
