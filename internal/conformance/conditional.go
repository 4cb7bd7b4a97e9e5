package conformance

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/s3kit/s3kit"
	"github.com/s3kit/s3kit/internal/knobs"
)

// Conditions says on which requests a server enforces If-None-Match: * and
// If-Match, the headers behind s3kit.WithIfNoneMatch and s3kit.WithIfMatch.
// Servers that ignore them store the write as if no condition were given.
type Conditions struct {
	Put       bool // PutObject
	Multipart bool // CompleteMultipartUpload, of a Put or of a multipart copy
	Copy      bool // CopyObject
}

// conditionalWrites tries a conditional write that must fail, on each
// request that carries a condition. On a target that enforces it, the write
// fails with ErrPreconditionFailed and leaves the object intact; on one that
// ignores it, the write goes through, which passes only if the target's
// Conditions says so. Either way the target must do what Conditions says,
// and a client built from the target's provider profile must never send a
// condition the server ignores: it either gets the 412 or refuses the write
// with ErrInvalidInput before sending it.
func (s *suite) conditionalWrites(t *testing.T) {
	const mib = 1 << 20
	cw := s.target.ConditionalWrites
	var profile *s3kit.Client
	if s.target.ProfileOptions != nil {
		var err error
		profile, err = s3kit.New(t.Context(), s.target.ProfileOptions...)
		require.NoError(t, err)
	}
	type writeFunc func(c *s3kit.Client, key string, b []byte, opts ...s3kit.PutOption) (s3kit.PutResult, error)
	put := func(extra ...s3kit.PutOption) writeFunc {
		return func(c *s3kit.Client, key string, b []byte, opts ...s3kit.PutOption) (s3kit.PutResult, error) {
			return c.Put(t.Context(), s.bucket, key, bytes.NewReader(b), append(extra, opts...)...)
		}
	}
	cp := func(c *s3kit.Client, key string, b []byte, opts ...s3kit.PutOption) (s3kit.PutResult, error) {
		_, err := s.c.Put(t.Context(), s.bucket, key+"-src", bytes.NewReader(b))
		require.NoError(t, err)
		return c.Copy(t.Context(), s.bucket, key+"-src", s.bucket, key, opts...)
	}
	for _, tc := range []struct {
		name     string
		size     int
		enforced bool
		write    writeFunc
	}{
		{"put single", 3000, cw.Put, put()},
		{"put multipart", 11 * mib, cw.Multipart, put(s3kit.WithMultipartThreshold(5*mib), s3kit.WithPartSize(5*mib))},
		{"copy single", 3000, cw.Copy, cp},
		{"copy multipart", 11 * mib, cw.Multipart, cp},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, prof := s.c, profile
			if strings.HasPrefix(tc.name, "copy multipart") {
				c = copyInParts(t, s.target.Options)
				if profile != nil {
					prof = copyInParts(t, s.target.ProfileOptions)
				}
			}
			key := "cond/" + strings.ReplaceAll(tc.name, " ", "-")
			v1, v2 := data(tc.size), data(tc.size)
			_, err := s.c.Put(t.Context(), s.bucket, key, bytes.NewReader(v1))
			require.NoError(t, err)
			cur, err := s.c.Head(t.Context(), s.bucket, key)
			require.NoError(t, err)

			_, err = tc.write(c, key, v2, s3kit.WithIfMatch("0123456789abcdef0123456789abcdef"))
			s.checkRefused(t, tc.enforced, err, key, v1, "If-Match with a stale ETag")
			cur = s.restore(t, key, v1, cur)

			_, err = tc.write(c, key, v2, s3kit.WithIfNoneMatch("*"))
			s.checkRefused(t, tc.enforced, err, key, v1, "If-None-Match: * on an existing key")
			cur = s.restore(t, key, v1, cur)

			if prof != nil {
				_, err = tc.write(prof, key, v2, s3kit.WithIfNoneMatch("*"))
				if !errors.Is(err, s3kit.ErrInvalidInput) {
					require.ErrorIs(t, err, s3kit.ErrPreconditionFailed, "the profile sent a condition: the server must enforce it")
				}
				got, _ := s.readAll(t, key)
				assert.Equal(t, sum(v1), got, "the profile never lets a condition be dropped")
			}

			_, err = tc.write(c, key, v2, s3kit.WithIfMatch(cur.ETag))
			require.NoError(t, err, "If-Match with the current ETag %s", cur.ETag)
			got, _ := s.readAll(t, key)
			assert.Equal(t, sum(v2), got)

			out, err := s.c.S3().ListMultipartUploads(t.Context(), &s3.ListMultipartUploadsInput{Bucket: &s.bucket, Prefix: aws.String(key)})
			require.NoError(t, err)
			assert.Empty(t, out.Uploads, "a refused multipart upload is aborted")
		})
	}
}

// checkRefused checks the outcome of a conditional write that must fail:
// refused with ErrPreconditionFailed and the object intact where the target
// enforces the condition, stored where it is documented to ignore it.
func (s *suite) checkRefused(t *testing.T, enforced bool, err error, key string, old []byte, what string) {
	t.Helper()
	if err == nil {
		t.Logf("%s: %s: ignored (the write went through)", s.target.Name, what)
		assert.False(t, enforced, "%s: the target is documented to enforce it, but the write went through", what)
		return
	}
	require.ErrorIs(t, err, s3kit.ErrPreconditionFailed, what)
	assert.True(t, enforced, "%s: enforced, but the target is documented to ignore it: update its Conditions", what)
	got, _ := s.readAll(t, key)
	assert.Equal(t, sum(old), got, "%s: the object is intact", what)
}

// restore puts b back under key if a write that should have failed went
// through, and returns the object's description.
func (s *suite) restore(t *testing.T, key string, b []byte, cur s3kit.Object) s3kit.Object {
	t.Helper()
	if got, _ := s.readAll(t, key); got == sum(b) {
		return cur
	}
	_, err := s.c.Put(t.Context(), s.bucket, key, bytes.NewReader(b))
	require.NoError(t, err)
	obj, err := s.c.Head(t.Context(), s.bucket, key)
	require.NoError(t, err)
	return obj
}

// copyInParts returns a client built from opts whose Copy goes multipart for
// objects larger than 5 MiB, in parts of 5 MiB, so that multipart copies can
// be tried with small objects.
func copyInParts(t *testing.T, opts []s3kit.Option) *s3kit.Client {
	t.Helper()
	c, err := s3kit.New(t.Context(), append(slices.Clone(opts), knobs.WithCopyLimits(5<<20, 5<<20).(s3kit.Option))...)
	require.NoError(t, err)
	return c
}
