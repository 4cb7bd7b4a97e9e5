package s3kit_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go/logging"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/s3kit/s3kit"
	"github.com/s3kit/s3kit/s3kittest"
)

// faultSeeds is how many fault runs TestFaultRuns does. The table in
// docs/RELIABILITY.md comes from
//
//	go test -run TestFaultRuns -v . -faultseeds=3
var faultSeeds = flag.Int("faultseeds", 1, "number of seeded fault runs in TestFaultRuns")

// faultRules returns the probabilistic faults of a fault run, each with its
// own fixed seed.
func faultRules(seed uint64) []*s3kittest.Rule {
	r := func(op string, chance float64, f s3kittest.Fault) *s3kittest.Rule {
		seed++
		return &s3kittest.Rule{Op: op, Chance: chance, Seed: seed, Fault: f}
	}
	return []*s3kittest.Rule{
		r("", 0.06, s3kittest.ErrorResponse(500, "InternalError")),
		r("", 0.06, s3kittest.ErrorResponse(503, "SlowDown")),
		r("", 0.03, s3kittest.ResetRequest(0)),
		r("PutObject", 0.05, s3kittest.ResetRequest(16<<10)),
		r("UploadPart", 0.05, s3kittest.ResetRequest(1<<20)),
		r("PutObject", 0.04, s3kittest.DropResponse()),
		r("UploadPart", 0.04, s3kittest.DropResponse()),
		r("CompleteMultipartUpload", 0.15, s3kittest.DropResponse()),
		r("GetObject", 0.05, s3kittest.ResetResponse(1000)),
		r("ListObjectsV2", 0.05, s3kittest.ResetResponse(100)),
		r("", 0.03, s3kittest.DelayHeaders(20*time.Millisecond)),
		r("GetObject", 0.03, s3kittest.DelayBody(20*time.Millisecond)),
		r("ListObjectsV2", 0.05, s3kittest.TruncateXML()),
		r("CompleteMultipartUpload", 0.1, s3kittest.TruncateXML()),
		r("CreateMultipartUpload", 0.05, s3kittest.InvalidXML()),
		r("ListObjectsV2", 0.05, s3kittest.InvalidXML()),
	}
}

// tally counts the outcomes of one kind of call.
type tally struct{ tried, ok int }

// faultRun is the state of one run: what the client was told, and counts.
type faultRun struct {
	t      *testing.T
	fe     *frontEnd
	rng    *rand.Rand
	stored map[string]string // key -> SHA-256 of a Put reported successful
	failed map[string]bool   // keys whose only Put failed
	calls  map[string]*tally
	errs   []string
	bad    []string // data-safety violations seen during the run
}

func (r *faultRun) count(call string, err error) {
	tl := r.calls[call]
	if tl == nil {
		tl = &tally{}
		r.calls[call] = tl
	}
	tl.tried++
	if err == nil {
		tl.ok++
		return
	}
	r.errs = append(r.errs, err.Error(), fmt.Sprintf("%+v", err))
}

func (r *faultRun) put(i int, multipart bool) {
	key := fmt.Sprintf("obj/%04d", i)
	size, call := 1+r.rng.IntN(256<<10), "Put (single)"
	if multipart {
		size, call = 5<<20+r.rng.IntN(2<<20), "Put (multipart)"
	}
	data := make([]byte, size)
	_, _ = rand.NewChaCha8([32]byte{byte(i), byte(i >> 8)}).Read(data)
	var body io.Reader = bytes.NewReader(data)
	if r.rng.IntN(2) == 0 {
		body = onlyReader{body} // unknown size
	}
	res, err := r.fe.client.Put(r.t.Context(), bucket, key, body,
		s3kit.WithMultipartThreshold(5<<20), s3kit.WithPartSize(5<<20), s3kit.WithConcurrency(2))
	r.count(call, err)
	if err != nil {
		r.failed[key] = true
		return
	}
	if res.Size != int64(size) {
		r.bad = append(r.bad, fmt.Sprintf("%s: Put reported %d bytes for %d", key, res.Size, size))
	}
	r.stored[key] = sum(data)
}

func (r *faultRun) get() {
	key, ok := r.someStored()
	if !ok {
		return
	}
	rd, err := r.fe.client.Get(r.t.Context(), bucket, key)
	if err == nil {
		h := sha256.New()
		_, err = io.Copy(h, rd)
		_ = rd.Close()
		if err == nil && hex.EncodeToString(h.Sum(nil)) != r.stored[key] {
			r.bad = append(r.bad, key+": Get reported success with different data")
		}
	}
	r.count("Get", err)
}

func (r *faultRun) head() {
	key, ok := r.someStored()
	if !ok {
		return
	}
	_, err := r.fe.client.Head(r.t.Context(), bucket, key)
	r.count("Head", err)
}

func (r *faultRun) list() {
	var err error
	for obj, lerr := range r.fe.client.List(r.t.Context(), bucket, s3kit.WithPageSize(7)) {
		if lerr != nil {
			err = lerr
			break
		}
		if r.failed[obj.Key] {
			r.bad = append(r.bad, obj.Key+": a failed Put is visible in a listing")
		}
	}
	r.count("List", err)
}

func (r *faultRun) delete() {
	key, ok := r.someStored()
	if !ok {
		return
	}
	err := r.fe.client.Delete(r.t.Context(), bucket, key)
	r.count("Delete", err)
	if err == nil {
		delete(r.stored, key)
	}
}

// someStored picks a key the model holds, in a reproducible way.
func (r *faultRun) someStored() (string, bool) {
	if len(r.stored) == 0 {
		return "", false
	}
	keys := make([]string, 0, len(r.stored))
	for k := range r.stored {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys[r.rng.IntN(len(keys))], true
}

// verify checks the server's final state, past the faults, and returns the
// number of objects lost or corrupted, failed Puts left visible, and
// multipart uploads left behind.
func (r *faultRun) verify() (lost, visible, uploads int) {
	c := r.fe.srv.Client(r.t)
	for key, want := range r.stored {
		rd, err := c.Get(r.t.Context(), bucket, key)
		if err != nil {
			lost++
			r.bad = append(r.bad, key+": stored object is missing: "+err.Error())
			continue
		}
		h := sha256.New()
		_, err = io.Copy(h, rd)
		_ = rd.Close()
		if err != nil || hex.EncodeToString(h.Sum(nil)) != want {
			lost++
			r.bad = append(r.bad, key+": stored object reads back different")
		}
	}
	for key := range r.failed {
		if _, err := c.Head(r.t.Context(), bucket, key); err == nil {
			visible++
			r.bad = append(r.bad, key+": failed Put left an object visible")
		}
	}
	// Empty uploads are what lost CreateMultipartUpload answers leave; they
	// hold no data and s3kit deliberately leaves them (see upload.create).
	uploads, _ = leftUploads(r.t, c)
	return lost, visible, uploads
}

// TestFaultRuns runs mixed operations through probabilistic faults with
// fixed seeds, then checks every object the client was told is stored,
// every failed Put, and the multipart uploads left. The logged tables are
// the ones quoted in docs/RELIABILITY.md.
func TestFaultRuns(t *testing.T) {
	t.Parallel()
	seeds, ops := []uint64{}, 200
	for i := range *faultSeeds {
		seeds = append(seeds, uint64(i+1))
	}
	if testing.Short() || raceEnabled {
		seeds, ops = seeds[:min(len(seeds), 1)], 100 // the race detector makes a run about 9 times slower
	}
	total := map[string]*tally{}
	fired := map[string]int{}
	var logs strings.Builder
	var logMu sync.Mutex
	var lostAll int
	for _, seed := range seeds {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			rules := faultRules(seed * 1000)
			fe := newFrontEnd(t, rules, s3kit.WithSDKOptions(func(o *s3.Options) {
				o.ClientLogMode = aws.LogRetries | aws.LogRequest | aws.LogResponse
				o.Logger = logging.LoggerFunc(func(_ logging.Classification, format string, v ...any) {
					logMu.Lock()
					defer logMu.Unlock()
					fmt.Fprintf(&logs, format+"\n", v...)
				})
			}))
			run := &faultRun{t: t, fe: fe, rng: rand.New(rand.NewPCG(seed, seed)),
				stored: map[string]string{}, failed: map[string]bool{}, calls: map[string]*tally{}}
			for i := range ops {
				switch n := run.rng.IntN(100); {
				case n < 35:
					run.put(i, false)
				case n < 43:
					run.put(i, true)
				case n < 68:
					run.get()
				case n < 80:
					run.head()
				case n < 92:
					run.list()
				default:
					run.delete()
				}
			}
			lost, visible, uploads := run.verify()
			assert.Empty(t, run.bad, "data-safety violations")
			assert.Zero(t, lost+visible+uploads, "lost %d, visible after failure %d, uploads left %d", lost, visible, uploads)
			lostAll += lost + visible + uploads + len(run.bad)
			for _, e := range run.errs {
				require.NotContains(t, e, s3kittest.SecretKey)
			}
			for name, tl := range run.calls {
				if total[name] == nil {
					total[name] = &tally{}
				}
				total[name].tried += tl.tried
				total[name].ok += tl.ok
			}
			for _, rule := range rules {
				key := rule.Op
				if key == "" {
					key = "any"
				}
				fired[rule.Fault.String()+" on "+key] += rule.Fired()
			}
		})
	}
	require.NotContains(t, logs.String(), s3kittest.SecretKey)
	var b strings.Builder
	fmt.Fprintf(&b, "\n%d runs × %d operations, seeds %v\n\n| fault injected | times |\n|---|---|\n", len(seeds), ops, seeds)
	names := slices.Sorted(func(yield func(string) bool) {
		for k := range fired {
			if !yield(k) {
				return
			}
		}
	})
	for _, name := range names {
		fmt.Fprintf(&b, "| %s | %d |\n", name, fired[name])
	}
	fmt.Fprintf(&b, "\n| operation | tried | succeeded | failed with an error |\n|---|---|---|---|\n")
	for _, name := range []string{"Put (single)", "Put (multipart)", "Get", "Head", "List", "Delete"} {
		if tl := total[name]; tl != nil {
			fmt.Fprintf(&b, "| %s | %d | %d | %d |\n", name, tl.tried, tl.ok, tl.tried-tl.ok)
		}
	}
	fmt.Fprintf(&b, "\ndata lost, corrupted or left behind: %d\n", lostAll)
	t.Log(b.String())
}
