package s3kit_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/s3kit/s3kit"
)

func TestCopy(t *testing.T) {
	t.Parallel()
	// The copy limits are in KiB rather than S3's 5 MiB minimum part size,
	// which s3kittest does not enforce: the parts are counted and checked
	// the same way, for a thousandth of the bytes. Other multipart copy
	// tests do the same.
	const kib = 1 << 10
	tests := []struct {
		name      string
		size      int
		multipart bool
	}{
		{"empty", 0, false},
		{"small", 1000, false},
		{"multipart 3 parts", 12*kib + 7, true},
		{"multipart exact parts", 10 * kib, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			lim := s3kit.WithCopyLimits(6*kib, 5*kib)
			srv, c := setupClient(t, lim)
			srv.CreateBucket(t, "other")
			b := randomBytes(tc.size)
			_, err := c.Put(t.Context(), bucket, "src/a b+c", bytes.NewReader(b),
				s3kit.WithContentType("image/png"), s3kit.WithCacheControl("max-age=60"),
				s3kit.WithMetadata(map[string]string{"owner": "ada"}))
			require.NoError(t, err)

			before := srv.Requests()
			res, err := c.Copy(t.Context(), bucket, "src/a b+c", "other", "dst/é", s3kit.WithConcurrency(2))
			require.NoError(t, err)
			assert.Equal(t, int64(tc.size), res.Size)
			if tc.multipart {
				parts := (tc.size + 5*kib - 1) / (5 * kib)
				assert.Equal(t, parts, res.Parts)
				assert.Equal(t, int64(1+1+parts+1+1), srv.Requests()-before, "head, create, parts, head of the source, complete")
			} else {
				assert.Zero(t, res.Parts)
				assert.Equal(t, int64(2), srv.Requests()-before, "head, copy")
			}
			r, err := c.Get(t.Context(), "other", "dst/é")
			require.NoError(t, err)
			defer r.Close()
			var got bytes.Buffer
			_, err = got.ReadFrom(r)
			require.NoError(t, err)
			assert.Equal(t, sum(b), sum(got.Bytes()))
			assert.Equal(t, "image/png", r.ContentType)
			assert.Equal(t, "max-age=60", r.CacheControl)
			assert.Equal(t, "ada", r.Metadata["Owner"]+r.Metadata["owner"])
			assert.Zero(t, pendingUploads(t, c))
		})
	}
}

func TestCopyReplacesMetadataAndSetsACL(t *testing.T) {
	t.Parallel()
	for _, multipart := range []bool{false, true} {
		t.Run(map[bool]string{false: "single", true: "multipart"}[multipart], func(t *testing.T) {
			t.Parallel()
			size, lim := 100, s3kit.WithCopyLimits(5<<30, 512<<20)
			if multipart {
				size, lim = 6<<10, s3kit.WithCopyLimits(5<<10, 5<<10) // KiB, as in TestCopy
			}
			srv, c := setupClient(t, lim)
			_, err := c.Put(t.Context(), bucket, "src", bytes.NewReader(randomBytes(size)),
				s3kit.WithContentType("text/plain"), s3kit.WithMetadata(map[string]string{"old": "1"}))
			require.NoError(t, err)
			res, err := c.Copy(t.Context(), bucket, "src", bucket, "dst",
				s3kit.WithContentType("application/json"), s3kit.WithMetadata(map[string]string{"new": "2"}),
				s3kit.WithACL(s3kit.ACLPublicRead))
			require.NoError(t, err)
			assert.Equal(t, multipart, res.Parts > 0)
			obj, err := c.Head(t.Context(), bucket, "dst")
			require.NoError(t, err)
			assert.Equal(t, "application/json", obj.ContentType)
			assert.Equal(t, "2", obj.Metadata["New"]+obj.Metadata["new"])
			assert.Equal(t, s3kit.ACLPublicRead, srv.ObjectACL(bucket, "dst"))
			assert.Equal(t, s3kit.ACLPrivate, srv.ObjectACL(bucket, "src"))
		})
	}
}

func TestCopyErrors(t *testing.T) {
	t.Parallel()
	srv, c := setup(t)
	_, err := c.Copy(t.Context(), bucket, "missing", bucket, "dst")
	assert.ErrorIs(t, err, s3kit.ErrNotFound)
	var e *s3kit.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, "missing", e.Key, "the error names the source")

	before := srv.Requests()
	bad := []struct {
		name string
		call func() error
	}{
		{"bad source bucket", func() error { _, err := c.Copy(t.Context(), "S", "k", bucket, "d"); return err }},
		{"empty source key", func() error { _, err := c.Copy(t.Context(), bucket, "", bucket, "d"); return err }},
		{"bad destination bucket", func() error { _, err := c.Copy(t.Context(), bucket, "k", "D", "d"); return err }},
		{"long destination key", func() error {
			_, err := c.Copy(t.Context(), bucket, "k", bucket, strings.Repeat("d", 1025))
			return err
		}},
		{"bad ACL", func() error {
			_, err := c.Copy(t.Context(), bucket, "k", bucket, "d", s3kit.WithACL("nope"))
			return err
		}},
		{"nil option", func() error { _, err := c.Copy(t.Context(), bucket, "k", bucket, "d", nil); return err }},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			assert.ErrorIs(t, tc.call(), s3kit.ErrInvalidInput)
		})
	}
	assert.Equal(t, before, srv.Requests())
}

func TestCopyAbortsWhenAPartFails(t *testing.T) {
	t.Parallel()
	lim := s3kit.WithCopyLimits(5<<10, 5<<10) // KiB, as in TestCopy
	srv, direct := setupClient(t, lim)
	_, err := direct.Put(t.Context(), bucket, "src", bytes.NewReader(randomBytes(11<<10)))
	require.NoError(t, err)
	c := proxy(t, srv, func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Query().Get("partNumber") == "2" {
			s3Error(w, http.StatusInternalServerError, "InternalError")
			return true
		}
		return false
	}, lim)
	_, err = c.Copy(t.Context(), bucket, "src", bucket, "dst")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "part 2")
	assert.Zero(t, pendingUploads(t, direct), "the upload was aborted")
	_, err = direct.Head(t.Context(), bucket, "dst")
	assert.ErrorIs(t, err, s3kit.ErrNotFound)
}
