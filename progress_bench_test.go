package s3kit_test

import (
	"bytes"
	"testing"

	"github.com/s3kit/s3kit"
	"github.com/s3kit/s3kit/s3kittest"
)

// The benchmarks below run transfers with progress reporting on, to show
// what counting bytes on the wire costs: compare them before and after a
// change with benchstat. s3kittest keeps objects in memory and checks every
// signature, so the figures are the client's and the server's costs
// together; only their difference means anything.

// benchProgress is a progress function that keeps the last report.
func benchProgress(last *s3kit.Progress) s3kit.PutOption {
	return s3kit.WithProgress(func(p s3kit.Progress) { *last = p })
}

func BenchmarkPutProgress15MiB(b *testing.B) {
	benchPut(b, 15<<20)
}

func BenchmarkPutProgressMultipart30MiB(b *testing.B) {
	benchPut(b, 30<<20, s3kit.WithPartSize(8<<20))
}

func benchPut(b *testing.B, size int, opts ...s3kit.PutOption) {
	srv := s3kittest.NewServer(b)
	srv.CreateBucket(b, bucket)
	c := srv.Client(b)
	data := randomBytes(size)
	var last s3kit.Progress
	opts = append(opts, benchProgress(&last))
	b.SetBytes(int64(size))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Put(b.Context(), bucket, "bench", bytes.NewReader(data), opts...); err != nil {
			b.Fatal(err)
		}
	}
	if last.Bytes != int64(size) {
		b.Fatalf("last report %+v", last)
	}
}

func BenchmarkDownloadProgress15MiB(b *testing.B) {
	const size = 15 << 20
	srv := s3kittest.NewServer(b)
	srv.CreateBucket(b, bucket)
	c := srv.Client(b)
	if _, err := c.Put(b.Context(), bucket, "bench", bytes.NewReader(randomBytes(size))); err != nil {
		b.Fatal(err)
	}
	var last s3kit.Progress
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Download(b.Context(), bucket, "bench", &discardAt{},
			s3kit.WithProgress(func(p s3kit.Progress) { last = p })); err != nil {
			b.Fatal(err)
		}
	}
	if last.Bytes != size {
		b.Fatalf("last report %+v", last)
	}
}
