package panics

import (
	"runtime"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestHoldKeepsTheFirstPanic checks that Call keeps the first panic of fn,
// calls fn no more once one is held, and that Rethrow raises that value.
func TestHoldKeepsTheFirstPanic(t *testing.T) {
	var h Hold
	assert.NotPanics(t, h.Rethrow, "nothing held")
	calls := 0
	fn := func(v string) { calls++; panic(v) }
	Call(&h, fn, "first")
	Call(&h, fn, "second")
	assert.Equal(t, 1, calls, "fn is not called once a panic is held")
	assert.True(t, h.Held())
	h.Keep("third")
	assert.PanicsWithValue(t, "first", h.Rethrow)
}

// TestHoldKeepsPanicNil checks that panic(nil) is held too, as the
// *runtime.PanicNilError recover returns for it.
func TestHoldKeepsPanicNil(t *testing.T) {
	var h Hold
	Call(&h, func(struct{}) { panic(nil) }, struct{}{})
	assert.True(t, h.Held())
	defer func() {
		_, ok := recover().(*runtime.PanicNilError)
		assert.True(t, ok)
	}()
	h.Rethrow()
}

// TestHoldKeepAndReadersAtOnce checks Hold under concurrent use, as a body
// read in place uses it from every part in flight: one of the values kept
// at once is held, and a reader that sees Held true already gets that
// value from Rethrow, never the nil of a value not yet set.
func TestHoldKeepAndReadersAtOnce(t *testing.T) {
	const keepers, readers = 8, 8
	var h Hold
	rethrown := func() (v any) {
		defer func() { v = recover() }()
		h.Rethrow()
		return nil
	}
	var wg sync.WaitGroup
	seen := make([]any, readers)
	for i := range readers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !h.Held() {
				runtime.Gosched()
			}
			seen[i] = rethrown()
		}()
	}
	for i := range keepers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			Call(&h, func(v int) { panic(v) }, i+1)
		}()
	}
	wg.Wait()
	kept := rethrown()
	assert.NotNil(t, kept)
	for i, v := range seen {
		assert.Equal(t, kept, v, "reader %d", i)
	}
}

// TestHoldKeepsNil checks what a body read in place gives Keep when its
// ReadAt ends the goroutine with runtime.Goexit (recover returns nil
// there): a panic is held all the same, and Rethrow raises it as
// panic(nil), which the runtime turns into a *runtime.PanicNilError.
func TestHoldKeepsNil(t *testing.T) {
	var h Hold
	h.Keep(nil)
	assert.True(t, h.Held())
	h.Keep("later")
	defer func() {
		_, ok := recover().(*runtime.PanicNilError)
		assert.True(t, ok)
	}()
	h.Rethrow()
}
