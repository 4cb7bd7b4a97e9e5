package s3kit_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/s3kit/s3kit"
	"github.com/s3kit/s3kit/s3kittest"
)

// send performs a presigned request with body, against the URL's own host
// unless via is set, in which case it goes to via with the URL's Host, as a
// reverse proxy in front of the server would forward it.
func send(t *testing.T, hc *http.Client, p s3kit.Presigned, via string, body []byte, header http.Header) (int, []byte) {
	t.Helper()
	u, err := url.Parse(p.URL)
	require.NoError(t, err)
	host := u.Host
	if via != "" {
		v, err := url.Parse(via)
		require.NoError(t, err)
		u.Scheme, u.Host = v.Scheme, v.Host
	}
	req, err := http.NewRequestWithContext(t.Context(), p.Method, u.String(), bytes.NewReader(body))
	require.NoError(t, err)
	req.Host = host
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := hc.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, b
}

func TestPresignGet(t *testing.T) {
	srv, c := setup(t)
	const key = "dir/a b+c~é.txt"
	_, err := c.Put(t.Context(), bucket, key, strings.NewReader("secret body"))
	require.NoError(t, err)

	p, err := c.PresignGet(t.Context(), bucket, key, time.Minute)
	require.NoError(t, err)
	assert.Equal(t, http.MethodGet, p.Method)
	assert.True(t, strings.HasPrefix(p.URL, srv.URL+"/"+bucket+"/dir/a%20b%2Bc~%C3%A9.txt?"), p.URL)
	assert.WithinDuration(t, time.Now().Add(time.Minute), p.Expires, 5*time.Second)

	status, body := send(t, srv.HTTPClient(), p, "", nil, p.Header)
	assert.Equal(t, http.StatusOK, status, string(body))
	assert.Equal(t, "secret body", string(body))

	tampered := p
	tampered.URL = strings.Replace(p.URL, "a%20b", "a%20x", 1)
	status, _ = send(t, srv.HTTPClient(), tampered, "", nil, nil)
	assert.Equal(t, http.StatusForbidden, status, "another key with the same signature")
}

func TestPresignPutBindsContentType(t *testing.T) {
	t.Parallel()
	srv, c := setup(t)
	p, err := c.PresignPut(t.Context(), bucket, "up/report.csv", time.Hour, s3kit.WithContentType("text/csv"))
	require.NoError(t, err)
	assert.Equal(t, http.MethodPut, p.Method)
	assert.Equal(t, "text/csv", p.Header.Get("Content-Type"))
	assert.Contains(t, p.URL, "content-type", "Content-Type is a signed header")

	tests := []struct {
		name   string
		ct     string
		status int
	}{
		{"another content type is refused", "text/html", http.StatusForbidden},
		{"no content type is refused", "", http.StatusForbidden},
		{"the signed content type works", "text/csv", http.StatusOK},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := http.Header{}
			if tc.ct != "" {
				h.Set("Content-Type", tc.ct)
			}
			status, body := send(t, srv.HTTPClient(), p, "", []byte("a,b\n1,2\n"), h)
			assert.Equal(t, tc.status, status, string(body))
		})
	}
	obj, err := c.Head(t.Context(), bucket, "up/report.csv")
	require.NoError(t, err)
	assert.Equal(t, "text/csv", obj.ContentType)
	assert.Equal(t, int64(8), obj.Size)
}

func TestPresignPutWithACL(t *testing.T) {
	t.Parallel()
	srv, c := setup(t)
	p, err := c.PresignPut(t.Context(), bucket, "pub", time.Hour, s3kit.WithACL(s3kit.ACLPublicRead))
	require.NoError(t, err)
	status, body := send(t, srv.HTTPClient(), p, "", []byte("hello"), p.Header)
	require.Equal(t, http.StatusOK, status, string(body))
	assert.Equal(t, s3kit.ACLPublicRead, srv.ObjectACL(bucket, "pub"))
	status, body = anonGet(t, srv, c.PublicURL(bucket, "pub"))
	assert.Equal(t, http.StatusOK, status)
	assert.Equal(t, "hello", string(body))
}

// TestPresignEndpoint signs for a public name and sends the request through
// the internal address, as a reverse proxy would.
func TestPresignEndpoint(t *testing.T) {
	t.Parallel()
	srv, c := setup(t)
	_, err := c.Put(t.Context(), bucket, "k", strings.NewReader("v"))
	require.NoError(t, err)
	pub := srv.Client(t, s3kit.WithPresignEndpoint("https://files.example.com"))

	p, err := pub.PresignGet(t.Context(), bucket, "k", time.Minute)
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(p.URL, "https://files.example.com/bkt/k?"), p.URL)
	status, body := send(t, srv.HTTPClient(), p, srv.URL, nil, nil)
	assert.Equal(t, http.StatusOK, status, string(body))
	assert.Equal(t, "v", string(body))

	internal, err := c.PresignGet(t.Context(), bucket, "k", time.Minute)
	require.NoError(t, err)
	internal.URL = strings.Replace(internal.URL, srv.URL, "https://files.example.com", 1)
	status, _ = send(t, srv.HTTPClient(), internal, srv.URL, nil, nil)
	assert.Equal(t, http.StatusForbidden, status, "a URL signed for the internal host fails on the public one")
}

func TestPresignExpired(t *testing.T) {
	t.Parallel()
	srv, c := setup(t)
	_, err := c.Put(t.Context(), bucket, "k", strings.NewReader("v"))
	require.NoError(t, err)
	p, err := c.PresignGet(t.Context(), bucket, "k", time.Second)
	require.NoError(t, err)
	// Move X-Amz-Date back instead of sleeping: the signature no longer
	// matches either, but the server must refuse the URL whichever it checks.
	u, err := url.Parse(p.URL)
	require.NoError(t, err)
	q := u.Query()
	q.Set("X-Amz-Date", time.Now().Add(-time.Hour).UTC().Format("20060102T150405Z"))
	u.RawQuery = q.Encode()
	p.URL = u.String()
	status, _ := send(t, srv.HTTPClient(), p, "", nil, nil)
	assert.Equal(t, http.StatusForbidden, status)
}

func TestPresignBadInput(t *testing.T) {
	t.Parallel()
	srv, c := setup(t)
	tests := []struct {
		name string
		call func() error
	}{
		{"ttl over 7 days", func() error {
			_, err := c.PresignGet(t.Context(), bucket, "k", 7*24*time.Hour+time.Second)
			return err
		}},
		{"zero ttl", func() error { _, err := c.PresignGet(t.Context(), bucket, "k", 0); return err }},
		{"negative ttl", func() error { _, err := c.PresignPut(t.Context(), bucket, "k", -time.Second); return err }},
		{"put ttl over 7 days", func() error { _, err := c.PresignPut(t.Context(), bucket, "k", 8*24*time.Hour); return err }},
		{"empty key", func() error { _, err := c.PresignGet(t.Context(), bucket, "", time.Minute); return err }},
		{"bad bucket", func() error { _, err := c.PresignGet(t.Context(), "B", "k", time.Minute); return err }},
		{"bad content type", func() error {
			_, err := c.PresignPut(t.Context(), bucket, "k", time.Minute, s3kit.WithContentType("a\nb"))
			return err
		}},
		{"nil option", func() error { _, err := c.PresignPut(t.Context(), bucket, "k", time.Minute, nil); return err }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.ErrorIs(t, tc.call(), s3kit.ErrInvalidInput)
		})
	}
	_, err := c.PresignGet(t.Context(), bucket, "k", s3kit.MaxPresignTTL)
	assert.NoError(t, err, "exactly 7 days is allowed")
	_, err = srv.NewClient(t.Context(), s3kit.WithPresignEndpoint("ftp://x"))
	assert.ErrorIs(t, err, s3kit.ErrInvalidInput)
}

func TestPublicBaseURL(t *testing.T) {
	t.Parallel()
	srv := s3kittest.NewServer(t)
	tests := []struct {
		base, want string
	}{
		{"https://cdn.example.com", "https://cdn.example.com/a%20b/c%2Bd"},
		{"https://cdn.example.com/", "https://cdn.example.com/a%20b/c%2Bd"},
		{"https://cdn.example.com/assets", "https://cdn.example.com/assets/a%20b/c%2Bd"},
		{"https://{bucket}.cdn.example.com", "https://bkt.cdn.example.com/a%20b/c%2Bd"},
		{"https://example.com/{bucket}/v1", "https://example.com/bkt/v1/a%20b/c%2Bd"},
	}
	for _, tc := range tests {
		t.Run(tc.base, func(t *testing.T) {
			c := srv.Client(t, s3kit.WithPublicBaseURL(tc.base))
			assert.Equal(t, tc.want, c.PublicURL(bucket, "a b/c+d"))
		})
	}
	for _, bad := range []string{"cdn.example.com", "ftp://x", "https://x/?q=1", "https:///path", "https://u:p@x"} {
		t.Run("bad "+bad, func(t *testing.T) {
			_, err := srv.NewClient(t.Context(), s3kit.WithPublicBaseURL(bad))
			assert.ErrorIs(t, err, s3kit.ErrInvalidInput)
		})
	}
}

func TestMakePublicUsesPublicBaseURL(t *testing.T) {
	t.Parallel()
	srv := s3kittest.NewServer(t)
	srv.CreateBucket(t, bucket)
	c := srv.Client(t, s3kit.WithPublicBaseURL("https://cdn.example.com"))
	_, err := c.Put(t.Context(), bucket, "img/logo.png", strings.NewReader("png"))
	require.NoError(t, err)
	u, err := c.MakePublic(t.Context(), bucket, "img/logo.png")
	require.NoError(t, err)
	assert.Equal(t, "https://cdn.example.com/img/logo.png", u)
	assert.Equal(t, s3kit.ACLPublicRead, srv.ObjectACL(bucket, "img/logo.png"))
}

// TestPresignTTL checks the bounds of a presigned URL's ttl and that
// Presigned.Expires is exactly X-Amz-Date plus X-Amz-Expires, the instant a
// server stops accepting the URL. SigV4 counts whole seconds: a ttl under
// one second is refused, and a fraction of a second is dropped, never
// rounded up.
func TestPresignTTL(t *testing.T) {
	t.Parallel()
	_, c := setup(t)
	presigners := map[string]func(time.Duration) (s3kit.Presigned, error){
		"get": func(ttl time.Duration) (s3kit.Presigned, error) { return c.PresignGet(t.Context(), bucket, "k", ttl) },
		"put": func(ttl time.Duration) (s3kit.Presigned, error) { return c.PresignPut(t.Context(), bucket, "k", ttl) },
	}
	tests := []struct {
		ttl     time.Duration
		seconds string // X-Amz-Expires; "" means refused with ErrInvalidInput
	}{
		{-time.Second, ""},
		{0, ""},
		{time.Nanosecond, ""},
		{500 * time.Millisecond, ""},
		{time.Second - time.Nanosecond, ""},
		{time.Second, "1"},
		{1500 * time.Millisecond, "1"},
		{time.Minute - time.Millisecond, "59"},
		{time.Hour, "3600"},
		{s3kit.MaxPresignTTL, "604800"},
		{s3kit.MaxPresignTTL + time.Nanosecond, ""},
		{s3kit.MaxPresignTTL + time.Second, ""},
	}
	for name, presign := range presigners {
		for _, tc := range tests {
			t.Run(fmt.Sprintf("%s/%v", name, tc.ttl), func(t *testing.T) {
				p, err := presign(tc.ttl)
				if tc.seconds == "" {
					require.ErrorIs(t, err, s3kit.ErrInvalidInput)
					assert.Contains(t, err.Error(), "ttl")
					return
				}
				require.NoError(t, err)
				u, err := url.Parse(p.URL)
				require.NoError(t, err)
				q := u.Query()
				assert.Equal(t, tc.seconds, q.Get("X-Amz-Expires"))
				signed, err := time.Parse("20060102T150405Z", q.Get("X-Amz-Date"))
				require.NoError(t, err)
				n, err := strconv.Atoi(q.Get("X-Amz-Expires"))
				require.NoError(t, err)
				want := signed.Add(time.Duration(n) * time.Second)
				assert.True(t, want.Equal(p.Expires), "Expires %v, URL says %v", p.Expires, want)
			})
		}
	}
}

// TestPresignDotSegments presigns keys with "." and ".." segments. Clients
// such as curl and browsers resolve those segments before sending, which
// would fetch another key or leave the bucket, so the URL must carry their
// dots percent-encoded, as PublicURL does; the server rebuilds the signed
// path from the decoded key, so the signature must still verify. Resolving
// the URL's dot segments (as curl does) must change nothing, and both a GET
// and a PUT through the URL must reach exactly the key.
func TestPresignDotSegments(t *testing.T) {
	t.Parallel()
	srv, c := setup(t)
	for _, key := range []string{"a/../b", "./x", "..", ".", "a/./b", "a/..", "../../etc/passwd", "d/.../e", "x/.y/..z/"} {
		t.Run(key, func(t *testing.T) {
			data := []byte("content of " + key)
			put, err := c.PresignPut(t.Context(), bucket, key, time.Minute)
			require.NoError(t, err)
			get, err := c.PresignGet(t.Context(), bucket, key, time.Minute)
			require.NoError(t, err)
			for _, p := range []s3kit.Presigned{put, get} {
				u, err := url.Parse(p.URL)
				require.NoError(t, err)
				for _, seg := range strings.Split(u.EscapedPath(), "/") {
					assert.NotContains(t, []string{".", ".."}, seg, "literal dot segment in %s", p.URL)
				}
				assert.Equal(t, p.URL, u.ResolveReference(u).String(), "resolving dot segments changes the URL")
				assert.Equal(t, "/"+bucket+"/"+key, u.Path, "the URL decodes to the key")
				assert.Equal(t, strings.TrimPrefix(c.PublicURL(bucket, key), srv.URL), u.EscapedPath(), "escaped as PublicURL escapes it")
			}
			status, body := send(t, srv.HTTPClient(), put, "", data, put.Header)
			require.Equal(t, http.StatusOK, status, string(body))
			r, err := c.Get(t.Context(), bucket, key)
			require.NoError(t, err)
			got, err := io.ReadAll(r)
			require.NoError(t, r.Close())
			require.NoError(t, err)
			assert.Equal(t, data, got, "the presigned PUT stored exactly this key")

			status, body = send(t, srv.HTTPClient(), get, "", nil, get.Header)
			assert.Equal(t, http.StatusOK, status, string(body))
			assert.Equal(t, data, body)
		})
	}
	t.Run("virtual host", func(t *testing.T) {
		vc, err := s3kit.New(t.Context(), s3kit.WithEndpoint("https://s3.example.com"), s3kit.WithPathStyle(false),
			s3kit.WithCredentials("ak", "sk"))
		require.NoError(t, err)
		p, err := vc.PresignGet(t.Context(), bucket, "a/../b", time.Minute)
		require.NoError(t, err)
		assert.True(t, strings.HasPrefix(p.URL, "https://bkt.s3.example.com/a/%2E%2E/b?"), p.URL)
	})
}
