// Command delete removes an object.
//
//	go run ./examples/delete
//	go run ./examples/delete -key notes/hello.json
//
// As in S3, deleting a key that does not exist succeeds. Configuration comes
// from the environment (see examples/internal/demo).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/s3kit/s3kit"
	"github.com/s3kit/s3kit/examples/internal/demo"
)

func main() {
	key := flag.String("key", "notes/hello.json", "object `key`")
	flag.Parse()
	if err := run(*key); err != nil {
		fmt.Fprintln(os.Stderr, "delete:", err)
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
	if err := env.Seed(ctx, map[string]string{"notes/hello.json": `{"title":"hello"}`}); err != nil {
		return err
	}

	if err := env.Client.Delete(ctx, env.Bucket, key); err != nil {
		return err
	}
	fmt.Printf("✓ deleted %s/%s\n", env.Bucket, key)

	// Head confirms it: a missing object gives an error matching ErrNotFound.
	_, err = env.Client.Head(ctx, env.Bucket, key)
	switch {
	case errors.Is(err, s3kit.ErrNotFound):
		fmt.Println("  Head now reports: not found")
		return nil
	case err == nil:
		return fmt.Errorf("%s is still there after delete", key)
	default:
		return err
	}
}
