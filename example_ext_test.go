package s3kit_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/s3kit/s3kit"
)

func ExampleWithProvider() {
	ctx := context.Background()
	client, err := s3kit.New(ctx,
		s3kit.WithProvider(s3kit.CloudTemple("my-namespace", "fr1")),
		s3kit.WithCredentials("ACCESS_KEY", "SECRET_KEY"),
	)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(client)
	fmt.Println(client.PublicURL("site", "img/logo 1.png"))
	// Output:
	// s3kit.Client{endpoint: https://my-namespace.s3.fr1.cloud-temple.com, region: fr1, pathStyle: true}
	// https://my-namespace.s3.fr1.cloud-temple.com/site/img/logo%201.png
}

func ExampleClient_PresignGet() {
	ctx := context.Background()
	client, srv := exampleClient(ctx)
	defer srv.Close()
	if _, err := client.Put(ctx, "docs", "report.pdf", strings.NewReader("%PDF-1.7")); err != nil {
		log.Fatal(err)
	}

	p, err := client.PresignGet(ctx, "docs", "report.pdf", 15*time.Minute)
	if err != nil {
		log.Fatal(err)
	}
	// Anyone with the URL can now download the object, without credentials.
	resp, err := http.Get(p.URL)
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Println(resp.StatusCode, string(body))
	// Output: 200 %PDF-1.7
}

func ExampleClient_PresignPut() {
	ctx := context.Background()
	client, srv := exampleClient(ctx)
	defer srv.Close()

	p, err := client.PresignPut(ctx, "docs", "uploads/photo.jpg", time.Hour, s3kit.WithContentType("image/jpeg"))
	if err != nil {
		log.Fatal(err)
	}
	// A browser or another service uploads with the URL and the signed headers.
	req, _ := http.NewRequestWithContext(ctx, p.Method, p.URL, strings.NewReader("JPEG DATA"))
	req.Header = p.Header.Clone()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		log.Fatal(err)
	}
	resp.Body.Close()
	obj, err := client.Head(ctx, "docs", "uploads/photo.jpg")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(resp.StatusCode, obj.ContentType, obj.Size)
	// Output: 200 image/jpeg 9
}

func ExampleClient_DeleteMany() {
	ctx := context.Background()
	client, srv := exampleClient(ctx)
	defer srv.Close()
	for _, k := range []string{"tmp/a", "tmp/b", "tmp/c", "keep"} {
		if _, err := client.Put(ctx, "docs", k, strings.NewReader("x")); err != nil {
			log.Fatal(err)
		}
	}

	err := client.DeleteMany(ctx, "docs", slices.Values([]string{"tmp/a", "tmp/b", "tmp/c"}))
	var de *s3kit.DeleteError
	if errors.As(err, &de) {
		for _, f := range de.Failed {
			fmt.Println("not deleted:", f.Key, f.Code)
		}
	} else if err != nil {
		log.Fatal(err)
	}
	for obj, err := range client.List(ctx, "docs") {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(obj.Key)
	}
	// Output: keep
}

func ExampleClient_Copy() {
	ctx := context.Background()
	client, srv := exampleClient(ctx)
	defer srv.Close()
	if _, err := client.Put(ctx, "docs", "v1/config.json", strings.NewReader(`{"v":1}`),
		s3kit.WithContentType("application/json")); err != nil {
		log.Fatal(err)
	}

	res, err := client.Copy(ctx, "docs", "v1/config.json", "docs", "v2/config.json")
	if err != nil {
		log.Fatal(err)
	}
	obj, err := client.Head(ctx, "docs", "v2/config.json")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res.Size, obj.ContentType)
	// Output: 7 application/json
}

func ExampleWithDelimiter() {
	ctx := context.Background()
	client, srv := exampleClient(ctx)
	defer srv.Close()
	for _, k := range []string{"photos/2025/a.jpg", "photos/2026/b.jpg", "photos/index.html"} {
		if _, err := client.Put(ctx, "docs", k, strings.NewReader("x")); err != nil {
			log.Fatal(err)
		}
	}

	for obj, err := range client.List(ctx, "docs", s3kit.WithPrefix("photos/"), s3kit.WithDelimiter("/")) {
		if err != nil {
			log.Fatal(err)
		}
		if obj.IsPrefix {
			fmt.Println("dir ", obj.Key)
		} else {
			fmt.Println("file", obj.Key)
		}
	}
	// Output:
	// dir  photos/2025/
	// dir  photos/2026/
	// file photos/index.html
}

func ExampleClient_Doctor() {
	ctx := context.Background()
	client, srv := exampleClient(ctx)
	defer srv.Close()

	report, err := client.Doctor(ctx, "docs")
	if err != nil {
		log.Fatal(err)
	}
	// fmt.Print(report) prints every finding and the suggested options.
	fmt.Println("authenticated:", report.Authenticated)
	fmt.Println("object ACLs:", report.ObjectACLs, "public reads:", report.AnonymousPublicRead)
	fmt.Println("cleaned up:", report.CleanedUp)
	// Output:
	// authenticated: true
	// object ACLs: true public reads: true
	// cleaned up: true
}
