package s3kit_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/s3kit/s3kit"
	"github.com/s3kit/s3kit/s3kittest"
)

// TestRelaxedBucketNamesValidation checks which names WithRelaxedBucketNames
// lets through, and that the rest are refused before any request.
func TestRelaxedBucketNamesValidation(t *testing.T) {
	t.Parallel()
	srv := s3kittest.NewServer(t)
	c := srv.Client(t, s3kit.WithRelaxedBucketNames(true))

	accepted := []string{
		"My_Bucket", "UPPER", "a", "ab", "-leading-hyphen", "trailing_", "trailing-",
		"under_score.dot-hyphen", strings.Repeat("b", 255), "bucket", "my.bucket.name",
	}
	for _, name := range accepted {
		t.Run("accepts "+name[:min(len(name), 20)], func(t *testing.T) {
			// The bucket does not exist, so the server answers NoSuchBucket:
			// what matters is that s3kit sent the request.
			before := srv.Requests()
			_, err := c.Head(t.Context(), name, "k")
			require.Error(t, err)
			assert.NotErrorIs(t, err, s3kit.ErrInvalidInput)
			assert.Greater(t, srv.Requests(), before, "a request was sent")
		})
	}

	refused := map[string]string{
		"empty":             "",
		"too long":          strings.Repeat("b", 256),
		"leading dot":       ".bucket",
		"trailing dot":      "bucket.",
		"double dot":        "my..bucket",
		"leading _":         "_bucket",
		"IP address":        "10.0.0.1",
		"slash":             "a/b",
		"space":             "a b",
		"percent":           "a%20b",
		"non-ASCII":         "bücket",
		"question mark":     "a?b",
		"control character": "a\x00b",
	}
	for name, bucketName := range refused {
		t.Run("refuses "+name, func(t *testing.T) {
			before := srv.Requests()
			_, err := c.Put(t.Context(), bucketName, "k", strings.NewReader("x"))
			require.ErrorIs(t, err, s3kit.ErrInvalidInput)
			for range c.List(t.Context(), bucketName) {
			}
			assert.Equal(t, before, srv.Requests(), "no request sent")
		})
	}
}

// TestStrictBucketNameHint checks that the default rules refuse a legacy
// name and say which option accepts it.
func TestStrictBucketNameHint(t *testing.T) {
	t.Parallel()
	srv := s3kittest.NewServer(t)
	c := srv.Client(t)

	_, err := c.Head(t.Context(), "Legacy_Bucket", "k")
	require.ErrorIs(t, err, s3kit.ErrInvalidInput)
	assert.Contains(t, err.Error(), "WithRelaxedBucketNames(true)")

	// A name no server accepts gets no such hint.
	_, err = c.Head(t.Context(), "a/b", "k")
	require.ErrorIs(t, err, s3kit.ErrInvalidInput)
	assert.NotContains(t, err.Error(), "WithRelaxedBucketNames")
	assert.Zero(t, srv.Requests())
}

// TestRelaxedBucketNamesRoundTrip uses a bucket with an ECS-style name for
// every object operation, as a Cloud Temple user with an old bucket would.
func TestRelaxedBucketNamesRoundTrip(t *testing.T) {
	t.Parallel()
	const legacy = "Legacy_Bucket-2019"
	srv := s3kittest.NewServer(t)
	srv.CreateBucket(t, legacy)
	c := srv.Client(t, s3kit.WithRelaxedBucketNames(true))
	ctx := t.Context()
	data := randomBytes(twoParts) // multipart with mpOpts

	_, err := c.Put(ctx, legacy, "big.bin", bytes.NewReader(data), mpOpts...)
	require.NoError(t, err)
	_, err = c.Put(ctx, legacy, "dir/small.txt", strings.NewReader("hello"), s3kit.WithContentType("text/plain"))
	require.NoError(t, err)

	obj, err := c.Head(ctx, legacy, "big.bin")
	require.NoError(t, err)
	assert.Equal(t, int64(len(data)), obj.Size)

	r, err := c.Get(ctx, legacy, "big.bin")
	require.NoError(t, err)
	got, err := io.ReadAll(r)
	require.NoError(t, err)
	require.NoError(t, r.Close())
	assert.Equal(t, sum(data), sum(got))

	var keys []string
	for o, err := range c.List(ctx, legacy) {
		require.NoError(t, err)
		keys = append(keys, o.Key)
	}
	assert.Equal(t, []string{"big.bin", "dir/small.txt"}, keys)

	u, err := c.MakePublic(ctx, legacy, "dir/small.txt")
	require.NoError(t, err)
	assert.Equal(t, srv.URL+"/"+legacy+"/dir/small.txt", u)
	status, body := anonGet(t, srv, u)
	assert.Equal(t, http.StatusOK, status)
	assert.Equal(t, "hello", string(body))

	require.NoError(t, c.Delete(ctx, legacy, "big.bin"))
	require.NoError(t, c.DeletePrefix(ctx, legacy, "dir/"))
	for _, err := range c.List(ctx, legacy) {
		t.Fatalf("bucket not empty after deletes (err %v)", err)
	}
}

// TestRelaxedBucketNamesAddressing checks how relaxed names combine with
// addressing and with the Cloud Temple profile.
func TestRelaxedBucketNamesAddressing(t *testing.T) {
	t.Parallel()
	srv := s3kittest.NewServer(t)
	srv.CreateBucket(t, "Old_Bucket")

	t.Run("explicit option refuses virtual-host addressing", func(t *testing.T) {
		_, err := srv.NewClient(t.Context(), s3kit.WithRelaxedBucketNames(true), s3kit.WithPathStyle(false))
		require.ErrorIs(t, err, s3kit.ErrInvalidInput)
		assert.Contains(t, err.Error(), "path-style")
	})

	t.Run("Cloud Temple profile accepts ECS names", func(t *testing.T) {
		// The profile's endpoint is replaced by the test server's: an
		// explicit option wins over the profile.
		c := srv.Client(t, s3kit.WithProvider(s3kit.CloudTemple("ns", "")))
		_, err := c.Put(t.Context(), "Old_Bucket", "k", strings.NewReader("x"))
		require.NoError(t, err)
	})

	t.Run("explicit false wins over the profile", func(t *testing.T) {
		c := srv.Client(t, s3kit.WithProvider(s3kit.CloudTemple("ns", "")), s3kit.WithRelaxedBucketNames(false))
		_, err := c.Put(t.Context(), "Old_Bucket", "k", strings.NewReader("x"))
		require.ErrorIs(t, err, s3kit.ErrInvalidInput)
	})

	t.Run("profile with virtual-host addressing keeps strict names", func(t *testing.T) {
		before := srv.Requests()
		c := srv.Client(t, s3kit.WithProvider(s3kit.CloudTemple("ns", "")), s3kit.WithPathStyle(false))
		_, err := c.Put(t.Context(), "Old_Bucket", "k", strings.NewReader("x"))
		require.ErrorIs(t, err, s3kit.ErrInvalidInput)
		assert.Equal(t, before, srv.Requests())
	})

	t.Run("default client refuses", func(t *testing.T) {
		c := srv.Client(t)
		_, err := c.Put(t.Context(), "Old_Bucket", "k", strings.NewReader("x"))
		require.ErrorIs(t, err, s3kit.ErrInvalidInput)
		var e *s3kit.Error
		require.True(t, errors.As(err, &e))
		assert.Equal(t, "Put", e.Op)
		assert.Equal(t, "Old_Bucket", e.Bucket)
	})
}

// TestRelaxedBucketNamesEveryCall calls every method that takes a bucket
// with a legacy name: a relaxed client sends each request, a default client
// refuses each one before sending anything.
func TestRelaxedBucketNamesEveryCall(t *testing.T) {
	t.Parallel()
	const legacy = "Legacy_Bucket"
	srv := s3kittest.NewServer(t)
	srv.CreateBucket(t, legacy)
	srv.CreateBucket(t, bucket)
	seed := srv.Client(t, s3kit.WithRelaxedBucketNames(true))
	for _, b := range []string{legacy, bucket} {
		_, err := seed.Put(t.Context(), b, "k", strings.NewReader("data"))
		require.NoError(t, err)
	}

	calls := map[string]func(context.Context, *s3kit.Client) error{
		"CreateBucket": func(ctx context.Context, c *s3kit.Client) error { return c.CreateBucket(ctx, "New_Bucket") },
		"DeleteBucket": func(ctx context.Context, c *s3kit.Client) error { return c.DeleteBucket(ctx, "Gone_Bucket") },
		"Put": func(ctx context.Context, c *s3kit.Client) error {
			_, err := c.Put(ctx, legacy, "p", strings.NewReader("x"))
			return err
		},
		"Get": func(ctx context.Context, c *s3kit.Client) error {
			r, err := c.Get(ctx, legacy, "k")
			if err == nil {
				err = r.Close()
			}
			return err
		},
		"Head":   func(ctx context.Context, c *s3kit.Client) error { _, err := c.Head(ctx, legacy, "k"); return err },
		"Delete": func(ctx context.Context, c *s3kit.Client) error { return c.Delete(ctx, legacy, "absent") },
		"SetACL": func(ctx context.Context, c *s3kit.Client) error { return c.SetACL(ctx, legacy, "k", s3kit.ACLPrivate) },
		"MakePublic": func(ctx context.Context, c *s3kit.Client) error {
			_, err := c.MakePublic(ctx, legacy, "k")
			return err
		},
		"List": func(ctx context.Context, c *s3kit.Client) error {
			for _, err := range c.List(ctx, legacy) {
				if err != nil {
					return err
				}
			}
			return nil
		},
		"Download": func(ctx context.Context, c *s3kit.Client) error {
			f, err := os.Create(filepath.Join(t.TempDir(), "out"))
			require.NoError(t, err)
			defer f.Close()
			_, err = c.Download(ctx, legacy, "k", f)
			return err
		},
		"Copy from": func(ctx context.Context, c *s3kit.Client) error {
			_, err := c.Copy(ctx, legacy, "k", bucket, "copied")
			return err
		},
		"Copy to": func(ctx context.Context, c *s3kit.Client) error {
			_, err := c.Copy(ctx, bucket, "k", legacy, "copied")
			return err
		},
		"PresignGet": func(ctx context.Context, c *s3kit.Client) error {
			_, err := c.PresignGet(ctx, legacy, "k", time.Minute)
			return err
		},
		"PresignPut": func(ctx context.Context, c *s3kit.Client) error {
			_, err := c.PresignPut(ctx, legacy, "k", time.Minute)
			return err
		},
		"DeleteMany": func(ctx context.Context, c *s3kit.Client) error {
			return c.DeleteMany(ctx, legacy, slices.Values([]string{"absent"}))
		},
		"DeletePrefix": func(ctx context.Context, c *s3kit.Client) error { return c.DeletePrefix(ctx, legacy, "absent/") },
		"Doctor": func(ctx context.Context, c *s3kit.Client) error {
			_, err := c.Doctor(ctx, legacy)
			return err
		},
	}
	relaxed := srv.Client(t, s3kit.WithRelaxedBucketNames(true))
	strict := srv.Client(t)
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			before := srv.Requests()
			err := call(t.Context(), strict)
			require.ErrorIs(t, err, s3kit.ErrInvalidInput, "default rules")
			assert.Equal(t, before, srv.Requests(), "no request sent")

			err = call(t.Context(), relaxed)
			assert.NotErrorIs(t, err, s3kit.ErrInvalidInput, "relaxed rules")
			if name != "PresignGet" && name != "PresignPut" {
				assert.Greater(t, srv.Requests(), before, "a request was sent")
			}
		})
	}
}
