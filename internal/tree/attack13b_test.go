package tree

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestAttack13PatternsThatMatchNothing: a pattern with an empty segment
// (a leading or trailing '/', "a//b") can match no relative path, so an
// exclude written as gitignore would write it ("build/", "/secret")
// silently excludes nothing. Check refuses it.
func TestAttack13PatternsThatMatchNothing(t *testing.T) {
	for _, p := range []string{"build/", "/secret", "a//b", "/", "./x", "x/../y"} {
		assert.Error(t, (&Filter{Exclude: []string{p}}).Check(), "%q", p)
		assert.Error(t, (&Filter{Include: []string{p}}).Check(), "%q", p)
	}
	for _, p := range []string{"build", "a/b", "**/x", "*.go", "a/**"} {
		assert.NoError(t, (&Filter{Exclude: []string{p}}).Check(), "%q", p)
	}
}
