package history

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/s3kit/s3kit"
)

// Config describes one run.
type Config struct {
	Client *s3kit.Client // the client under test; its requests meet the faults
	Direct *s3kit.Client // reaches the same store without faults, for the final reads
	Bucket string
	Prefix string // every key of the run starts with it; unique per run
	Seed   uint64
	Ops    int // operations in all, across the workers
	// Workers run operations concurrently; default 4.
	Workers int
	// Big is the size of a multipart body, past which Put uses multipart
	// (its threshold and part size must be at most Big); 0 leaves multipart
	// bodies out.
	Big int64
	// PutOptions are added to every Put, such as the part size.
	PutOptions []s3kit.PutOption
	// BigShare is the share of Puts with a multipart body; default 0.2.
	BigShare float64
	// Cancel is the share of calls whose context is cancelled at a random
	// point within CancelWithin of their start.
	Cancel       float64
	CancelWithin time.Duration
	// CallTimeout bounds each call, so that a server that stops answering
	// fails the run with a clear error instead of hanging it; default 2
	// minutes.
	CallTimeout time.Duration
}

// kinds of operation, with their weights.
var kinds = []struct {
	name   string
	weight int
}{
	{"put", 14}, {"put-unknown", 6}, {"put-big", 4}, {"put-big-unknown", 3}, {"put-cut", 4},
	{"copy", 8}, {"get", 14}, {"get-range", 8}, {"head", 6}, {"download", 5},
	{"delete", 6}, {"delete-many", 3}, {"delete-prefix", 2}, {"list", 6},
}

// Op is one call in the history.
type Op struct {
	N          int    // position in the order of starts
	Worker     int    // which worker ran it
	Kind       string // one of kinds
	Key        string // the key written, read or deleted; the prefix for delete-prefix
	Src        string // copy: the source key
	Keys       []string
	ID         uint64 // put: the value written
	Len        int64  // put: its length
	Start, End int64  // logical times: End of A < Start of B means A returned before B began
	Cancelled  bool   // a cancel was scheduled for it
	Err        error

	// Reads.
	Found  bool     // the object was there
	GotID  uint64   // get, download: the value read
	GotLen int64    // get, download, head: its length
	Off    int64    // get-range: the offset asked for
	Data   []byte   // get-range: the bytes read
	Bad    string   // get, download: why the bytes are no value at all
	Listed []Listed // list
}

// Listed is one key of a listing.
type Listed struct {
	Key  string
	Size int64
}

// outcome of a call.
type outcome int

const (
	ok      outcome = iota
	failed          // a definite error: the store is as it was
	unknown         // ErrOutcomeUnknown
)

func (o *Op) outcome() outcome {
	switch {
	case o.Err == nil:
		return ok
	case errors.Is(o.Err, s3kit.ErrOutcomeUnknown):
		return unknown
	}
	return failed
}

// String describes the call in one line.
func (o *Op) String() string {
	s := fmt.Sprintf("#%d w%d [%d,%d] %s %s", o.N, o.Worker, o.Start, o.End, o.Kind, o.Key)
	if o.Src != "" {
		s += " from " + o.Src
	}
	if len(o.Keys) > 0 {
		s += fmt.Sprint(" ", o.Keys)
	}
	if o.Len > 0 {
		s += fmt.Sprintf(" value %x (%d B)", o.ID, o.Len)
	}
	if o.Err == nil {
		s += o.answer()
	}
	if o.Cancelled {
		s += " (cancel scheduled)"
	}
	if o.Err != nil {
		s += " -> error: " + describeErr(o.Err)
	}
	return s
}

// answer describes what a read or a listing returned.
func (o *Op) answer() string {
	switch {
	case o.Kind == "list":
		return fmt.Sprint(" -> ", o.Listed)
	case !isRead(o.Kind):
		return ""
	case !o.Found:
		return " -> not found"
	case o.Kind == "get-range":
		return fmt.Sprintf(" -> %d B at %d", len(o.Data), o.Off)
	}
	return fmt.Sprintf(" -> value %x (%d B)", o.GotID, o.GotLen)
}

// describeErr prints an error with the fields of s3kit's error types.
func describeErr(err error) string {
	s := err.Error()
	var e *s3kit.Error
	if errors.As(err, &e) {
		s += fmt.Sprintf(" [code %q, status %d, attempts %d, cause %T]", e.Code, e.StatusCode, e.Attempts, errors.Unwrap(e.Err))
	}
	var de *s3kit.DeleteError
	if errors.As(err, &de) {
		s += fmt.Sprintf(" %+v", de.Failed)
	}
	return s
}

func isRead(kind string) bool {
	switch kind {
	case "get", "get-range", "head", "download":
		return true
	}
	return false
}

// History is what a run recorded.
type History struct {
	Cfg   Config
	Ops   []*Op
	Final []*Op // the reads made after the workers stopped, without faults
}

// Run runs the operations and returns their history. The caller checks it
// with [History.Check].
func Run(ctx context.Context, cfg Config) *History {
	if cfg.Workers == 0 {
		cfg.Workers = 4
	}
	if cfg.BigShare == 0 {
		cfg.BigShare = 0.2
	}
	if cfg.CallTimeout == 0 {
		cfg.CallTimeout = 2 * time.Minute
	}
	r := &runner{cfg: cfg, keys: keySpace(cfg.Prefix)}
	var wg sync.WaitGroup
	per := (cfg.Ops + cfg.Workers - 1) / cfg.Workers
	for w := range cfg.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(cfg.Seed, uint64(w)+1))
			for i := range per {
				if w*per+i >= cfg.Ops || ctx.Err() != nil {
					return
				}
				r.one(ctx, w, rng)
			}
		}()
	}
	wg.Wait()
	h := &History{Cfg: cfg, Ops: r.ops}
	slices.SortFunc(h.Ops, func(a, b *Op) int { return int(a.Start - b.Start) })
	for i, o := range h.Ops {
		o.N = i
	}
	// Final reads, past the faults: each key's value now.
	final := &runner{cfg: cfg, keys: r.keys}
	final.cfg.Client = cfg.Direct
	final.clock.Store(r.clock.Load())
	for _, k := range r.keys {
		o := &Op{Kind: "get", Key: k, Worker: -1}
		final.record(o, func(ctx context.Context) error { return final.get(ctx, o) }, ctx)
		h.Final = append(h.Final, o)
	}
	o := &Op{Kind: "list", Key: cfg.Prefix, Worker: -1}
	final.record(o, func(ctx context.Context) error { return final.list(ctx, o) }, ctx)
	h.Final = append(h.Final, o)
	for i, o := range h.Final {
		o.N = len(h.Ops) + i
	}
	return h
}

// keySpace returns the keys of a run: two groups, so that delete-prefix
// takes some and leaves others.
func keySpace(prefix string) []string {
	return []string{prefix + "x/k0", prefix + "x/k1", prefix + "y/k2", prefix + "y/k3", prefix + "y/k4"}
}

// runner runs operations and records them.
type runner struct {
	cfg    Config
	keys   []string
	clock  atomic.Int64
	nextID atomic.Uint64

	mu  sync.Mutex
	ops []*Op
}

// record runs call as op, with the logical times around it.
func (r *runner) record(o *Op, call func(context.Context) error, ctx context.Context) {
	o.Start = r.clock.Add(1)
	o.Err = call(ctx)
	o.End = r.clock.Add(1)
}

// one runs a random operation.
func (r *runner) one(ctx context.Context, w int, rng *rand.Rand) {
	o := &Op{Worker: w, Kind: pick(rng), Key: r.keys[rng.IntN(len(r.keys))]}
	if (o.Kind == "put-big" || o.Kind == "put-big-unknown") && (r.cfg.Big == 0 || rng.Float64() >= r.cfg.BigShare/0.2) {
		o.Kind = "put" // the weights give 0.2 of Puts a multipart body
	}
	var call func(context.Context) error
	if strings.HasPrefix(o.Kind, "put") {
		call = r.planPut(o, rng)
	} else {
		call = r.plan(o, rng)
	}
	cctx, cancel := context.WithTimeoutCause(ctx, r.cfg.CallTimeout, errCallTimeout)
	defer cancel()
	if rng.Float64() < r.cfg.Cancel {
		o.Cancelled = true
		// Half the cancels come early, where most calls are; half anywhere
		// in the window, where multipart uploads end.
		within := int64(r.cfg.CancelWithin) + 1
		if rng.IntN(2) == 0 {
			within = within/20 + 1
		}
		t := time.AfterFunc(time.Duration(rng.Int64N(within)), cancel)
		defer t.Stop()
	}
	r.record(o, call, cctx)
	if o.Err != nil && errors.Is(context.Cause(cctx), errCallTimeout) {
		o.Err = errors.Join(errCallTimeout, o.Err)
	}
	r.mu.Lock()
	r.ops = append(r.ops, o)
	r.mu.Unlock()
}

// planPut draws a Put's value and body and returns the call.
func (r *runner) planPut(o *Op, rng *rand.Rand) func(context.Context) error {
	o.ID = r.cfg.Seed<<32 | r.nextID.Add(1)
	o.Len = minValue + rng.Int64N(32<<10)
	cut := o.Kind == "put-cut"
	big := o.Kind == "put-big" || o.Kind == "put-big-unknown" || (cut && r.cfg.Big > 0 && rng.Float64() < r.cfg.BigShare*2.5)
	if big {
		o.Len = r.cfg.Big + rng.Int64N(r.cfg.Big/2)
	}
	unknownSize := o.Kind == "put-unknown" || o.Kind == "put-big-unknown" || (cut && rng.IntN(2) == 0)
	at := int64(-1)
	if cut {
		at = rng.Int64N(o.Len)
	}
	return func(ctx context.Context) error { return r.put(ctx, o, unknownSize, at) }
}

// plan draws the arguments of any other call and returns the call.
func (r *runner) plan(o *Op, rng *rand.Rand) func(context.Context) error {
	c, b := r.cfg.Client, r.cfg.Bucket
	switch o.Kind {
	case "copy":
		// S3 refuses to copy an object onto itself without changing it.
		o.Src = r.keys[(slices.Index(r.keys, o.Key)+1+rng.IntN(len(r.keys)-1))%len(r.keys)]
		return func(ctx context.Context) error { _, err := c.Copy(ctx, b, o.Src, b, o.Key); return err }
	case "get":
		return func(ctx context.Context) error { return r.get(ctx, o) }
	case "get-range":
		o.Off = rng.Int64N(16 << 10)
		n := 1 + rng.Int64N(16<<10)
		return func(ctx context.Context) error { return r.getRange(ctx, o, n) }
	case "head":
		return func(ctx context.Context) error { return r.head(ctx, o) }
	case "download":
		return func(ctx context.Context) error { return r.download(ctx, o) }
	case "delete":
		return func(ctx context.Context) error { return c.Delete(ctx, b, o.Key) }
	case "delete-many":
		o.Keys, o.Key = []string{o.Key, r.keys[rng.IntN(len(r.keys))]}, ""
		return func(ctx context.Context) error { return c.DeleteMany(ctx, b, slices.Values(o.Keys)) }
	case "delete-prefix":
		o.Key = r.cfg.Prefix + []string{"x/", "y/"}[rng.IntN(2)]
		return func(ctx context.Context) error { return c.DeletePrefix(ctx, b, o.Key) }
	}
	o.Key = r.cfg.Prefix // list
	return func(ctx context.Context) error { return r.list(ctx, o) }
}

func (r *runner) head(ctx context.Context, o *Op) error {
	obj, err := r.cfg.Client.Head(ctx, r.cfg.Bucket, o.Key)
	o.Found, o.GotLen = err == nil, obj.Size
	return notFoundIsAnAnswer(err)
}

func pick(rng *rand.Rand) string {
	total := 0
	for _, k := range kinds {
		total += k.weight
	}
	n := rng.IntN(total)
	for _, k := range kinds {
		if n < k.weight {
			return k.name
		}
		n -= k.weight
	}
	panic("unreachable")
}

// errCallTimeout ends a call that took longer than Config.CallTimeout.
var errCallTimeout = errors.New("history: the call did not return within the call timeout (is the server answering?)")

// errCut is what a cut body returns in place of the rest of its bytes, as
// an HTTP response body cut short does.
var errCut = fmt.Errorf("history: body cut short: %w", io.ErrUnexpectedEOF)

// cutReader yields the first cut bytes of a value, then errCut.
type cutReader struct {
	r   io.Reader
	cut int64
}

func (c *cutReader) Read(p []byte) (int, error) {
	if c.cut <= 0 {
		return 0, errCut
	}
	if int64(len(p)) > c.cut {
		p = p[:c.cut]
	}
	n, err := c.r.Read(p)
	c.cut -= int64(n)
	return n, err
}

// onlyReader hides the size of a body.
type onlyReader struct{ r io.Reader }

func (o onlyReader) Read(p []byte) (int, error) { return o.r.Read(p) }

func (r *runner) put(ctx context.Context, o *Op, unknownSize bool, cut int64) error {
	var body io.Reader = bytes.NewReader(value(o.ID, o.Len))
	opts := slices.Clone(r.cfg.PutOptions)
	if cut >= 0 {
		body = &cutReader{r: body, cut: cut}
		if !unknownSize {
			opts = append(opts, s3kit.WithSize(o.Len))
		}
	} else if unknownSize {
		body = onlyReader{body}
	}
	_, err := r.cfg.Client.Put(ctx, r.cfg.Bucket, o.Key, body, opts...)
	return err
}

// notFoundIsAnAnswer turns ErrNotFound into a successful read that found
// nothing.
func notFoundIsAnAnswer(err error) error {
	if errors.Is(err, s3kit.ErrNotFound) {
		return nil
	}
	return err
}

// checkWhole checks that b is one whole value and records which.
func checkWhole(o *Op, b []byte) {
	o.Found, o.GotLen = true, int64(len(b))
	id, n, ok := parseHeader(b)
	switch {
	case !ok:
		o.Bad = fmt.Sprintf("%d bytes without a value header", len(b))
	case n != int64(len(b)):
		o.GotID = id
		o.Bad = fmt.Sprintf("value %x is %d bytes long, read %d: truncated or extended", id, n, len(b))
	case !bytes.Equal(b, value(id, n)):
		o.GotID = id
		o.Bad = fmt.Sprintf("value %x: bytes differ from what was written (a mix of values?)", id)
	default:
		o.GotID = id
	}
}

func (r *runner) get(ctx context.Context, o *Op) error {
	rd, err := r.cfg.Client.Get(ctx, r.cfg.Bucket, o.Key)
	if err != nil {
		return notFoundIsAnAnswer(err)
	}
	defer rd.Close()
	b, err := io.ReadAll(rd)
	if err != nil {
		return err
	}
	checkWhole(o, b)
	if o.Bad == "" && rd.Size != int64(len(b)) {
		o.Bad = fmt.Sprintf("ObjectReader.Size %d but %d bytes read", rd.Size, len(b))
	}
	return nil
}

func (r *runner) getRange(ctx context.Context, o *Op, n int64) error {
	rd, err := r.cfg.Client.Get(ctx, r.cfg.Bucket, o.Key, s3kit.WithRange(o.Off, n))
	if err != nil {
		return notFoundIsAnAnswer(err)
	}
	defer rd.Close()
	b, err := io.ReadAll(rd)
	if err != nil {
		return err
	}
	o.Found, o.Data, o.GotLen = true, b, rd.Size
	return nil
}

// memWriter is an io.WriterAt in memory.
type memWriter struct {
	mu  sync.Mutex
	buf []byte
}

func (m *memWriter) WriteAt(p []byte, off int64) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if end := off + int64(len(p)); end > int64(len(m.buf)) {
		m.buf = append(m.buf, make([]byte, end-int64(len(m.buf)))...)
	}
	return copy(m.buf[off:], p), nil
}

func (r *runner) download(ctx context.Context, o *Op) error {
	var w memWriter
	obj, err := r.cfg.Client.Download(ctx, r.cfg.Bucket, o.Key, &w)
	if err != nil {
		return notFoundIsAnAnswer(err)
	}
	if obj.Size != int64(len(w.buf)) {
		o.Found, o.GotLen = true, obj.Size
		o.Bad = fmt.Sprintf("Download said %d bytes, wrote %d", obj.Size, len(w.buf))
		return nil
	}
	checkWhole(o, w.buf)
	return nil
}

func (r *runner) list(ctx context.Context, o *Op) error {
	for obj, err := range r.cfg.Client.List(ctx, r.cfg.Bucket, s3kit.WithPrefix(o.Key), s3kit.WithPageSize(2)) {
		if err != nil {
			return err
		}
		o.Listed = append(o.Listed, Listed{obj.Key, obj.Size})
	}
	return nil
}

// Counts tallies the calls by kind and outcome, for the test log.
func (h *History) Counts() map[string]int {
	m := map[string]int{}
	for _, o := range h.Ops {
		m["calls"]++
		switch o.outcome() {
		case ok:
			m[o.Kind+" ok"]++
		case failed:
			m[o.Kind+" failed"]++
		case unknown:
			m[o.Kind+" outcome unknown"]++
		}
		if o.Cancelled {
			m["cancel scheduled"]++
		}
	}
	return m
}
