package transfer

import (
	"io"
	"sync/atomic"
	"time"

	"github.com/s3kit/s3kit/internal/panics"
)

// Snapshot is one report of a transfer's progress; the root package's
// Progress has the same fields, and its doc comment states the rules that
// [Progress] keeps.
type Snapshot struct {
	Bytes      int64 // bytes sent (uploads) or written (downloads) so far
	Total      int64 // bytes in all, or -1 while unknown
	Parts      int   // parts or ranges completed
	TotalParts int   // parts or ranges in all, or 0 while unknown
	Finishing  bool  // every byte is sent or written; the outcome is not known yet
}

// progressInterval bounds how often the progress function is called.
const progressInterval = 100 * time.Millisecond

// Progress samples counters that transfer goroutines update and calls the
// user's function from its own single goroutine: at most every
// progressInterval while the counters change, and once more from Finish.
//
// Bytes count as they go onto the wire (see [Progress.Body]) or into the
// destination ([progressWriter]), so they may go back when an attempt that
// failed is sent again. Whatever the counters say, a report of a non-empty
// object never shows Bytes == Total or Parts == TotalParts before the
// transfer is known to have succeeded ([Progress.Done]), and only the final
// report, the one Finish makes, shows them then: a progress display never
// says "done" for an object that is not stored, or not stored yet.
type Progress struct {
	fn         func(Snapshot)
	bytes      atomic.Int64 // raw count: bytes read by the HTTP client or written
	parts      atomic.Int64
	total      atomic.Int64
	totalParts atomic.Int64
	succeeded  atomic.Bool
	stop       chan struct{}
	done       chan struct{}
	panicked   panics.Hold // what fn panicked with, if it did
}

// StartProgress starts reporting; it returns nil if fn is nil, and every
// method of a nil reporter does nothing.
func StartProgress(fn func(Snapshot), total int64, totalParts int) *Progress {
	if fn == nil {
		return nil
	}
	p := &Progress{fn: fn, stop: make(chan struct{}), done: make(chan struct{})}
	p.total.Store(total)
	p.totalParts.Store(int64(totalParts))
	go p.loop()
	return p
}

func (p *Progress) loop() {
	defer close(p.done)
	t := time.NewTicker(progressInterval)
	defer t.Stop()
	var last Snapshot
	first := true
	for {
		select {
		case <-t.C:
			if s := p.snapshot(false); first || s != last {
				p.call(s)
				last, first = s, false
			}
		case <-p.stop:
			p.call(p.snapshot(true))
			return
		}
	}
}

// call calls fn with s, unless fn has panicked before. A panic in fn is
// kept for [Progress.Finish] to raise again in the goroutine of the call
// that reports, once the transfer has ended: raised here, in a goroutine
// the caller cannot recover, it would end the program in the middle of
// the transfer (TestProgressFunctionThatPanics).
func (p *Progress) call(s Snapshot) {
	panics.Call(&p.panicked, p.fn, s)
}

// snapshot reads the counters. Only the final snapshot of a transfer that
// succeeded shows them all done; any other is clamped (see [Progress]).
func (p *Progress) snapshot(final bool) Snapshot {
	s := Snapshot{
		Bytes:      p.bytes.Load(),
		Total:      p.total.Load(),
		Parts:      int(p.parts.Load()),
		TotalParts: int(p.totalParts.Load()),
	}
	if final && p.succeeded.Load() {
		return s
	}
	if s.Total >= 0 {
		s.Finishing = s.Bytes >= s.Total
		s.Bytes = min(s.Bytes, max(s.Total-1, 0))
	}
	if s.TotalParts > 0 {
		s.Parts = min(s.Parts, s.TotalParts-1)
	}
	return s
}

// Add records n more bytes and parts more completed parts.
func (p *Progress) Add(n int64, parts int) {
	if p == nil {
		return
	}
	p.bytes.Add(n)
	p.parts.Add(int64(parts))
}

// SetTotal records the total once it is known.
func (p *Progress) SetTotal(total int64, totalParts int) {
	if p == nil {
		return
	}
	p.total.Store(total)
	p.totalParts.Store(int64(totalParts))
}

// Done records that the transfer succeeded, with total bytes in totalParts
// parts (0 for a single PUT): the final report shows every byte and part
// done. Call it only once the object is stored (the PUT or
// CompleteMultipartUpload has answered) or written and checked.
func (p *Progress) Done(total int64, totalParts int) {
	if p == nil {
		return
	}
	p.SetTotal(total, totalParts)
	p.bytes.Store(total)
	p.parts.Store(int64(totalParts))
	p.succeeded.Store(true)
}

// Finish makes the last call and waits for the reporting goroutine to end.
// If the progress function panicked, Finish panics with the same value.
func (p *Progress) Finish() {
	if p == nil {
		return
	}
	close(p.stop)
	<-p.done
	p.panicked.Rethrow()
}

// Abandon is Finish for a call that a panic is unwinding: it makes the
// last call and waits for the reporting goroutine, but drops a panic of the
// progress function, so that the call's own panic, which came first, goes
// on unchanged (TestAttack15_BodyPanicWinsOverProgressPanic).
func (p *Progress) Abandon() {
	if p == nil {
		return
	}
	close(p.stop)
	<-p.done
}

// Body returns body, of size bytes, as a request body that counts the bytes
// the HTTP client reads from it; it returns body itself when p is nil.
func (p *Progress) Body(body io.ReadSeeker, size int64) io.ReadSeeker {
	if p == nil {
		return body
	}
	return &countedBody{r: body, p: p, size: size}
}

// countedBody is a request body that adds the bytes read from it to a
// [Progress], with one atomic add per Read and no copy. The SDK rewinds a
// body (Seek to its start) before it sends it again, on a retry or after
// hashing it; the bytes counted past the new position are then taken back,
// so that a retried attempt never counts twice.
//
// It has what the SDK looks for in a body: Seek, which makes it rewindable
// and lets the SDK record the start position, and Len, which gives the
// length without seeking. It has no WriteTo: net/http sends a body of known
// length through an io.LimitReader, which hides WriteTo anyway, so every
// byte goes through Read.
//
// The SDK never calls Read and Seek at once: it closes the body it gave
// net/http (smithy-go's safeReadCloser, which then stops passing reads on)
// before an attempt returns, and rewinds only after that.
type countedBody struct {
	r    io.ReadSeeker
	p    *Progress
	size int64 // bytes in the body
	pos  int64 // offset of the next byte Read returns
	sent int64 // bytes counted: read since the last rewind, at most pos
}

// Read reads from the body and counts what it returns.
func (b *countedBody) Read(buf []byte) (int, error) {
	n, err := b.r.Read(buf)
	if n > 0 {
		b.pos += int64(n)
		b.sent += int64(n)
		b.p.bytes.Add(int64(n))
	}
	return n, err
}

// Seek moves the body's offset; a move back takes back the bytes counted
// past the new offset.
func (b *countedBody) Seek(offset int64, whence int) (int64, error) {
	pos, err := b.r.Seek(offset, whence)
	if err != nil {
		return pos, err
	}
	b.pos = pos
	if back := b.sent - pos; back > 0 {
		b.sent = pos
		b.p.bytes.Add(-back)
	}
	return pos, nil
}

// Len returns the number of bytes left to read, as bytes.Reader does; the
// SDK takes it as the body's length.
func (b *countedBody) Len() int { return int(max(b.size-b.pos, 0)) }
