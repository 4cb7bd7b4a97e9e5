package s3kit_test

// Adversarial review of issue 13's wire-level progress and of WithLogger and
// tracing (branch attack13a). Each test names the defect it proves; the
// report that comes with the branch says which fail before the fix.

import (
	"bytes"
	"net/http"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/s3kit/s3kit"
)

// TestPutOfKnownSizeWhoseLastReadReturnsEOFWithData stores a body of
// declared size, read in parts, whose last Read returns its final bytes
// together with io.EOF, as io.Reader allows. The multipart path must take
// the part as the last one, not as a body shorter than its size.
func TestPutOfKnownSizeWhoseLastReadReturnsEOFWithData(t *testing.T) {
	t.Parallel()
	_, c := setup(t)
	for name, size := range map[string]int{"single PUT": 1 << 20, "first part only": 5 << 20, "two parts": twoParts, "exactly two parts": 10 << 20} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			data := randomBytes(size)
			rep := newReports()
			body := iotest.DataErrReader(onlyReader{bytes.NewReader(data)})
			res, err := c.Put(t.Context(), bucket, "eof/"+name, body, append(mpOpts[:len(mpOpts):len(mpOpts)], s3kit.WithSize(int64(size)), rep.option())...)
			require.NoError(t, err)
			assert.Equal(t, int64(size), res.Size)
			got, _ := getAll(t, c, "eof/"+name)
			assert.Equal(t, sum(data), got)
			all := rep.list()
			assert.Equal(t, int64(size), all[len(all)-1].Bytes)
		})
	}
}

// TestPutOfDeclaredSizeLongerThanThePartFails gives Put a body longer than
// its declared size, which is above the multipart threshold and below the
// part size, so that the first part read holds more than the declared
// size. Put must fail with ErrInvalidInput, as for any body longer than
// declared, and store nothing; it must not panic or store the first part.
func TestPutOfDeclaredSizeLongerThanThePartFails(t *testing.T) {
	t.Parallel()
	_, c := setup(t)
	for name, actual := range map[string]int{"longer than a part": 12 << 20, "exactly a part": 10 << 20} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			key := "long/" + name
			_, err := c.Put(t.Context(), bucket, key, onlyReader{bytes.NewReader(randomBytes(actual))},
				s3kit.WithSize(6<<20), s3kit.WithMultipartThreshold(5<<20), s3kit.WithPartSize(10<<20))
			require.ErrorIs(t, err, s3kit.ErrInvalidInput)
			_, err = c.Head(t.Context(), bucket, key)
			require.ErrorIs(t, err, s3kit.ErrNotFound)
			assert.Zero(t, pendingUploads(t, c))
		})
	}
}

// TestProgressOfAnEmptyPutIsFinishingUntilStored holds an empty PUT on the
// wire until a report has been made, and checks what that report says:
// 0 of 0 bytes, which cannot stay below Total, so Finishing tells that the
// object is not stored yet; only the last report drops Finishing.
func TestProgressOfAnEmptyPutIsFinishingUntilStored(t *testing.T) {
	t.Parallel()
	srv, _ := setup(t)
	rep := newReports()
	var held s3kit.Progress
	c := wireClient(t, srv, func(req *http.Request, next http.RoundTripper) (*http.Response, error) {
		if req.Method == http.MethodPut {
			p, err := rep.waitFor(req.Context(), func(s3kit.Progress) bool { return true })
			assert.NoError(t, err)
			held = p // RoundTrip runs in the goroutine that calls Put
		}
		return next.RoundTrip(req)
	})
	_, err := c.Put(guarded(t), bucket, "empty", bytes.NewReader(nil), rep.option())
	require.NoError(t, err)
	assert.Equal(t, s3kit.Progress{Finishing: true}, held, "a report made while the PUT was on the wire")
	all := rep.list()
	assert.Equal(t, s3kit.Progress{}, all[len(all)-1], "the final report")
}

// TestProgressFunctionThatPanics gives a multipart Put and a Download a
// progress function that panics. The panic must reach the goroutine that
// called them, where it can be recovered, once the transfer has ended; it
// must not end the program from the goroutine that reports, in the middle
// of the transfer, which would leave the parts of the upload behind.
func TestProgressFunctionThatPanics(t *testing.T) {
	t.Parallel()
	_, c := setup(t)
	boom := func(s3kit.Progress) { panic("boom") }
	recovered := func(call func()) (r any) {
		defer func() { r = recover() }()
		call()
		return nil
	}
	r := recovered(func() {
		_, _ = c.Put(t.Context(), bucket, "p", bytes.NewReader(randomBytes(twoParts)), append(mpOpts[:len(mpOpts):len(mpOpts)], s3kit.WithProgress(boom))...)
	})
	assert.Equal(t, "boom", r)
	assert.Zero(t, pendingUploads(t, c), "the upload was completed or aborted before the panic")
	r = recovered(func() { _, _ = c.Download(t.Context(), bucket, "p", &discardAt{}, s3kit.WithProgress(boom)) })
	assert.Equal(t, "boom", r)
}

// TestProgressOfAnEmptyDownloadThatFails downloads an empty object that is
// overwritten with data between the first GET (answered 416, as for any
// empty object) and the HEAD that Download sends to confirm it is empty.
// Download fails with ErrObjectChanged, so its last report must not say
// the download is done.
func TestProgressOfAnEmptyDownloadThatFails(t *testing.T) {
	t.Parallel()
	srv, c0 := setup(t)
	_, err := c0.Put(t.Context(), bucket, "e", bytes.NewReader(nil))
	require.NoError(t, err)
	c := wireClient(t, srv, func(req *http.Request, next http.RoundTripper) (*http.Response, error) {
		resp, err := next.RoundTrip(req)
		if err == nil && req.Method == http.MethodGet && resp.StatusCode == http.StatusRequestedRangeNotSatisfiable {
			_, perr := c0.Put(req.Context(), bucket, "e", bytes.NewReader([]byte("now full")))
			assert.NoError(t, perr)
		}
		return resp, err
	})
	rep := newReports()
	_, err = c.Download(t.Context(), bucket, "e", &discardAt{}, rep.option())
	require.ErrorIs(t, err, s3kit.ErrObjectChanged)
	all := rep.list()
	require.NotEmpty(t, all)
	last := all[len(all)-1]
	assert.False(t, last.Bytes == last.Total && !last.Finishing, "the last report of a failed download says it is done: %+v", last)
}
