// Package conformance is s3kit's behaviour suite, written once and run
// against every S3 server s3kit is tested with: the in-process s3kittest
// server always, and real servers (Ceph RGW, versitygw) when the environment
// names them. A [Target] says how to reach a server and what it supports;
// [Run] runs every check as a named subtest.
package conformance

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/s3kit/s3kit"
)

// Target describes one server under test.
type Target struct {
	// Name names the subtests, such as "rgw-tls".
	Name string
	// Options point a client at the server: endpoint, region, credentials
	// and an HTTP client that trusts its certificate.
	Options []s3kit.Option
	// HTTPClient fetches public URLs anonymously; it must trust the server.
	HTTPClient *http.Client
	// ObjectACLs is true if the server implements object ACLs and enforces
	// them for anonymous requests.
	ObjectACLs bool
	// EmptySegmentsListed is true if the server lists a key such as "a//b"
	// back unchanged (versitygw's posix backend lists it as "a/b").
	EmptySegmentsListed bool
	// EncodedListing is true if the server honours EncodingType=url in
	// listings, so that keys with control characters XML 1.0 cannot carry
	// (such as \x01) list back exactly. s3kittest and Ceph RGW honour it;
	// gofakes3 itself and versitygw v1.8.0 ignore it; keys with tab,
	// newline, DEL, '%', '+' and space must list back exactly everywhere.
	EncodedListing bool
	// ProfileOptions, if not nil, build a client from the server's provider
	// profile (such as s3kit.CephRGW) plus credentials, instead of from
	// explicit endpoint and region options.
	ProfileOptions []s3kit.Option
	// SigV2 is true if the server accepts legacy SigV2 signatures.
	SigV2 bool
	// LegacyBucketNames is true if the server creates buckets with the
	// names Dell ECS allows, such as "Old_Bucket" (Ceph RGW with
	// rgw_relaxed_s3_bucket_names).
	LegacyBucketNames bool
	// RawSDK, if not nil, runs the negative control: it must show that the
	// raw SDK with its default settings fails against this server, or
	// corrupts data there.
	RawSDK func(t *testing.T, bucket string) error
	// ConditionalWrites says on which requests the server enforces
	// If-None-Match and If-Match (conditional.go).
	ConditionalWrites Conditions
	// Endpoint is the server's URL, and CA the PEM of the certificate
	// authority that signed its certificate (nil for plain HTTP), so the
	// suite can make the trust and scheme mistakes of a new user.
	Endpoint string
	CA       []byte
	// Region is the region the server expects; RegionEnforced is true if
	// it refuses requests signed for another (versitygw, AWS; not RGW).
	Region         string
	RegionEnforced bool
}

// Run runs the whole suite against target in a fresh bucket, which it
// deletes afterwards.
func Run(t *testing.T, target Target) {
	c, err := s3kit.New(t.Context(), target.Options...)
	require.NoError(t, err)
	bucket := newBucket(t, c)
	s := &suite{target: target, c: c, bucket: bucket}

	t.Run("RoundTrip", s.roundTrip)
	t.Run("Keys", s.keys)
	t.Run("Metadata", s.metadata)
	t.Run("List", s.list)
	t.Run("HeadAndDelete", s.headAndDelete)
	t.Run("ACL", s.acl)
	t.Run("Errors", s.errors)
	t.Run("ConditionalWrites", s.conditionalWrites)
	t.Run("Directories", s.directories)
	runExtensions(t, s)
	if target.RawSDK != nil {
		t.Run("NegativeControl", func(t *testing.T) { s.negativeControl(t) })
	}
}

type suite struct {
	target Target
	c      *s3kit.Client
	bucket string
}

// newBucket creates a uniquely named bucket and registers its removal.
func newBucket(t *testing.T, c *s3kit.Client) string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "s3kit-conf-" + hex.EncodeToString(b[:])
	require.NoError(t, c.CreateBucket(t.Context(), name))
	t.Cleanup(func() {
		ctx := context.Background()
		for obj, err := range c.List(ctx, name) {
			if err != nil {
				t.Logf("cleanup: listing %s: %v", name, err)
				break
			}
			if err := c.Delete(ctx, name, obj.Key); err != nil {
				t.Logf("cleanup: %v", err)
			}
		}
		if err := c.DeleteBucket(ctx, name); err != nil {
			t.Logf("cleanup: %v", err)
		}
	})
	return name
}

func data(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return b
}

func sum(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// onlyReader hides everything but Read, so Put cannot learn the size.
type onlyReader struct{ r io.Reader }

func (o onlyReader) Read(p []byte) (int, error) { return o.r.Read(p) }

// readAll gets key and returns its SHA-256 and description.
func (s *suite) readAll(t *testing.T, key string) (string, s3kit.Object) {
	t.Helper()
	r, err := s.c.Get(t.Context(), s.bucket, key)
	require.NoError(t, err)
	defer r.Close()
	h := sha256.New()
	_, err = io.Copy(h, r)
	require.NoError(t, err)
	return hex.EncodeToString(h.Sum(nil)), r.Object
}

func (s *suite) roundTrip(t *testing.T) {
	cases := []struct {
		name    string
		size    int
		unknown bool
	}{
		{"0B", 0, false},
		{"1B", 1, false},
		{"1KiB", 1 << 10, false},
		{"20MiB multipart", 20 << 20, false},
		{"1KiB unknown size", 1 << 10, true},
		{"20MiB unknown size", 20 << 20, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b := data(tc.size)
			var body io.Reader = bytes.NewReader(b)
			if tc.unknown {
				body = onlyReader{body}
			}
			key := "roundtrip/" + strings.ReplaceAll(tc.name, " ", "-")
			res, err := s.c.Put(t.Context(), s.bucket, key, body)
			require.NoError(t, err)
			assert.Equal(t, int64(tc.size), res.Size)
			if tc.size > 16<<20 {
				assert.Positive(t, res.Parts, "sent as multipart")
			}
			got, obj := s.readAll(t, key)
			assert.Equal(t, sum(b), got, "SHA-256")
			assert.Equal(t, int64(tc.size), obj.Size)
		})
	}
}

// specialKeys are keys whose escaping trips up clients and servers.
var specialKeys = []string{
	"with space.txt",
	"plus+sign.txt",
	"tilde~file",
	"percent%20literal",
	"question?mark",
	"hash#tag",
	"unicode-été-日本語.txt",
	"empty//segment",
	"mixed/ a+b ~c %d/?#.txt",
}

func (s *suite) keys(t *testing.T) {
	for _, key := range specialKeys {
		t.Run(key, func(t *testing.T) {
			ctx := t.Context()
			full := "keys/" + key
			b := []byte("body of " + key)
			_, err := s.c.Put(ctx, s.bucket, full, bytes.NewReader(b))
			require.NoError(t, err)
			obj, err := s.c.Head(ctx, s.bucket, full)
			require.NoError(t, err)
			assert.Equal(t, int64(len(b)), obj.Size)
			got, _ := s.readAll(t, full)
			assert.Equal(t, sum(b), got)

			var listed []string
			for o, err := range s.c.List(ctx, s.bucket, s3kit.WithPrefix("keys/")) {
				require.NoError(t, err)
				listed = append(listed, o.Key)
			}
			want := full
			if !s.target.EmptySegmentsListed {
				want = strings.ReplaceAll(full, "//", "/")
			}
			assert.Contains(t, listed, want)

			require.NoError(t, s.c.Delete(ctx, s.bucket, full))
			_, err = s.c.Head(ctx, s.bucket, full)
			assert.ErrorIs(t, err, s3kit.ErrNotFound)
		})
	}
}

func (s *suite) metadata(t *testing.T) {
	for _, size := range []int{100, 18 << 20} {
		t.Run(fmt.Sprint(size), func(t *testing.T) {
			key := fmt.Sprintf("meta/%d.json", size)
			md := map[string]string{"author": "ada", "build-id": "1234"}
			b := data(size)
			_, err := s.c.Put(t.Context(), s.bucket, key, onlyReader{bytes.NewReader(b)},
				append(fileHeaders(), s3kit.WithContentType("application/json"), s3kit.WithMetadata(md))...)
			require.NoError(t, err)
			obj, err := s.c.Head(t.Context(), s.bucket, key)
			require.NoError(t, err)
			assert.Equal(t, "application/json", obj.ContentType)
			s.assertFileHeaders(t, obj)
			got := make(map[string]string)
			for k, v := range obj.Metadata {
				got[strings.ToLower(k)] = v
			}
			assert.Equal(t, md, got)
			sha, obj := s.readAll(t, key)
			assert.Equal(t, sum(b), sha, "a Content-Encoding of gzip does not change the body")
			s.assertFileHeaders(t, obj)
		})
	}
}

// fileHeaders are the object headers, beyond Content-Type and metadata,
// that the metadata and copy checks put.
func fileHeaders() []s3kit.PutOption {
	return []s3kit.PutOption{
		s3kit.WithCacheControl("max-age=60"),
		s3kit.WithContentDisposition(`attachment; filename="a b.json"`),
		s3kit.WithContentEncoding("gzip"),
		s3kit.WithContentLanguage("fr-CA"),
	}
}

// assertFileHeaders checks that obj carries fileHeaders.
func (s *suite) assertFileHeaders(t *testing.T, obj s3kit.Object) {
	t.Helper()
	assert.Equal(t, "max-age=60", obj.CacheControl)
	assert.Equal(t, `attachment; filename="a b.json"`, obj.ContentDisposition)
	assert.Equal(t, "gzip", obj.ContentEncoding)
	assert.Equal(t, "fr-CA", obj.ContentLanguage)
}

func (s *suite) list(t *testing.T) {
	const n = 1200
	ctx := t.Context()
	keys := make([]string, n)
	for i := range keys {
		keys[i] = fmt.Sprintf("list/%s/%04d", []string{"a", "b"}[i%2], i)
	}
	putMany(t, s.c, s.bucket, keys)
	sort.Strings(keys)

	collect := func(opts ...s3kit.ListOption) []string {
		var out []string
		for o, err := range s.c.List(ctx, s.bucket, opts...) {
			require.NoError(t, err)
			out = append(out, o.Key)
		}
		return out
	}
	t.Run("all with page size 250", func(t *testing.T) {
		assert.Equal(t, keys, collect(s3kit.WithPrefix("list/"), s3kit.WithPageSize(250)))
	})
	t.Run("prefix", func(t *testing.T) {
		got := collect(s3kit.WithPrefix("list/b/"))
		assert.Len(t, got, n/2)
		assert.Equal(t, keys[n/2:], got)
	})
	t.Run("start after", func(t *testing.T) {
		got := collect(s3kit.WithPrefix("list/"), s3kit.WithStartAfter(keys[999]))
		assert.Equal(t, keys[1000:], got)
	})
	t.Run("break early", func(t *testing.T) {
		i := 0
		for _, err := range s.c.List(ctx, s.bucket, s3kit.WithPrefix("list/"), s3kit.WithPageSize(7)) {
			require.NoError(t, err)
			if i++; i == 10 {
				break
			}
		}
		assert.Equal(t, 10, i)
	})
}

// putMany stores a one-byte object under each key, 16 at a time.
func putMany(t *testing.T, c *s3kit.Client, bucket string, keys []string) {
	var wg sync.WaitGroup
	var mu sync.Mutex
	var errs []error
	sem := make(chan struct{}, 16)
	for _, k := range keys {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			if _, err := c.Put(t.Context(), bucket, k, strings.NewReader("x")); err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	require.NoError(t, errors.Join(errs...))
}

func (s *suite) headAndDelete(t *testing.T) {
	ctx := t.Context()
	_, err := s.c.Put(ctx, s.bucket, "hd/present", strings.NewReader("12345"), s3kit.WithContentType("text/plain"))
	require.NoError(t, err)
	obj, err := s.c.Head(ctx, s.bucket, "hd/present")
	require.NoError(t, err)
	assert.Equal(t, int64(5), obj.Size)
	assert.Equal(t, "text/plain", obj.ContentType)
	assert.NotEmpty(t, obj.ETag)
	assert.False(t, obj.LastModified.IsZero())

	_, err = s.c.Head(ctx, s.bucket, "hd/missing")
	assert.ErrorIs(t, err, s3kit.ErrNotFound)
	_, err = s.c.Get(ctx, s.bucket, "hd/missing")
	assert.ErrorIs(t, err, s3kit.ErrNotFound)

	require.NoError(t, s.c.Delete(ctx, s.bucket, "hd/present"))
	_, err = s.c.Head(ctx, s.bucket, "hd/present")
	assert.ErrorIs(t, err, s3kit.ErrNotFound)
	assert.NoError(t, s.c.Delete(ctx, s.bucket, "hd/never-existed"), "deleting a missing key succeeds")
}

// anonGet fetches u without credentials.
func (s *suite) anonGet(t *testing.T, u string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, u, nil)
	require.NoError(t, err)
	resp, err := s.target.HTTPClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, b
}

func (s *suite) acl(t *testing.T) {
	ctx := t.Context()
	b := data(2048)
	_, err := s.c.Put(ctx, s.bucket, "acl/private file", bytes.NewReader(b))
	require.NoError(t, err)

	t.Run("anonymous GET of a private object is refused", func(t *testing.T) {
		status, _ := s.anonGet(t, s.c.PublicURL(s.bucket, "acl/private file"))
		assert.Equal(t, http.StatusForbidden, status)
	})
	if !s.target.ObjectACLs {
		t.Run("MakePublic is not supported and data stays intact", func(t *testing.T) {
			_, err := s.c.MakePublic(ctx, s.bucket, "acl/private file")
			assert.ErrorIs(t, err, s3kit.ErrACLNotSupported)
			got, _ := s.readAll(t, "acl/private file")
			assert.Equal(t, sum(b), got)
		})
		return
	}
	t.Run("put with public-read", func(t *testing.T) {
		pb := []byte("public body")
		_, err := s.c.Put(ctx, s.bucket, "acl/public+file ~1.txt", bytes.NewReader(pb), s3kit.WithACL(s3kit.ACLPublicRead))
		require.NoError(t, err)
		status, body := s.anonGet(t, s.c.PublicURL(s.bucket, "acl/public+file ~1.txt"))
		assert.Equal(t, http.StatusOK, status)
		assert.Equal(t, pb, body)
	})
	t.Run("MakePublic on an existing object", func(t *testing.T) {
		u, err := s.c.MakePublic(ctx, s.bucket, "acl/private file")
		require.NoError(t, err)
		status, body := s.anonGet(t, u)
		assert.Equal(t, http.StatusOK, status)
		assert.Equal(t, sum(b), sum(body), "data intact and public")
		require.NoError(t, s.c.SetACL(ctx, s.bucket, "acl/private file", s3kit.ACLPrivate))
		status, _ = s.anonGet(t, u)
		assert.Equal(t, http.StatusForbidden, status)
	})
	t.Run("MakePublic on a missing object", func(t *testing.T) {
		_, err := s.c.MakePublic(ctx, s.bucket, "acl/missing")
		assert.ErrorIs(t, err, s3kit.ErrNotFound)
	})
}

func (s *suite) errors(t *testing.T) {
	ctx := t.Context()
	t.Run("wrong secret", func(t *testing.T) {
		opts := append(append([]s3kit.Option{}, s.target.Options...), s3kit.WithCredentials(accessKeyOf(t, s), "not-the-secret"))
		bad, err := s3kit.New(ctx, opts...)
		require.NoError(t, err)
		_, err = bad.Put(ctx, s.bucket, "err/k", strings.NewReader("x"))
		assert.ErrorIs(t, err, s3kit.ErrAccessDenied)
		assert.NotContains(t, fmt.Sprint(err), "not-the-secret")
		for _, err := range bad.List(ctx, s.bucket) {
			assert.ErrorIs(t, err, s3kit.ErrAccessDenied)
		}
	})
	t.Run("mistakes", s.mistakes)
	t.Run("missing bucket", func(t *testing.T) {
		missing := s.bucket + "-missing"
		_, err := s.c.Put(ctx, missing, "k", strings.NewReader("x"))
		assert.ErrorIs(t, err, s3kit.ErrBucketNotFound)
		_, err = s.c.Get(ctx, missing, "k")
		assert.ErrorIs(t, err, s3kit.ErrBucketNotFound)
		for _, err := range s.c.List(ctx, missing) {
			assert.ErrorIs(t, err, s3kit.ErrBucketNotFound)
		}
	})
}

// accessKeyOf finds the access key the target's client uses, so the wrong
// secret test keeps the key and only changes the secret.
func accessKeyOf(t *testing.T, s *suite) string {
	creds, err := s.c.S3().Options().Credentials.Retrieve(t.Context())
	require.NoError(t, err)
	return creds.AccessKeyID
}

func (s *suite) negativeControl(t *testing.T) {
	err := s.target.RawSDK(t, s.bucket)
	require.Error(t, err, "the raw SDK with default settings must fail or corrupt data here; if it does not, this server no longer proves s3kit's compatible defaults")
	t.Logf("raw SDK with default settings: %v", err)
}
