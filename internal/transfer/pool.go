package transfer

import "sync"

// maxIdleBuffers is how many bytes of part buffers the process keeps for
// reuse between uploads: eight parts of the default 8 MiB, enough for two
// uploads at the default concurrency of 4. A buffer returned past it is left
// to the garbage collector.
const maxIdleBuffers = 64 << 20

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
// to maxIdle bytes, dropping the oldest idle buffers first.
type bufferPool struct {
	maxIdle int64

	mu        sync.Mutex
	idle      [][]byte // returned buffers, oldest first
	idleBytes int64
	stats     poolStats
}

// poolStats counts what a pool has done; tests read it.
type poolStats struct {
	Made     int // buffers allocated
	Lent     int // buffers lent and not yet returned
	PeakLent int // the most buffers lent at once
}

func newBufferPool(maxIdle int64) *bufferPool { return &bufferPool{maxIdle: maxIdle} }

// get lends a buffer of size bytes: an idle one of that size if there is
// one, or a new one.
func (p *bufferPool) get(size int64) []byte {
	p.mu.Lock()
	defer p.mu.Unlock()
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

// snapshot returns the pool's counters.
func (p *bufferPool) snapshot() poolStats {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stats
}
