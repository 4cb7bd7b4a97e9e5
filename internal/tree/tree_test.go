package tree

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestLocalName(t *testing.T) {
	ok := []string{"a", "a/b/c.txt", "with space/été 日本.txt", "a..b", "..a", "a.", "time 10:30" /* not on Windows */}
	for _, rel := range ok {
		if runtime.GOOS == "windows" && rel == "time 10:30" {
			continue
		}
		p, err := LocalName(rel)
		require.NoError(t, err, rel)
		assert.Equal(t, filepath.FromSlash(rel), p)
	}
	bad := []string{"", "a/", "/abs", "a//b", "./a", "a/./b", "..", "../a", "a/../../b", `a\b`, `..\a`,
		"C:", "C:/x", "c:x", "a\x00b", "a/.."}
	for _, rel := range bad {
		_, err := LocalName(rel)
		assert.Error(t, err, rel)
	}
}

func TestConflicts(t *testing.T) {
	got := Conflicts([]string{"p", "p/x", "p/y", "a/b", "a/b/c/d", "q", "qr/x", "z/z"})
	assert.Equal(t, map[string]string{"p": "p/x", "a/b": "a/b/c/d"}, got)
	assert.Nil(t, Conflicts([]string{"a", "b/c"}))
}

func TestPrefix(t *testing.T) {
	assert.Equal(t, "", Prefix(""))
	assert.Equal(t, "a/", Prefix("a"))
	assert.Equal(t, "a/", Prefix("a/"))
}

func TestMatch(t *testing.T) {
	cases := []struct {
		pattern, rel string
		want         bool
	}{
		{"*.jpg", "a.jpg", true},
		{"*.jpg", "x/y/a.jpg", true},
		{"*.jpg", "a.jpg/b", false},
		{"photos/*.jpg", "photos/a.jpg", true},
		{"photos/*.jpg", "photos/2026/a.jpg", false},
		{"photos/**/*.jpg", "photos/a.jpg", true},
		{"photos/**/*.jpg", "photos/2026/01/a.jpg", true},
		{"photos/**", "photos/a/b", true},
		{"photos/**", "other/a", false},
		{"**/x", "x", true},
		{"**/x", "a/b/x", true},
		{"a/?/c", "a/b/c", true},
		{"a/?/c", "a/bb/c", false},
	}
	for _, tc := range cases {
		assert.Equal(t, tc.want, Match(tc.pattern, tc.rel), "%s %s", tc.pattern, tc.rel)
	}
}

func TestFilter(t *testing.T) {
	f := &Filter{Include: []string{"*.go"}, Exclude: []string{"vendor", "*_test.go"}}
	require.NoError(t, f.Check())
	assert.True(t, f.Takes("a.go"))
	assert.True(t, f.Takes("x/a.go"))
	assert.False(t, f.Takes("a_test.go"))
	assert.False(t, f.Takes("vendor/a.go"))
	assert.False(t, f.Takes("x/vendor/y/a.go"))
	assert.False(t, f.Takes("a.txt"))
	assert.True(t, (*Filter)(nil).Takes("anything"))
	assert.Error(t, (&Filter{Include: []string{"[a-"}}).Check())
	assert.Error(t, (&Filter{Exclude: []string{""}}).Check())
}

func TestWalk(t *testing.T) {
	root := t.TempDir()
	for _, p := range []string{"a.txt", "d/b.txt", "d/e/c.txt", "skip/x.txt"} {
		full := filepath.Join(root, filepath.FromSlash(p))
		require.NoError(t, os.MkdirAll(filepath.Dir(full), 0o755))
		require.NoError(t, os.WriteFile(full, []byte(p), 0o644))
	}
	require.NoError(t, os.Symlink(filepath.Join(root, "d"), filepath.Join(root, "link")))
	require.NoError(t, os.Symlink(root, filepath.Join(root, "d", "up")))
	require.NoError(t, os.Symlink(filepath.Join(root, "missing"), filepath.Join(root, "broken")))

	w, err := Walk(root, &Filter{Exclude: []string{"skip"}}, false)
	require.NoError(t, err)
	assert.Equal(t, []string{"a.txt", "d/b.txt", "d/e/c.txt"}, rels(w.Files))
	assert.Equal(t, 4, w.Excluded) // three links and skip/
	assert.Empty(t, w.Problems)

	w, err = Walk(root, &Filter{Exclude: []string{"skip"}}, true)
	require.NoError(t, err)
	assert.Equal(t, []string{"a.txt", "d/b.txt", "d/e/c.txt", "link/b.txt", "link/e/c.txt"}, rels(w.Files))
	var problems []string
	for _, p := range w.Problems {
		problems = append(problems, p.Rel)
	}
	assert.ElementsMatch(t, []string{"broken", "d/up", "link/up"}, problems)

	_, err = Walk(filepath.Join(root, "a.txt"), nil, false)
	assert.Error(t, err)
}

func rels(es []Entry) []string {
	var out []string
	for _, e := range es {
		out = append(out, e.Rel)
	}
	return out
}

func TestRunSharesOneLimit(t *testing.T) {
	weights := []int{1, 3, 1, 1, 5, 2, 1}
	var held, most atomic.Int64
	fails := Run(t.Context(), 4, len(weights), func(i int) int { return weights[i] }, func(ctx context.Context, i int) error {
		w := int64(min(weights[i], 4))
		n := held.Add(w)
		for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
		}
		held.Add(-w)
		return nil
	}, false)
	assert.Empty(t, fails)
	assert.LessOrEqual(t, most.Load(), int64(4))
}

func TestRunFailurePolicy(t *testing.T) {
	boom := errors.New("boom")
	job := func(ctx context.Context, i int) error {
		if i == 2 || i == 5 {
			return fmt.Errorf("job %d: %w", i, boom)
		}
		return nil
	}
	// One slot: the jobs run in order, so the stop is exact.
	var ran []int
	var mu sync.Mutex
	fails := Run(t.Context(), 1, 8, func(int) int { return 1 }, func(ctx context.Context, i int) error {
		mu.Lock()
		ran = append(ran, i)
		mu.Unlock()
		return job(ctx, i)
	}, false)
	require.Len(t, fails, 1)
	assert.Equal(t, 2, fails[0].Index)
	assert.Equal(t, []int{0, 1, 2}, ran)

	fails = Run(t.Context(), 3, 8, func(int) int { return 1 }, job, true)
	require.Len(t, fails, 2)
	assert.ElementsMatch(t, []int{2, 5}, []int{fails[0].Index, fails[1].Index})
	assert.ErrorIs(t, fails[0].Err, boom)
}

func TestRunStopsOnCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	started := 0
	Run(ctx, 1, 10, func(int) int { return 1 }, func(ctx context.Context, i int) error {
		started++
		if i == 3 {
			cancel()
		}
		return nil
	}, true)
	assert.Equal(t, 4, started)
}

func TestTempCommitAndDiscard(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "out.txt")
	require.NoError(t, os.WriteFile(target, []byte("old"), 0o600))
	f, err := CreateTemp(target)
	require.NoError(t, err)
	_, err = f.WriteString("new")
	require.NoError(t, err)
	require.NoError(t, Commit(f, target))
	b, err := os.ReadFile(target)
	require.NoError(t, err)
	assert.Equal(t, "new", string(b))

	f, err = CreateTemp(target)
	require.NoError(t, err)
	Discard(f)

	long := filepath.Join(dir, strings.Repeat("é", 127)+".txt") // the temporary name must fit in 255 bytes and stay UTF-8
	f, err = CreateTemp(long)
	require.NoError(t, err)
	assert.True(t, utf8.ValidString(filepath.Base(f.Name())))
	Discard(f)
	des, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, des, 1)
}

func TestMakeParents(t *testing.T) {
	root := t.TempDir()
	p, err := MakeParents(root, filepath.FromSlash("a/b/c.txt"))
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(root, "a", "b", "c.txt"), p)
	assert.DirExists(t, filepath.Join(root, "a", "b"))

	outside := t.TempDir()
	require.NoError(t, os.Symlink(outside, filepath.Join(root, "l")))
	_, err = MakeParents(root, filepath.FromSlash("l/x/y.txt"))
	assert.Error(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(root, "f"), nil, 0o644))
	_, err = MakeParents(root, filepath.FromSlash("f/y.txt"))
	assert.Error(t, err)
	des, err := os.ReadDir(outside)
	require.NoError(t, err)
	assert.Empty(t, des)
}

func TestPartsETag(t *testing.T) {
	data := bytes.Repeat([]byte("0123456789"), 1000)
	sizes := []int64{4000, 3000, 3000}
	all := md5.New()
	var off int64
	for _, n := range sizes {
		h := md5.Sum(data[off : off+n])
		all.Write(h[:])
		off += n
	}
	want := hex.EncodeToString(all.Sum(nil)) + "-3"
	got, err := PartsETag(bytes.NewReader(data), sizes)
	require.NoError(t, err)
	assert.Equal(t, want, got)
	assert.Equal(t, 3, MultipartCount(got))
	assert.Equal(t, 0, MultipartCount("abc-3"))
	assert.Equal(t, []int64{4000, 4000, 2000}, UniformParts(10000, 4000))
	assert.True(t, IsMD5(hex.EncodeToString(all.Sum(nil))))
	assert.False(t, IsMD5(want))
	assert.Contains(t, GuessPartSizes(12<<20, 3, 5<<20), int64(5<<20))
	assert.NotContains(t, GuessPartSizes(12<<20, 3), int64(8<<20))
}

func TestMeter(t *testing.T) {
	var got []Snapshot
	m := StartMeter(func(s Snapshot) { got = append(got, s) })
	m.SetTotal(2, 30)
	m.AddBytes(10)
	m.FileDone()
	m.AddBytes(20)
	m.FileDone()
	m.Finish()
	require.NotEmpty(t, got)
	last := got[len(got)-1]
	assert.Equal(t, Snapshot{Files: 2, TotalFiles: 2, Bytes: 30, TotalBytes: 30, Rate: last.Rate}, last)
	var nilMeter *Meter
	nilMeter.AddBytes(1)
	nilMeter.FileDone()
	nilMeter.Finish()
	assert.Nil(t, StartMeter(nil))
}
