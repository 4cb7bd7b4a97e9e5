package history

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/s3kit/s3kit"
)

// seq numbers ops and returns a History of them.
func seq(ops ...*Op) *History {
	for i, o := range ops {
		o.N = i
	}
	return &History{Cfg: Config{Prefix: "p/"}, Ops: ops}
}

// TestAttack_CheckerHoles feeds the checker hand-made histories that break
// S3's per-key semantics, and expects each to be flagged. Each sub-test that
// passes Check without a violation is a hole: a bug in s3kit of that shape
// would go unseen by the randomized history test.
func TestAttack_CheckerHoles(t *testing.T) {
	const k = "p/x/k0"
	tests := []struct {
		name string
		h    *History
	}{
		{
			// DeletePrefix said it deleted everything under p/ (the put had
			// finished long before it started), yet a later Get reads the
			// value: overwritten() ignores delete-prefix altogether.
			"get after a successful DeletePrefix",
			seq(
				&Op{Kind: "put", Key: k, ID: 1, Len: 100, Start: 0, End: 1},
				&Op{Kind: "delete-prefix", Key: "p/", Start: 2, End: 3},
				&Op{Kind: "get", Key: k, Found: true, GotID: 1, GotLen: 100, Start: 4, End: 5},
			),
		},
		{
			// Listings are only checked for sizes, never for staleness.
			"list shows a key surely deleted before it began",
			seq(
				&Op{Kind: "put", Key: k, ID: 1, Len: 100, Start: 0, End: 1},
				&Op{Kind: "delete", Key: k, Start: 2, End: 3},
				&Op{Kind: "list", Key: "p/", Listed: []Listed{{Key: k, Size: 100}}, Start: 4, End: 5},
			),
		},
		{
			// A found Head is only checked for a plausible size.
			"head finds a key surely deleted before it began",
			seq(
				&Op{Kind: "put", Key: k, ID: 1, Len: 100, Start: 0, End: 1},
				&Op{Kind: "delete", Key: k, Start: 2, End: 3},
				&Op{Kind: "head", Key: k, Found: true, GotLen: 100, Start: 4, End: 5},
			),
		},
		{
			// A ranged read is matched against every value ever written,
			// stale or not.
			"get-range returns bytes of a value overwritten before it began",
			seq(
				&Op{Kind: "put", Key: k, ID: 1, Len: 100, Start: 0, End: 1},
				&Op{Kind: "put", Key: k, ID: 2, Len: 100, Start: 2, End: 3},
				&Op{Kind: "get-range", Key: k, Found: true, GotLen: 100, Off: 50, Data: valueRange(1, 100, 50, 10), Start: 4, End: 5},
			),
		},
		{
			// ErrOutcomeUnknown is accepted from any call, reads included.
			"a read that fails with ErrOutcomeUnknown",
			seq(
				&Op{Kind: "get", Key: k, Err: &s3kit.Error{Op: "Get", Err: s3kit.ErrOutcomeUnknown}, Start: 0, End: 1},
			),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vs := tt.h.Check()
			assert.NotEmpty(t, vs, "the checker accepted a history that S3 semantics forbid")
		})
	}
}
