// Command get streams an object to standard output.
//
//	go run ./examples/get
//	go run ./examples/get -key notes/hello.json > hello.json
//
// The object's description goes to standard error, its bytes to standard
// output. Configuration comes from the environment (see
// examples/internal/demo).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/s3kit/s3kit"
	"github.com/s3kit/s3kit/examples/internal/demo"
)

func main() {
	key := flag.String("key", "notes/hello.json", "object `key`")
	flag.Parse()
	if err := run(*key); err != nil {
		fmt.Fprintln(os.Stderr, "get:", err)
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
	// The embedded server starts empty: store the object first.
	if err := env.Seed(ctx, map[string]string{"notes/hello.json": `{"title":"hello","body":"stored with s3kit"}` + "\n"}); err != nil {
		return err
	}

	r, err := env.Client.Get(ctx, env.Bucket, key)
	if errors.Is(err, s3kit.ErrNotFound) {
		return fmt.Errorf("no object %q in bucket %s (create one with: go run ./examples/put -key %s)", key, env.Bucket, key)
	}
	if err != nil {
		return err
	}
	// The body streams from the network: it must be closed.
	defer r.Close()

	fmt.Fprintf(os.Stderr, "%s/%s: %d bytes, %s, modified %s\n",
		env.Bucket, r.Key, r.Size, r.ContentType, r.LastModified.Local().Format(time.DateTime))
	if _, err := io.Copy(os.Stdout, r); err != nil {
		return err
	}
	return r.Close()
}
