// Package panics keeps a panic raised on a goroutine nobody can recover
// (a part's, a download worker's, net/http's, a progress reporter's), so
// that the goroutine waiting for that work raises it again, where its
// caller can recover it, once the work has stopped.
package panics

import (
	"sync"
	"sync/atomic"
)

// Hold keeps the first panic it is given. The zero Hold holds none. It is
// safe for concurrent use.
type Hold struct {
	mu       sync.Mutex
	panicked atomic.Bool // read without mu: Held runs on every read of a body read in place
	value    any         // a *runtime.PanicNilError for panic(nil); set under mu
}

// Keep keeps r, a value recover returned, unless a panic is held already.
func (h *Hold) Keep(r any) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.panicked.Load() {
		h.value = r
		h.panicked.Store(true)
	}
}

// Held reports whether a panic is held.
func (h *Hold) Held() bool { return h.panicked.Load() }

// Rethrow panics with the held panic's value, if there is one.
func (h *Hold) Rethrow() {
	h.mu.Lock()
	panicked, value := h.panicked.Load(), h.value
	h.mu.Unlock()
	if panicked {
		panic(value)
	}
}

// Call calls fn with v, unless h holds a panic, and keeps a panic of fn in
// h instead of letting it end the goroutine.
func Call[T any](h *Hold, fn func(T), v T) {
	if h.Held() {
		return
	}
	defer func() {
		if r := recover(); r != nil {
			h.Keep(r)
		}
	}()
	fn(v)
}
