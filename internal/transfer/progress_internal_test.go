package transfer

import (
	"bytes"
	"io"
	"testing"

	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// newTestProgress returns a Progress whose reporting goroutine is not
// started: its counters and snapshots are read directly.
func newTestProgress(total int64, totalParts int) *Progress {
	p := &Progress{fn: func(Snapshot) {}}
	p.SetTotal(total, totalParts)
	return p
}

func TestCountedBodyCountsReadsAndTakesBackRewinds(t *testing.T) {
	p := newTestProgress(10, 0)
	body := p.Body(bytes.NewReader([]byte("0123456789")), 10)
	buf := make([]byte, 4)

	n, err := body.Read(buf)
	require.NoError(t, err)
	assert.Equal(t, 4, n)
	assert.Equal(t, int64(4), p.bytes.Load())

	end, err := body.Seek(0, io.SeekEnd)
	require.NoError(t, err)
	assert.Equal(t, int64(10), end)
	assert.Equal(t, int64(4), p.bytes.Load(), "seeking forward sends nothing")

	_, err = body.Seek(2, io.SeekStart)
	require.NoError(t, err)
	assert.Equal(t, int64(2), p.bytes.Load(), "bytes past the new offset are taken back")
	rest, err := io.ReadAll(body)
	require.NoError(t, err)
	assert.Equal(t, "23456789", string(rest))
	assert.Equal(t, int64(10), p.bytes.Load())

	_, err = body.Seek(0, io.SeekStart)
	require.NoError(t, err)
	assert.Zero(t, p.bytes.Load(), "a rewind takes back the whole attempt")
}

// TestCountedBodyAsTheSDKSeesIt checks what smithy-go's request makes of a
// counted body: a seekable stream of known length (so Content-Length is
// set without seeking), that its retry rewind takes the attempt back, and
// that reading costs no allocation.
func TestCountedBodyAsTheSDKSeesIt(t *testing.T) {
	data := bytes.Repeat([]byte("x"), 1000)
	for name, raw := range map[string]io.ReadSeeker{
		"bytes.Reader":      bytes.NewReader(data),
		"section in place":  newSection(bytes.NewReader(data), 0, int64(len(data))),
		"section at offset": newSection(bytes.NewReader(append(make([]byte, 7), data...)), 7, int64(len(data))),
	} {
		t.Run(name, func(t *testing.T) {
			p := newTestProgress(int64(len(data)), 0)
			req, err := smithyhttp.NewStackRequest().(*smithyhttp.Request).SetStream(p.Body(raw, int64(len(data))))
			require.NoError(t, err)
			assert.True(t, req.IsStreamSeekable())
			assert.Equal(t, int64(len(data)), req.ContentLength)
			n, ok, err := req.StreamLength()
			require.NoError(t, err)
			assert.True(t, ok)
			assert.Equal(t, int64(len(data)), n)

			got, err := io.ReadAll(req.Build(t.Context()).Body)
			require.NoError(t, err)
			assert.Equal(t, data, got)
			assert.Equal(t, int64(len(data)), p.bytes.Load())
			require.NoError(t, req.RewindStream())
			assert.Zero(t, p.bytes.Load())
		})
	}
	t.Run("no allocation per Read", func(t *testing.T) {
		p := newTestProgress(1<<20, 0)
		body := p.Body(bytes.NewReader(make([]byte, 1<<20)), 1<<20)
		buf := make([]byte, 32<<10)
		allocs := testing.AllocsPerRun(100, func() {
			if _, err := body.Read(buf); err == io.EOF {
				_, _ = body.Seek(0, io.SeekStart)
			}
		})
		assert.Zero(t, allocs)
	})
	t.Run("no reporter, no wrapper", func(t *testing.T) {
		var p *Progress
		raw := bytes.NewReader(data)
		assert.Same(t, raw, p.Body(raw, int64(len(data))).(*bytes.Reader))
	})
}

func TestSnapshotShowsDoneOnlyAtTheEndOfASuccess(t *testing.T) {
	tests := []struct {
		name        string
		total       int64
		totalParts  int
		bytes       int64
		parts       int
		done, final bool
		want        Snapshot
	}{
		{name: "sending", total: 100, totalParts: 4, bytes: 40, parts: 1, want: Snapshot{Bytes: 40, Total: 100, Parts: 1, TotalParts: 4}},
		{name: "all sent, parts answered, not completed", total: 100, totalParts: 4, bytes: 100, parts: 4,
			want: Snapshot{Bytes: 99, Total: 100, Parts: 3, TotalParts: 4, Finishing: true}},
		{name: "failed after everything was sent", total: 100, totalParts: 4, bytes: 100, parts: 4, final: true,
			want: Snapshot{Bytes: 99, Total: 100, Parts: 3, TotalParts: 4, Finishing: true}},
		{name: "stored, before the final report", total: 100, totalParts: 4, done: true,
			want: Snapshot{Bytes: 99, Total: 100, Parts: 3, TotalParts: 4, Finishing: true}},
		{name: "stored, final report", total: 100, totalParts: 4, done: true, final: true,
			want: Snapshot{Bytes: 100, Total: 100, Parts: 4, TotalParts: 4}},
		{name: "single PUT stored", total: 100, done: true, final: true, want: Snapshot{Bytes: 100, Total: 100}},
		{name: "unknown size", total: -1, bytes: 1 << 30, parts: 7, want: Snapshot{Bytes: 1 << 30, Total: -1, Parts: 7}},
		{name: "counted past the total", total: 10, bytes: 25, want: Snapshot{Bytes: 9, Total: 10, Finishing: true}},
		{name: "empty object", total: 0, want: Snapshot{Total: 0, Finishing: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newTestProgress(tt.total, tt.totalParts)
			p.Add(tt.bytes, tt.parts)
			if tt.done {
				p.Done(tt.total, tt.totalParts)
			}
			assert.Equal(t, tt.want, p.snapshot(tt.final))
		})
	}
}

// BenchmarkBodyRead measures reading a 15 MiB body in the 32 KiB reads
// net/http makes, as it is and counted: the difference is one atomic add
// per Read.
func BenchmarkBodyRead(b *testing.B) {
	const size = 15 << 20
	data := bytes.Repeat([]byte("s3kit"), size/5+1)[:size]
	for _, counted := range []bool{false, true} {
		name := "plain"
		if counted {
			name = "counted"
		}
		b.Run(name, func(b *testing.B) {
			var p *Progress
			if counted {
				p = newTestProgress(size, 0)
			}
			body := p.Body(bytes.NewReader(data), size)
			dst := struct{ io.Writer }{io.Discard} // no ReadFrom: every byte goes through Read
			buf := make([]byte, 32<<10)
			b.SetBytes(size)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := body.Seek(0, io.SeekStart); err != nil {
					b.Fatal(err)
				}
				if _, err := io.CopyBuffer(dst, struct{ io.Reader }{body}, buf); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
