// Package demo holds the set-up that the example programs share, so that each
// main.go shows only the s3kit calls it is about.
//
// With an endpoint in the environment (S3_ENDPOINT_URL, AWS_ENDPOINT_URL_S3 or
// AWS_ENDPOINT_URL), [Setup] builds the client with s3kit.FromEnv and uses the
// bucket named by S3_BUCKET, which must already exist. Without one, it starts
// an embedded in-memory server from package s3kittest and creates the bucket
// there, so the examples run on a machine with nothing but Go.
//
// In your own program, the whole of this package comes down to:
//
//	client, err := s3kit.New(ctx, s3kit.FromEnv())
package demo

import (
	"context"
	"fmt"
	"mime"
	"net/http"
	"os"
	"path"
	"strings"

	"github.com/s3kit/s3kit"
	"github.com/s3kit/s3kit/s3kittest"
)

// DefaultBucket is the bucket used when S3_BUCKET is not set.
const DefaultBucket = "s3kit-demo"

// Env is what an example works with.
type Env struct {
	Client   *s3kit.Client
	Bucket   string
	Embedded bool // true when talking to the embedded in-memory server

	// HTTP is a client for anonymous requests, such as fetching a public
	// URL. It carries no S3 credentials, and trusts what the S3 client
	// trusts (a private CA given with S3_CA_BUNDLE, for example).
	HTTP HTTPDoer

	srv *s3kittest.Server
}

// HTTPDoer sends an HTTP request, as *http.Client does.
type HTTPDoer interface {
	Do(*http.Request) (*http.Response, error)
}

// Setup returns a client for the configured endpoint, or for an embedded
// server when none is configured. opts are added to the client's options.
// The caller must call [Env.Close].
func Setup(ctx context.Context, opts ...s3kit.Option) (*Env, error) {
	bucket := os.Getenv("S3_BUCKET")
	if bucket == "" {
		bucket = DefaultBucket
	}
	if endpointConfigured() {
		client, err := s3kit.New(ctx, append([]s3kit.Option{s3kit.FromEnv()}, opts...)...)
		if err != nil {
			return nil, err
		}
		// The SDK client's own HTTP client: same trust, no signing.
		return &Env{Client: client, Bucket: bucket, HTTP: client.S3().Options().HTTPClient}, nil
	}

	fmt.Fprintln(os.Stderr, "(using an embedded in-memory S3 server; to use a real one,",
		"set S3_ENDPOINT_URL, S3_ACCESS_KEY, S3_SECRET_KEY and S3_BUCKET)")
	srv := s3kittest.Start()
	client, err := srv.NewClient(ctx, opts...)
	if err == nil {
		err = client.CreateBucket(ctx, bucket)
	}
	if err != nil {
		srv.Close()
		return nil, err
	}
	return &Env{Client: client, Bucket: bucket, Embedded: true, HTTP: srv.HTTPClient(), srv: srv}, nil
}

// Close stops the embedded server, if any.
func (e *Env) Close() {
	if e.srv != nil {
		e.srv.Close()
	}
}

// Seed stores each key with its content, but only on the embedded server,
// which starts empty; a real bucket is never written to. The Content-Type
// comes from the key's extension.
func (e *Env) Seed(ctx context.Context, objects map[string]string) error {
	if !e.Embedded {
		return nil
	}
	for key, content := range objects {
		ct := mime.TypeByExtension(path.Ext(key))
		if ct == "" {
			ct = "application/octet-stream"
		}
		if _, err := e.Client.Put(ctx, e.Bucket, key, strings.NewReader(content), s3kit.WithContentType(ct)); err != nil {
			return err
		}
	}
	return nil
}

// endpointConfigured reports whether the environment names an S3 endpoint.
func endpointConfigured() bool {
	for _, name := range []string{"S3_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"} {
		if os.Getenv(name) != "" {
			return true
		}
	}
	return false
}
