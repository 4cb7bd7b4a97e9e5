package s3kit

import (
	"sync/atomic"
	"time"
)

// Progress reports how far a transfer has got. [WithProgress] delivers it.
type Progress struct {
	Bytes      int64 // bytes transferred so far
	Total      int64 // bytes in all, or -1 while unknown (a Put of unknown size)
	Parts      int   // parts or ranges completed
	TotalParts int   // parts or ranges in all, or 0 while unknown
}

// ProgressOption reports the progress of a [Client.Put] or a
// [Client.Download]. It is both a [PutOption] and a [DownloadOption].
type ProgressOption interface {
	PutOption
	DownloadOption
}

type progressOption func(Progress)

func (f progressOption) applyPut(c *putConfig)           { c.progress = f }
func (f progressOption) applyDownload(c *downloadConfig) { c.progress = f }

// progressInterval bounds how often the progress function is called.
const progressInterval = 100 * time.Millisecond

// WithProgress calls fn with the transfer's progress at most every 100 ms
// while it runs, and once more when it ends (whether it succeeded or not).
// fn is always called from the same goroutine, never concurrently, so it may
// draw a progress bar without locking; it should return quickly. A multipart
// Put counts bytes as parts complete; a Download counts them as they arrive.
// Default: no reporting.
func WithProgress(fn func(Progress)) ProgressOption { return progressOption(fn) }

// progressReporter samples counters that transfer goroutines update and
// calls the user's function from its own single goroutine.
type progressReporter struct {
	fn         func(Progress)
	bytes      atomic.Int64
	parts      atomic.Int64
	total      atomic.Int64
	totalParts atomic.Int64
	stop       chan struct{}
	done       chan struct{}
}

// startProgress starts reporting; it returns nil if fn is nil, and every
// method of a nil reporter does nothing.
func startProgress(fn func(Progress), total int64, totalParts int) *progressReporter {
	if fn == nil {
		return nil
	}
	p := &progressReporter{fn: fn, stop: make(chan struct{}), done: make(chan struct{})}
	p.total.Store(total)
	p.totalParts.Store(int64(totalParts))
	go p.loop()
	return p
}

func (p *progressReporter) loop() {
	defer close(p.done)
	t := time.NewTicker(progressInterval)
	defer t.Stop()
	var last Progress
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

func (p *progressReporter) snapshot() Progress {
	return Progress{
		Bytes:      p.bytes.Load(),
		Total:      p.total.Load(),
		Parts:      int(p.parts.Load()),
		TotalParts: int(p.totalParts.Load()),
	}
}

// add records n more bytes and parts more completed parts.
func (p *progressReporter) add(n int64, parts int) {
	if p == nil {
		return
	}
	p.bytes.Add(n)
	p.parts.Add(int64(parts))
}

// setTotal records the total once it is known.
func (p *progressReporter) setTotal(total int64, totalParts int) {
	if p == nil {
		return
	}
	p.total.Store(total)
	p.totalParts.Store(int64(totalParts))
}

// finish makes the last call and waits for the reporting goroutine to end.
func (p *progressReporter) finish() {
	if p == nil {
		return
	}
	close(p.stop)
	<-p.done
}
