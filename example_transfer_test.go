package s3kit_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log"
	"os"

	"github.com/s3kit/s3kit"
	"github.com/s3kit/s3kit/s3kittest"
)

// Download fetches ranges concurrently straight into a file.
func ExampleClient_Download() {
	ctx := context.Background()
	srv := s3kittest.Start() // an in-memory S3 server; real code: s3kit.New(ctx, s3kit.FromEnv())
	defer srv.Close()
	client, err := srv.NewClient(ctx)
	if err != nil {
		log.Fatal(err)
	}
	if err := client.CreateBucket(ctx, "backups"); err != nil {
		log.Fatal(err)
	}
	data := bytes.Repeat([]byte("0123456789abcdef"), 1<<20) // 16 MiB
	if _, err := client.Put(ctx, "backups", "db.dump", bytes.NewReader(data)); err != nil {
		log.Fatal(err)
	}

	f, err := os.CreateTemp("", "db-*.dump")
	if err != nil {
		log.Fatal(err)
	}
	defer os.Remove(f.Name())
	defer f.Close()
	obj, err := client.Download(ctx, "backups", "db.dump", f,
		s3kit.WithPartSize(5<<20), s3kit.WithConcurrency(2)) // 4 ranges, 2 at a time
	if err != nil {
		log.Fatal(err)
	}
	written, err := io.ReadAll(io.NewSectionReader(f, 0, obj.Size))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(obj.Size, bytes.Equal(written, data))
	// Output: 16777216 true
}

// WithProgress reports a transfer's progress from one goroutine, at most
// every 100 ms and once at the end.
func ExampleWithProgress() {
	ctx := context.Background()
	srv := s3kittest.Start() // an in-memory S3 server; real code: s3kit.New(ctx, s3kit.FromEnv())
	defer srv.Close()
	client, err := srv.NewClient(ctx)
	if err != nil {
		log.Fatal(err)
	}
	if err := client.CreateBucket(ctx, "backups"); err != nil {
		log.Fatal(err)
	}

	var last s3kit.Progress
	body := bytes.NewReader(make([]byte, 20<<20)) // 20 MiB: a multipart upload of 8 MiB parts
	_, err = client.Put(ctx, "backups", "disk.img", body, s3kit.WithProgress(func(p s3kit.Progress) {
		// A terminal would draw a bar here: fmt.Printf("\r%3d%%", 100*p.Bytes/p.Total)
		last = p
	}))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%d of %d bytes, %d of %d parts\n", last.Bytes, last.Total, last.Parts, last.TotalParts)
	// Output: 20971520 of 20971520 bytes, 3 of 3 parts
}

// Transfer options set the client's defaults when given to New, or apply
// to one call when given to Put or Download.
func ExampleWithPartSize() {
	ctx := context.Background()
	srv := s3kittest.Start() // an in-memory S3 server; real code: s3kit.New(ctx, s3kit.FromEnv())
	defer srv.Close()
	client, err := srv.NewClient(ctx,
		s3kit.WithPartSize(5<<20),           // 5 MiB parts, the smallest S3 allows
		s3kit.WithMultipartThreshold(5<<20), // multipart above 5 MiB
		s3kit.WithConcurrency(2),            // 2 parts in flight: at most 10 MiB in memory
	)
	if err != nil {
		log.Fatal(err)
	}
	if err := client.CreateBucket(ctx, "backups"); err != nil {
		log.Fatal(err)
	}

	res, err := client.Put(ctx, "backups", "a.bin", bytes.NewReader(make([]byte, 12<<20)))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res.Size, res.Parts)
	res, err = client.Put(ctx, "backups", "b.bin", bytes.NewReader(make([]byte, 12<<20)), s3kit.WithPartSize(6<<20))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res.Size, res.Parts)
	// Output:
	// 12582912 3
	// 12582912 2
}

// A body whose size Put cannot find out itself, such as a pipe or an HTTP
// request body, goes multipart once it is longer than one part; WithSize
// lets Put send it in one PUT.
func ExampleWithSize() {
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

	pr, pw := io.Pipe()
	go func() {
		_, err := pw.Write(make([]byte, 10<<20)) // 10 MiB
		pw.CloseWithError(err)
	}()
	res, err := client.Put(ctx, "docs", "upload.bin", pr, s3kit.WithSize(10<<20))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res.Size, res.Parts)
	// Output: 10485760 0
}
