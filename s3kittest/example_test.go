package s3kittest_test

import (
	"context"
	"fmt"
	"log"
	"strings"

	"github.com/s3kit/s3kit/s3kittest"
)

func ExampleStart() {
	srv := s3kittest.Start()
	defer srv.Close()

	ctx := context.Background()
	client, err := srv.NewClient(ctx)
	if err != nil {
		log.Fatal(err)
	}
	if err := client.CreateBucket(ctx, "test"); err != nil {
		log.Fatal(err)
	}
	if _, err := client.Put(ctx, "test", "k", strings.NewReader("v")); err != nil {
		log.Fatal(err)
	}
	fmt.Println(srv.ObjectACL("test", "k"), srv.Requests())
	// Output: private 2
}
