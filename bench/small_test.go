package bench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/minio/minio-go/v7"

	"github.com/s3kit/s3kit"
	"github.com/s3kit/s3kit/internal/knobs"
)

// stub answers PUT, GET and HEAD of one 1 KiB object and ListObjectsV2 of
// 20 pages of 1000 keys, instantly, so that only the client's cost shows.
type stub struct {
	body  []byte
	pages []string
}

func newStub() *stub {
	s := &stub{body: bytes.Repeat([]byte("x"), 1024)}
	for p := range 20 {
		var b strings.Builder
		b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>bkt</Name><MaxKeys>1000</MaxKeys>`)
		fmt.Fprintf(&b, "<KeyCount>1000</KeyCount><IsTruncated>%t</IsTruncated>", p < 19)
		if p < 19 {
			fmt.Fprintf(&b, "<NextContinuationToken>page%d</NextContinuationToken>", p+1)
		}
		for i := range 1000 {
			fmt.Fprintf(&b, `<Contents><Key>dir/object-%06d</Key><LastModified>2026-11-25T10:00:00.000Z</LastModified><ETag>"0f343b0931126a20f133d67c2b018a3b"</ETag><Size>1024</Size><StorageClass>STANDARD</StorageClass></Contents>`, p*1000+i)
		}
		b.WriteString("</ListBucketResult>")
		s.pages = append(s.pages, b.String())
	}
	return s
}

func (s *stub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	q := r.URL.Query()
	if q.Get("list-type") == "2" || (r.Method == http.MethodGet && r.URL.Path == "/bkt/" || r.URL.Path == "/bkt") {
		p := 0
		if tok := q.Get("continuation-token"); tok != "" {
			fmt.Sscanf(tok, "page%d", &p)
		}
		h.Set("Content-Type", "application/xml")
		io.WriteString(w, s.pages[p])
		return
	}
	h.Set("ETag", `"0f343b0931126a20f133d67c2b018a3b"`)
	h.Set("Last-Modified", "Wed, 25 Nov 2026 10:00:00 GMT")
	h.Set("Content-Type", "application/octet-stream")
	h.Set("Accept-Ranges", "bytes")
	switch r.Method {
	case http.MethodPut:
		io.Copy(io.Discard, r.Body)
	case http.MethodHead:
		h.Set("Content-Length", "1024")
	case http.MethodGet:
		h.Set("Content-Length", "1024")
		w.Write(s.body)
	}
}

func stubTarget(b *testing.B) target {
	srv := httptest.NewServer(newStub())
	b.Cleanup(srv.Close)
	return target{endpoint: srv.URL, ak: "ak", sk: "sk", hc: newHTTPClient("")}
}

var payload = bytes.Repeat([]byte("0123456789abcdef"), 64) // 1 KiB

func BenchmarkPut1KiB(b *testing.B) {
	rb := rotate(b)
	t := stubTarget(b)
	ctx := context.Background()
	rb.Run("client=s3kit", func(b *testing.B) {
		c := t.s3kit(b)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := c.Put(ctx, "bkt", "dir/key", bytes.NewReader(payload)); err != nil {
				b.Fatal(err)
			}
		}
	})
	rb.Run("client=s3kit-sdkpath", func(b *testing.B) {
		c := t.s3kit(b, knobs.WithDirectPath(false).(s3kit.Option))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := c.Put(ctx, "bkt", "dir/key", bytes.NewReader(payload)); err != nil {
				b.Fatal(err)
			}
		}
	})
	rb.Run("client=sdk", func(b *testing.B) {
		c := t.sdk()
		b.ReportAllocs()
		for b.Loop() {
			if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bkt"), Key: aws.String("dir/key"), Body: bytes.NewReader(payload)}); err != nil {
				b.Fatal(err)
			}
		}
	})
	rb.Run("client=minio", func(b *testing.B) {
		c := t.minio(b)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := c.PutObject(ctx, "bkt", "dir/key", bytes.NewReader(payload), int64(len(payload)), minio.PutObjectOptions{}); err != nil {
				b.Fatal(err)
			}
		}
	})
	rb.Do()
}

func BenchmarkGet1KiB(b *testing.B) {
	rb := rotate(b)
	t := stubTarget(b)
	ctx := context.Background()
	rb.Run("client=s3kit", func(b *testing.B) {
		c := t.s3kit(b)
		b.ReportAllocs()
		for b.Loop() {
			r, err := c.Get(ctx, "bkt", "dir/key")
			if err != nil {
				b.Fatal(err)
			}
			io.Copy(io.Discard, r)
			r.Close()
		}
	})
	rb.Run("client=s3kit-sdkpath", func(b *testing.B) {
		c := t.s3kit(b, knobs.WithDirectPath(false).(s3kit.Option))
		b.ReportAllocs()
		for b.Loop() {
			r, err := c.Get(ctx, "bkt", "dir/key")
			if err != nil {
				b.Fatal(err)
			}
			io.Copy(io.Discard, r)
			r.Close()
		}
	})
	rb.Run("client=sdk", func(b *testing.B) {
		c := t.sdk()
		b.ReportAllocs()
		for b.Loop() {
			out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bkt"), Key: aws.String("dir/key")})
			if err != nil {
				b.Fatal(err)
			}
			io.Copy(io.Discard, out.Body)
			out.Body.Close()
		}
	})
	rb.Run("client=minio", func(b *testing.B) {
		c := t.minio(b)
		b.ReportAllocs()
		for b.Loop() {
			obj, err := c.GetObject(ctx, "bkt", "dir/key", minio.GetObjectOptions{})
			if err != nil {
				b.Fatal(err)
			}
			io.Copy(io.Discard, obj)
			obj.Close()
		}
	})
	rb.Do()
}

func BenchmarkHead(b *testing.B) {
	rb := rotate(b)
	t := stubTarget(b)
	ctx := context.Background()
	rb.Run("client=s3kit", func(b *testing.B) {
		c := t.s3kit(b)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := c.Head(ctx, "bkt", "dir/key"); err != nil {
				b.Fatal(err)
			}
		}
	})
	rb.Run("client=s3kit-sdkpath", func(b *testing.B) {
		c := t.s3kit(b, knobs.WithDirectPath(false).(s3kit.Option))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := c.Head(ctx, "bkt", "dir/key"); err != nil {
				b.Fatal(err)
			}
		}
	})
	rb.Run("client=sdk", func(b *testing.B) {
		c := t.sdk()
		b.ReportAllocs()
		for b.Loop() {
			if _, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("bkt"), Key: aws.String("dir/key")}); err != nil {
				b.Fatal(err)
			}
		}
	})
	rb.Run("client=minio", func(b *testing.B) {
		c := t.minio(b)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := c.StatObject(ctx, "bkt", "dir/key", minio.StatObjectOptions{}); err != nil {
				b.Fatal(err)
			}
		}
	})
	rb.Do()
}

// BenchmarkListStub20k lists 20,000 keys from the stub: the client's cost of
// decoding 20 pages.
func BenchmarkListStub20k(b *testing.B) {
	t := stubTarget(b)
	listBench(b, t, "bkt", 20000)
}

// listBench lists bucket with each client and checks it sees want keys.
func listBench(b *testing.B, t target, bucket string, want int) {
	rb := rotate(b)
	ctx := context.Background()
	check := func(b *testing.B, n int) {
		if n != want {
			b.Fatalf("listed %d keys, want %d", n, want)
		}
	}
	s3kitList := func(opts ...s3kit.Option) func(b *testing.B) {
		return func(b *testing.B) {
			c := t.s3kit(b, opts...)
			b.ReportAllocs()
			for b.Loop() {
				n := 0
				for _, err := range c.List(ctx, bucket) {
					if err != nil {
						b.Fatal(err)
					}
					n++
				}
				check(b, n)
			}
		}
	}
	rb.Run("client=s3kit", s3kitList())
	rb.Run("client=s3kit-sdkpath", s3kitList(knobs.WithDirectPath(false).(s3kit.Option)))
	rb.Run("client=sdk", func(b *testing.B) {
		c := t.sdk()
		b.ReportAllocs()
		for b.Loop() {
			n := 0
			p := s3.NewListObjectsV2Paginator(c, &s3.ListObjectsV2Input{Bucket: aws.String(bucket)})
			for p.HasMorePages() {
				out, err := p.NextPage(ctx)
				if err != nil {
					b.Fatal(err)
				}
				n += len(out.Contents)
			}
			check(b, n)
		}
	})
	rb.Run("client=minio", func(b *testing.B) {
		c := t.minio(b)
		b.ReportAllocs()
		for b.Loop() {
			n := 0
			for obj := range c.ListObjects(ctx, bucket, minio.ListObjectsOptions{Recursive: true}) {
				if obj.Err != nil {
					b.Fatal(obj.Err)
				}
				n++
			}
			check(b, n)
		}
	})
	rb.Do()
}
