package s3kit_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"strings"

	"github.com/s3kit/s3kit"
	"github.com/s3kit/s3kit/s3kittest"
)

// exampleClient starts an in-process server with a bucket named "docs" and
// returns a client for it. Real code uses s3kit.New(ctx, s3kit.FromEnv()).
func exampleClient(ctx context.Context) (*s3kit.Client, *s3kittest.Server) {
	srv := s3kittest.Start()
	client, err := srv.NewClient(ctx)
	if err != nil {
		log.Fatal(err)
	}
	if err := client.CreateBucket(ctx, "docs"); err != nil {
		log.Fatal(err)
	}
	return client, srv
}

func ExampleNew() {
	ctx := context.Background()
	client, err := s3kit.New(ctx,
		s3kit.WithEndpoint("https://my-namespace.s3.fr1.cloud-temple.com"),
		s3kit.WithRegion("fr1"),
		s3kit.WithCredentials("ACCESS_KEY", "SECRET_KEY"),
	)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(client)
	// Output: s3kit.Client{endpoint: https://my-namespace.s3.fr1.cloud-temple.com, region: fr1, pathStyle: true}
}

func ExampleClient_Put() {
	ctx := context.Background()
	client, srv := exampleClient(ctx)
	defer srv.Close()

	res, err := client.Put(ctx, "docs", "notes/hello.json", strings.NewReader(`{"hello":"world"}`),
		s3kit.WithContentType("application/json"),
		s3kit.WithACL(s3kit.ACLPublicRead),
	)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res.Size, res.ETag)
	// Output: 17 fbc24bcc7a1794758fc1327fcfebdaf6
}

func ExampleClient_List() {
	ctx := context.Background()
	client, srv := exampleClient(ctx)
	defer srv.Close()
	for _, key := range []string{"logs/a.txt", "logs/b.txt", "img/c.png"} {
		if _, err := client.Put(ctx, "docs", key, strings.NewReader("data")); err != nil {
			log.Fatal(err)
		}
	}

	for obj, err := range client.List(ctx, "docs", s3kit.WithPrefix("logs/")) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(obj.Key, obj.Size)
	}
	// Output:
	// logs/a.txt 4
	// logs/b.txt 4
}

func ExampleClient_Get() {
	ctx := context.Background()
	client, srv := exampleClient(ctx)
	defer srv.Close()
	if _, err := client.Put(ctx, "docs", "greeting.txt", strings.NewReader("bonjour"), s3kit.WithContentType("text/plain")); err != nil {
		log.Fatal(err)
	}

	r, err := client.Get(ctx, "docs", "greeting.txt")
	if err != nil {
		log.Fatal(err)
	}
	defer r.Close()
	body, err := io.ReadAll(r)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(string(body), r.ContentType, r.Size)

	_, err = client.Get(ctx, "docs", "missing.txt")
	fmt.Println(errors.Is(err, s3kit.ErrNotFound))
	// Output:
	// bonjour text/plain 7
	// true
}

func ExampleClient_MakePublic() {
	ctx := context.Background()
	client, srv := exampleClient(ctx)
	defer srv.Close()
	if _, err := client.Put(ctx, "docs", "photos/cat 1.jpg", strings.NewReader("meow")); err != nil {
		log.Fatal(err)
	}

	url, err := client.MakePublic(ctx, "docs", "photos/cat 1.jpg")
	if err != nil {
		log.Fatal(err)
	}
	resp, err := srv.HTTPClient().Get(url) // anonymous: no credentials
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Println(strings.TrimPrefix(url, srv.URL), resp.StatusCode, string(body))
	// Output: /docs/photos/cat%201.jpg 200 meow
}

func ExampleClient_Delete() {
	ctx := context.Background()
	client, srv := exampleClient(ctx)
	defer srv.Close()
	if _, err := client.Put(ctx, "docs", "old.txt", strings.NewReader("x")); err != nil {
		log.Fatal(err)
	}

	if err := client.Delete(ctx, "docs", "old.txt"); err != nil {
		log.Fatal(err)
	}
	_, err := client.Head(ctx, "docs", "old.txt")
	fmt.Println(errors.Is(err, s3kit.ErrNotFound))
	// Deleting a key that does not exist succeeds, as in S3.
	fmt.Println(client.Delete(ctx, "docs", "old.txt"))
	// Output:
	// true
	// <nil>
}

func ExampleError() {
	ctx := context.Background()
	client, srv := exampleClient(ctx)
	defer srv.Close()

	_, err := client.Head(ctx, "docs", "nothing-here")
	var e *s3kit.Error
	if errors.As(err, &e) {
		fmt.Println(e.Op, e.Bucket, e.Key, e.Code, e.StatusCode)
	}
	fmt.Println(errors.Is(err, s3kit.ErrNotFound))
	// Output:
	// Head docs nothing-here NotFound 404
	// true
}
