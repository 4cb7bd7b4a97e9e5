package s3kit

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/s3kit/s3kit/internal/doctor"
)

// TestDoctorNamesEveryCheck: every check and status of internal/doctor has
// its public name, so a check added there cannot reach a Report unnamed.
func TestDoctorNamesEveryCheck(t *testing.T) {
	assert.Len(t, checkNames, doctor.NumChecks)
	seen := map[string]bool{}
	for i, name := range checkNames {
		assert.NotEmpty(t, name, "check %d has no name", i)
		assert.False(t, seen[name], "check name %q used twice", name)
		seen[name] = true
	}
	assert.Len(t, statuses, doctor.NumStatuses)
	for i, s := range statuses {
		assert.True(t, i == int(doctor.OK) || s != StatusOK, "status %d has no public value", i)
	}
}
