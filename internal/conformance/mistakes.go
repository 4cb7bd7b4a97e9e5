package conformance

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/s3kit/s3kit"
)

// mistakes makes, on the server, the mistakes of a new user whose errors
// depend on what the server answers (the root package's
// TestMistakesUsersMake makes them all on s3kittest): each must match its
// sentinel and say what to change, without the SDK's noise.
func (s *suite) mistakes(t *testing.T) {
	ctx := t.Context()
	with := func(t *testing.T, extra ...s3kit.Option) *s3kit.Client {
		c, err := s3kit.New(ctx, append(slices.Clone(s.target.Options), extra...)...)
		require.NoError(t, err)
		closeIdle(t, c)
		return c
	}
	check := func(t *testing.T, err error, sentinel error, words ...string) {
		t.Helper()
		require.Error(t, err)
		if sentinel != nil {
			assert.ErrorIs(t, err, sentinel)
		}
		for _, w := range words {
			assert.Contains(t, err.Error(), w)
		}
		for _, noise := range []string{"operation error", "StatusCode: 0", "UnknownError", "exceeded maximum number of attempts"} {
			assert.NotContains(t, err.Error(), noise)
		}
		t.Log(err)
	}
	t.Run("wrong secret", func(t *testing.T) {
		c := with(t, s3kit.WithCredentials(accessKeyOf(t, s), "not-the-secret"))
		_, err := c.Put(ctx, s.bucket, "mistake/k", strings.NewReader("x"))
		check(t, err, s3kit.ErrAccessDenied, "secret key")
		_, err = c.Head(ctx, s.bucket, "mistake/k")
		check(t, err, s3kit.ErrAccessDenied, "403", "secret key")
	})
	t.Run("unknown access key", func(t *testing.T) {
		_, err := with(t, s3kit.WithCredentials("S3KITNOSUCHKEY0000001", "secret")).Put(ctx, s.bucket, "mistake/k", strings.NewReader("x"))
		check(t, err, s3kit.ErrAccessDenied, "access key")
	})
	t.Run("bucket not empty", func(t *testing.T) {
		b := s.bucket + "-full"
		require.NoError(t, s.c.CreateBucket(ctx, b))
		_, err := s.c.Put(ctx, b, "k", strings.NewReader("x"))
		require.NoError(t, err)
		check(t, s.c.DeleteBucket(ctx, b), s3kit.ErrBucketNotEmpty, "BucketNotEmpty", "DeleteMany")
		require.NoError(t, s.c.Delete(ctx, b, "k"))
		require.NoError(t, s.c.DeleteBucket(ctx, b))
	})
	t.Run("bucket already exists", func(t *testing.T) {
		// Ceph RGW lets the owner create an existing bucket again.
		if err := s.c.CreateBucket(ctx, s.bucket); err != nil {
			check(t, err, s3kit.ErrBucketExists, "BucketAlready")
		}
	})
	t.Run("wrong region", func(t *testing.T) {
		c := with(t, s3kit.WithRegion("xx-wrong-1"))
		_, err := c.Put(ctx, s.bucket, "mistake/region", strings.NewReader("x"))
		if !s.target.RegionEnforced {
			require.NoError(t, err, "this server accepts any region")
			return
		}
		fix := `WithRegion("` + s.target.Region + `")`
		check(t, err, s3kit.ErrWrongRegion, fix)
		_, err = c.Head(ctx, s.bucket, "mistake/region")
		check(t, err, s3kit.ErrWrongRegion, fix)
	})
	if s.target.CA == nil {
		return
	}
	t.Run("no CA", func(t *testing.T) {
		_, err := with(t, s3kit.WithHTTPClient(&http.Client{Transport: &http.Transport{}})).Head(ctx, s.bucket, "mistake/k")
		check(t, err, nil, "TLS", "unknown authority", "WithRootCAs")
	})
	t.Run("WithRootCAs", func(t *testing.T) {
		c, err := s3kit.New(ctx, s3kit.WithEndpoint(s.target.Endpoint), s3kit.WithRegion(s.target.Region),
			s3kit.WithCredentials(accessKeyOf(t, s), secretKeyOf(t, s)), s3kit.WithRootCAs(s.target.CA))
		require.NoError(t, err)
		closeIdle(t, c)
		_, err = c.Put(ctx, s.bucket, "mistake/ca", strings.NewReader("trusted"))
		require.NoError(t, err)
		require.NoError(t, c.Delete(ctx, s.bucket, "mistake/ca"))
	})
	t.Run("http to a TLS port", func(t *testing.T) {
		c := with(t, s3kit.WithEndpoint("http://"+strings.TrimPrefix(s.target.Endpoint, "https://")), s3kit.WithMaxAttempts(1))
		_, err := c.Head(ctx, s.bucket, "mistake/k")
		check(t, err, nil, "https://")
	})
}

// secretKeyOf finds the secret key the target's client uses.
func secretKeyOf(t *testing.T, s *suite) string {
	creds, err := s.c.S3().Options().Credentials.Retrieve(t.Context())
	require.NoError(t, err)
	return creds.SecretAccessKey
}

// closeIdle closes c's idle connections when t ends, so that goleak sees
// no connection goroutines left.
func closeIdle(t *testing.T, c *s3kit.Client) {
	if hc, ok := c.S3().Options().HTTPClient.(interface{ CloseIdleConnections() }); ok {
		t.Cleanup(hc.CloseIdleConnections)
	}
}
