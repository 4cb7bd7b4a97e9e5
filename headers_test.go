package s3kit_test

import (
	"bytes"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/s3kit/s3kit"
)

// fileHeaders are the headers of TestObjectHeaders and the tests after it.
var fileHeaders = []s3kit.PutOption{
	s3kit.WithContentType("application/pdf"),
	s3kit.WithCacheControl("max-age=60"),
	s3kit.WithContentDisposition(`attachment; filename="report.pdf"`),
	s3kit.WithContentEncoding("gzip"),
	s3kit.WithContentLanguage("fr-CA"),
	s3kit.WithMetadata(map[string]string{"owner": "ada"}),
}

// assertFileHeaders checks that obj carries fileHeaders.
func assertFileHeaders(t *testing.T, obj s3kit.Object) {
	t.Helper()
	assert.Equal(t, "application/pdf", obj.ContentType)
	assert.Equal(t, "max-age=60", obj.CacheControl)
	assert.Equal(t, `attachment; filename="report.pdf"`, obj.ContentDisposition)
	assert.Equal(t, "gzip", obj.ContentEncoding)
	assert.Equal(t, "fr-CA", obj.ContentLanguage)
	assert.Equal(t, "ada", obj.Metadata["owner"])
}

// TestObjectHeaders puts an object with Content-Disposition,
// Content-Encoding and Content-Language, in one PUT and in a multipart
// upload, and reads them back with Head, Get and Download. The body is
// returned as stored: a Content-Encoding of gzip is not decoded.
func TestObjectHeaders(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		size int
		opts []s3kit.PutOption
	}{
		{"single", 1000, nil},
		{"multipart", 6 << 20, []s3kit.PutOption{s3kit.WithMultipartThreshold(5 << 20), s3kit.WithPartSize(5 << 20)}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, c := setup(t)
			b := randomBytes(tc.size)
			res, err := c.Put(t.Context(), bucket, "report.pdf", bytes.NewReader(b), append(tc.opts, fileHeaders...)...)
			require.NoError(t, err)
			assert.Equal(t, tc.opts != nil, res.Parts > 0)

			obj, err := c.Head(t.Context(), bucket, "report.pdf")
			require.NoError(t, err)
			assertFileHeaders(t, obj)

			sha, r := getAll(t, c, "report.pdf")
			assert.Equal(t, sum(b), sha, "the body comes back as stored")
			assertFileHeaders(t, r.Object)

			var w writerAt
			obj, err = c.Download(t.Context(), bucket, "report.pdf", &w)
			require.NoError(t, err)
			assertFileHeaders(t, obj)
			assert.Equal(t, sum(b), sum(w.b))
		})
	}
}

// TestCopyObjectHeaders checks that a copy keeps the source's
// Content-Disposition, Content-Encoding and Content-Language with its other
// headers, and that giving any of them replaces all the headers and the
// metadata, for a single and a multipart copy.
func TestCopyObjectHeaders(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		opt  s3kit.PutOption // nil: keep
		want s3kit.Object    // the headers after a replace
	}{
		{"keep", nil, s3kit.Object{}},
		{"replace disposition", s3kit.WithContentDisposition("inline"), s3kit.Object{ContentDisposition: "inline"}},
		{"replace encoding", s3kit.WithContentEncoding("br"), s3kit.Object{ContentEncoding: "br"}},
		{"replace language", s3kit.WithContentLanguage("en"), s3kit.Object{ContentLanguage: "en"}},
		{"replace cache control", s3kit.WithCacheControl("no-store"), s3kit.Object{CacheControl: "no-store"}},
	}
	for _, multipart := range []bool{false, true} {
		for _, tc := range tests {
			name := map[bool]string{false: "single ", true: "multipart "}[multipart] + tc.name
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				size, lim := 100, s3kit.WithCopyLimits(5<<30, 512<<20)
				if multipart {
					size, lim = 6<<10, s3kit.WithCopyLimits(5<<10, 5<<10) // KiB, as in TestCopy
				}
				_, c := setupClient(t, lim)
				_, err := c.Put(t.Context(), bucket, "src", bytes.NewReader(randomBytes(size)), fileHeaders...)
				require.NoError(t, err)
				var opts []s3kit.PutOption
				if tc.opt != nil {
					opts = append(opts, tc.opt)
				}
				res, err := c.Copy(t.Context(), bucket, "src", bucket, "dst", opts...)
				require.NoError(t, err)
				assert.Equal(t, multipart, res.Parts > 0)
				obj, err := c.Head(t.Context(), bucket, "dst")
				require.NoError(t, err)
				if tc.opt == nil {
					assertFileHeaders(t, obj)
					return
				}
				assert.NotEqual(t, "application/pdf", obj.ContentType, "the source's Content-Type is replaced")
				assert.Equal(t, tc.want.CacheControl, obj.CacheControl)
				assert.Equal(t, tc.want.ContentDisposition, obj.ContentDisposition)
				assert.Equal(t, tc.want.ContentEncoding, obj.ContentEncoding)
				assert.Equal(t, tc.want.ContentLanguage, obj.ContentLanguage)
				assert.Empty(t, obj.Metadata)
			})
		}
	}
}

// TestPresignPutBindsObjectHeaders checks that Content-Disposition,
// Content-Encoding and Content-Language are signed into a presigned PUT: the
// upload works with them as Presigned.Header lists them, stores them, and is
// refused without one of them or with another value.
func TestPresignPutBindsObjectHeaders(t *testing.T) {
	t.Parallel()
	srv, c := setup(t)
	p, err := c.PresignPut(t.Context(), bucket, "up/report.pdf", time.Hour, fileHeaders[:5]...)
	require.NoError(t, err)
	u, err := url.Parse(p.URL)
	require.NoError(t, err)
	signed := strings.Split(u.Query().Get("X-Amz-SignedHeaders"), ";")
	for _, h := range []string{"content-type", "cache-control", "content-disposition", "content-encoding", "content-language"} {
		assert.Contains(t, signed, h)
		assert.NotEmpty(t, p.Header.Get(h), h)
	}

	tests := []struct {
		name   string
		change func(http.Header)
		status int
	}{
		{"without Content-Disposition", func(h http.Header) { h.Del("Content-Disposition") }, http.StatusForbidden},
		{"another Content-Encoding", func(h http.Header) { h.Set("Content-Encoding", "br") }, http.StatusForbidden},
		{"another Content-Language", func(h http.Header) { h.Set("Content-Language", "en") }, http.StatusForbidden},
		{"as signed", func(http.Header) {}, http.StatusOK},
	}
	for _, tc := range tests {
		h := p.Header.Clone()
		tc.change(h)
		status, body := send(t, srv.HTTPClient(), p, "", []byte("%PDF"), h)
		assert.Equal(t, tc.status, status, "%s: %s", tc.name, body)
	}
	obj, err := c.Head(t.Context(), bucket, "up/report.pdf")
	require.NoError(t, err)
	assert.Equal(t, `attachment; filename="report.pdf"`, obj.ContentDisposition)
	assert.Equal(t, "gzip", obj.ContentEncoding)
	assert.Equal(t, "fr-CA", obj.ContentLanguage)
	assert.Equal(t, int64(4), obj.Size)
}

// TestObjectHeaderValuesRefused checks that a header value that cannot
// travel in HTTP is refused with ErrInvalidInput before any request, by
// Put, Copy and PresignPut.
func TestObjectHeaderValuesRefused(t *testing.T) {
	t.Parallel()
	srv, c := setup(t)
	_, err := c.Put(t.Context(), bucket, "src", strings.NewReader("x"))
	require.NoError(t, err)
	opts := []struct {
		name string
		opt  s3kit.PutOption
		what string
	}{
		{"disposition with newline", s3kit.WithContentDisposition("inline\r\nX-Evil: 1"), "content disposition"},
		{"encoding with NUL", s3kit.WithContentEncoding("gzip\x00"), "content encoding"},
		{"language not ASCII", s3kit.WithContentLanguage("français"), "content language"},
	}
	calls := map[string]func(s3kit.PutOption) error{
		"Put": func(o s3kit.PutOption) error {
			_, err := c.Put(t.Context(), bucket, "k", strings.NewReader("x"), o)
			return err
		},
		"Copy": func(o s3kit.PutOption) error {
			_, err := c.Copy(t.Context(), bucket, "src", bucket, "k", o)
			return err
		},
		"PresignPut": func(o s3kit.PutOption) error {
			_, err := c.PresignPut(t.Context(), bucket, "k", time.Minute, o)
			return err
		},
	}
	for _, tc := range opts {
		for call, fn := range calls {
			before := srv.Requests()
			err := fn(tc.opt)
			require.ErrorIs(t, err, s3kit.ErrInvalidInput, "%s %s", call, tc.name)
			assert.Contains(t, err.Error(), tc.what)
			assert.Equal(t, before, srv.Requests(), "%s %s sent a request", call, tc.name)
		}
	}
}
