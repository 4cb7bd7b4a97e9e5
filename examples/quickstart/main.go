// Command quickstart walks through the basics in order: list a bucket, put a
// JSON document with the public-read ACL, get it back, make it public and
// fetch it without credentials, and delete it.
//
//	go run ./examples/quickstart
//
// With no endpoint configured it runs against an embedded in-memory server;
// set S3_ENDPOINT_URL, S3_ACCESS_KEY, S3_SECRET_KEY (and S3_REGION, S3_BUCKET)
// to run it against a real provider. It exits with status 1 on failure.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"

	"github.com/s3kit/s3kit"
	"github.com/s3kit/s3kit/examples/internal/demo"
)

const key = "notes/hello.json"

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "✗", err)
		os.Exit(1)
	}
}

func run() error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	env, err := demo.Setup(ctx)
	if err != nil {
		return err
	}
	defer env.Close()
	c, bucket := env.Client, env.Bucket

	// 1. List: the iterator yields objects, or one error that ends the loop.
	n := 0
	for _, err := range c.List(ctx, bucket) {
		if err != nil {
			return err
		}
		n++
	}
	fmt.Printf("✓ list %s: %d objects\n", bucket, n)

	// 2. Put a JSON document that anyone may read. Providers without object
	// ACLs refuse the ACL; store the object private there.
	doc, err := json.Marshal(map[string]string{"title": "hello", "body": "stored with s3kit"})
	if err != nil {
		return err
	}
	acl := s3kit.ACLPublicRead
	_, err = c.Put(ctx, bucket, key, bytes.NewReader(doc), s3kit.WithContentType("application/json"), s3kit.WithACL(acl))
	if errors.Is(err, s3kit.ErrACLNotSupported) {
		acl = s3kit.ACLPrivate
		_, err = c.Put(ctx, bucket, key, bytes.NewReader(doc), s3kit.WithContentType("application/json"))
	}
	if err != nil {
		return err
	}
	// If a later step fails, do not leave the object behind in a real bucket.
	deleted := false
	defer func() {
		if !deleted {
			_ = c.Delete(context.WithoutCancel(ctx), bucket, key)
		}
	}()
	fmt.Printf("✓ put %s (%d bytes, application/json, %s)\n", key, len(doc), acl)

	// 3. Get it back. The reader streams from the network and must be closed.
	r, err := c.Get(ctx, bucket, key)
	if err != nil {
		return err
	}
	got, err := io.ReadAll(r)
	r.Close()
	if err != nil {
		return err
	}
	fmt.Printf("✓ get %s (%d bytes, %s): %s\n", key, len(got), r.ContentType, got)

	// 4. Make it public and fetch it with a plain GET, without credentials.
	url, err := c.MakePublic(ctx, bucket, key)
	switch {
	case errors.Is(err, s3kit.ErrACLNotSupported):
		fmt.Println("- public: skipped, this provider has no object ACLs (use a bucket policy)")
	case err != nil:
		return err
	default:
		if err := fetchAnonymously(ctx, env, url); err != nil {
			return err
		}
	}

	// 5. Delete it.
	if err := c.Delete(ctx, bucket, key); err != nil {
		return err
	}
	deleted = true
	fmt.Printf("✓ delete %s\n", key)
	return nil
}

// fetchAnonymously GETs url without credentials, as anyone on the web
// would, with an HTTP client that trusts what the S3 client trusts.
func fetchAnonymously(ctx context.Context, env *demo.Env, url string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := env.HTTP.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("anonymous GET %s: %s", url, resp.Status)
	}
	fmt.Printf("✓ public %s (anonymous GET: %s)\n", url, resp.Status)
	return nil
}
