package s3kit_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/s3kit/s3kit"
	"github.com/s3kit/s3kit/s3kittest"
)

// putKeys stores a one-byte object under each key, sixteen at a time, as
// fill does: thousands of Puts one after the other are mostly waiting.
func putKeys(t *testing.T, c *s3kit.Client, keys []string) {
	t.Helper()
	errs := make([]error, len(keys))
	var wg sync.WaitGroup
	sem := make(chan struct{}, 16)
	for i, k := range keys {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			_, errs[i] = c.Put(t.Context(), bucket, k, strings.NewReader("x"))
		}()
	}
	wg.Wait()
	for i, err := range errs {
		require.NoError(t, err, keys[i])
	}
}

func listKeys(t *testing.T, c *s3kit.Client, opts ...s3kit.ListOption) []string {
	t.Helper()
	var out []string
	for o, err := range c.List(t.Context(), bucket, opts...) {
		require.NoError(t, err)
		out = append(out, o.Key)
	}
	return out
}

func numbered(prefix string, n int) []string {
	keys := make([]string, n)
	for i := range keys {
		keys[i] = fmt.Sprintf("%s%05d", prefix, i)
	}
	return keys
}

func TestDeleteManyBatchesWithContentMD5(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		n        int
		requests int
	}{
		{"none", 0, 0},
		{"one", 1, 1},
		{"exactly one batch", 1000, 1},
		{"two batches", 1001, 2},
		{"three batches", 2500, 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv, c := setup(t, s3kittest.WithRequireContentMD5())
			keys := numbered("d/", tc.n)
			putKeys(t, c, append(keys, "keep/me"))
			before := srv.Requests()
			require.NoError(t, c.DeleteMany(t.Context(), bucket, slices.Values(keys)))
			assert.Equal(t, int64(tc.requests), srv.Requests()-before, "DeleteObjects requests")
			assert.Equal(t, []string{"keep/me"}, listKeys(t, c))
		})
	}
}

// TestRawDeleteObjectsNeedsMD5 is the negative control: the SDK alone does
// not send Content-MD5, so a server that requires it refuses the request.
func TestRawDeleteObjectsNeedsMD5(t *testing.T) {
	t.Parallel()
	_, c := setup(t, s3kittest.WithRequireContentMD5())
	_, err := c.S3().DeleteObjects(t.Context(), &s3.DeleteObjectsInput{
		Bucket: aws.String(bucket),
		Delete: &types.Delete{Objects: []types.ObjectIdentifier{{Key: aws.String("k")}}},
	})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "MissingContentMD5")
}

func TestDeleteManyReportsFailuresKeyByKey(t *testing.T) {
	t.Parallel()
	srv := s3kittest.NewServer(t)
	srv.CreateBucket(t, bucket)
	var batches atomic.Int32
	c := proxy(t, srv, func(w http.ResponseWriter, r *http.Request) bool {
		if !r.URL.Query().Has("delete") {
			return false
		}
		batches.Add(1)
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/xml")
		var errs strings.Builder
		for _, k := range []string{"locked/a", "locked/b"} {
			if strings.Contains(string(body), "<Key>"+k+"</Key>") {
				fmt.Fprintf(&errs, "<Error><Key>%s</Key><Code>AccessDenied</Code><Message>Access Denied</Message></Error>", k)
			}
		}
		fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><DeleteResult>%s</DeleteResult>`, errs.String())
		return true
	})
	keys := append(numbered("free/", 1200), "locked/a", "locked/b")
	err := c.DeleteMany(t.Context(), bucket, slices.Values(keys))
	require.Error(t, err)
	assert.Equal(t, int32(2), batches.Load(), "a failure does not stop the other batches")

	var de *s3kit.DeleteError
	require.ErrorAs(t, err, &de)
	assert.Equal(t, []s3kit.DeleteFailure{
		{Key: "locked/a", Code: "AccessDenied", Message: "Access Denied"},
		{Key: "locked/b", Code: "AccessDenied", Message: "Access Denied"},
	}, de.Failed)
	assert.ErrorIs(t, err, s3kit.ErrAccessDenied, "all failures share one kind")
	var e *s3kit.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, "DeleteMany", e.Op)
	assert.Equal(t, bucket, e.Bucket)
	assert.Contains(t, err.Error(), `2 key(s) not deleted; first: "locked/a": AccessDenied`)
}

func TestDeleteManyBadInput(t *testing.T) {
	t.Parallel()
	srv, c := setup(t)
	before := srv.Requests()
	tests := []struct {
		name string
		err  error
	}{
		{"bad bucket", c.DeleteMany(t.Context(), "B", slices.Values([]string{"k"}))},
		{"nil keys", c.DeleteMany(t.Context(), bucket, nil)},
		{"empty key", c.DeleteMany(t.Context(), bucket, slices.Values([]string{"a", ""}))},
		{"long key", c.DeleteMany(t.Context(), bucket, slices.Values([]string{strings.Repeat("k", 1025)}))},
		{"empty prefix", c.DeletePrefix(t.Context(), bucket, "")},
		{"prefix bad bucket", c.DeletePrefix(t.Context(), "x", "p/")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.ErrorIs(t, tc.err, s3kit.ErrInvalidInput)
		})
	}
	assert.Equal(t, before, srv.Requests(), "no request sent")
}

func TestDeleteManyMissingBucket(t *testing.T) {
	t.Parallel()
	_, c := setup(t)
	err := c.DeleteMany(t.Context(), "missing-bucket", slices.Values([]string{"k"}))
	assert.ErrorIs(t, err, s3kit.ErrBucketNotFound)
}

func TestDeleteManyStopsWhenTheLoopIsCancelled(t *testing.T) {
	t.Parallel()
	_, c := setup(t)
	putKeys(t, c, []string{"a", "b"})
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	keys := func(yield func(string) bool) {
		if !yield("a") {
			return
		}
		cancel()
		yield("b")
	}
	err := c.DeleteMany(ctx, bucket, keys)
	assert.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, []string{"a", "b"}, listKeys(t, c), "nothing deleted after cancellation")
}

func TestDeletePrefix(t *testing.T) {
	t.Parallel()
	_, c := setup(t, s3kittest.WithRequireContentMD5())
	gone := numbered("logs/2026/", 2300)
	kept := []string{"logs/2025/x", "logs-other", "data/logs/2026/y"}
	putKeys(t, c, append(slices.Clone(gone), kept...))
	require.NoError(t, c.DeletePrefix(t.Context(), bucket, "logs/2026/"))
	got := listKeys(t, c)
	slices.Sort(kept)
	assert.Equal(t, kept, got)
	require.NoError(t, c.DeletePrefix(t.Context(), bucket, "nothing/here/"), "an empty prefix listing is fine")
}

func TestDeletePrefixListError(t *testing.T) {
	t.Parallel()
	_, c := setup(t)
	err := c.DeletePrefix(t.Context(), "missing-bucket", "p/")
	assert.ErrorIs(t, err, s3kit.ErrBucketNotFound)
	var e *s3kit.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, "DeletePrefix", e.Op)
}
