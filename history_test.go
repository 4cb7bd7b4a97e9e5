package s3kit_test

import (
	"flag"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/s3kit/s3kit"
	"github.com/s3kit/s3kit/internal/history"
)

var (
	historySeeds = flag.Int("history.seeds", 10, "TestHistory: number of seeds (1, 2, …) to run")
	historyOps   = flag.Int("history.ops", 500, "TestHistory: operations per seed")
	historySeed  = flag.Uint64("history.seed", 0, "TestHistory: run only this seed (to reproduce a failure)")
)

// TestHistory is the randomized history test (internal/history): workers
// run random Puts (small, multipart, unknown-size, and bodies that fail
// midway), Copies (multipart too), Gets (whole and ranged), Heads,
// Downloads, Deletes, DeleteManys, DeletePrefixes and Lists on five keys,
// through a proxy that injects faults drawn from the seed, with one call in
// ten cancelled at a random point; then the history is checked against
// S3's per-key semantics and the uploads left are counted. A failure
// prints its seed and the history around each violation; -history.seed=N
// replays the same operations and fault schedule (goroutine timing still
// varies). -history.seeds and -history.ops make a longer soak.
func TestHistory(t *testing.T) {
	t.Parallel()
	seeds, ops := *historySeeds, *historyOps
	if raceEnabled && !flagSet("history.seeds") {
		// The race detector makes a run about 9 times slower, most of it
		// in s3kittest's copies of whole bodies; 3 seeds of 100
		// operations still make every kind of call, with faults and
		// cancellations.
		seeds, ops = 3, 100
	}
	list := make([]uint64, 0, seeds)
	for i := range seeds {
		list = append(list, uint64(i+1))
	}
	if *historySeed != 0 {
		list = []uint64{*historySeed}
	}
	// The seeds run as parallel subtests, each with its own server; the
	// counts are summed under mu and logged once they have all finished.
	var mu sync.Mutex
	total := map[string]int{}
	t.Cleanup(func() {
		mu.Lock()
		defer mu.Unlock()
		t.Logf("%d seeds:\n%s", len(list), history.FormatCounts(total))
	})
	for _, seed := range list {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			t.Parallel()
			rules, lostCreates := history.Faults(seed)
			fe := newFrontEnd(t, rules, s3kit.WithCopyLimits(5<<20, 5<<20))
			prefix := fmt.Sprintf("h%d/", seed)
			h := history.Run(t.Context(), history.Config{
				Client: fe.client, Direct: fe.srv.Client(t), Bucket: bucket, Prefix: prefix,
				Seed: seed, Ops: ops, Big: 5 << 20, PutOptions: mpOpts,
				Cancel: 0.1, CancelWithin: 100 * time.Millisecond,
			})
			problems, counts := history.Report(t.Context(), h, fe.srv.Client(t).S3(), rules, lostCreates())
			for _, p := range problems {
				t.Errorf("seed %d: %s", seed, p)
			}
			mu.Lock()
			defer mu.Unlock()
			for k, v := range counts {
				total[k] += v
			}
		})
	}
}

// flagSet reports whether the named flag was given on the command line.
func flagSet(name string) bool {
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}
