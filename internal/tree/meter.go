package tree

import (
	"sync/atomic"
	"time"

	"github.com/s3kit/s3kit/internal/panics"
)

// Snapshot is one report of a directory transfer's progress; the root
// package's DirProgress has the same fields.
type Snapshot struct {
	Files      int     // files done: transferred or skipped as unchanged
	TotalFiles int     // files to do
	Bytes      int64   // bytes done: moved (including those of files in flight), or of files skipped
	TotalBytes int64   // bytes of the files to transfer (before skipping unchanged ones)
	Rate       float64 // bytes per second over the last [rateWindow]; over the whole transfer in the last report
}

// meterInterval bounds how often the progress function is called.
const meterInterval = 100 * time.Millisecond

// rateWindow is the span the current rate is measured over.
const rateWindow = 2 * time.Second

// Meter counts a directory transfer's progress for all its files at once,
// with one goroutine that reports it, whatever the number of files. Its
// methods may be called from any goroutine; every method of a nil Meter
// does nothing.
type Meter struct {
	fn         func(Snapshot)
	files      atomic.Int64
	totalFiles atomic.Int64
	bytes      atomic.Int64
	totalBytes atomic.Int64
	start      time.Time
	stop, done chan struct{}
	panicked   panics.Hold // what fn panicked with, if it did
}

// StartMeter starts reporting to fn; it returns nil if fn is nil.
func StartMeter(fn func(Snapshot)) *Meter {
	if fn == nil {
		return nil
	}
	m := &Meter{fn: fn, start: time.Now(), stop: make(chan struct{}), done: make(chan struct{})}
	go m.loop()
	return m
}

// SetTotal records the files and bytes to transfer.
func (m *Meter) SetTotal(files int, bytes int64) {
	if m == nil {
		return
	}
	m.totalFiles.Store(int64(files))
	m.totalBytes.Store(bytes)
}

// AddTotalBytes changes the bytes to transfer by n, for a file whose
// size changed since it was counted.
func (m *Meter) AddTotalBytes(n int64) {
	if m != nil && n != 0 {
		m.totalBytes.Add(n)
	}
}

// AddBytes records n more bytes moved (n may be negative, to take back
// the bytes of a file that failed).
func (m *Meter) AddBytes(n int64) {
	if m != nil {
		m.bytes.Add(n)
	}
}

// FileDone records one more file done.
func (m *Meter) FileDone() {
	if m != nil {
		m.files.Add(1)
	}
}

// sample is the byte count at one moment, for the rate.
type sample struct {
	at    time.Time
	bytes int64
}

func (m *Meter) loop() {
	defer close(m.done)
	t := time.NewTicker(meterInterval)
	defer t.Stop()
	window := []sample{{m.start, 0}}
	var last Snapshot
	first := true
	for {
		select {
		case now := <-t.C:
			s := m.snapshot()
			window = append(window, sample{now, s.Bytes})
			for len(window) > 2 && now.Sub(window[1].at) >= rateWindow {
				window = window[1:]
			}
			s.Rate = rate(window[0], window[len(window)-1])
			if first || s != last {
				m.call(s)
				last, first = s, false
			}
		case <-m.stop:
			s := m.snapshot()
			s.Rate = rate(sample{m.start, 0}, sample{time.Now(), s.Bytes})
			m.call(s)
			return
		}
	}
}

// call calls fn with s, unless fn has panicked before. A panic in fn is
// kept for [Meter.Finish] to raise again in the goroutine of the directory
// transfer, once it has ended: raised here, in a goroutine the caller
// cannot recover, it would end the program in the middle of the transfer,
// with the multipart uploads of the files in flight left on the server
// (TestAttack15_DirProgressFunctionThatPanics).
func (m *Meter) call(s Snapshot) {
	panics.Call(&m.panicked, m.fn, s)
}

// rate is the bytes per second between two samples.
func rate(a, b sample) float64 {
	d := b.at.Sub(a.at).Seconds()
	if d <= 0 {
		return 0
	}
	return float64(b.bytes-a.bytes) / d
}

func (m *Meter) snapshot() Snapshot {
	return Snapshot{
		Files: int(m.files.Load()), TotalFiles: int(m.totalFiles.Load()),
		Bytes: m.bytes.Load(), TotalBytes: m.totalBytes.Load(),
	}
}

// Finish makes the last report and waits for the reporting goroutine.
// If the progress function panicked, Finish panics with the same value.
func (m *Meter) Finish() {
	if m == nil {
		return
	}
	close(m.stop)
	<-m.done
	m.panicked.Rethrow()
}
