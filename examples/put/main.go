// Command put stores a small JSON document.
//
//	go run ./examples/put
//	go run ./examples/put -key notes/other.json -public
//
// With -public the object is stored with the public-read canned ACL, so that
// anyone can fetch it at the URL printed. Configuration comes from the
// environment (see examples/internal/demo).
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/s3kit/s3kit"
	"github.com/s3kit/s3kit/examples/internal/demo"
)

// Note is the document we store.
type Note struct {
	Title   string    `json:"title"`
	Body    string    `json:"body"`
	Created time.Time `json:"created"`
}

func main() {
	key := flag.String("key", "notes/hello.json", "object `key`")
	public := flag.Bool("public", false, "store the object with the public-read ACL")
	flag.Parse()
	if err := run(*key, *public); err != nil {
		fmt.Fprintln(os.Stderr, "put:", err)
		os.Exit(1)
	}
}

func run(key string, public bool) error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	env, err := demo.Setup(ctx)
	if err != nil {
		return err
	}
	defer env.Close()

	body, err := json.Marshal(Note{Title: "hello", Body: "stored with s3kit", Created: time.Now().UTC()})
	if err != nil {
		return err
	}
	opts := []s3kit.PutOption{s3kit.WithContentType("application/json")}
	acl := "private" // no ACL sent: the provider's default
	if public {
		opts = append(opts, s3kit.WithACL(s3kit.ACLPublicRead))
		acl = string(s3kit.ACLPublicRead)
	}

	// A *bytes.Reader has a known size, so Put sends it in one request.
	res, err := env.Client.Put(ctx, env.Bucket, key, bytes.NewReader(body), opts...)
	if errors.Is(err, s3kit.ErrACLNotSupported) {
		return fmt.Errorf("this provider has no object ACLs; run again without -public: %w", err)
	}
	if err != nil {
		return err
	}
	fmt.Printf("✓ put %s/%s (%d bytes, application/json, %s)\n", env.Bucket, key, res.Size, acl)
	if public {
		fmt.Println("  public URL:", env.Client.PublicURL(env.Bucket, key))
	}
	return nil
}
