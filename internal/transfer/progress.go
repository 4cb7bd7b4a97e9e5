package transfer

import (
	"sync/atomic"
	"time"
)

// Snapshot is one report of a transfer's progress; the root package's
// Progress has the same fields.
type Snapshot struct {
	Bytes      int64 // bytes transferred so far
	Total      int64 // bytes in all, or -1 while unknown (a Put of unknown size)
	Parts      int   // parts or ranges completed
	TotalParts int   // parts or ranges in all, or 0 while unknown
}

// progressInterval bounds how often the progress function is called.
const progressInterval = 100 * time.Millisecond

// Progress samples counters that transfer goroutines update and calls the
// user's function from its own single goroutine.
type Progress struct {
	fn         func(Snapshot)
	bytes      atomic.Int64
	parts      atomic.Int64
	total      atomic.Int64
	totalParts atomic.Int64
	stop       chan struct{}
	done       chan struct{}
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
			if s := p.snapshot(); first || s != last {
				p.fn(s)
				last, first = s, false
			}
		case <-p.stop:
			p.fn(p.snapshot())
			return
		}
	}
}

func (p *Progress) snapshot() Snapshot {
	return Snapshot{
		Bytes:      p.bytes.Load(),
		Total:      p.total.Load(),
		Parts:      int(p.parts.Load()),
		TotalParts: int(p.totalParts.Load()),
	}
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

// Finish makes the last call and waits for the reporting goroutine to end.
func (p *Progress) Finish() {
	if p == nil {
		return
	}
	close(p.stop)
	<-p.done
}
