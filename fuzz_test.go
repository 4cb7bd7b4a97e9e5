package s3kit_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/s3kit/s3kit"
	"github.com/s3kit/s3kit/s3kittest"
)

// FuzzMetadata checks the encoding of user metadata into x-amz-meta-*
// headers: whatever Put accepts is signed correctly, stored, and read back by
// Head exactly (under its lower-case key); whatever it refuses is refused
// before any request with ErrInvalidInput.
func FuzzMetadata(f *testing.F) {
	seeds := [][4]string{
		{"color", "blue", "", ""},
		{"Color", "Blue", "size", "42"},
		{"a", " lead", "b", "trail "},
		{"a", "in  side", "b", "tab\there"},
		{"a", "", "b", "x"},
		{"K", "1", "k", "2"},
		{"utf8", "é", "", ""},
		{"a b", "x", "", ""},
		{"x", "new\nline", "", ""},
		{"~!#$%&'*+-.^_`|", "=?;,/\"", "", ""},
	}
	for _, s := range seeds {
		f.Add(s[0], s[1], s[2], s[3])
	}
	srv := s3kittest.Start()
	f.Cleanup(srv.Close)
	ctx := context.Background()
	c, err := srv.NewClient(ctx, s3kit.WithMaxAttempts(1))
	if err != nil {
		f.Fatal(err)
	}
	if err := c.CreateBucket(ctx, bucket); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, k1, v1, k2, v2 string) {
		md := map[string]string{k1: v1}
		if k2 != "" {
			md[k2] = v2
		}
		// gofakes3 merges the metadata of an overwritten object: start afresh.
		if err := c.Delete(ctx, bucket, "k"); err != nil {
			t.Fatal(err)
		}
		_, err := c.Put(ctx, bucket, "k", strings.NewReader("x"), s3kit.WithMetadata(md))
		if errors.Is(err, s3kit.ErrInvalidInput) {
			return
		}
		if err != nil {
			t.Fatalf("Put with metadata %q: %v", md, err)
		}
		obj, err := c.Head(ctx, bucket, "k")
		if err != nil {
			t.Fatal(err)
		}
		if len(obj.Metadata) != len(md) {
			t.Fatalf("put metadata %q, read back %q", md, obj.Metadata)
		}
		for k, v := range md {
			if got, ok := obj.Metadata[strings.ToLower(k)]; !ok || got != v {
				t.Fatalf("put metadata %q, read back %q", md, obj.Metadata)
			}
		}
	})
}
