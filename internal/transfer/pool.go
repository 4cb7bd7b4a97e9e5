package transfer

import (
	"sync"
	"time"
)

// maxIdleBuffers is how many bytes of part buffers the process keeps for
// reuse between uploads: eight parts of the default 8 MiB, enough for two
// uploads at the default concurrency of 4. A buffer returned past it is left
// to the garbage collector.
const maxIdleBuffers = 64 << 20

// idleRelease is how long the pool keeps its idle buffers once no buffer is
// lent: a program that uploaded once does not hold 64 MiB for the rest of
// its life, and one that uploads again and again reuses them.
const idleRelease = 30 * time.Second

// partBuffers is the pool every upload reads its parts into, unless a test
// gives the upload its own.
var partBuffers = newBufferPool(maxIdleBuffers)

// bufferPool lends part buffers and takes them back, so that an upload of a
// body that is not read in place reuses them from part to part and from
// call to call instead of allocating each one. A buffer is lent to one part
// at a time and comes back only once nothing reads it any more (the part's
// request has returned, and the SDK and the direct path close the body
// they hand net/http before that), so a part never changes under a request
// that sends it.
//
// How many buffers are lent at once is bounded by the callers (a multipart
// upload holds at most its concurrency); the pool bounds what it keeps idle
// to maxIdle bytes, dropping the oldest idle buffers first, and drops them
// all once release has passed with no buffer lent.
type bufferPool struct {
	maxIdle int64
	release time.Duration

	mu        sync.Mutex
	idle      [][]byte // returned buffers, oldest first
	idleBytes int64
	stats     poolStats
	timer     *time.Timer // drops the idle buffers; armed while none is lent
}

// poolStats counts what a pool has done; tests read it.
type poolStats struct {
	Made     int // buffers allocated
	Lent     int // buffers lent and not yet returned
	PeakLent int // the most buffers lent at once
}

func newBufferPool(maxIdle int64) *bufferPool {
	return &bufferPool{maxIdle: maxIdle, release: idleRelease}
}

// get lends a buffer of size bytes: an idle one of that size if there is
// one, or a new one.
func (p *bufferPool) get(size int64) []byte {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.timer != nil {
		p.timer.Stop()
	}
	p.stats.Lent++
	p.stats.PeakLent = max(p.stats.PeakLent, p.stats.Lent)
	for i := len(p.idle) - 1; i >= 0; i-- {
		if b := p.idle[i]; int64(len(b)) == size {
			p.idle = append(p.idle[:i], p.idle[i+1:]...)
			p.idleBytes -= size
			return b
		}
	}
	p.stats.Made++
	return make([]byte, size)
}

// put takes back a buffer that get lent; nil is ignored. The caller must
// not touch buf afterwards.
func (p *bufferPool) put(buf []byte) {
	if buf == nil {
		return
	}
	buf = buf[:cap(buf)]
	p.mu.Lock()
	defer p.mu.Unlock()
	p.stats.Lent--
	defer p.armRelease()
	size := int64(len(buf))
	if size > p.maxIdle {
		return
	}
	for p.idleBytes+size > p.maxIdle {
		p.idleBytes -= int64(len(p.idle[0]))
		p.idle[0] = nil
		p.idle = p.idle[1:]
	}
	p.idle = append(p.idle, buf)
	p.idleBytes += size
}

// armRelease starts the countdown to dropping the idle buffers when no
// buffer is lent. p.mu is held.
func (p *bufferPool) armRelease() {
	if p.stats.Lent > 0 || len(p.idle) == 0 {
		return
	}
	if p.timer == nil {
		p.timer = time.AfterFunc(p.release, p.drop)
		return
	}
	p.timer.Reset(p.release)
}

// drop lets the garbage collector have the idle buffers, unless a buffer
// was lent since the countdown started.
func (p *bufferPool) drop() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stats.Lent > 0 {
		return
	}
	clear(p.idle)
	p.idle, p.idleBytes = nil, 0
}

// snapshot returns the pool's counters.
func (p *bufferPool) snapshot() poolStats {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stats
}
