// Command sync uploads a directory to a bucket and downloads it back, with
// a live one-line progress display.
//
//	go run ./examples/sync                      # a generated tree of 300 files
//	go run ./examples/sync -dir ~/Pictures -prefix pictures
//
// Both directions skip what is unchanged, so a second run moves no data.
// Without -dir, it generates a tree in a temporary directory (a few large
// files among many small ones) and removes it at the end. Configuration
// comes from the environment (see examples/internal/demo); without it an
// embedded server is used.
package main

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"

	"github.com/s3kit/s3kit"
	"github.com/s3kit/s3kit/examples/internal/demo"
)

func main() {
	dir := flag.String("dir", "", "directory to upload (default: a generated tree)")
	prefix := flag.String("prefix", "sync-demo", "key `prefix` in the bucket")
	flag.Parse()
	if err := run(*dir, *prefix); err != nil {
		fmt.Fprintln(os.Stderr, "\nsync:", err)
		os.Exit(1)
	}
}

func run(dir, prefix string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	env, err := demo.Setup(ctx)
	if err != nil {
		return err
	}
	defer env.Close()

	if dir == "" {
		tmp, err := os.MkdirTemp("", "s3kit-sync-src-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		if err := generate(tmp); err != nil {
			return err
		}
		dir = tmp
	}
	back, err := os.MkdirTemp("", "s3kit-sync-back-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(back)

	opts := []s3kit.DirOption{s3kit.WithSkipUnchanged(), s3kit.WithDirProgress(line("upload  "))}
	res, err := env.Client.UploadDir(ctx, env.Bucket, prefix, dir, opts...)
	if err != nil {
		return err
	}
	fmt.Printf("\n✓ uploaded %d files (%.1f MiB), %d unchanged, to %s/%s/\n", res.Files, mib(res.Bytes), res.Skipped, env.Bucket, prefix)

	opts = []s3kit.DirOption{s3kit.WithSkipUnchanged(), s3kit.WithDirProgress(line("download"))}
	res, err = env.Client.DownloadDir(ctx, env.Bucket, prefix, back, opts...)
	if err != nil {
		return err
	}
	fmt.Printf("\n✓ downloaded %d files (%.1f MiB) to %s\n", res.Files, mib(res.Bytes), back)
	return nil
}

// line returns a progress function that redraws one terminal line. s3kit
// calls it from a single goroutine, at most every 100 ms, and once at the
// end.
func line(label string) func(s3kit.DirProgress) {
	return func(p s3kit.DirProgress) {
		fmt.Printf("\r%s files %d/%d  %.1f/%.1f MiB  %6.1f MiB/s   ",
			label, p.Files, p.TotalFiles, mib(p.Bytes), mib(p.TotalBytes), mib(int64(p.Rate)))
	}
}

func mib(n int64) float64 { return float64(n) / (1 << 20) }

// generate writes a tree of 300 files: many small ones and three of 24 MiB,
// which go up in parts.
func generate(dir string) error {
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 300 {
		size := 4<<10 + r.IntN(60<<10)
		if i%100 == 0 {
			size = 24 << 20
		}
		path := filepath.Join(dir, fmt.Sprintf("dir %02d", i%7), fmt.Sprintf("file-%03d.bin", i))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		b := make([]byte, size)
		for j := range b {
			b[j] = byte(r.Uint32())
		}
		if err := os.WriteFile(path, b, 0o644); err != nil {
			return err
		}
	}
	return nil
}
