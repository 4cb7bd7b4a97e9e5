package s3kittest_test

import (
	"context"
	"fmt"
	"io"
	"log"
	"strings"

	"github.com/s3kit/s3kit"
	"github.com/s3kit/s3kit/s3kittest"
)

// Start runs a server outside a test, as in an example or a program; in a
// test, NewServer closes it when the test ends.
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

// The client built by hand, with the server's endpoint and credentials.
func ExampleServer_NewClient() {
	srv := s3kittest.Start()
	defer srv.Close()

	ctx := context.Background()
	client, err := s3kit.New(ctx,
		s3kit.WithEndpoint(srv.URL),
		s3kit.WithCredentials(s3kittest.AccessKey, s3kittest.SecretKey),
		s3kit.WithRegion(s3kittest.Region),
	)
	if err != nil {
		log.Fatal(err)
	}
	// The same, with srv.NewClient(ctx): it also uses srv.HTTPClient(),
	// which trusts the certificate of a server started WithTLS.
	if err := client.CreateBucket(ctx, "test"); err != nil {
		log.Fatal(err)
	}
	_, err = client.Put(ctx, "test", "k", strings.NewReader("v"), s3kit.WithACL(s3kit.ACLPublicRead))
	fmt.Println(err, srv.ObjectACL("test", "k"))
	// Output: <nil> public-read
}

// A fault rule drops the answer to the first PutObject after the server
// stored the object; s3kit retries, and the Put succeeds.
func ExampleWithFaults() {
	lost := &s3kittest.Rule{Op: "PutObject", Nth: 1, Fault: s3kittest.DropResponse()}
	srv := s3kittest.Start(s3kittest.WithFaults(lost))
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
	r, err := client.Get(ctx, "test", "k")
	if err != nil {
		log.Fatal(err)
	}
	defer r.Close()
	body, err := io.ReadAll(r)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(lost.Fired(), string(body))
	// Output: 1 v
}
