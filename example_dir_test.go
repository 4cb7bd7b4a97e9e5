package s3kit_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"

	"github.com/s3kit/s3kit"
	"github.com/s3kit/s3kit/s3kittest"
)

// UploadFile stores a file, its Content-Type taken from the extension.
func ExampleClient_UploadFile() {
	ctx := context.Background()
	srv := s3kittest.Start() // an in-memory S3 server; real code: s3kit.New(ctx, s3kit.FromEnv())
	defer srv.Close()
	client, err := srv.NewClient(ctx)
	if err != nil {
		log.Fatal(err)
	}
	if err := client.CreateBucket(ctx, "site"); err != nil {
		log.Fatal(err)
	}
	dir, err := os.MkdirTemp("", "site-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "index.html")
	if err := os.WriteFile(path, []byte("<h1>hello</h1>"), 0o644); err != nil {
		log.Fatal(err)
	}

	res, err := client.UploadFile(ctx, "site", "index.html", path, s3kit.WithCacheControl("max-age=60"))
	if err != nil {
		log.Fatal(err)
	}
	obj, err := client.Head(ctx, "site", "index.html")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res.Size, obj.ContentType)
	// Output: 14 text/html; charset=utf-8
}

// DownloadFile writes an object to a file through a temporary file, so the
// file appears whole or not at all.
func ExampleClient_DownloadFile() {
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
	if _, err := client.Put(ctx, "backups", "notes.txt", strings.NewReader("remember the milk")); err != nil {
		log.Fatal(err)
	}
	dir, err := os.MkdirTemp("", "restore-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	path := filepath.Join(dir, "notes.txt")
	if _, err := client.DownloadFile(ctx, "backups", "notes.txt", path); err != nil {
		log.Fatal(err)
	}
	_, err = client.DownloadFile(ctx, "backups", "missing.txt", filepath.Join(dir, "missing.txt"))
	fmt.Println(errors.Is(err, s3kit.ErrNotFound))
	b, err := os.ReadFile(path)
	if err != nil {
		log.Fatal(err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(string(b), len(entries))
	// Output:
	// true
	// remember the milk 1
}

// UploadDir uploads a tree of files concurrently; a second run with
// WithSkipUnchanged sends nothing.
func ExampleClient_UploadDir() {
	ctx := context.Background()
	srv := s3kittest.Start() // an in-memory S3 server; real code: s3kit.New(ctx, s3kit.FromEnv())
	defer srv.Close()
	client, err := srv.NewClient(ctx)
	if err != nil {
		log.Fatal(err)
	}
	if err := client.CreateBucket(ctx, "photos"); err != nil {
		log.Fatal(err)
	}
	dir, err := os.MkdirTemp("", "photos-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	for _, name := range []string{"2026/a.jpg", "2026/b.jpg", "2026/notes.tmp", "c.jpg"} {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			log.Fatal(err)
		}
		if err := os.WriteFile(path, []byte("pixels of "+name), 0o644); err != nil {
			log.Fatal(err)
		}
	}

	opts := []s3kit.DirOption{s3kit.WithExclude("*.tmp"), s3kit.WithSkipUnchanged()}
	res, err := client.UploadDir(ctx, "photos", "album", dir, opts...)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("first run: %d files, %d bytes, %d excluded\n", res.Files, res.Bytes, res.Excluded)
	for obj, err := range client.List(ctx, "photos") {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(obj.Key)
	}
	res, err = client.UploadDir(ctx, "photos", "album", dir, opts...)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("second run: %d files, %d skipped\n", res.Files, res.Skipped)
	// Output:
	// first run: 3 files, 55 bytes, 1 excluded
	// album/2026/a.jpg
	// album/2026/b.jpg
	// album/c.jpg
	// second run: 0 files, 3 skipped
}

// DownloadDir downloads every object under a prefix into a directory,
// refusing keys that would escape it.
func ExampleClient_DownloadDir() {
	ctx := context.Background()
	srv := s3kittest.Start() // an in-memory S3 server; real code: s3kit.New(ctx, s3kit.FromEnv())
	defer srv.Close()
	client, err := srv.NewClient(ctx)
	if err != nil {
		log.Fatal(err)
	}
	if err := client.CreateBucket(ctx, "photos"); err != nil {
		log.Fatal(err)
	}
	for _, key := range []string{"album/2026/a.jpg", "album/c.jpg", "album/../escape.jpg"} {
		if _, err := client.Put(ctx, "photos", key, strings.NewReader("pixels")); err != nil {
			log.Fatal(err)
		}
	}
	dir, err := os.MkdirTemp("", "restore-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	res, err := client.DownloadDir(ctx, "photos", "album", dir, s3kit.WithContinueOnError(),
		s3kit.WithDirProgress(func(p s3kit.DirProgress) {
			// called from one goroutine; draw a progress line here
		}))
	var de *s3kit.DirError
	if errors.As(err, &de) {
		for _, f := range de.Failures {
			fmt.Println("refused:", f.Key, errors.Is(f.Err, s3kit.ErrInvalidInput))
		}
	}
	fmt.Println(res.Files, "files downloaded")
	// Output:
	// refused: album/../escape.jpg true
	// 2 files downloaded
}
