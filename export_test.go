package s3kit

import (
	"testing"

	"github.com/s3kit/s3kit/internal/knobs"
)

// SetCopyLimits lowers the multipart copy threshold and part size for the
// duration of t, so that tests can copy in parts with small objects. Tests
// that call it must not run in parallel with other copy tests.
func SetCopyLimits(t *testing.T, threshold, partSize int64) {
	t.Cleanup(knobs.SetCopyLimits(threshold, partSize))
}
