package panics

import (
	"runtime"
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
