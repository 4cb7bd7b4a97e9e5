package s3kit_test

import (
	"os"
	"runtime"
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the run if any goroutine outlives the tests.
//
// Under the race detector it also runs the tests on one P unless GOMAXPROCS
// is set. Each fresh page of the detector's shadow memory is first mapped
// read-only and then copied on write, and that copy flushes the TLB of
// every other CPU running the process: on this project's 2-core VMs, with
// two Ps, those flushes took most of the run (121 s against 74 s with one
// P). The detector still sees every race: it tracks happens-before, not
// simultaneity.
func TestMain(m *testing.M) {
	if raceEnabled && os.Getenv("GOMAXPROCS") == "" {
		runtime.GOMAXPROCS(1)
	}
	goleak.VerifyTestMain(m)
}
