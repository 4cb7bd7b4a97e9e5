package s3kit_test

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/s3kit/s3kit"
	"github.com/s3kit/s3kit/s3kittest"
)

func TestACLEnforcement(t *testing.T) {
	t.Parallel()
	srv, c := setup(t)
	ctx := t.Context()
	_, err := c.Put(ctx, bucket, "private.txt", strings.NewReader("secret"))
	require.NoError(t, err)
	_, err = c.Put(ctx, bucket, "public.txt", strings.NewReader("hello"), s3kit.WithACL(s3kit.ACLPublicRead))
	require.NoError(t, err)

	status, _ := anonGet(t, srv, c.PublicURL(bucket, "private.txt"))
	assert.Equal(t, http.StatusForbidden, status, "anonymous GET of a private object")
	status, body := anonGet(t, srv, c.PublicURL(bucket, "public.txt"))
	assert.Equal(t, http.StatusOK, status, "anonymous GET of a public-read object")
	assert.Equal(t, "hello", string(body))

	// Anonymous writes and listings are refused even next to public objects.
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, c.PublicURL(bucket, "public.txt"), strings.NewReader("overwrite"))
	require.NoError(t, err)
	resp, err := srv.HTTPClient().Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusForbidden, resp.StatusCode)
	status, _ = anonGet(t, srv, srv.URL+"/"+bucket)
	assert.Equal(t, http.StatusForbidden, status)

	// Overwriting without an ACL makes the object private again, as in S3.
	_, err = c.Put(ctx, bucket, "public.txt", strings.NewReader("v2"))
	require.NoError(t, err)
	status, _ = anonGet(t, srv, c.PublicURL(bucket, "public.txt"))
	assert.Equal(t, http.StatusForbidden, status)
}

func TestMultipartPutWithACL(t *testing.T) {
	t.Parallel()
	srv, c := setup(t)
	data := randomBytes(9 << 20) // of unknown size, so multipart past the first 8 MiB part
	res, err := c.Put(t.Context(), bucket, "big", onlyReader{bytes.NewReader(data)}, s3kit.WithACL(s3kit.ACLPublicRead))
	require.NoError(t, err)
	require.Positive(t, res.Parts)
	assert.Equal(t, s3kit.ACLPublicRead, srv.ObjectACL(bucket, "big"))
	status, body := anonGet(t, srv, c.PublicURL(bucket, "big"))
	assert.Equal(t, http.StatusOK, status)
	assert.Equal(t, sum(data), sum(body))
}

func TestSetACLKeepsData(t *testing.T) {
	t.Parallel()
	srv, c := setup(t)
	ctx := t.Context()
	data := randomBytes(1 << 10)
	_, err := c.Put(ctx, bucket, "k", bytes.NewReader(data), s3kit.WithContentType("image/png"))
	require.NoError(t, err)

	for _, acl := range []s3kit.ACL{s3kit.ACLPublicRead, s3kit.ACLPrivate, s3kit.ACLPublicRead} {
		require.NoError(t, c.SetACL(ctx, bucket, "k", acl))
		assert.Equal(t, acl, srv.ObjectACL(bucket, "k"))
		got, r := getAll(t, c, "k")
		assert.Equal(t, sum(data), got, "data intact after SetACL(%s)", acl)
		assert.Equal(t, "image/png", r.ContentType)
		status, _ := anonGet(t, srv, c.PublicURL(bucket, "k"))
		if acl == s3kit.ACLPublicRead {
			assert.Equal(t, http.StatusOK, status)
		} else {
			assert.Equal(t, http.StatusForbidden, status)
		}
	}
	assert.ErrorIs(t, c.SetACL(ctx, bucket, "missing", s3kit.ACLPublicRead), s3kit.ErrNotFound)
}

func TestMakePublic(t *testing.T) {
	t.Parallel()
	for _, tlsOn := range []bool{false, true} {
		var opts []s3kittest.Option
		if tlsOn {
			opts = append(opts, s3kittest.WithTLS())
		}
		srv, c := setup(t, opts...)
		ctx := t.Context()
		_, err := c.Put(ctx, bucket, "photos/cat 1.jpg", strings.NewReader("meow"))
		require.NoError(t, err)
		u, err := c.MakePublic(ctx, bucket, "photos/cat 1.jpg")
		require.NoError(t, err)
		assert.Equal(t, srv.URL+"/bkt/photos/cat%201.jpg", u)
		status, body := anonGet(t, srv, u)
		assert.Equal(t, http.StatusOK, status)
		assert.Equal(t, "meow", string(body))

		_, err = c.MakePublic(ctx, bucket, "missing")
		var e *s3kit.Error
		require.ErrorAs(t, err, &e)
		assert.ErrorIs(t, err, s3kit.ErrNotFound)
		assert.Equal(t, "MakePublic", e.Op)
	}
}

func TestACLNotSupported(t *testing.T) {
	t.Parallel()
	for _, code := range []string{"NotImplemented", "AccessControlListNotSupported"} {
		t.Run(code, func(t *testing.T) {
			t.Parallel()
			srv, _ := setup(t)
			status := http.StatusNotImplemented
			if code == "AccessControlListNotSupported" {
				status = http.StatusBadRequest
			}
			c := proxy(t, srv, func(w http.ResponseWriter, r *http.Request) bool {
				if r.URL.Query().Has("acl") || (r.Header.Get("X-Amz-Acl") != "" && r.Header.Get("X-Amz-Acl") != "private") {
					_, _ = io.Copy(io.Discard, r.Body)
					s3Error(w, status, code)
					return true
				}
				return false
			})
			ctx := t.Context()
			data := randomBytes(4096)
			_, err := c.Put(ctx, bucket, "k", bytes.NewReader(data))
			require.NoError(t, err)

			_, err = c.MakePublic(ctx, bucket, "k")
			assert.ErrorIs(t, err, s3kit.ErrACLNotSupported)
			assert.ErrorIs(t, c.SetACL(ctx, bucket, "k", s3kit.ACLPublicRead), s3kit.ErrACLNotSupported)
			_, err = c.Put(ctx, bucket, "k", bytes.NewReader([]byte("other")), s3kit.WithACL(s3kit.ACLPublicRead))
			assert.ErrorIs(t, err, s3kit.ErrACLNotSupported)

			got, _ := getAll(t, c, "k")
			assert.Equal(t, sum(data), got, "the object's data is untouched")
		})
	}
}

func TestPublicURLEscaping(t *testing.T) {
	t.Parallel()
	srv, c := setup(t)
	tests := []struct{ key, path string }{
		{"plain.txt", "plain.txt"},
		{"with space.txt", "with%20space.txt"},
		{"a+b.txt", "a%2Bb.txt"},
		{"tilde~x", "tilde~x"},
		{"100%.txt", "100%25.txt"},
		{"what?.txt", "what%3F.txt"},
		{"#hash", "%23hash"},
		{"été/日本.txt", "%C3%A9t%C3%A9/%E6%97%A5%E6%9C%AC.txt"},
		{"a//b", "a//b"},
		{"dir/sub/file", "dir/sub/file"},
		{"semi;colon,comma$@=&", "semi%3Bcolon%2Ccomma%24%40%3D%26"},
		{"quote\"'<>", "quote%22%27%3C%3E"},
		{"back\\slash", "back%5Cslash"},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			data := []byte("content of " + tt.key)
			_, err := c.Put(t.Context(), bucket, tt.key, bytes.NewReader(data), s3kit.WithACL(s3kit.ACLPublicRead))
			require.NoError(t, err)
			u := c.PublicURL(bucket, tt.key)
			assert.Equal(t, srv.URL+"/bkt/"+tt.path, u)
			status, body := anonGet(t, srv, u)
			assert.Equal(t, http.StatusOK, status)
			assert.Equal(t, data, body, "the URL fetches exactly this object")
		})
	}
}

// TestPublicURLForms checks the URL PublicURL builds for each addressing
// style, on AWS and on custom endpoints, against the URL the SDK's own
// requests use (a presigned GET of the same object starts with it).
func TestPublicURLForms(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		bucket string // "" means my-bucket
		opts   []s3kit.Option
		want   string
	}{
		{"path style default for custom endpoint", "",
			[]s3kit.Option{s3kit.WithEndpoint("https://ns.s3.fr1.cloud-temple.com")},
			"https://ns.s3.fr1.cloud-temple.com/my-bucket/a%20b/c.txt"},
		{"custom endpoint, dotted bucket, path style", "my.bucket",
			[]s3kit.Option{s3kit.WithEndpoint("https://ns.s3.fr1.cloud-temple.com")},
			"https://ns.s3.fr1.cloud-temple.com/my.bucket/a%20b/c.txt"},
		{"custom endpoint, legacy bucket name, path style", "Old_Bucket",
			[]s3kit.Option{s3kit.WithProvider(s3kit.CloudTemple("ns", ""))},
			"https://ns.s3.fr1.cloud-temple.com/Old_Bucket/a%20b/c.txt"},
		{"virtual host when asked", "",
			[]s3kit.Option{s3kit.WithEndpoint("https://ns.s3.fr1.cloud-temple.com"), s3kit.WithPathStyle(false)},
			"https://my-bucket.ns.s3.fr1.cloud-temple.com/a%20b/c.txt"},
		{"virtual host asked, dotted bucket goes path style over https", "my.bucket",
			[]s3kit.Option{s3kit.WithEndpoint("https://ns.s3.fr1.cloud-temple.com"), s3kit.WithPathStyle(false)},
			"https://ns.s3.fr1.cloud-temple.com/my.bucket/a%20b/c.txt"},
		{"endpoint with port and trailing slash", "",
			[]s3kit.Option{s3kit.WithEndpoint("http://127.0.0.1:9000/")},
			"http://127.0.0.1:9000/my-bucket/a%20b/c.txt"},
		{"AWS us-east-1", "",
			[]s3kit.Option{s3kit.WithRegion("us-east-1")},
			"https://my-bucket.s3.us-east-1.amazonaws.com/a%20b/c.txt"},
		{"AWS default is virtual host", "",
			[]s3kit.Option{s3kit.WithRegion("eu-west-3")},
			"https://my-bucket.s3.eu-west-3.amazonaws.com/a%20b/c.txt"},
		{"AWS path style", "",
			[]s3kit.Option{s3kit.WithRegion("eu-west-3"), s3kit.WithPathStyle(true)},
			"https://s3.eu-west-3.amazonaws.com/my-bucket/a%20b/c.txt"},
		{"AWS dotted bucket is path style", "my.bucket",
			[]s3kit.Option{s3kit.WithRegion("eu-west-3")},
			"https://s3.eu-west-3.amazonaws.com/my.bucket/a%20b/c.txt"},
		{"AWS endpoint given, dotted bucket is path style", "my.bucket",
			[]s3kit.Option{s3kit.WithEndpoint("https://s3.eu-west-3.amazonaws.com"), s3kit.WithRegion("eu-west-3")},
			"https://s3.eu-west-3.amazonaws.com/my.bucket/a%20b/c.txt"},
		{"AWS China cn-north-1", "",
			[]s3kit.Option{s3kit.WithRegion("cn-north-1")},
			"https://my-bucket.s3.cn-north-1.amazonaws.com.cn/a%20b/c.txt"},
		{"AWS China cn-northwest-1, dotted bucket", "my.bucket",
			[]s3kit.Option{s3kit.WithRegion("cn-northwest-1")},
			"https://s3.cn-northwest-1.amazonaws.com.cn/my.bucket/a%20b/c.txt"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := tt.bucket
			if b == "" {
				b = "my-bucket"
			}
			c, err := s3kit.New(t.Context(), append(tt.opts, s3kit.WithCredentials("ak", "sk"))...)
			require.NoError(t, err)
			assert.Equal(t, tt.want, c.PublicURL(b, "a b/c.txt"))
			p, err := c.PresignGet(t.Context(), b, "a b/c.txt", time.Minute)
			require.NoError(t, err)
			assert.True(t, strings.HasPrefix(p.URL, tt.want+"?"), "the SDK's requests go to %s", p.URL)
		})
	}
}
