package s3kit_test

// Adversarial review of issue 13's wire-level progress and of WithLogger and
// tracing (branch attack13a). Each test names the defect it proves; the
// report that comes with the branch says which fail before the fix.

import (
	"bytes"
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
