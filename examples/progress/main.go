// Command progress uploads and downloads a large object with a terminal
// progress bar.
//
//	go run ./examples/progress
//	go run ./examples/progress -size 1024     # MiB
//
// The upload reads a stream of unknown size, so s3kit sends it as a
// multipart upload with bounded memory; the download fetches ranges in
// parallel into a temporary file. Configuration comes from the environment
// (see examples/internal/demo); without it an embedded server is used.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/s3kit/s3kit"
	"github.com/s3kit/s3kit/examples/internal/demo"
)

func main() {
	size := flag.Int64("size", 200, "object size in `MiB`")
	key := flag.String("key", "big/random.bin", "object `key`")
	flag.Parse()
	if err := run(*key, *size<<20); err != nil {
		fmt.Fprintln(os.Stderr, "\nprogress:", err)
		os.Exit(1)
	}
}

func run(key string, size int64) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	env, err := demo.Setup(ctx)
	if err != nil {
		return err
	}
	defer env.Close()

	// A stream whose size Put cannot know in advance, as from a pipe.
	body := struct{ io.Reader }{io.LimitReader(zeros{}, size)}
	start := time.Now()
	res, err := env.Client.Put(ctx, env.Bucket, key, body, s3kit.WithProgress(bar("upload  ", start)))
	if err != nil {
		return err
	}
	fmt.Printf("\n✓ uploaded %s/%s in %d parts\n", env.Bucket, key, res.Parts)

	f, err := os.CreateTemp("", "s3kit-progress-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	defer f.Close()
	start = time.Now()
	if _, err := env.Client.Download(ctx, env.Bucket, key, f, s3kit.WithProgress(bar("download", start))); err != nil {
		return err
	}
	fmt.Printf("\n✓ downloaded to %s\n", f.Name())
	return env.Client.Delete(ctx, env.Bucket, key)
}

// bar returns a progress function that redraws one terminal line. s3kit
// calls it from a single goroutine, at most every 100 ms, and once at the
// end. Bytes count as they are sent (or written), within each part; the bar
// reaches the end only once the object is stored, and in between Finishing
// says every byte is out and the server's answer is awaited.
func bar(label string, start time.Time) func(s3kit.Progress) {
	return func(p s3kit.Progress) {
		const width = 30
		done := 0
		total := "?"
		if p.Total > 0 {
			done = int(p.Bytes * width / p.Total)
			total = fmt.Sprintf("%.1f MiB", float64(p.Total)/(1<<20))
		}
		parts := fmt.Sprintf("parts %d", p.Parts)
		if p.TotalParts > 0 {
			parts += fmt.Sprintf("/%d", p.TotalParts)
		}
		status := ""
		switch {
		case p.Finishing:
			status = "finishing…"
		case p.Total >= 0 && p.Bytes == p.Total:
			status = "done"
		}
		rate := float64(p.Bytes) / (1 << 20) / max(time.Since(start).Seconds(), 1e-3)
		fmt.Printf("\r%s [%s%s] %7.1f MiB / %s  %6.1f MiB/s  %s  %-10s",
			label, strings.Repeat("=", done), strings.Repeat(" ", width-done),
			float64(p.Bytes)/(1<<20), total, rate, parts, status)
	}
}

// zeros reads as an endless run of zero bytes.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}
