package tree

import (
	"context"
	"sync"
)

// slots is a weighted semaphore with a single acquirer: the one loop of
// [Run] takes slots, the transfers it starts give them back.
type slots struct {
	mu   sync.Mutex
	free int
	wake chan struct{} // closed by release while the acquirer waits
}

// acquire takes n slots, waiting until they are free or ctx ends.
func (s *slots) acquire(ctx context.Context, n int) error {
	for {
		s.mu.Lock()
		if s.free >= n {
			s.free -= n
			s.mu.Unlock()
			return nil
		}
		wake := make(chan struct{})
		s.wake = wake
		s.mu.Unlock()
		select {
		case <-wake:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// release gives n slots back.
func (s *slots) release(n int) {
	s.mu.Lock()
	s.free += n
	if s.wake != nil {
		close(s.wake)
		s.wake = nil
	}
	s.mu.Unlock()
}

// Failure is the error of job Index.
type Failure struct {
	Index int
	Err   error
}

// Run runs jobs 0..n-1 in order, each in its own goroutine, with one limit
// over them all: job i holds weight(i) of the limit's slots (at least 1, at
// most limit) while it runs, so that small jobs run many at once and a large
// one runs as many parts at once as it holds slots. Memory and connections
// stay bounded by limit whatever the mix.
//
// With keepGoing false, the first failure cancels the context of the jobs
// that run and no job starts after it; the failures of jobs cancelled that
// way are not reported. With keepGoing true every job runs and every
// failure is reported. Either way Run returns once every job it started has
// returned, with the failures in the order they happened. If ctx ends, no
// job starts after it.
func Run(ctx context.Context, limit, n int, weight func(i int) int, job func(ctx context.Context, i int) error, keepGoing bool) []Failure {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	s := &slots{free: limit}
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		failures []Failure
		stopped  bool
	)
	fail := func(i int, err error) {
		mu.Lock()
		defer mu.Unlock()
		if stopped {
			return // cancelled by an earlier failure
		}
		failures = append(failures, Failure{i, err})
		if !keepGoing {
			stopped = true
			cancel()
		}
	}
	for i := range n {
		w := min(max(weight(i), 1), limit)
		if ctx.Err() != nil || s.acquire(ctx, w) != nil {
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer s.release(w)
			if err := job(ctx, i); err != nil {
				fail(i, err)
			}
		}()
	}
	wg.Wait()
	return failures
}
