// Command prepare fills the benchmark server: a bucket with the object the
// download benchmarks read, and a bucket of 20,000 small objects for the
// listing benchmark. scripts/bench.sh runs it.
package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"
	"strings"
	"sync"

	"github.com/s3kit/s3kit"
)

func main() {
	file := flag.String("file", "", "file to upload as download-source")
	listObjects := flag.Int("list", 20000, "objects to put in the listing bucket")
	flag.Parse()
	if err := run(*file, *listObjects); err != nil {
		log.Fatal(err)
	}
}

func run(file string, listObjects int) error {
	ctx := context.Background()
	pem, err := os.ReadFile(os.Getenv("S3KIT_BENCH_CA"))
	if err != nil {
		return err
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	tr.MaxIdleConnsPerHost = 64
	c, err := s3kit.New(ctx,
		s3kit.WithEndpoint(os.Getenv("S3KIT_BENCH_ENDPOINT")),
		s3kit.WithCredentials(os.Getenv("S3KIT_BENCH_ACCESS_KEY"), os.Getenv("S3KIT_BENCH_SECRET_KEY")),
		s3kit.WithHTTPClient(&http.Client{Transport: tr}))
	if err != nil {
		return err
	}
	bucket, listBucket := os.Getenv("S3KIT_BENCH_BUCKET"), os.Getenv("S3KIT_BENCH_LIST_BUCKET")
	for _, b := range []string{bucket, listBucket} {
		if err := c.CreateBucket(ctx, b); err != nil {
			var e *s3kit.Error
			if !errors.As(err, &e) || !strings.Contains(e.Code, "BucketAlready") {
				return err
			}
		}
	}
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	if _, err := c.Put(ctx, bucket, "download-source", f); err != nil {
		return err
	}
	var wg sync.WaitGroup
	errs := make(chan error, listObjects)
	sem := make(chan struct{}, 32)
	for i := range listObjects {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			_, err := c.Put(ctx, listBucket, fmt.Sprintf("dir/object-%06d", i), strings.NewReader("x"))
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			return err
		}
	}
	fmt.Printf("prepared %s/download-source and %d objects in %s\n", bucket, listObjects, listBucket)
	return nil
}
