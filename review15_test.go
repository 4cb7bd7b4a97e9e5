package s3kit_test

import (
	"bytes"
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
