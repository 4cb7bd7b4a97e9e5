//go:build unix

package bench

import (
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// userHZ is the unit of the CPU times in /proc/<pid>/stat: the kernel's
// USER_HZ, which is 100 on every Linux architecture Go supports.
const userHZ = 100

// cpuUsed returns the CPU time (user and system) this process has used, and
// that of the server scripts/bench.sh started (S3KIT_BENCH_SERVER_PID; ok
// is false without it or where /proc cannot be read). The client and the
// server share the machine's cores, so a client that makes the server work
// harder, for example by signing its payload, which the server then hashes
// to check, is slower for it even when it uses less CPU itself.
func cpuUsed() (self, server time.Duration, ok bool) {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
		self = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	pid := os.Getenv("S3KIT_BENCH_SERVER_PID")
	if pid == "" {
		return self, 0, false
	}
	stat, err := os.ReadFile("/proc/" + pid + "/stat")
	if err != nil {
		return self, 0, false
	}
	// The command name, in parentheses, may hold spaces; the fields
	// counted from it start after its closing parenthesis: the state is
	// field 3, utime field 14, stime field 15.
	_, rest, found := strings.Cut(string(stat), ") ")
	f := strings.Fields(rest)
	if !found || len(f) < 13 {
		return self, 0, false
	}
	utime, err1 := strconv.ParseInt(f[14-3], 10, 64)
	stime, err2 := strconv.ParseInt(f[15-3], 10, 64)
	if err1 != nil || err2 != nil {
		return self, 0, false
	}
	return self, time.Duration(utime+stime) * time.Second / userHZ, true
}
