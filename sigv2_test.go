package s3kit_test

import (
	"bytes"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/s3kit/s3kit"
	"github.com/s3kit/s3kit/s3kittest"
)

func TestSignatureV2(t *testing.T) {
	t.Parallel()
	srv := s3kittest.NewServer(t)
	srv.CreateBucket(t, bucket)
	var mu sync.Mutex
	var auths []string
	front := proxyEndpoint(t, srv, func(r *http.Request) {
		mu.Lock()
		auths = append(auths, r.Header.Get("Authorization"))
		mu.Unlock()
	})
	c, err := s3kit.New(t.Context(), s3kit.WithEndpoint(front), s3kit.WithSignatureV2(),
		s3kit.WithCredentials(s3kittest.AccessKey, s3kittest.SecretKey))
	require.NoError(t, err)
	_, err = c.Put(t.Context(), bucket, "a b", strings.NewReader("v2"), s3kit.WithACL(s3kit.ACLPublicRead))
	require.NoError(t, err)
	r, err := c.Get(t.Context(), bucket, "a b")
	require.NoError(t, err)
	var got bytes.Buffer
	_, _ = got.ReadFrom(r)
	require.NoError(t, r.Close())
	assert.Equal(t, "v2", got.String())
	require.NoError(t, c.SetACL(t.Context(), bucket, "a b", s3kit.ACLPrivate))

	p, err := c.PresignGet(t.Context(), bucket, "a b", 60e9)
	require.NoError(t, err)
	assert.Contains(t, p.URL, "X-Amz-Signature=", "presigned URLs stay SigV4")

	mu.Lock()
	defer mu.Unlock()
	require.Len(t, auths, 3)
	for _, a := range auths {
		assert.True(t, strings.HasPrefix(a, "AWS "+s3kittest.AccessKey+":"), a)
	}
}

func TestSignatureV2NeedsPathStyle(t *testing.T) {
	t.Parallel()
	_, err := s3kit.New(t.Context(), s3kit.WithEndpoint("https://s3.example.com"), s3kit.WithPathStyle(false),
		s3kit.WithSignatureV2(), s3kit.WithCredentials("ak", "sk"))
	assert.ErrorIs(t, err, s3kit.ErrInvalidInput)
}

func TestSignatureV2WrongSecret(t *testing.T) {
	t.Parallel()
	srv := s3kittest.NewServer(t)
	srv.CreateBucket(t, bucket)
	c := srv.Client(t, s3kit.WithSignatureV2(), s3kit.WithCredentials(s3kittest.AccessKey, "wrong"))
	_, err := c.Put(t.Context(), bucket, "k", strings.NewReader("x"))
	assert.ErrorIs(t, err, s3kit.ErrAccessDenied)
	assert.Contains(t, err.Error(), "SignatureDoesNotMatch")

	good := srv.Client(t, s3kit.WithSignatureV2())
	for _, key := range []string{"a b", "x+y", "é/日本", "q?#%"} {
		_, err := good.Put(t.Context(), bucket, key, strings.NewReader("x"), s3kit.WithMetadata(map[string]string{"m": "v  w"}))
		require.NoError(t, err, "s3kittest verifies SigV2 for %q", key)
	}
	require.NoError(t, good.DeleteMany(t.Context(), bucket, slices.Values([]string{"a b", "x+y"})))
}
