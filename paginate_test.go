package s3kit_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/s3kit/s3kit"
)

// fill puts n small objects named prefix0000… concurrently.
func fill(t *testing.T, c *s3kit.Client, prefix string, n int) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, n)
	sem := make(chan struct{}, 16)
	for i := range n {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			_, err := c.Put(t.Context(), bucket, fmt.Sprintf("%s%04d", prefix, i), strings.NewReader("x"))
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
}

func collect(t *testing.T, seq func(func(s3kit.Object, error) bool)) []string {
	t.Helper()
	var keys []string
	for obj, err := range seq {
		require.NoError(t, err)
		keys = append(keys, obj.Key)
	}
	return keys
}

func TestList(t *testing.T) {
	t.Parallel()
	srv, c := setup(t)
	fill(t, c, "a/", 1500)
	fill(t, c, "b/", 1000)
	ctx := t.Context()

	t.Run("all keys, page size 1000", func(t *testing.T) {
		before := srv.Requests()
		keys := collect(t, c.List(ctx, bucket, s3kit.WithPageSize(1000)))
		assert.Len(t, keys, 2500)
		assert.Equal(t, "a/0000", keys[0])
		assert.Equal(t, "b/0999", keys[2499])
		assert.Equal(t, int64(3), srv.Requests()-before, "2500 keys in pages of 1000")
	})
	t.Run("default page size", func(t *testing.T) {
		assert.Len(t, collect(t, c.List(ctx, bucket)), 2500)
	})
	t.Run("prefix", func(t *testing.T) {
		keys := collect(t, c.List(ctx, bucket, s3kit.WithPrefix("b/")))
		assert.Len(t, keys, 1000)
		for _, k := range keys {
			assert.True(t, strings.HasPrefix(k, "b/"), k)
		}
	})
	t.Run("prefix with small pages", func(t *testing.T) {
		before := srv.Requests()
		keys := collect(t, c.List(ctx, bucket, s3kit.WithPrefix("a/"), s3kit.WithPageSize(250)))
		assert.Len(t, keys, 1500)
		assert.GreaterOrEqual(t, srv.Requests()-before, int64(6))
	})
	t.Run("start after", func(t *testing.T) {
		keys := collect(t, c.List(ctx, bucket, s3kit.WithStartAfter("a/1499")))
		require.Len(t, keys, 1000)
		assert.Equal(t, "b/0000", keys[0])
	})
	t.Run("object fields", func(t *testing.T) {
		for obj, err := range c.List(ctx, bucket, s3kit.WithPrefix("a/0000")) {
			require.NoError(t, err)
			assert.Equal(t, int64(1), obj.Size)
			assert.NotEmpty(t, obj.ETag)
			assert.False(t, obj.LastModified.IsZero())
		}
	})
	t.Run("break stops fetching", func(t *testing.T) {
		before := srv.Requests()
		n := 0
		for _, err := range c.List(ctx, bucket, s3kit.WithPageSize(10)) {
			require.NoError(t, err)
			if n++; n == 15 {
				break
			}
		}
		assert.Equal(t, int64(2), srv.Requests()-before, "two pages for 15 keys, no more")
	})
	t.Run("empty prefix result", func(t *testing.T) {
		assert.Empty(t, collect(t, c.List(ctx, bucket, s3kit.WithPrefix("zzz"))))
	})
	t.Run("cancelled context", func(t *testing.T) {
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		var errs []error
		for _, err := range c.List(cctx, bucket) {
			errs = append(errs, err)
		}
		require.Len(t, errs, 1)
		assert.ErrorIs(t, errs[0], context.Canceled)
	})
}

// brokenLister answers ListObjectsV2 with truncated pages; token returns the
// continuation token for page n (1-based).
func brokenLister(t *testing.T, token func(n int) string) (*s3kit.Client, *atomic.Int32) {
	t.Helper()
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := int(calls.Add(1))
		w.Header().Set("Content-Type", "application/xml")
		fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">`+
			`<Name>bkt</Name><KeyCount>1</KeyCount><MaxKeys>1</MaxKeys><IsTruncated>true</IsTruncated>`+
			`<NextContinuationToken>%s</NextContinuationToken><Contents><Key>k%d</Key><Size>1</Size></Contents></ListBucketResult>`, token(n), n)
	}))
	t.Cleanup(srv.Close)
	c, err := s3kit.New(t.Context(), s3kit.WithEndpoint(srv.URL), s3kit.WithCredentials("ak", "sk"))
	require.NoError(t, err)
	return c, &calls
}

func TestListStopsOnBrokenProvider(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		token    func(n int) string
		wantKeys int
		wantMsg  string
	}{
		{"same token every time", func(int) string { return "AAA" }, 2, "repeated continuation token"},
		{"token cycle", func(n int) string { return []string{"A", "B", "C"}[(n-1)%3] }, 4, "repeated continuation token"},
		{"truncated without token", func(int) string { return "" }, 1, "no continuation token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, calls := brokenLister(t, tt.token)
			var keys []string
			var errs []error
			for obj, err := range c.List(t.Context(), "bkt") {
				if err != nil {
					errs = append(errs, err)
					continue
				}
				keys = append(keys, obj.Key)
			}
			require.Len(t, errs, 1, "exactly one error ends the listing")
			assert.Contains(t, errs[0].Error(), tt.wantMsg)
			assert.Len(t, keys, tt.wantKeys)
			assert.Equal(t, int32(tt.wantKeys), calls.Load())
		})
	}
}
