package s3kit_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"strings"

	"github.com/s3kit/s3kit"
	"github.com/s3kit/s3kit/s3kittest"
)

// A create-only Put: the second writer of the key is refused and the first
// one's object stays.
func ExampleWithIfNoneMatch() {
	ctx := context.Background()
	srv := s3kittest.Start() // real code: s3kit.New(ctx, s3kit.FromEnv())
	defer srv.Close()
	client, err := srv.NewClient(ctx)
	if err != nil {
		log.Fatal(err)
	}
	if err := client.CreateBucket(ctx, "jobs"); err != nil {
		log.Fatal(err)
	}

	for _, owner := range []string{"worker-1", "worker-2"} {
		_, err := client.Put(ctx, "jobs", "locks/job-42", strings.NewReader(owner), s3kit.WithIfNoneMatch("*"))
		switch {
		case errors.Is(err, s3kit.ErrPreconditionFailed):
			fmt.Println(owner, "lost: the lock is taken")
		case err != nil:
			log.Fatal(err)
		default:
			fmt.Println(owner, "took the lock")
		}
	}
	// Output:
	// worker-1 took the lock
	// worker-2 lost: the lock is taken
}

// A compare-and-swap: a write based on a stale read is refused.
func ExampleWithIfMatch() {
	ctx := context.Background()
	srv := s3kittest.Start() // real code: s3kit.New(ctx, s3kit.FromEnv())
	defer srv.Close()
	client, err := srv.NewClient(ctx)
	if err != nil {
		log.Fatal(err)
	}
	if err := client.CreateBucket(ctx, "jobs"); err != nil {
		log.Fatal(err)
	}
	if _, err := client.Put(ctx, "jobs", "counter", strings.NewReader("1")); err != nil {
		log.Fatal(err)
	}

	read, err := client.Head(ctx, "jobs", "counter")
	if err != nil {
		log.Fatal(err)
	}
	// Someone else writes in between.
	if _, err := client.Put(ctx, "jobs", "counter", strings.NewReader("5")); err != nil {
		log.Fatal(err)
	}
	_, err = client.Put(ctx, "jobs", "counter", strings.NewReader("2"), s3kit.WithIfMatch(read.ETag))
	fmt.Println(errors.Is(err, s3kit.ErrPreconditionFailed))
	// Output: true
}
