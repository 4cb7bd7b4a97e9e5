package s3kit_test

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/s3kit/s3kit"
	"github.com/s3kit/s3kit/s3kittest"
)

// makeTree writes files (relative path with '/' → content) under dir.
func makeTree(t *testing.T, dir string, files map[string][]byte) {
	t.Helper()
	for rel, b := range files {
		writeFile(t, filepath.Join(dir, filepath.FromSlash(rel)), b)
	}
}

// readTree returns the regular files under dir: relative path with '/' →
// SHA-256. It does not follow links.
func readTree(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	require.NoError(t, filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		out[filepath.ToSlash(rel)] = sum(b)
		return nil
	}))
	return out
}

// sums maps each file of a tree to its SHA-256.
func sums(files map[string][]byte) map[string]string {
	out := map[string]string{}
	for k, b := range files {
		out[k] = sum(b)
	}
	return out
}

// keysUnder lists the keys under prefix.
func keysUnder(t *testing.T, c *s3kit.Client, prefix string) []string {
	t.Helper()
	var keys []string
	for o, err := range c.List(t.Context(), bucket, s3kit.WithPrefix(prefix)) {
		require.NoError(t, err)
		keys = append(keys, o.Key)
	}
	return keys
}

// opCounts counts the requests a proxied client sends, by operation.
type opCounts struct {
	mu sync.Mutex
	n  map[string]int
}

func (o *opCounts) get(op string) int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.n[op]
}

func (o *opCounts) reset() {
	o.mu.Lock()
	o.n = map[string]int{}
	o.mu.Unlock()
}

// counting returns a client whose requests are counted.
func counting(t *testing.T, srv *s3kittest.Server, opts ...s3kit.Option) (*s3kit.Client, *opCounts) {
	t.Helper()
	oc := &opCounts{n: map[string]int{}}
	c := proxy(t, srv, func(w http.ResponseWriter, r *http.Request) bool {
		oc.mu.Lock()
		oc.n[s3kittest.Operation(r)]++
		oc.mu.Unlock()
		return false
	}, opts...)
	return c, oc
}

// sampleTree is a nested tree with unicode, spaces, an empty file and a
// file large enough for a multipart upload with 5 MiB parts.
func sampleTree() map[string][]byte {
	return map[string][]byte{
		"a.txt":                        []byte("alpha"),
		"docs/readme.json":             []byte(`{"x":1}`),
		"docs/deep/er/still/file.bin":  randomBytes(3000),
		"with space/naïve été 日本.txt":  []byte("unicode and spaces"),
		"empty":                        nil,
		"big/multipart.bin":            randomBytes(11 << 20),
		"odd+chars/a,b;c=d@e&f$g!.txt": []byte("punctuation"),
	}
}

// smallParts makes files over 5 MiB go up in 5 MiB parts; downParts
// makes them come down in 5 MiB ranges.
var (
	smallParts = []s3kit.DirOption{s3kit.WithMultipartThreshold(5 << 20), s3kit.WithPartSize(5 << 20)}
	downParts  = []s3kit.DirOption{s3kit.WithPartSize(5 << 20)}
)

func TestDirRoundTrip(t *testing.T) {
	_, c := setup(t)
	ctx := t.Context()
	src, dst := t.TempDir(), filepath.Join(t.TempDir(), "new", "dir")
	files := sampleTree()
	makeTree(t, src, files)
	require.NoError(t, os.Chmod(filepath.Join(src, "a.txt"), 0o755))

	res, err := c.UploadDir(ctx, bucket, "backup", src, smallParts...)
	require.NoError(t, err)
	var total int64
	for _, b := range files {
		total += int64(len(b))
	}
	assert.Equal(t, s3kit.DirResult{Files: len(files), Bytes: total}, res)
	var want []string
	for rel := range files {
		want = append(want, "backup/"+rel) // '/' on every system
	}
	assert.ElementsMatch(t, want, keysUnder(t, c, ""))
	obj, err := c.Head(ctx, bucket, "backup/docs/readme.json")
	require.NoError(t, err)
	assert.Equal(t, "application/json", obj.ContentType)

	res, err = c.DownloadDir(ctx, bucket, "backup/", dst, downParts...)
	require.NoError(t, err)
	assert.Equal(t, s3kit.DirResult{Files: len(files), Bytes: total}, res)
	assert.Equal(t, sums(files), readTree(t, dst))
	fi, err := os.Stat(filepath.Join(dst, "a.txt"))
	require.NoError(t, err)
	assert.Equal(t, createdMode(t, dst), fi.Mode().Perm(), "modes are not carried over")
}

func TestDirThousandSmallFiles(t *testing.T) {
	_, c := setup(t)
	ctx := t.Context()
	src, dst := t.TempDir(), t.TempDir()
	files := map[string][]byte{}
	for i := range 1000 {
		files[fmt.Sprintf("d%02d/f%04d.txt", i%17, i)] = []byte(fmt.Sprintf("file %d %s", i, strings.Repeat("x", i)))
	}
	makeTree(t, src, files)
	res, err := c.UploadDir(ctx, bucket, "many", src)
	require.NoError(t, err)
	assert.Equal(t, 1000, res.Files)
	res, err = c.DownloadDir(ctx, bucket, "many", dst)
	require.NoError(t, err)
	assert.Equal(t, 1000, res.Files)
	assert.Equal(t, sums(files), readTree(t, dst))
}

func TestDirSkipUnchanged(t *testing.T) {
	srv, _ := setup(t)
	c, ops := counting(t, srv)
	ctx := t.Context()
	src, dst := t.TempDir(), t.TempDir()
	files := sampleTree()
	makeTree(t, src, files)
	opts := append([]s3kit.DirOption{s3kit.WithSkipUnchanged()}, smallParts...)
	down := append([]s3kit.DirOption{s3kit.WithSkipUnchanged()}, downParts...)

	res, err := c.UploadDir(ctx, bucket, "sync", src, opts...)
	require.NoError(t, err)
	require.Equal(t, len(files), res.Files)
	obj, err := c.Head(ctx, bucket, "sync/big/multipart.bin")
	require.NoError(t, err)
	assert.Len(t, obj.Metadata["s3kit-sha256"], 64, "the SHA-256 is stored for the next comparison")

	t.Run("upload again: no object data is sent", func(t *testing.T) {
		ops.reset()
		res, err := c.UploadDir(ctx, bucket, "sync", src, opts...)
		require.NoError(t, err)
		assert.Equal(t, s3kit.DirResult{Skipped: len(files)}, res)
		assert.Zero(t, ops.get("PutObject")+ops.get("UploadPart")+ops.get("CreateMultipartUpload"))
		assert.LessOrEqual(t, ops.get("HeadObject"), 1, "only the multipart object needs its metadata")
	})
	t.Run("a file changed, same size: only it is sent", func(t *testing.T) {
		changed := bytes.ToUpper(files["a.txt"])
		writeFile(t, filepath.Join(src, "a.txt"), changed)
		files["a.txt"] = changed
		ops.reset()
		res, err := c.UploadDir(ctx, bucket, "sync", src, opts...)
		require.NoError(t, err)
		assert.Equal(t, s3kit.DirResult{Files: 1, Bytes: int64(len(changed)), Skipped: len(files) - 1}, res)
		assert.Equal(t, 1, ops.get("PutObject"))
	})

	_, err = c.DownloadDir(ctx, bucket, "sync", dst, down...)
	require.NoError(t, err)
	t.Run("download again: no object data is fetched", func(t *testing.T) {
		ops.reset()
		res, err := c.DownloadDir(ctx, bucket, "sync", dst, down...)
		require.NoError(t, err)
		assert.Equal(t, s3kit.DirResult{Skipped: len(files)}, res)
		assert.Zero(t, ops.get("GetObject"))
	})
	t.Run("a local file changed, same size: only it is fetched", func(t *testing.T) {
		writeFile(t, filepath.Join(dst, "docs", "readme.json"), []byte(`{"y":2}`))
		ops.reset()
		res, err := c.DownloadDir(ctx, bucket, "sync", dst, down...)
		require.NoError(t, err)
		assert.Equal(t, 1, res.Files)
		assert.Equal(t, 1, ops.get("GetObject"))
		assert.Equal(t, sums(files), readTree(t, dst))
	})
}

func TestDirDeleteExtra(t *testing.T) {
	_, c := setup(t)
	ctx := t.Context()
	put := func(key string) {
		_, err := c.Put(ctx, bucket, key, strings.NewReader("x"))
		require.NoError(t, err)
	}

	t.Run("upload deletes objects under the prefix only", func(t *testing.T) {
		src := t.TempDir()
		makeTree(t, src, map[string][]byte{"keep.txt": []byte("k"), "sub/keep.txt": []byte("k")})
		for _, k := range []string{"up/gone.txt", "up/sub/gone.txt", "up/skip.log", "upx/outside.txt", "other/outside.txt"} {
			put(k)
		}
		res, err := c.UploadDir(ctx, bucket, "up", src, s3kit.WithDeleteExtra(), s3kit.WithExclude("*.log"))
		require.NoError(t, err)
		assert.Equal(t, 2, res.Deleted)
		assert.ElementsMatch(t, []string{"up/keep.txt", "up/sub/keep.txt", "up/skip.log"}, keysUnder(t, c, "up/"))
		assert.Equal(t, []string{"upx/outside.txt"}, keysUnder(t, c, "upx"))
		assert.Equal(t, []string{"other/outside.txt"}, keysUnder(t, c, "other"))
	})

	t.Run("download deletes files under the directory only, never through links", func(t *testing.T) {
		root := t.TempDir()
		dst := filepath.Join(root, "dst")
		put("down/keep.txt")
		makeTree(t, root, map[string][]byte{
			"dst/extra.txt": []byte("e"), "dst/sub/extra.txt": []byte("e"), "dst/note.log": []byte("excluded"),
			"outside.txt": []byte("o"), "linked/inside-link.txt": []byte("l"),
		})
		require.NoError(t, os.Symlink(filepath.Join(root, "linked"), filepath.Join(dst, "link")))
		require.NoError(t, os.Symlink(filepath.Join(root, "outside.txt"), filepath.Join(dst, "file-link")))
		res, err := c.DownloadDir(ctx, bucket, "down", dst, s3kit.WithDeleteExtra(), s3kit.WithExclude("*.log"))
		require.NoError(t, err)
		assert.Equal(t, 2, res.Deleted)
		assert.Equal(t, map[string]string{"keep.txt": sum([]byte("x")), "note.log": sum([]byte("excluded"))}, readTree(t, dst))
		assert.FileExists(t, filepath.Join(root, "outside.txt"))
		assert.FileExists(t, filepath.Join(root, "linked", "inside-link.txt"))
		_, err = os.Lstat(filepath.Join(dst, "file-link"))
		assert.NoError(t, err, "links are not deleted")
	})

	t.Run("nothing is deleted when a file failed", func(t *testing.T) {
		srv, _ := setup(t)
		fc := srv.Client(t)
		_, err := fc.Put(ctx, bucket, "p/extra.txt", strings.NewReader("x"))
		require.NoError(t, err)
		src := t.TempDir()
		makeTree(t, src, map[string][]byte{"ok.txt": []byte("1")})
		require.NoError(t, os.Symlink(filepath.Join(src, "loop"), filepath.Join(src, "loop")))
		_, err = fc.UploadDir(ctx, bucket, "p", src, s3kit.WithDeleteExtra(), s3kit.WithFollowSymlinks(), s3kit.WithContinueOnError())
		require.Error(t, err)
		assert.Contains(t, keysUnder(t, fc, "p/"), "p/extra.txt")
	})
}

// TestDirDeleteExtraRefusesAnEmptySource checks that WithDeleteExtra never
// empties the destination because the source is empty, as an unmounted
// directory or a mistyped prefix would make it.
func TestDirDeleteExtraRefusesAnEmptySource(t *testing.T) {
	_, c := setup(t)
	ctx := t.Context()
	for _, k := range []string{"e/a.txt", "e/sub/b.txt"} {
		_, err := c.Put(ctx, bucket, k, strings.NewReader("x"))
		require.NoError(t, err)
	}

	t.Run("upload from an empty directory", func(t *testing.T) {
		res, err := c.UploadDir(ctx, bucket, "e", t.TempDir(), s3kit.WithDeleteExtra())
		require.ErrorIs(t, err, s3kit.ErrInvalidInput)
		assert.Contains(t, err.Error(), "WithDeleteExtra")
		assert.Zero(t, res.Deleted)
		assert.ElementsMatch(t, []string{"e/a.txt", "e/sub/b.txt"}, keysUnder(t, c, "e/"))
	})

	t.Run("upload whose filters take nothing", func(t *testing.T) {
		src := t.TempDir()
		makeTree(t, src, map[string][]byte{"only.log": []byte("l")})
		_, err := c.UploadDir(ctx, bucket, "e", src, s3kit.WithDeleteExtra(), s3kit.WithExclude("*.log"))
		require.ErrorIs(t, err, s3kit.ErrInvalidInput)
		assert.ElementsMatch(t, []string{"e/a.txt", "e/sub/b.txt"}, keysUnder(t, c, "e/"))
	})

	t.Run("download from an empty prefix", func(t *testing.T) {
		dst := t.TempDir()
		files := map[string][]byte{"mine.txt": []byte("m"), "sub/mine.txt": []byte("n")}
		makeTree(t, dst, files)
		res, err := c.DownloadDir(ctx, bucket, "no-such-prefix", dst, s3kit.WithDeleteExtra())
		require.ErrorIs(t, err, s3kit.ErrInvalidInput)
		assert.Zero(t, res.Deleted)
		assert.Equal(t, sums(files), readTree(t, dst))
	})

	t.Run("an empty source with an empty destination is fine", func(t *testing.T) {
		_, err := c.UploadDir(ctx, bucket, "empty-both", t.TempDir(), s3kit.WithDeleteExtra())
		require.NoError(t, err)
		_, err = c.DownloadDir(ctx, bucket, "empty-both", t.TempDir(), s3kit.WithDeleteExtra())
		require.NoError(t, err)
	})
}

func TestDirFailurePolicy(t *testing.T) {
	srv := s3kittest.NewServer(t, s3kittest.WithFaults(
		&s3kittest.Rule{Op: "PutObject", Key: "f/b.txt", Fault: s3kittest.ErrorResponse(403, "AccessDenied")},
		&s3kittest.Rule{Op: "PutObject", Key: "f/d.txt", Fault: s3kittest.ErrorResponse(403, "AccessDenied")},
	))
	srv.CreateBucket(t, bucket)
	c := srv.Client(t)
	ctx := t.Context()
	src := t.TempDir()
	makeTree(t, src, map[string][]byte{"a.txt": []byte("a"), "b.txt": []byte("b"), "c.txt": []byte("c"), "d.txt": []byte("d"), "e.txt": []byte("e")})

	t.Run("default: stop at the first failure", func(t *testing.T) {
		res, err := c.UploadDir(ctx, bucket, "f", src, s3kit.WithConcurrency(1))
		require.ErrorIs(t, err, s3kit.ErrAccessDenied)
		var de *s3kit.DirError
		require.ErrorAs(t, err, &de)
		require.Len(t, de.Failures, 1)
		assert.Equal(t, "f/b.txt", de.Failures[0].Key)
		assert.Equal(t, filepath.Join(src, "b.txt"), de.Failures[0].Path)
		assert.Equal(t, 1, res.Files, "a.txt went, nothing after b.txt started")
		assert.Equal(t, []string{"f/a.txt"}, keysUnder(t, c, "f/"))
	})
	t.Run("continue: every failure is reported", func(t *testing.T) {
		res, err := c.UploadDir(ctx, bucket, "f", src, s3kit.WithContinueOnError())
		require.ErrorIs(t, err, s3kit.ErrAccessDenied)
		var de *s3kit.DirError
		require.ErrorAs(t, err, &de)
		var failed []string
		for _, f := range de.Failures {
			failed = append(failed, f.Key)
			assert.ErrorIs(t, f.Err, s3kit.ErrAccessDenied)
		}
		assert.ElementsMatch(t, []string{"f/b.txt", "f/d.txt"}, failed)
		assert.Equal(t, 3, res.Files)
		assert.Contains(t, err.Error(), "2 files failed")
		assert.ElementsMatch(t, []string{"f/a.txt", "f/c.txt", "f/e.txt"}, keysUnder(t, c, "f/"))
	})
}

func TestDownloadDirRefusesEscapes(t *testing.T) {
	_, c := setup(t)
	ctx := t.Context()
	bad := []string{
		"../evil", "x/../../evil", "./dot", "a//b", "C:/evil", "c:evil", `back\slash`, "trailing/",
		"/abs", "p",
	}
	for _, k := range append([]string{"ok.txt", "p/x"}, bad...) {
		_, err := c.Put(ctx, bucket, "t/"+k, strings.NewReader("data of "+k))
		require.NoError(t, err, k)
	}
	var all []string
	for _, k := range append([]string{"ok.txt", "p/x"}, bad...) {
		all = append(all, "t/"+k)
	}
	require.ElementsMatch(t, all, keysUnder(t, c, "t/"), "s3kittest stores every key as it is")
	root := t.TempDir()
	dst := filepath.Join(root, "dst")

	t.Run("default: every refused key is reported and nothing is written", func(t *testing.T) {
		_, err := c.DownloadDir(ctx, bucket, "t", dst)
		require.ErrorIs(t, err, s3kit.ErrInvalidInput)
		var de *s3kit.DirError
		require.ErrorAs(t, err, &de)
		var refused []string
		for _, f := range de.Failures {
			refused = append(refused, strings.TrimPrefix(f.Key, "t/"))
		}
		assert.ElementsMatch(t, bad, refused)
		assert.NoDirExists(t, dst)
	})
	t.Run("continue: the good keys are written, the refused never", func(t *testing.T) {
		_, err := c.DownloadDir(ctx, bucket, "t", dst, s3kit.WithContinueOnError())
		require.ErrorIs(t, err, s3kit.ErrInvalidInput)
		assert.Equal(t, map[string]string{"ok.txt": sum([]byte("data of ok.txt")), "p/x": sum([]byte("data of p/x"))}, readTree(t, dst))
		assert.Equal(t, []string{"dst"}, dirNames(t, root), "nothing is written beside the target")
	})
	t.Run("links inside the target tree are not written through", func(t *testing.T) {
		outside := filepath.Join(root, "outside")
		require.NoError(t, os.MkdirAll(outside, 0o755))
		lt := filepath.Join(root, "links")
		require.NoError(t, os.MkdirAll(filepath.Join(lt, "real"), 0o755))
		require.NoError(t, os.Symlink(outside, filepath.Join(lt, "p")))                    // p/x would land in outside/x
		require.NoError(t, os.Symlink(filepath.Join(lt, "real"), filepath.Join(lt, "in"))) // even a link inside
		require.NoError(t, os.WriteFile(filepath.Join(outside, "target"), []byte("keep"), 0o644))
		require.NoError(t, os.Symlink(filepath.Join(outside, "target"), filepath.Join(lt, "ok.txt")))
		_, err := c.Put(ctx, bucket, "l/in/y", strings.NewReader("y"))
		require.NoError(t, err)
		for _, k := range []string{"l/p/x", "l/ok.txt"} {
			_, err := c.Put(ctx, bucket, k, strings.NewReader("data"))
			require.NoError(t, err)
		}
		_, err = c.DownloadDir(ctx, bucket, "l", lt, s3kit.WithContinueOnError())
		var de *s3kit.DirError
		require.ErrorAs(t, err, &de)
		var failed []string
		for _, f := range de.Failures {
			failed = append(failed, f.Key)
		}
		assert.ElementsMatch(t, []string{"l/p/x", "l/in/y"}, failed)
		assert.Equal(t, []string{"target"}, dirNames(t, outside))
		got, err := os.ReadFile(filepath.Join(outside, "target"))
		require.NoError(t, err)
		assert.Equal(t, "keep", string(got), "a link at the file's own name is replaced, not written through")
		fi, err := os.Lstat(filepath.Join(lt, "ok.txt"))
		require.NoError(t, err)
		assert.True(t, fi.Mode().IsRegular())
	})
}

func TestUploadDirSymlinks(t *testing.T) {
	_, c := setup(t)
	ctx := t.Context()
	root := t.TempDir()
	src := filepath.Join(root, "src")
	makeTree(t, root, map[string][]byte{"src/real.txt": []byte("r"), "outside/secret.txt": []byte("s"), "outside/sub/more.txt": []byte("m")})
	require.NoError(t, os.Symlink(filepath.Join(root, "outside", "secret.txt"), filepath.Join(src, "file-link")))
	require.NoError(t, os.Symlink(filepath.Join(root, "outside"), filepath.Join(src, "dir-link")))

	res, err := c.UploadDir(ctx, bucket, "nofollow", src)
	require.NoError(t, err)
	assert.Equal(t, 1, res.Files)
	assert.Equal(t, 2, res.Excluded)
	assert.Equal(t, []string{"nofollow/real.txt"}, keysUnder(t, c, "nofollow/"))

	res, err = c.UploadDir(ctx, bucket, "follow", src, s3kit.WithFollowSymlinks())
	require.NoError(t, err)
	assert.Equal(t, 4, res.Files)
	assert.ElementsMatch(t, []string{"follow/real.txt", "follow/file-link", "follow/dir-link/secret.txt", "follow/dir-link/sub/more.txt"},
		keysUnder(t, c, "follow/"))

	require.NoError(t, os.Symlink(src, filepath.Join(src, "cycle")))
	res, err = c.UploadDir(ctx, bucket, "cycle", src, s3kit.WithFollowSymlinks(), s3kit.WithContinueOnError())
	var de *s3kit.DirError
	require.ErrorAs(t, err, &de)
	require.Len(t, de.Failures, 1)
	assert.Equal(t, "cycle/cycle", de.Failures[0].Key)
	assert.Equal(t, 4, res.Files)
}

func TestDirFilters(t *testing.T) {
	_, c := setup(t)
	ctx := t.Context()
	src := t.TempDir()
	makeTree(t, src, map[string][]byte{
		"a.jpg": nil, "photos/b.jpg": nil, "photos/2026/c.jpg": nil, "photos/2026/c.png": nil,
		".git/config": nil, "x/.git/y.jpg": nil, "tmp/d.jpg": nil, "e.tmp": nil,
	})
	cases := []struct {
		name string
		opts []s3kit.DirOption
		want []string
	}{
		{"base name", []s3kit.DirOption{s3kit.WithInclude("*.jpg")}, []string{"a.jpg", "photos/b.jpg", "photos/2026/c.jpg", "x/.git/y.jpg", "tmp/d.jpg"}},
		{"path", []s3kit.DirOption{s3kit.WithInclude("photos/*.jpg")}, []string{"photos/b.jpg"}},
		{"double star", []s3kit.DirOption{s3kit.WithInclude("photos/**/*.jpg")}, []string{"photos/b.jpg", "photos/2026/c.jpg"}},
		{"exclude a directory anywhere", []s3kit.DirOption{s3kit.WithExclude(".git", "tmp/**", "*.tmp")},
			[]string{"a.jpg", "photos/b.jpg", "photos/2026/c.jpg", "photos/2026/c.png"}},
		{"exclude wins", []s3kit.DirOption{s3kit.WithInclude("*.jpg"), s3kit.WithExclude("photos")}, []string{"a.jpg", "x/.git/y.jpg", "tmp/d.jpg"}},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			prefix := fmt.Sprintf("filter%d/", i)
			res, err := c.UploadDir(ctx, bucket, prefix, src, tc.opts...)
			require.NoError(t, err)
			var want []string
			for _, k := range tc.want {
				want = append(want, prefix+k)
			}
			assert.ElementsMatch(t, want, keysUnder(t, c, prefix))
			assert.Equal(t, len(tc.want), res.Files)

			// The same patterns choose what comes back down.
			dst := t.TempDir()
			_, err = c.DownloadDir(ctx, bucket, prefix, dst, tc.opts...)
			require.NoError(t, err)
			got := readTree(t, dst)
			assert.Len(t, got, len(tc.want))
		})
	}
	_, err := c.UploadDir(ctx, bucket, "bad", src, s3kit.WithInclude("[a-"))
	assert.ErrorIs(t, err, s3kit.ErrInvalidInput)
}

func TestUploadDirPutOptions(t *testing.T) {
	srv, c := setup(t)
	ctx := t.Context()
	src := t.TempDir()
	makeTree(t, src, map[string][]byte{"a.json": []byte("{}"), "b/c.txt": []byte("c")})
	_, err := c.UploadDir(ctx, bucket, "po", src, s3kit.WithSkipUnchanged(), s3kit.WithPutOptions(
		s3kit.WithACL(s3kit.ACLPublicRead), s3kit.WithMetadata(map[string]string{"owner": "me"}), s3kit.WithCacheControl("max-age=60")))
	require.NoError(t, err)
	obj, err := c.Head(ctx, bucket, "po/a.json")
	require.NoError(t, err)
	assert.Equal(t, "application/json", obj.ContentType)
	assert.Equal(t, "me", obj.Metadata["owner"])
	assert.Len(t, obj.Metadata["s3kit-sha256"], 64)
	assert.Equal(t, "max-age=60", obj.CacheControl)
	assert.Equal(t, s3kit.ACLPublicRead, srv.ObjectACL(bucket, "po/b/c.txt"))

	refused := map[string][]s3kit.DirOption{
		"WithSize":        {s3kit.WithPutOptions(s3kit.WithSize(1))},
		"WithIfMatch":     {s3kit.WithPutOptions(s3kit.WithIfMatch("abc"))},
		"WithProgress":    {s3kit.WithPutOptions(s3kit.WithProgress(func(s3kit.Progress) {}))},
		"WithConcurrency": {s3kit.WithPutOptions(s3kit.WithConcurrency(2))},
		"bad ACL":         {s3kit.WithPutOptions(s3kit.WithACL("nonsense"))},
		"nil":             {nil},
	}
	for name, opts := range refused {
		_, err := c.UploadDir(ctx, bucket, "refused", src, opts...)
		assert.ErrorIs(t, err, s3kit.ErrInvalidInput, name)
	}
	for name, opt := range map[string]s3kit.DirOption{
		"WithPutOptions":         s3kit.WithPutOptions(),
		"WithFollowSymlinks":     s3kit.WithFollowSymlinks(),
		"WithMultipartThreshold": s3kit.WithMultipartThreshold(5 << 20),
		"WithContentMD5":         s3kit.WithContentMD5(true),
	} {
		_, err := c.DownloadDir(ctx, bucket, "po", t.TempDir(), opt)
		assert.ErrorIs(t, err, s3kit.ErrInvalidInput, name)
	}
	assert.Empty(t, keysUnder(t, c, "refused"))
}

func TestDirProgress(t *testing.T) {
	_, c := setup(t)
	ctx := t.Context()
	src := t.TempDir()
	files := sampleTree()
	makeTree(t, src, files)
	var total int64
	for _, b := range files {
		total += int64(len(b))
	}
	for _, dir := range []string{"up", "down"} {
		t.Run(dir, func(t *testing.T) {
			var reports []s3kit.DirProgress // no lock: the reports come from one goroutine
			prog := s3kit.WithDirProgress(func(p s3kit.DirProgress) { reports = append(reports, p) })
			var err error
			if dir == "up" {
				_, err = c.UploadDir(ctx, bucket, "prog", src, append(smallParts, prog)...)
			} else {
				_, err = c.DownloadDir(ctx, bucket, "prog", t.TempDir(), append(downParts, prog)...)
			}
			require.NoError(t, err)
			require.NotEmpty(t, reports)
			last := reports[len(reports)-1]
			assert.Equal(t, len(files), last.Files)
			assert.Equal(t, len(files), last.TotalFiles)
			assert.Equal(t, total, last.Bytes)
			assert.Equal(t, total, last.TotalBytes)
			assert.Positive(t, last.Rate)
			for i := 1; i < len(reports); i++ {
				assert.GreaterOrEqual(t, reports[i].Files, reports[i-1].Files)
			}
		})
	}
}

func TestUploadDirSharesOneLimit(t *testing.T) {
	const limit = 3
	cases := map[string]map[string][]byte{
		"small files run several at once": {},
		"a large file's parts share it":   {"big.bin": randomBytes(15 << 20)}, // three 5 MiB parts, first in walk order
	}
	for name, files := range cases {
		t.Run(name, func(t *testing.T) {
			srv, _ := setup(t)
			var inFlight, most atomic.Int64
			arrived := make(chan struct{}, 100)
			release := make(chan struct{})
			c := proxy(t, srv, func(w http.ResponseWriter, r *http.Request) bool {
				if r.Method != http.MethodPut {
					return false
				}
				n := inFlight.Add(1)
				for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
				}
				arrived <- struct{}{}
				<-release // the first requests wait until limit of them are in flight together
				inFlight.Add(-1)
				return false
			})
			go func() {
				for range limit {
					<-arrived
				}
				close(release)
				for range arrived {
				}
			}()
			t.Cleanup(func() { close(arrived) })

			src := t.TempDir()
			for i := range 10 {
				files[fmt.Sprintf("s%02d", i)] = []byte("small")
			}
			makeTree(t, src, files)
			res, err := c.UploadDir(t.Context(), bucket, "lim", src, append([]s3kit.DirOption{s3kit.WithConcurrency(limit)}, smallParts...)...)
			require.NoError(t, err)
			assert.Equal(t, len(files), res.Files)
			assert.Equal(t, int64(limit), most.Load(), "requests ran %d at once, never more", limit)
		})
	}
}

func TestDownloadDirCancelled(t *testing.T) {
	srv, c := setup(t)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	for i := range 5 {
		_, err := c.Put(t.Context(), bucket, fmt.Sprintf("cx/f%d", i), bytes.NewReader(randomBytes(1000)))
		require.NoError(t, err)
	}
	var once sync.Once
	pc := proxy(t, srv, func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method != http.MethodGet || !strings.HasSuffix(r.URL.Path, "/f2") {
			return false
		}
		once.Do(cancel)
		<-r.Context().Done()
		return true
	})
	dst := t.TempDir()
	_, err := pc.DownloadDir(ctx, bucket, "cx", dst, s3kit.WithConcurrency(1))
	require.ErrorIs(t, err, context.Canceled)
	names := dirNames(t, dst)
	sort.Strings(names)
	assert.Equal(t, []string{"f0", "f1"}, names, "no partial or temporary file is left")
}

func TestDirBadInput(t *testing.T) {
	_, c := setup(t)
	ctx := t.Context()
	_, err := c.UploadDir(ctx, bucket, "p", filepath.Join(t.TempDir(), "missing"))
	require.ErrorIs(t, err, s3kit.ErrInvalidInput)
	assert.ErrorIs(t, err, fs.ErrNotExist)
	_, err = c.UploadDir(ctx, bucket, "p", "")
	assert.ErrorIs(t, err, s3kit.ErrInvalidInput)
	_, err = c.UploadDir(ctx, "Bad_Bucket", "p", t.TempDir())
	assert.ErrorIs(t, err, s3kit.ErrInvalidInput)
	_, err = c.UploadDir(ctx, bucket, "p", t.TempDir(), s3kit.WithConcurrency(0))
	assert.ErrorIs(t, err, s3kit.ErrInvalidInput)
	_, err = c.DownloadDir(ctx, "no-such-bucket", "p", t.TempDir())
	assert.ErrorIs(t, err, s3kit.ErrBucketNotFound)
}
