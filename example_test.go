package s3kit_test

// Every example builds its client in plain sight. Most run against an
// in-memory server from package s3kittest, so that they run anywhere; in
// your program, build the client with s3kit.New instead (see ExampleNew and
// ExampleFromEnv).

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/s3kit/s3kit"
	"github.com/s3kit/s3kit/s3kittest"
)

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

// A MinIO or versitygw server on this machine. Plain http:// is accepted
// only on loopback addresses unless WithAllowInsecureHTTP is given.
func ExampleWithEndpoint() {
	client, err := s3kit.New(context.Background(),
		s3kit.WithEndpoint("http://127.0.0.1:9000"), // scheme, host and port; no path
		s3kit.WithRegion("us-east-1"),
		s3kit.WithCredentials("minioadmin", "minioadmin"),
	)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(client)
	// Output: s3kit.Client{endpoint: http://127.0.0.1:9000, region: us-east-1, pathStyle: true}
}

// FromEnv reads S3_ENDPOINT_URL, S3_ACCESS_KEY, S3_SECRET_KEY and S3_REGION,
// then the standard AWS variables and files.
func ExampleFromEnv() {
	// These usually come from the shell; the example sets them itself.
	os.Setenv("S3_ENDPOINT_URL", "https://my-namespace.s3.fr1.cloud-temple.com")
	os.Setenv("S3_REGION", "fr1")
	os.Setenv("S3_ACCESS_KEY", "ACCESS_KEY")
	os.Setenv("S3_SECRET_KEY", "SECRET_KEY")
	defer func() {
		for _, v := range []string{"S3_ENDPOINT_URL", "S3_REGION", "S3_ACCESS_KEY", "S3_SECRET_KEY"} {
			os.Unsetenv(v)
		}
	}()

	client, err := s3kit.New(context.Background(), s3kit.FromEnv())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(client)
	// Output: s3kit.Client{endpoint: https://my-namespace.s3.fr1.cloud-temple.com, region: fr1, pathStyle: true}
}

// A client whose HTTP client trusts a private certificate authority, given
// as a PEM file, and bounds the TLS handshake.
func ExampleWithHTTPClient() {
	pem, err := os.ReadFile("testdata/private-ca.pem")
	if err != nil {
		log.Fatal(err)
	}
	roots := x509.NewCertPool() // or x509.SystemCertPool() to keep the public roots too
	if !roots.AppendCertsFromPEM(pem) {
		log.Fatal("no certificate in testdata/private-ca.pem")
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}
	tr.TLSHandshakeTimeout = 10 * time.Second

	client, err := s3kit.New(context.Background(),
		s3kit.WithEndpoint("https://rgw.internal.example:8443"),
		s3kit.WithCredentials("ACCESS_KEY", "SECRET_KEY"),
		s3kit.WithHTTPClient(&http.Client{Transport: tr}),
	)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(client)
	// Output: s3kit.Client{endpoint: https://rgw.internal.example:8443, region: eu-west-1, pathStyle: true}
}

// A private certificate authority, such as the one that signed an
// on-premises Ceph RGW's certificate, is trusted besides the system's.
func ExampleWithRootCAs() {
	pem, err := os.ReadFile("testdata/private-ca.pem")
	if err != nil {
		log.Fatal(err)
	}
	client, err := s3kit.New(context.Background(),
		s3kit.WithEndpoint("https://rgw.internal.example:8443"),
		s3kit.WithCredentials("ACCESS_KEY", "SECRET_KEY"),
		s3kit.WithRootCAs(pem), // with FromEnv: S3_CA_BUNDLE=testdata/private-ca.pem
	)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(client)
	// Output: s3kit.Client{endpoint: https://rgw.internal.example:8443, region: eu-west-1, pathStyle: true}
}

// A Client prints, and logs with log/slog, without its credentials.
func ExampleClient_String() {
	client, err := s3kit.New(context.Background(),
		s3kit.WithEndpoint("https://my-namespace.s3.fr1.cloud-temple.com"),
		s3kit.WithCredentials("ACCESS_KEY", "SECRET_KEY"),
	)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%v\n%#v\n", client, client)

	logger := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey {
				return slog.Attr{} // drop the time, so that the output does not change
			}
			return a
		},
	}))
	logger.Info("connected", "client", client)
	// Output:
	// s3kit.Client{endpoint: https://my-namespace.s3.fr1.cloud-temple.com, region: eu-west-1, pathStyle: true}
	// s3kit.Client{endpoint: https://my-namespace.s3.fr1.cloud-temple.com, region: eu-west-1, pathStyle: true}
	// level=INFO msg=connected client.endpoint=https://my-namespace.s3.fr1.cloud-temple.com client.region=eu-west-1 client.pathStyle=true
}

func ExampleClient_Put() {
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

func ExampleClient_Get() {
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

// Read part of an object.
func ExampleWithRange() {
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
	if _, err := client.Put(ctx, "docs", "digits.txt", strings.NewReader("0123456789")); err != nil {
		log.Fatal(err)
	}

	r, err := client.Get(ctx, "docs", "digits.txt", s3kit.WithRange(2, 3)) // 3 bytes from offset 2
	if err != nil {
		log.Fatal(err)
	}
	defer r.Close()
	part, err := io.ReadAll(r)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(string(part), r.ContentLength, r.Size)
	// Output: 234 3 10
}

func ExampleClient_Head() {
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
	if _, err := client.Put(ctx, "docs", "report.csv", strings.NewReader("a,b\n1,2\n"),
		s3kit.WithContentType("text/csv"), s3kit.WithCacheControl("max-age=60")); err != nil {
		log.Fatal(err)
	}

	obj, err := client.Head(ctx, "docs", "report.csv")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(obj.Key, obj.Size, obj.ContentType, obj.CacheControl, obj.ETag)

	_, err = client.Head(ctx, "docs", "missing.csv")
	fmt.Println(errors.Is(err, s3kit.ErrNotFound))
	// Output:
	// report.csv 8 text/csv max-age=60 e5ebd4c02cefbe7955977c67ada242b7
	// true
}

// User metadata travels as x-amz-meta-* headers and comes back from Head and
// Get with its keys in lower case.
func ExampleWithMetadata() {
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

	_, err = client.Put(ctx, "docs", "invoice.pdf", strings.NewReader("%PDF"),
		s3kit.WithMetadata(map[string]string{"Customer": "ACME", "year": "2026"}))
	if err != nil {
		log.Fatal(err)
	}
	obj, err := client.Head(ctx, "docs", "invoice.pdf")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(obj.Metadata["customer"], obj.Metadata["year"])
	// Output: ACME 2026
}

func ExampleClient_List() {
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

func ExampleClient_Delete() {
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
	if _, err := client.Put(ctx, "docs", "old.txt", strings.NewReader("x")); err != nil {
		log.Fatal(err)
	}

	if err := client.Delete(ctx, "docs", "old.txt"); err != nil {
		log.Fatal(err)
	}
	_, err = client.Head(ctx, "docs", "old.txt")
	fmt.Println(errors.Is(err, s3kit.ErrNotFound))
	// Deleting a key that does not exist succeeds, as in S3.
	fmt.Println(client.Delete(ctx, "docs", "old.txt"))
	// Output:
	// true
	// <nil>
}

func ExampleError() {
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

	_, err = client.Head(ctx, "docs", "nothing-here")
	var e *s3kit.Error
	if errors.As(err, &e) {
		fmt.Println(e.Op, e.Bucket, e.Key, e.Code, e.StatusCode)
	}
	fmt.Println(errors.Is(err, s3kit.ErrNotFound))
	// Output:
	// Head docs nothing-here NotFound 404
	// true
}

func ExampleWithContentDisposition() {
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
	// A browser that follows a link to this object saves it as
	// "rapport.txt" instead of showing it.
	if _, err := client.Put(ctx, "docs", "reports/2026.txt", strings.NewReader("bonjour"),
		s3kit.WithContentType("text/plain"),
		s3kit.WithContentDisposition(`attachment; filename="rapport.txt"`),
		s3kit.WithContentLanguage("fr")); err != nil {
		log.Fatal(err)
	}

	// A copy keeps the headers unless one of them is given.
	if _, err := client.Copy(ctx, "docs", "reports/2026.txt", "docs", "archive/2026.txt"); err != nil {
		log.Fatal(err)
	}
	obj, err := client.Head(ctx, "docs", "archive/2026.txt")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(obj.ContentType, obj.ContentLanguage)
	fmt.Println(obj.ContentDisposition)
	// Output:
	// text/plain fr
	// attachment; filename="rapport.txt"
}
