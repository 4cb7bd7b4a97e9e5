// Command public makes an object public with a canned ACL, then fetches it
// with a plain HTTP GET that carries no credentials.
//
//	go run ./examples/public
//	go run ./examples/public -key notes/hello.json
//
// Providers without object ACLs (MinIO, versitygw, AWS buckets with ACLs
// disabled) answer with s3kit.ErrACLNotSupported; there, a bucket policy is
// the way to publish objects. Configuration comes from the environment (see
// examples/internal/demo).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"

	"github.com/s3kit/s3kit"
	"github.com/s3kit/s3kit/examples/internal/demo"
)

func main() {
	key := flag.String("key", "notes/hello.json", "object `key`")
	flag.Parse()
	if err := run(*key); err != nil {
		fmt.Fprintln(os.Stderr, "public:", err)
		os.Exit(1)
	}
}

func run(key string) error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	env, err := demo.Setup(ctx)
	if err != nil {
		return err
	}
	defer env.Close()
	// The embedded server starts empty: store the object first (private).
	if err := env.Seed(ctx, map[string]string{"notes/hello.json": `{"title":"hello"}`}); err != nil {
		return err
	}

	// MakePublic sets the public-read ACL and returns the object's URL:
	// endpoint/bucket/key with path-style addressing.
	url, err := env.Client.MakePublic(ctx, env.Bucket, key)
	if errors.Is(err, s3kit.ErrACLNotSupported) {
		return fmt.Errorf("this provider has no object ACLs; publish objects with a bucket policy instead (%w)", err)
	}
	if err != nil {
		return err
	}
	fmt.Println("✓ public:", url)

	// Anyone can now read it: a plain GET, no signature.
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := env.HTTP.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<10))
	if err != nil {
		return err
	}
	fmt.Printf("  anonymous GET: %s\n  %s\n", resp.Status, body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("anonymous GET of %s: %s", url, resp.Status)
	}
	return nil
}
