//go:build !unix

package bench

import "time"

// cpuUsed reports nothing where getrusage and /proc do not exist.
func cpuUsed() (self, server time.Duration, ok bool) { return 0, 0, false }
