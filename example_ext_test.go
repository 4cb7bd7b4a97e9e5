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

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/s3kit/s3kit"
	"github.com/s3kit/s3kit/s3kittest"
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

func ExampleClient_CreateBucket() {
	ctx := context.Background()
	srv := s3kittest.Start() // an in-memory S3 server; real code: s3kit.New(ctx, s3kit.FromEnv())
	defer srv.Close()
	client, err := srv.NewClient(ctx)
	if err != nil {
		log.Fatal(err)
	}

	if err := client.CreateBucket(ctx, "reports"); err != nil {
		log.Fatal(err)
	}
	// A second CreateBucket fails with ErrBucketExists; the code depends
	// on the provider.
	err = client.CreateBucket(ctx, "reports")
	var e *s3kit.Error
	if errors.As(err, &e) {
		fmt.Println(errors.Is(err, s3kit.ErrBucketExists), e.Code, e.StatusCode)
	}
	// Output: true BucketAlreadyExists 409
}

func ExampleClient_DeleteBucket() {
	ctx := context.Background()
	srv := s3kittest.Start() // an in-memory S3 server; real code: s3kit.New(ctx, s3kit.FromEnv())
	defer srv.Close()
	client, err := srv.NewClient(ctx)
	if err != nil {
		log.Fatal(err)
	}
	if err := client.CreateBucket(ctx, "scratch"); err != nil {
		log.Fatal(err)
	}
	if _, err := client.Put(ctx, "scratch", "tmp/a", strings.NewReader("x")); err != nil {
		log.Fatal(err)
	}

	// Only an empty bucket can be deleted.
	err = client.DeleteBucket(ctx, "scratch")
	fmt.Println(errors.Is(err, s3kit.ErrBucketNotEmpty))
	if err := client.DeletePrefix(ctx, "scratch", "tmp/"); err != nil {
		log.Fatal(err)
	}
	fmt.Println(client.DeleteBucket(ctx, "scratch"))
	err = client.DeleteBucket(ctx, "scratch")
	fmt.Println(errors.Is(err, s3kit.ErrBucketNotFound))
	// Output:
	// true
	// <nil>
	// true
}

func ExampleClient_SetACL() {
	ctx := context.Background()
	srv := s3kittest.Start() // an in-memory S3 server; real code: s3kit.New(ctx, s3kit.FromEnv())
	defer srv.Close()
	client, err := srv.NewClient(ctx)
	if err != nil {
		log.Fatal(err)
	}
	if err := client.CreateBucket(ctx, "docs"); err != nil {
		log.Fatal(err)
	}
	if _, err := client.Put(ctx, "docs", "brochure.pdf", strings.NewReader("%PDF")); err != nil {
		log.Fatal(err)
	}
	anonymousGet := func() int { // a GET without credentials
		resp, err := srv.HTTPClient().Get(client.PublicURL("docs", "brochure.pdf"))
		if err != nil {
			log.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}

	fmt.Println(anonymousGet())
	if err := client.SetACL(ctx, "docs", "brochure.pdf", s3kit.ACLPublicRead); err != nil {
		log.Fatal(err)
	}
	fmt.Println(anonymousGet())
	if err := client.SetACL(ctx, "docs", "brochure.pdf", s3kit.ACLPrivate); err != nil {
		log.Fatal(err)
	}
	fmt.Println(anonymousGet())
	// Output:
	// 403
	// 200
	// 403
}

func ExampleClient_MakePublic() {
	ctx := context.Background()
	srv := s3kittest.Start() // an in-memory S3 server; real code: s3kit.New(ctx, s3kit.FromEnv())
	defer srv.Close()
	client, err := srv.NewClient(ctx)
	if err != nil {
		log.Fatal(err)
	}
	if err := client.CreateBucket(ctx, "docs"); err != nil {
		log.Fatal(err)
	}
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

// PublicURL only builds the URL: it sends no request.
func ExampleClient_PublicURL() {
	ctx := context.Background()
	custom, err := s3kit.New(ctx,
		s3kit.WithEndpoint("https://my-namespace.s3.fr1.cloud-temple.com"),
		s3kit.WithCredentials("ACCESS_KEY", "SECRET_KEY"),
	)
	if err != nil {
		log.Fatal(err)
	}
	onAWS, err := s3kit.New(ctx,
		s3kit.WithRegion("eu-west-3"),
		s3kit.WithCredentials("ACCESS_KEY", "SECRET_KEY"),
	)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(custom.PublicURL("site", "img/logo 1+2.png"))
	fmt.Println(onAWS.PublicURL("site", "img/logo 1+2.png"))
	// Output:
	// https://my-namespace.s3.fr1.cloud-temple.com/site/img/logo%201%2B2.png
	// https://site.s3.eu-west-3.amazonaws.com/img/logo%201%2B2.png
}

// Public URLs on a CDN or a custom domain.
func ExampleWithPublicBaseURL() {
	client, err := s3kit.New(context.Background(),
		s3kit.WithEndpoint("https://my-namespace.s3.fr1.cloud-temple.com"),
		s3kit.WithCredentials("ACCESS_KEY", "SECRET_KEY"),
		s3kit.WithPublicBaseURL("https://cdn.example.com/{bucket}"),
	)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(client.PublicURL("site", "img/logo 1.png"))
	// Output: https://cdn.example.com/site/img/logo%201.png
}

func ExampleClient_PresignGet() {
	ctx := context.Background()
	srv := s3kittest.Start() // an in-memory S3 server; real code: s3kit.New(ctx, s3kit.FromEnv())
	defer srv.Close()
	client, err := srv.NewClient(ctx)
	if err != nil {
		log.Fatal(err)
	}
	if err := client.CreateBucket(ctx, "docs"); err != nil {
		log.Fatal(err)
	}
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
	srv := s3kittest.Start() // an in-memory S3 server; real code: s3kit.New(ctx, s3kit.FromEnv())
	defer srv.Close()
	client, err := srv.NewClient(ctx)
	if err != nil {
		log.Fatal(err)
	}
	if err := client.CreateBucket(ctx, "docs"); err != nil {
		log.Fatal(err)
	}

	p, err := client.PresignPut(ctx, "docs", "uploads/photo.jpg", time.Hour, s3kit.WithContentType("image/jpeg"))
	if err != nil {
		log.Fatal(err)
	}
	// A browser or another service uploads with the URL and the signed headers.
	req, err := http.NewRequestWithContext(ctx, p.Method, p.URL, strings.NewReader("JPEG DATA"))
	if err != nil {
		log.Fatal(err)
	}
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
	srv := s3kittest.Start() // an in-memory S3 server; real code: s3kit.New(ctx, s3kit.FromEnv())
	defer srv.Close()
	client, err := srv.NewClient(ctx)
	if err != nil {
		log.Fatal(err)
	}
	if err := client.CreateBucket(ctx, "docs"); err != nil {
		log.Fatal(err)
	}
	for _, k := range []string{"tmp/a", "tmp/b", "tmp/c", "keep"} {
		if _, err := client.Put(ctx, "docs", k, strings.NewReader("x")); err != nil {
			log.Fatal(err)
		}
	}

	err = client.DeleteMany(ctx, "docs", slices.Values([]string{"tmp/a", "tmp/b", "tmp/c"}))
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

func ExampleClient_DeletePrefix() {
	ctx := context.Background()
	srv := s3kittest.Start() // an in-memory S3 server; real code: s3kit.New(ctx, s3kit.FromEnv())
	defer srv.Close()
	client, err := srv.NewClient(ctx)
	if err != nil {
		log.Fatal(err)
	}
	if err := client.CreateBucket(ctx, "docs"); err != nil {
		log.Fatal(err)
	}
	for _, k := range []string{"cache/1", "cache/2/x", "cached.txt", "index.html"} {
		if _, err := client.Put(ctx, "docs", k, strings.NewReader("x")); err != nil {
			log.Fatal(err)
		}
	}

	if err := client.DeletePrefix(ctx, "docs", "cache/"); err != nil {
		log.Fatal(err)
	}
	for obj, err := range client.List(ctx, "docs") {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(obj.Key)
	}
	// An empty prefix is refused, so that a missing argument cannot empty a bucket.
	fmt.Println(errors.Is(client.DeletePrefix(ctx, "docs", ""), s3kit.ErrInvalidInput))
	// Output:
	// cached.txt
	// index.html
	// true
}

func ExampleClient_Copy() {
	ctx := context.Background()
	srv := s3kittest.Start() // an in-memory S3 server; real code: s3kit.New(ctx, s3kit.FromEnv())
	defer srv.Close()
	client, err := srv.NewClient(ctx)
	if err != nil {
		log.Fatal(err)
	}
	if err := client.CreateBucket(ctx, "docs"); err != nil {
		log.Fatal(err)
	}
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
	srv := s3kittest.Start() // an in-memory S3 server; real code: s3kit.New(ctx, s3kit.FromEnv())
	defer srv.Close()
	client, err := srv.NewClient(ctx)
	if err != nil {
		log.Fatal(err)
	}
	if err := client.CreateBucket(ctx, "docs"); err != nil {
		log.Fatal(err)
	}
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

// S3 gives the SDK client for what s3kit does not wrap, here HeadBucket.
// Its errors are the SDK's own, not *s3kit.Error.
func ExampleClient_S3() {
	ctx := context.Background()
	srv := s3kittest.Start() // an in-memory S3 server; real code: s3kit.New(ctx, s3kit.FromEnv())
	defer srv.Close()
	client, err := srv.NewClient(ctx)
	if err != nil {
		log.Fatal(err)
	}
	if err := client.CreateBucket(ctx, "docs"); err != nil {
		log.Fatal(err)
	}

	for _, bucket := range []string{"docs", "nothing-here"} {
		_, err := client.S3().HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(bucket)})
		var notFound *types.NotFound
		switch {
		case errors.As(err, &notFound):
			fmt.Println(bucket, "does not exist")
		case err != nil:
			log.Fatal(err)
		default:
			fmt.Println(bucket, "exists")
		}
	}
	// Output:
	// docs exists
	// nothing-here does not exist
}

func ExampleClient_Doctor() {
	ctx := context.Background()
	srv := s3kittest.Start() // an in-memory S3 server; real code: s3kit.New(ctx, s3kit.FromEnv())
	defer srv.Close()
	client, err := srv.NewClient(ctx)
	if err != nil {
		log.Fatal(err)
	}
	if err := client.CreateBucket(ctx, "scratch"); err != nil {
		log.Fatal(err)
	}

	report, err := client.Doctor(ctx, "scratch")
	if err != nil {
		log.Fatal(err)
	}
	// fmt.Print(report) prints every finding and the suggested options.
	fmt.Println("authenticated:", report.Authenticated)
	fmt.Println("object ACLs:", report.ObjectACLs, "public reads:", report.AnonymousPublicRead)
	fmt.Println("create-only PUT enforced:", report.ConditionalPut)
	fmt.Println("cleaned up:", report.CleanedUp)
	// Output:
	// authenticated: true
	// object ACLs: true public reads: true
	// create-only PUT enforced: true
	// cleaned up: true
}
