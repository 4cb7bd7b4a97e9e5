package bench

import (
	"context"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/s3/transfermanager"
)

// tree describes one directory the directory benchmarks upload.
type tree struct {
	name  string
	files int
	min   int64 // smallest file, bytes
	max   int64 // largest file, bytes
}

var (
	// smallTree is many small files, where per-file overhead dominates.
	smallTree = tree{name: "small", files: 2000, min: 4 << 10, max: 64 << 10}
	// largeTree is a few large files, where throughput dominates.
	largeTree = tree{name: "large", files: 20, min: 64 * mib, max: 64 * mib}

	treesMu sync.Mutex
	trees   = map[string]builtTree{}
)

// builtTree is a tree written to disk.
type builtTree struct {
	dir   string
	bytes int64
}

// buildTree writes t under S3KIT_BENCH_TMP (or a temporary directory) once
// per process: 20 subdirectories, file sizes drawn uniformly from [min,max]
// with a fixed seed, contents random.
func buildTree(b *testing.B, t tree) builtTree {
	treesMu.Lock()
	defer treesMu.Unlock()
	if bt, ok := trees[t.name]; ok {
		return bt
	}
	base := os.Getenv("S3KIT_BENCH_TMP")
	if base == "" {
		base = os.TempDir()
	}
	dir := filepath.Join(base, "tree-"+t.name)
	if err := os.RemoveAll(dir); err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, uint64(t.files)))
	var total int64
	buf := make([]byte, t.max)
	for i := range t.files {
		size := t.min
		if t.max > t.min {
			size += rng.Int64N(t.max - t.min + 1)
		}
		for j := range buf[:size] {
			buf[j] = byte(rng.Uint32())
		}
		path := filepath.Join(dir, fmt.Sprintf("d%02d", i%20), fmt.Sprintf("file-%04d.bin", i))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(path, buf[:size], 0o644); err != nil {
			b.Fatal(err)
		}
		total += size
	}
	bt := builtTree{dir: dir, bytes: total}
	trees[t.name] = bt
	return bt
}

// dirTransfer runs one directory benchmark: it reports MiB/s through
// SetBytes, files per second and the peak heap.
func dirTransfer(b *testing.B, t tree, bt builtTree, op func()) {
	b.SetBytes(bt.bytes)
	ph := startPeakHeap()
	start := time.Now()
	for b.Loop() {
		op()
	}
	b.ReportMetric(float64(t.files*b.N)/time.Since(start).Seconds(), "files/s")
	ph.report(b)
}

func BenchmarkUploadDirSmall(b *testing.B) { benchUploadDir(b, smallTree) }
func BenchmarkUploadDirLarge(b *testing.B) { benchUploadDir(b, largeTree) }

// benchUploadDir uploads one tree with s3kit's UploadDir, with a plain loop
// of s3kit Put calls (what a user writes by hand), and with
// transfermanager's UploadDirectory, each with its default settings.
func benchUploadDir(b *testing.B, t tree) {
	rb := rotate(b)
	tg, bucket := realTarget(b)
	bt := buildTree(b, t)
	ctx := context.Background()
	rb.Run("client=s3kit", func(b *testing.B) {
		c := tg.s3kit(b)
		dirTransfer(b, t, bt, func() {
			res, err := c.UploadDir(ctx, bucket, "dir-s3kit-"+t.name+"/", bt.dir)
			if err != nil {
				b.Fatal(err)
			}
			if res.Files != t.files {
				b.Fatalf("UploadDir sent %d files, want %d", res.Files, t.files)
			}
		})
	})
	rb.Run("client=s3kit-put-loop", func(b *testing.B) {
		c := tg.s3kit(b)
		dirTransfer(b, t, bt, func() {
			err := filepath.WalkDir(bt.dir, func(path string, d fs.DirEntry, err error) error {
				if err != nil || d.IsDir() {
					return err
				}
				rel, err := filepath.Rel(bt.dir, path)
				if err != nil {
					return err
				}
				f, err := os.Open(path)
				if err != nil {
					return err
				}
				defer f.Close()
				_, err = c.Put(ctx, bucket, "dir-putloop-"+t.name+"/"+filepath.ToSlash(rel), f)
				return err
			})
			if err != nil {
				b.Fatal(err)
			}
		})
	})
	rb.Run("client=sdk", func(b *testing.B) {
		tm := transfermanager.New(tg.sdk(), func(o *transfermanager.Options) {
			o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
		})
		dirTransfer(b, t, bt, func() {
			out, err := tm.UploadDirectory(ctx, &transfermanager.UploadDirectoryInput{
				Bucket: aws.String(bucket), Source: aws.String(bt.dir),
				KeyPrefix: aws.String("dir-sdk-" + t.name), Recursive: aws.Bool(true), // transfermanager adds the "/"
			})
			if err != nil {
				b.Fatal(err)
			}
			if out.ObjectsUploaded != int64(t.files) {
				b.Fatalf("UploadDirectory sent %d files, want %d", out.ObjectsUploaded, t.files)
			}
		})
	})
	rb.Do()
}
