package bench

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/s3/transfermanager"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/minio/minio-go/v7"
)

// realTarget reads the server that scripts/bench.sh started, or skips.
func realTarget(b *testing.B) (target, string) {
	ep := os.Getenv("S3KIT_BENCH_ENDPOINT")
	if ep == "" {
		b.Skip("S3KIT_BENCH_ENDPOINT not set: run scripts/bench.sh")
	}
	return target{
		endpoint: ep,
		ak:       os.Getenv("S3KIT_BENCH_ACCESS_KEY"),
		sk:       os.Getenv("S3KIT_BENCH_SECRET_KEY"),
		hc:       newHTTPClient(os.Getenv("S3KIT_BENCH_CA")),
	}, os.Getenv("S3KIT_BENCH_BUCKET")
}

// bigFile returns the path and size of the file the large benchmarks send.
func bigFile(b *testing.B) (string, int64) {
	path := os.Getenv("S3KIT_BENCH_FILE")
	st, err := os.Stat(path)
	if err != nil {
		b.Skipf("S3KIT_BENCH_FILE: %v", err)
	}
	return path, st.Size()
}

// pattern is an endless reader that repeats a 1 MiB block: a stream of
// unknown size that costs almost nothing to produce.
type pattern struct {
	block []byte
	off   int
}

func newPattern() *pattern {
	p := &pattern{block: make([]byte, mib)}
	for i := range p.block {
		p.block[i] = byte(i*7 + i>>8)
	}
	return p
}

func (p *pattern) Read(b []byte) (int, error) {
	n := copy(b, p.block[p.off:])
	p.off = (p.off + n) % len(p.block)
	return n, nil
}

// unknownSize hides everything but Read.
type unknownSize struct{ r io.Reader }

func (u unknownSize) Read(p []byte) (int, error) { return u.r.Read(p) }

// transfer runs one large-transfer benchmark: it reports MiB/s through
// SetBytes, the peak heap, and the CPU seconds per transfer of the client's
// process and, when scripts/bench.sh names it, of the server.
func transfer(b *testing.B, size int64, op func(i int)) {
	b.SetBytes(size)
	ph := startPeakHeap()
	self0, server0, ok0 := cpuUsed()
	i := 0
	for b.Loop() {
		op(i)
		i++
	}
	self1, server1, ok1 := cpuUsed()
	ph.report(b)
	if self1 > 0 {
		b.ReportMetric((self1-self0).Seconds()/float64(b.N), "client-cpu-s/op")
	}
	if ok0 && ok1 {
		b.ReportMetric((server1-server0).Seconds()/float64(b.N), "server-cpu-s/op")
	}
}

func BenchmarkUploadKnownSize(b *testing.B) {
	rb := rotate(b)
	t, bucket := realTarget(b)
	path, size := bigFile(b)
	ctx := context.Background()
	open := func(b *testing.B) *os.File {
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		return f
	}
	rb.Run("client=s3kit", func(b *testing.B) {
		c := t.s3kit(b)
		transfer(b, size, func(int) {
			f := open(b)
			defer f.Close()
			if _, err := c.Put(ctx, bucket, "up-known-s3kit", f); err != nil {
				b.Fatal(err)
			}
		})
	})
	rb.Run("client=sdk", func(b *testing.B) {
		tm := transfermanager.New(t.sdk(), func(o *transfermanager.Options) {
			o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
		})
		transfer(b, size, func(int) {
			f := open(b)
			defer f.Close()
			if _, err := tm.UploadObject(ctx, &transfermanager.UploadObjectInput{Bucket: aws.String(bucket), Key: aws.String("up-known-sdk"), Body: f}); err != nil {
				b.Fatal(err)
			}
		})
	})
	rb.Run("client=minio", func(b *testing.B) {
		c := t.minio(b)
		transfer(b, size, func(int) {
			f := open(b)
			defer f.Close()
			if _, err := c.PutObject(ctx, bucket, "up-known-minio", f, size, minio.PutObjectOptions{}); err != nil {
				b.Fatal(err)
			}
		})
	})
	rb.Do()
}

func BenchmarkUploadUnknownSize(b *testing.B) {
	rb := rotate(b)
	t, bucket := realTarget(b)
	_, size := bigFile(b)
	ctx := context.Background()
	body := func() io.Reader { return unknownSize{io.LimitReader(newPattern(), size)} }
	rb.Run("client=s3kit", func(b *testing.B) {
		c := t.s3kit(b)
		transfer(b, size, func(int) {
			if _, err := c.Put(ctx, bucket, "up-unknown-s3kit", body()); err != nil {
				b.Fatal(err)
			}
		})
	})
	rb.Run("client=sdk", func(b *testing.B) {
		tm := transfermanager.New(t.sdk(), func(o *transfermanager.Options) {
			o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
		})
		transfer(b, size, func(int) {
			if _, err := tm.UploadObject(ctx, &transfermanager.UploadObjectInput{Bucket: aws.String(bucket), Key: aws.String("up-unknown-sdk"), Body: body()}); err != nil {
				b.Fatal(err)
			}
		})
	})
	rb.Run("client=minio", func(b *testing.B) {
		c := t.minio(b)
		transfer(b, size, func(int) {
			if _, err := c.PutObject(ctx, bucket, "up-unknown-minio", body(), -1, minio.PutObjectOptions{}); err != nil {
				b.Fatal(err)
			}
		})
	})
	rb.Do()
}

func BenchmarkDownload(b *testing.B) {
	rb := rotate(b)
	t, bucket := realTarget(b)
	_, size := bigFile(b)
	ctx := context.Background()
	const key = "download-source" // put there by scripts/bench.sh
	dir := b.TempDir()
	if d := os.Getenv("S3KIT_BENCH_TMP"); d != "" {
		dir = d
	}
	create := func(b *testing.B, i int) *os.File {
		f, err := os.Create(filepath.Join(dir, "dl-"+strconv.Itoa(i%2)))
		if err != nil {
			b.Fatal(err)
		}
		return f
	}
	check := func(b *testing.B, f *os.File) {
		if st, err := f.Stat(); err != nil || st.Size() != size {
			b.Fatalf("downloaded %v bytes, want %d (%v)", st.Size(), size, err)
		}
	}
	rb.Run("client=s3kit", func(b *testing.B) {
		c := t.s3kit(b)
		transfer(b, size, func(i int) {
			f := create(b, i)
			defer f.Close()
			if _, err := c.Download(ctx, bucket, key, f); err != nil {
				b.Fatal(err)
			}
			check(b, f)
		})
	})
	rb.Run("client=s3kit-get", func(b *testing.B) {
		c := t.s3kit(b)
		transfer(b, size, func(i int) {
			f := create(b, i)
			defer f.Close()
			r, err := c.Get(ctx, bucket, key)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := io.Copy(f, r); err != nil {
				b.Fatal(err)
			}
			r.Close()
			check(b, f)
		})
	})
	rb.Run("client=sdk", func(b *testing.B) {
		tm := transfermanager.New(t.sdk())
		transfer(b, size, func(i int) {
			f := create(b, i)
			defer f.Close()
			if _, err := tm.DownloadObject(ctx, &transfermanager.DownloadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), WriterAt: f}); err != nil {
				b.Fatal(err)
			}
			check(b, f)
		})
	})
	rb.Run("client=sdk-get", func(b *testing.B) {
		c := t.sdk()
		transfer(b, size, func(i int) {
			f := create(b, i)
			defer f.Close()
			out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
			if err != nil {
				b.Fatal(err)
			}
			if _, err := io.Copy(f, out.Body); err != nil {
				b.Fatal(err)
			}
			out.Body.Close()
			check(b, f)
		})
	})
	rb.Run("client=minio", func(b *testing.B) {
		c := t.minio(b)
		transfer(b, size, func(i int) {
			f := create(b, i)
			defer f.Close()
			obj, err := c.GetObject(ctx, bucket, key, minio.GetObjectOptions{})
			if err != nil {
				b.Fatal(err)
			}
			if _, err := io.Copy(f, obj); err != nil {
				b.Fatal(err)
			}
			obj.Close()
			check(b, f)
		})
	})
	rb.Do()
}

func BenchmarkList20k(b *testing.B) {
	t, _ := realTarget(b)
	bucket := os.Getenv("S3KIT_BENCH_LIST_BUCKET") // 20,000 objects, put there by scripts/bench.sh
	if bucket == "" {
		b.Skip("S3KIT_BENCH_LIST_BUCKET not set: run scripts/bench.sh")
	}
	want, err := strconv.Atoi(os.Getenv("S3KIT_BENCH_LIST_COUNT"))
	if err != nil {
		want = 20000
	}
	listBench(b, t, bucket, want)
}
