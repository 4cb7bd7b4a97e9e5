package s3kit_test

import (
	"bytes"
	"net/http"
	"runtime"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/s3kit/s3kit"
)

// exitingWriterAt is a destination whose WriteAt ends its goroutine with
// runtime.Goexit (as t.FailNow does) once, on a write past at.
type exitingWriterAt struct {
	at     int64
	exited *atomic.Bool
}

func (e exitingWriterAt) WriteAt(b []byte, off int64) (int, error) {
	if off+int64(len(b)) > e.at && e.exited.CompareAndSwap(false, true) {
		runtime.Goexit()
	}
	return len(b), nil
}

// TestReview15_DownloadWriterThatExits downloads into a destination whose
// WriteAt calls runtime.Goexit on one of the download's workers: recover
// returns nil there, so the worker ended without a panic held or an error,
// the range it held was never written, and Download reported success. It
// must fail instead.
func TestReview15_DownloadWriterThatExits(t *testing.T) {
	_, c := setup(t)
	const size = 3 * 5 << 20
	_, err := c.Put(t.Context(), bucket, "d", bytes.NewReader(randomBytes(size)), mpOpts...)
	require.NoError(t, err)
	for _, at := range []int64{1234, 2*5<<20 + 1234} {
		var exited atomic.Bool
		_, err := c.Download(t.Context(), bucket, "d", exitingWriterAt{at: at, exited: &exited}, s3kit.WithPartSize(5<<20))
		require.True(t, exited.Load(), "WriteAt called runtime.Goexit")
		assert.Error(t, err, "a range was never written (at %d)", at)
	}
}

// exitingTransport ends the goroutine of every part's request with
// runtime.Goexit, and passes the other requests on.
type exitingTransport struct{ next http.RoundTripper }

func (e exitingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Method == http.MethodPut && r.URL.Query().Get("partNumber") != "" {
		runtime.Goexit()
	}
	return e.next.RoundTrip(r)
}

// TestReview15_TransportThatExitsInAPart gives Put a transport that calls
// runtime.Goexit on the parts, which run on goroutines of their own: the
// part's buffer never went back, and with one part at a time Put waited
// for it for ever. Put must fail, with the upload aborted.
func TestReview15_TransportThatExitsInAPart(t *testing.T) {
	srv, plain := setup(t)
	c := srv.Client(t, s3kit.WithHTTPClient(&http.Client{Transport: exitingTransport{srv.HTTPClient().Transport}}))
	_, err := c.Put(t.Context(), bucket, "k", bytes.NewReader(randomBytes(3*5<<20)), append(mpOpts[:len(mpOpts):len(mpOpts)], s3kit.WithConcurrency(1))...)
	require.Error(t, err)
	assert.Zero(t, pendingUploads(t, plain), "the upload was aborted")
	_, err = plain.Head(t.Context(), bucket, "k")
	assert.ErrorIs(t, err, s3kit.ErrNotFound)
}
