package history

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/s3kit/s3kit"
	"github.com/s3kit/s3kit/s3kittest"
)

// Violation is a call whose answer disagrees with what the store could hold.
type Violation struct {
	Op   *Op
	What string
	Near []*Op // the calls on the same keys around it, in order of start
}

// String prints the violation with the history around it.
func (v Violation) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n  in: %s\n  history of its keys around it:\n", v.What, v.Op)
	for _, o := range v.Near {
		mark := "   "
		if o == v.Op {
			mark = ">> "
		}
		fmt.Fprintf(&b, "    %s%s\n", mark, o)
	}
	return b.String()
}

// never is the end of the effect of a call whose outcome is unknown: it may
// take effect at any time after it started.
const never = math.MaxInt64

// checker holds the index of a history.
type checker struct {
	h   *History
	all []*Op
}

// Check holds the history against S3's per-key semantics and returns what
// disagrees:
//   - a body cut short must fail its Put;
//   - every error must be one the faults, the cancels or the run itself can
//     cause (an error such as NoSuchUpload means s3kit broke its own upload);
//   - every read returns one whole value, as written, that a write not
//     failed with a definite error could have put there before the read
//     ended, and that no write known to have finished later had replaced
//     before the read began; a ranged read returns the bytes of such a value;
//   - a read finds nothing only if a delete could explain it;
//   - a listing shows only keys that a write could have produced, with the
//     size of such a value, and every key that surely existed throughout.
func (h *History) Check() []Violation {
	c := &checker{h: h, all: append(slices.Clone(h.Ops), h.Final...)}
	var vs []Violation
	add := func(o *Op, format string, args ...any) {
		vs = append(vs, Violation{Op: o, What: fmt.Sprintf(format, args...), Near: c.near(o)})
	}
	for _, o := range c.all {
		c.checkOutcome(o, add)
		if o.Err == nil {
			c.checkAnswer(o, add)
		}
	}
	return vs
}

// checkOutcome checks how o ended: a Put whose body was cut short must
// fail with a definite error, and an error must be one the run can cause.
func (c *checker) checkOutcome(o *Op, add func(*Op, string, ...any)) {
	if o.Kind == "put-cut" && o.outcome() != failed {
		add(o, "a Put whose body failed did not fail with a definite error")
	}
	if o.Err != nil && !c.expected(o) {
		add(o, "an error that no fault, cancel or concurrent call explains")
	}
}

// checkAnswer checks what a call that returned no error saw: a listing,
// or what a read found.
func (c *checker) checkAnswer(o *Op, add func(*Op, string, ...any)) {
	switch {
	case o.Kind == "list":
		c.checkList(o, add)
	case !isRead(o.Kind):
	case !o.Found:
		if w := c.surelyPresent(o.Key, o.Start, o.End); w != nil {
			add(o, "found nothing, but %s stored a value before this read began and no delete could have removed it", w)
		}
	case o.Bad != "":
		add(o, "read bytes that are no whole value: %s", o.Bad)
	case o.Kind == "get" || o.Kind == "download":
		c.checkValue(o, o.GotID, add)
	case o.Kind == "head":
		c.checkFresh(o, o.Key, "Head found a size", func(cd candidate) bool { return cd.length == o.GotLen }, add)
	case o.Kind == "get-range":
		c.checkFresh(o, o.Key, "the range read matches", func(cd candidate) bool { return c.rangeMatches(o, cd) }, add)
	}
}

// expected reports whether a failed call's error is one the run can cause.
func (c *checker) expected(o *Op) bool {
	err := o.Err
	var e *s3kit.Error
	switch {
	case errors.Is(err, errCallTimeout):
		return false
	case errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
		return o.Cancelled
	case errors.Is(err, s3kit.ErrOutcomeUnknown):
		return !isRead(o.Kind) && o.Kind != "list"
	case o.Kind == "put-cut":
		return errors.Is(err, errCut) || errors.Is(err, s3kit.ErrInvalidInput)
	case errors.Is(err, s3kit.ErrObjectChanged):
		return o.Kind == "copy" || isRead(o.Kind)
	case errors.Is(err, s3kit.ErrNotFound):
		return o.Kind == "copy" || isRead(o.Kind) // the source is missing, or the object went while a read resumed
	case errors.Is(err, s3kit.ErrDataCorrupted):
		return isRead(o.Kind) // a cut body whose resumes ran out
	case !errors.As(err, &e):
		return false
	}
	return expectedCode(o, e)
}

// expectedCode reports, by its provider error code, whether e, the
// *s3kit.Error that o failed with, is one the run can cause. expected calls
// it for the errors its sentinel checks leave undecided.
func expectedCode(o *Op, e *s3kit.Error) bool {
	err := o.Err
	switch e.Code {
	case "", "InternalError", "SlowDown", "ServiceUnavailable", "RequestTimeout":
		return !slices.ContainsFunc(sentinels, func(s error) bool { return errors.Is(err, s) })
	case "InvalidRange":
		return o.Kind == "get-range"
	}
	var de *s3kit.DeleteError
	return errors.As(err, &de) && allInjected(de)
}

// sentinels are s3kit's sentinel errors.
var sentinels = []error{s3kit.ErrNotFound, s3kit.ErrBucketNotFound, s3kit.ErrAccessDenied, s3kit.ErrACLNotSupported,
	s3kit.ErrInvalidInput, s3kit.ErrObjectChanged, s3kit.ErrDataCorrupted, s3kit.ErrOutcomeUnknown}

// allInjected reports whether every key a batch delete failed on failed
// with a code the faults inject, or with the UnknownError that Ceph RGW 16.2
// reports for a key deleted while another call writes it. A key reported
// there may or may not have been deleted, which the checker allows for
// every batch delete.
func allInjected(de *s3kit.DeleteError) bool {
	for _, f := range de.Failed {
		if f.Code != "InternalError" && f.Code != "SlowDown" && f.Code != "UnknownError" {
			return false
		}
	}
	return true
}

// writes returns the calls that may have written key, as puts, copies and
// deletes, with any outcome.
func (c *checker) writes(key string) []*Op {
	var ws []*Op
	for _, o := range c.all {
		if o.writes(key) {
			ws = append(ws, o)
		}
	}
	return ws
}

// writes reports whether the call may change key.
func (o *Op) writes(key string) bool {
	switch o.Kind {
	case "put", "put-unknown", "put-big", "put-big-unknown", "put-cut", "copy", "delete":
		return o.Key == key
	case "delete-many":
		return slices.Contains(o.Keys, key)
	case "delete-prefix":
		return strings.HasPrefix(key, o.Key)
	}
	return false
}

func (o *Op) isDelete() bool {
	return o.Kind == "delete" || o.Kind == "delete-many" || o.Kind == "delete-prefix"
}

// effectEnd is the last logical time at which the call can take effect.
func (o *Op) effectEnd() int64 {
	if o.outcome() == unknown {
		return never
	}
	return o.End
}

// mayTakeEffect reports whether the call may have changed the store.
// Batch deletes may fail after deleting some keys.
func (o *Op) mayTakeEffect() bool {
	return o.outcome() != failed || o.Kind == "delete-many" || o.Kind == "delete-prefix"
}

// producers returns the writes that could have left value id under key
// before time before: puts of that value and copies from a key that could
// hold it, that did not fail with a definite error.
func (c *checker) producers(key string, id uint64, before int64, depth int) []*Op {
	var ps []*Op
	for _, w := range c.writes(key) {
		if w.Start >= before || w.isDelete() || !w.mayTakeEffect() {
			continue
		}
		if w.Kind == "copy" {
			if depth < 8 && len(c.producers(w.Src, id, min(before, w.effectEnd()), depth+1)) > 0 {
				ps = append(ps, w)
			}
		} else if w.ID == id {
			ps = append(ps, w)
		}
	}
	return ps
}

// overwritten returns a write known to have replaced w's value before time
// t: a put, copy or delete (a DeletePrefix too, whose listing starts after
// w ended) that succeeded, started after w ended and ended before t.
func (c *checker) overwritten(key string, w *Op, t int64) *Op {
	if w.effectEnd() == never {
		return nil
	}
	for _, o := range c.writes(key) {
		if o != w && o.outcome() == ok && o.Start > w.End && o.End < t {
			return o
		}
	}
	return nil
}

// checkValue checks that value id, read by o, could be under o.Key.
func (c *checker) checkValue(o *Op, id uint64, add func(*Op, string, ...any)) {
	ps := c.producers(o.Key, id, o.End, 0)
	if len(ps) == 0 {
		for _, w := range c.all {
			if w.ID == id && w.Len > 0 {
				add(o, "read value %x, written by %s, which could not have put it under this key", id, w)
				return
			}
		}
		add(o, "read value %x, which no write produced", id)
		return
	}
	var by *Op
	for _, w := range ps {
		if by = c.overwritten(o.Key, w, o.Start); by == nil {
			return
		}
	}
	add(o, "stale read: value %x was replaced by %s before the read began", id, by)
}

// candidate is a value that may be under a key, and the write that put it
// there (for a copy, the copy).
type candidate struct {
	w      *Op
	id     uint64
	length int64
}

// candidates returns the values writes could have left under key before
// time before.
func (c *checker) candidates(key string, before int64, depth int) []candidate {
	var cs []candidate
	for _, w := range c.writes(key) {
		if w.Start >= before || w.isDelete() || !w.mayTakeEffect() {
			continue
		}
		if w.Kind == "copy" {
			if depth < 8 {
				for _, src := range c.candidates(w.Src, min(before, w.effectEnd()), depth+1) {
					cs = append(cs, candidate{w, src.id, src.length})
				}
			}
		} else {
			cs = append(cs, candidate{w, w.ID, w.Len})
		}
	}
	return cs
}

// checkFresh checks that what o saw under key (a value that match accepts)
// could be there: some write produced such a value before o ended, and no
// write known to have finished later had replaced it before o began.
func (c *checker) checkFresh(o *Op, key, what string, match func(candidate) bool, add func(*Op, string, ...any)) {
	var by *Op
	found := false
	for _, cd := range c.candidates(key, o.End, 0) {
		if !match(cd) {
			continue
		}
		found = true
		if by = c.overwritten(key, cd.w, o.Start); by == nil {
			return
		}
	}
	if !found {
		add(o, "%s that no write could have stored under %s", what, key)
		return
	}
	add(o, "stale: %s of a value under %s that %s had replaced before this call began", what, key, by)
}

// rangeMatches reports whether a ranged read returned the bytes of value cd.
func (c *checker) rangeMatches(o *Op, cd candidate) bool {
	if cd.length != o.GotLen || o.Off >= cd.length || int64(len(o.Data)) > cd.length-o.Off {
		return false
	}
	return bytes.Equal(o.Data, valueRange(cd.id, cd.length, o.Off, int64(len(o.Data))))
}

// surelyPresent returns a write that stored a value under key before start
// and that no delete could have undone before end, or nil.
func (c *checker) surelyPresent(key string, start, end int64) *Op {
	ws := c.writes(key)
	for _, w := range ws {
		if w.isDelete() || w.outcome() != ok || w.End >= start {
			continue
		}
		removable := false
		for _, d := range ws {
			if d.isDelete() && d.mayTakeEffect() && d.Start < end && d.effectEnd() > w.Start {
				removable = true
				break
			}
		}
		if !removable {
			return w
		}
	}
	return nil
}

// checkList checks a listing.
func (c *checker) checkList(o *Op, add func(*Op, string, ...any)) {
	seen := map[string]bool{}
	for _, l := range o.Listed {
		seen[l.Key] = true
		c.checkFresh(o, l.Key, fmt.Sprintf("the listing shows size %d", l.Size), func(cd candidate) bool { return cd.length == l.Size }, add)
	}
	for _, k := range keySpace(c.h.Cfg.Prefix) {
		if !seen[k] && strings.HasPrefix(k, o.Key) {
			if w := c.surelyPresent(k, o.Start, o.End); w != nil {
				add(o, "the listing left out %s, which %s stored and no delete could have removed", k, w)
			}
		}
	}
}

// near returns the calls on o's keys from a little before o to its end.
func (c *checker) near(o *Op) []*Op {
	keys := []string{o.Key, o.Src}
	keys = append(keys, o.Keys...)
	for _, l := range o.Listed {
		keys = append(keys, l.Key)
	}
	touches := func(x *Op) bool {
		for _, k := range keys {
			if k == "" {
				continue
			}
			if x.Key == k || x.Src == k || slices.Contains(x.Keys, k) || x.writes(k) || (x.Kind == "list" && strings.HasPrefix(k, x.Key)) {
				return true
			}
		}
		return false
	}
	var near []*Op
	for _, x := range c.all {
		if touches(x) && x.Start <= o.End {
			near = append(near, x)
		}
	}
	if len(near) > 40 {
		near = near[len(near)-40:]
	}
	return near
}

// LeftUploads checks the multipart uploads left in the bucket under prefix:
// none may hold parts, and at most lostCreates may be empty, one for each
// CreateMultipartUpload whose answer the faults lost (s3kit cannot tell
// such an upload from another writer's and leaves it).
func LeftUploads(ctx context.Context, raw *s3.Client, bucket, prefix string, lostCreates int) []string {
	out, err := raw.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: &bucket, Prefix: &prefix})
	if err != nil {
		return []string{"ListMultipartUploads: " + err.Error()}
	}
	var bad []string
	empty := 0
	for _, up := range out.Uploads {
		parts, err := raw.ListParts(ctx, &s3.ListPartsInput{Bucket: &bucket, Key: up.Key, UploadId: up.UploadId})
		switch {
		case err != nil:
			bad = append(bad, fmt.Sprintf("ListParts %s: %v", *up.Key, err))
		case len(parts.Parts) > 0:
			bad = append(bad, fmt.Sprintf("upload %s of %s left with %d parts", *up.UploadId, *up.Key, len(parts.Parts)))
		default:
			empty++
		}
	}
	if empty > lostCreates {
		bad = append(bad, fmt.Sprintf("%d empty uploads left, but only %d CreateMultipartUpload answers were lost", empty, lostCreates))
	}
	return bad
}

// Report checks a finished run for a test: the history's violations (the
// first few in full), the uploads left (see [LeftUploads]), and a tally of
// the calls by kind and outcome and of the faults rules injected.
func Report(ctx context.Context, h *History, raw *s3.Client, rules []*s3kittest.Rule, lostCreates int) (problems []string, counts map[string]int) {
	const shown = 5
	vs := h.Check()
	for i, v := range vs {
		if i == shown {
			problems = append(problems, fmt.Sprintf("%d more violations not shown", len(vs)-shown))
			break
		}
		problems = append(problems, fmt.Sprintf("(replay with -history.seed=%d) %s", h.Cfg.Seed, v))
	}
	problems = append(problems, LeftUploads(ctx, raw, h.Cfg.Bucket, h.Cfg.Prefix, lostCreates)...)
	counts = h.Counts()
	for _, r := range rules {
		counts["faults injected"] += r.Fired()
	}
	return problems, counts
}

// FormatCounts prints a tally, one line a count, sorted by name.
func FormatCounts(counts map[string]int) string {
	var b strings.Builder
	for _, k := range slices.Sorted(maps.Keys(counts)) {
		fmt.Fprintf(&b, "  %-32s %d\n", k, counts[k])
	}
	return b.String()
}
