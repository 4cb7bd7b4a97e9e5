package s3kit_test

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/s3kit/s3kit"
	"github.com/s3kit/s3kit/s3kittest"
)

// TestAttack13UploadFileFIFODoesNotHang: a named pipe is not a regular
// file; UploadFile must refuse it before any request instead of blocking
// in open(2) until some writer appears.
func TestAttack13UploadFileFIFODoesNotHang(t *testing.T) {
	_, c := setup(t)
	fifo := filepath.Join(t.TempDir(), "pipe")
	require.NoError(t, syscall.Mkfifo(fifo, 0o644))
	done := make(chan error, 1)
	go func() {
		_, err := c.UploadFile(t.Context(), bucket, "pipe", fifo)
		done <- err
	}()
	select {
	case err := <-done:
		require.ErrorIs(t, err, s3kit.ErrInvalidInput)
	case <-time.After(10 * time.Second): // a hang detector, not a speed check
		w, err := os.OpenFile(fifo, os.O_WRONLY, 0) // unblock the stuck open
		require.NoError(t, err)
		_ = w.Close()
		<-done
		t.Fatal("UploadFile blocked opening a FIFO")
	}
}

// TestAttack13SkipUnchangedTrustsStaleSHA: an object whose ETag is the MD5
// of its data proves what it holds; a s3kit-sha256 metadata that came with
// it from elsewhere (a Put that carried over another object's metadata)
// must not make skip-unchanged take a different file for the same one.
func TestAttack13SkipUnchangedTrustsStaleSHA(t *testing.T) {
	_, c := setup(t)
	ctx := t.Context()
	local := []byte("local content AAA")
	remote := []byte("remote content BB") // same size
	require.Len(t, remote, len(local))
	staleMD := map[string]string{"s3kit-sha256": sum(local)}
	_, err := c.Put(ctx, bucket, "s/f.txt", bytes.NewReader(remote), s3kit.WithMetadata(staleMD))
	require.NoError(t, err)

	t.Run("upload", func(t *testing.T) {
		src := t.TempDir()
		writeFile(t, filepath.Join(src, "f.txt"), local)
		res, err := c.UploadDir(ctx, bucket, "s", src, s3kit.WithSkipUnchanged())
		require.NoError(t, err)
		assert.Equal(t, 1, res.Files, "the object differs from the file: it must be sent")
		got, _ := getAll(t, c, "s/f.txt")
		assert.Equal(t, sum(local), got)
	})
	_, err = c.Put(ctx, bucket, "s/f.txt", bytes.NewReader(remote), s3kit.WithMetadata(staleMD))
	require.NoError(t, err)
	t.Run("download", func(t *testing.T) {
		dst := t.TempDir()
		writeFile(t, filepath.Join(dst, "f.txt"), local)
		res, err := c.DownloadDir(ctx, bucket, "s", dst, s3kit.WithSkipUnchanged())
		require.NoError(t, err)
		assert.Equal(t, 1, res.Files, "the file differs from the object: it must be fetched")
		got, err := os.ReadFile(filepath.Join(dst, "f.txt"))
		require.NoError(t, err)
		assert.Equal(t, string(remote), string(got))
	})
}

// TestAttack13UploadDirFileGrowsAfterWalk: a file that grows between the
// walk and its upload must not be stored with a SHA-256 metadata of only
// its first bytes (a later check would call the object corrupt, and the
// metadata would lie about what is stored).
func TestAttack13UploadDirFileGrowsAfterWalk(t *testing.T) {
	srv, _ := setup(t)
	ctx := t.Context()
	src := t.TempDir()
	writeFile(t, filepath.Join(src, "a"), []byte("first"))
	grow := filepath.Join(src, "b")
	writeFile(t, grow, []byte("short"))
	var grown atomic.Bool
	c := proxy(t, srv, func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method == http.MethodPut && strings.HasSuffix(r.URL.Path, "/g/a") && !grown.Swap(true) {
			f, err := os.OpenFile(grow, os.O_APPEND|os.O_WRONLY, 0)
			if err == nil {
				_, _ = f.Write(bytes.Repeat([]byte("more"), 1000))
				_ = f.Close()
			}
		}
		return false
	})
	res, err := c.UploadDir(ctx, bucket, "g", src, s3kit.WithSkipUnchanged(), s3kit.WithConcurrency(1))
	require.NoError(t, err)
	require.True(t, grown.Load())
	stored, _ := getAll(t, c, "g/b")
	obj, err := c.Head(ctx, bucket, "g/b")
	require.NoError(t, err)
	assert.Equal(t, stored, obj.Metadata["s3kit-sha256"], "the SHA-256 metadata describes the stored bytes")
	assert.Equal(t, int64(5+5+4000), res.Bytes)
}

// TestAttack13DownloadFileMD5MismatchHeadFails: when the data does not
// match an MD5 ETag and the HEAD that would explain it fails, DownloadFile
// must not report success.
func TestAttack13DownloadFileMD5MismatchHeadFails(t *testing.T) {
	srv, c0 := setup(t)
	ctx := t.Context()
	data := []byte("the real data of the object")
	_, err := c0.Put(ctx, bucket, "k", bytes.NewReader(data))
	require.NoError(t, err)
	c := proxyWith(t, srv, func(next http.Handler) func(w http.ResponseWriter, r *http.Request) bool {
		tamper := tamperGET(next, "k")
		return func(w http.ResponseWriter, r *http.Request) bool {
			if r.Method == http.MethodHead {
				s3Error(w, http.StatusInternalServerError, "InternalError")
				return true
			}
			return tamper(w, r)
		}
	}, s3kit.WithMaxAttempts(1))
	target := filepath.Join(t.TempDir(), "out")
	_, err = c.DownloadFile(ctx, bucket, "k", target)
	require.Error(t, err, "damaged data must not be committed as checked")
	assert.NoFileExists(t, target)
}

var _ = md5.Sum
var _ = hex.EncodeToString
var _ = s3kittest.AccessKey

// inflight counts the requests in flight through a proxy and keeps the
// highest count seen.
type inflight struct{ now, peak atomic.Int64 }

func (f *inflight) enter() {
	n := f.now.Add(1)
	for {
		p := f.peak.Load()
		if n <= p || f.peak.CompareAndSwap(p, n) {
			return
		}
	}
}

// TestAttack13ConcurrencyOneIsOne: WithConcurrency(1) on a directory
// transfer means one request at a time, a large file's parts included.
func TestAttack13ConcurrencyOneIsOne(t *testing.T) {
	srv, _ := setup(t)
	ctx := t.Context()
	var f inflight
	gate := make(chan struct{}, 1)
	c := proxyWith(t, srv, func(next http.Handler) func(w http.ResponseWriter, r *http.Request) bool {
		return func(w http.ResponseWriter, r *http.Request) bool {
			f.enter()
			defer f.now.Add(-1)
			select { // give other requests a chance to overlap
			case gate <- struct{}{}:
				<-gate
			default:
			}
			next.ServeHTTP(w, r)
			return true
		}
	})
	src, dst := t.TempDir(), t.TempDir()
	makeTree(t, src, map[string][]byte{"big": randomBytes(21 << 20), "small": []byte("x")})
	_, err := c.UploadDir(ctx, bucket, "one", src, append([]s3kit.DirOption{s3kit.WithConcurrency(1)}, smallParts...)...)
	require.NoError(t, err)
	assert.Equal(t, int64(1), f.peak.Load(), "upload")
	f.peak.Store(0)
	_, err = c.DownloadDir(ctx, bucket, "one", dst, append([]s3kit.DirOption{s3kit.WithConcurrency(1)}, downParts...)...)
	require.NoError(t, err)
	assert.Equal(t, int64(1), f.peak.Load(), "download")
}

// TestAttack13OddKeys: keys that are odd but harmless on this system are
// written inside dir; keys that cannot be written fail without leaving a
// temporary file; nothing appears beside dir.
func TestAttack13OddKeys(t *testing.T) {
	_, c := setup(t)
	ctx := t.Context()
	long := strings.Repeat("n", 256)
	keys := map[string]bool{ // key under "o/" → written
		"．．／fullwidth":     true,
		"\u2025/twodot":    true,
		"ctl\x01\x1f\x7f":  true,
		"A":                true,
		"a":                true,
		"caf\u00e9":        true, // NFC
		"cafe\u0301":       true, // NFD
		"...":              true,
		"..x":              true,
		"x..":              true,
		"-rf":              true,
		"~":                true,
		"$HOME":            true,
		long:               false, // a segment over NAME_MAX
		"d/" + long + "/f": false,
		"..\\x":            false,
		"a/..":             false,
		"a/.":              false,
		".":                false,
		"..":               false,
		"c:":               false,
		"Z:x":              false,
		"\\\\srv\\share":   false,
		"file/":            false, // with data
	}
	for k := range keys {
		_, err := c.S3().PutObject(ctx, &s3.PutObjectInput{Bucket: ptr(bucket), Key: ptr("o/" + k), Body: strings.NewReader("data of " + k)})
		require.NoError(t, err, "%q", k)
	}
	_, err := c.S3().PutObject(ctx, &s3.PutObjectInput{Bucket: ptr(bucket), Key: ptr("o/"), Body: strings.NewReader("")})
	require.NoError(t, err)
	_, err = c.S3().PutObject(ctx, &s3.PutObjectInput{Bucket: ptr(bucket), Key: ptr("o"), Body: strings.NewReader("the prefix as a key, not under it")})
	require.NoError(t, err)
	_, err = c.S3().PutObject(ctx, &s3.PutObjectInput{Bucket: ptr(bucket), Key: ptr("o2/x"), Body: strings.NewReader("a neighbour")})
	require.NoError(t, err)

	root := t.TempDir()
	dst := filepath.Join(root, "dst")
	res, err := c.DownloadDir(ctx, bucket, "o", dst, s3kit.WithContinueOnError())
	var de *s3kit.DirError
	require.ErrorAs(t, err, &de)
	failed := map[string]bool{}
	for _, f := range de.Failures {
		failed[strings.TrimPrefix(f.Key, "o/")] = true
	}
	got := readTree(t, dst)
	for k, ok := range keys {
		if ok {
			assert.Contains(t, got, k, "%q is written", k)
			assert.NotContains(t, failed, k)
		} else {
			assert.Contains(t, failed, k, "%q fails", k)
		}
	}
	assert.Len(t, got, res.Files)
	assert.Equal(t, []string{"dst"}, dirNames(t, root))
	require.NoError(t, filepath.WalkDir(dst, func(p string, d os.DirEntry, err error) error {
		require.NoError(t, err)
		assert.NotContains(t, d.Name(), ".s3kit-tmp", "no temporary file is left")
		return nil
	}))
}

// cancelAt returns a client that cancels cancel at the nth request it
// sees and holds that request until the client gives up on it.
func cancelAt(t *testing.T, srv *s3kittest.Server, n int64, cancel context.CancelFunc) *s3kit.Client {
	var seen atomic.Int64
	return proxy(t, srv, func(w http.ResponseWriter, r *http.Request) bool {
		if seen.Add(1) != n {
			return false
		}
		// The server notices a closed connection only once it has read
		// the body.
		_, _ = io.Copy(io.Discard, r.Body)
		cancel()
		select {
		case <-r.Context().Done():
		case <-time.After(3 * time.Second): // a request sent outside the cancelled context
			t.Logf("request %d not abandoned after the cancel: %s %s", n, r.Method, r.URL)
			return false
		}
		return true
	})
}

// progressCheck records DirProgress reports and checks they never go
// back in files and never show more bytes than the total.
type progressCheck struct {
	t         *testing.T
	lastFiles int
	reports   int
}

func (p *progressCheck) fn(d s3kit.DirProgress) {
	p.reports++
	assert.GreaterOrEqual(p.t, d.Files, p.lastFiles, "files never go back")
	assert.LessOrEqual(p.t, d.Files, d.TotalFiles)
	assert.LessOrEqual(p.t, d.Bytes, d.TotalBytes)
	assert.GreaterOrEqual(p.t, d.Bytes, int64(0))
	p.lastFiles = d.Files
}

// noTemp fails if a temporary file is left under dir.
func noTemp(t *testing.T, dir string) {
	t.Helper()
	require.NoError(t, filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		require.NoError(t, err)
		assert.NotContains(t, d.Name(), ".s3kit-tmp", "no temporary file is left")
		return nil
	}))
}

// TestAttack13CancelAtEveryRequest cancels a DownloadDir and an UploadDir
// at each of their requests in turn: every file or object is either as it
// was or whole and new, no temporary file or multipart upload is left,
// delete-extra runs only after a complete run, and progress stays sane.
func TestAttack13CancelAtEveryRequest(t *testing.T) {
	srv, c := setup(t)
	newData := map[string][]byte{"a": []byte("new a"), "d/b": []byte("new b!"), "big": randomBytes(11 << 20)}
	oldData := map[string][]byte{"a": []byte("old a"), "d/b": []byte("old b!"), "big": randomBytes(11<<20 - 1), "extra": []byte("extra")}
	for k, b := range newData {
		_, err := c.Put(t.Context(), bucket, "cx/"+k, bytes.NewReader(b))
		require.NoError(t, err)
	}
	t.Run("download", func(t *testing.T) {
		for n := int64(1); ; n++ {
			dst := t.TempDir()
			makeTree(t, dst, oldData)
			ctx, cancel := context.WithCancel(t.Context())
			pc := &progressCheck{t: t}
			opts := append([]s3kit.DirOption{s3kit.WithDeleteExtra(), s3kit.WithDirProgress(pc.fn)}, downParts...)
			_, err := cancelAt(t, srv, n, cancel).DownloadDir(ctx, bucket, "cx", dst, opts...)
			cancel()
			got := readTree(t, dst)
			noTemp(t, dst)
			for k := range newData {
				assert.Contains(t, []string{sum(oldData[k]), sum(newData[k])}, got[k], "n=%d %s", n, k)
			}
			if err == nil {
				assert.Equal(t, sums(newData), got, "n=%d", n)
				break
			}
			require.ErrorIs(t, err, context.Canceled, "n=%d", n)
			assert.Contains(t, got, "extra", "n=%d: nothing deleted after a cancelled run", n)
			require.Less(t, n, int64(50))
		}
	})
	t.Run("upload", func(t *testing.T) {
		src := t.TempDir()
		makeTree(t, src, oldData)
		require.NoError(t, os.Remove(filepath.Join(src, "extra")))
		for n := int64(1); ; n++ {
			for k, b := range newData {
				_, err := c.Put(t.Context(), bucket, "cu/"+k, bytes.NewReader(b))
				require.NoError(t, err)
			}
			_, err := c.Put(t.Context(), bucket, "cu/extra", strings.NewReader("extra"))
			require.NoError(t, err)
			ctx, cancel := context.WithCancel(t.Context())
			pc := &progressCheck{t: t}
			opts := append([]s3kit.DirOption{s3kit.WithDeleteExtra(), s3kit.WithSkipUnchanged(), s3kit.WithDirProgress(pc.fn)}, smallParts...)
			_, err = cancelAt(t, srv, n, cancel).UploadDir(ctx, bucket, "cu", src, opts...)
			cancel()
			assert.Zero(t, pendingUploads(t, c), "n=%d", n)
			for k := range newData {
				got, _ := getAll(t, c, "cu/"+k)
				assert.Contains(t, []string{sum(oldData[k]), sum(newData[k])}, got, "n=%d %s", n, k)
			}
			if err == nil {
				assert.NotContains(t, keysUnder(t, c, "cu/"), "cu/extra")
				break
			}
			require.ErrorIs(t, err, context.Canceled, "n=%d", n)
			assert.Contains(t, keysUnder(t, c, "cu/"), "cu/extra", "n=%d: nothing deleted after a cancelled run", n)
			require.Less(t, n, int64(50))
		}
	})
}

// TestAttack13UploadDirRefusesBadKeysFirst: a file whose key S3 cannot
// take (not UTF-8, or over 1024 bytes) is refused before any upload, as
// DownloadDir refuses its keys before any download: with the default
// policy nothing is stored.
func TestAttack13UploadDirRefusesBadKeysFirst(t *testing.T) {
	_, c := setup(t)
	ctx := t.Context()
	deep := strings.Repeat(strings.Repeat("d", 200)+"/", 6) + "f"
	for name, rel := range map[string]string{"not UTF-8": "bad\xff.txt", "too long": deep} {
		t.Run(name, func(t *testing.T) {
			src := t.TempDir()
			makeTree(t, src, map[string][]byte{"a.txt": []byte("a"), "b.txt": []byte("b"), rel: []byte("x")})
			prefix := strings.ReplaceAll(name, " ", "-")
			_, err := c.UploadDir(ctx, bucket, prefix, src, s3kit.WithConcurrency(1))
			require.ErrorIs(t, err, s3kit.ErrInvalidInput)
			var de *s3kit.DirError
			require.ErrorAs(t, err, &de)
			require.Len(t, de.Failures, 1)
			assert.Equal(t, prefix+"/"+rel, de.Failures[0].Key)
			assert.Empty(t, keysUnder(t, c, prefix+"/"), "nothing is stored")
			res, err := c.UploadDir(ctx, bucket, prefix, src, s3kit.WithContinueOnError())
			require.ErrorIs(t, err, s3kit.ErrInvalidInput)
			assert.Equal(t, 2, res.Files)
		})
	}
}

// TestAttack13DownloadDirObjectGrowsAfterListing: an object replaced by a
// larger one between the listing and its download is downloaded whole, and
// the progress never shows more bytes done than in all.
func TestAttack13DownloadDirObjectGrowsAfterListing(t *testing.T) {
	for _, n := range []int{1 << 20, 11 << 20} { // in one GET, in ranges
		t.Run(fmt.Sprint(n), func(t *testing.T) { downloadGrown(t, randomBytes(n)) })
	}
}

func downloadGrown(t *testing.T, bigger []byte) {
	srv, c0 := setup(t)
	ctx := t.Context()
	_, err := c0.Put(ctx, bucket, "gr/f", strings.NewReader("small"))
	require.NoError(t, err)
	c := proxyWith(t, srv, func(next http.Handler) func(w http.ResponseWriter, r *http.Request) bool {
		return func(w http.ResponseWriter, r *http.Request) bool {
			if s3kittest.Operation(r) != "ListObjectsV2" {
				return false
			}
			next.ServeHTTP(w, r)
			_, err := c0.Put(ctx, bucket, "gr/f", bytes.NewReader(bigger))
			assert.NoError(t, err)
			return true
		}
	})
	pc := &progressCheck{t: t}
	dst := t.TempDir()
	res, err := c.DownloadDir(ctx, bucket, "gr", dst, append([]s3kit.DirOption{s3kit.WithDirProgress(pc.fn)}, downParts...)...)
	require.NoError(t, err)
	assert.Equal(t, int64(len(bigger)), res.Bytes)
	assert.Equal(t, map[string]string{"f": sum(bigger)}, readTree(t, dst))
	assert.Positive(t, pc.reports)
}

// TestAttack13UploadDirSpecialFiles: a FIFO in the tree, or a link to one
// followed, is left out and never opened; the call does not hang.
func TestAttack13UploadDirSpecialFiles(t *testing.T) {
	_, c := setup(t)
	src := t.TempDir()
	makeTree(t, src, map[string][]byte{"a": []byte("a")})
	require.NoError(t, syscall.Mkfifo(filepath.Join(src, "pipe"), 0o644))
	require.NoError(t, os.Symlink(filepath.Join(src, "pipe"), filepath.Join(src, "link")))
	require.NoError(t, os.Symlink("/dev/zero", filepath.Join(src, "zero")))
	for _, follow := range []bool{false, true} {
		var opts []s3kit.DirOption
		if follow {
			opts = append(opts, s3kit.WithFollowSymlinks())
		}
		res, err := c.UploadDir(t.Context(), bucket, fmt.Sprint("sp", follow), src, opts...)
		require.NoError(t, err)
		assert.Equal(t, s3kit.DirResult{Files: 1, Bytes: 1, Excluded: 3}, res)
	}
}

// TestAttack13DownloadFileProgressNotDoneOnFailure: a DownloadFile whose
// content check fails never reported Bytes == Total, and one that succeeds
// reports it last, once the file is in place.
func TestAttack13DownloadFileProgressNotDoneOnFailure(t *testing.T) {
	srv, c0 := setup(t)
	ctx := t.Context()
	data := randomBytes(64 << 10)
	_, err := c0.Put(ctx, bucket, "pk", bytes.NewReader(data))
	require.NoError(t, err)
	c := proxyWith(t, srv, func(next http.Handler) func(w http.ResponseWriter, r *http.Request) bool {
		return tamperGET(next, "pk")
	})
	target := filepath.Join(t.TempDir(), "out")
	var reports []s3kit.Progress
	_, err = c.DownloadFile(ctx, bucket, "pk", target, s3kit.WithProgress(func(p s3kit.Progress) { reports = append(reports, p) }))
	require.ErrorIs(t, err, s3kit.ErrDataCorrupted)
	for _, p := range reports {
		assert.False(t, p.Total >= 0 && p.Bytes == p.Total, "a failed DownloadFile reported done: %+v", p)
	}
	reports = nil
	var existed []bool
	_, err = c0.DownloadFile(ctx, bucket, "pk", target, s3kit.WithProgress(func(p s3kit.Progress) {
		reports = append(reports, p)
		_, err := os.Stat(target)
		existed = append(existed, err == nil)
	}))
	require.NoError(t, err)
	require.NotEmpty(t, reports)
	last := reports[len(reports)-1]
	assert.Equal(t, last.Total, last.Bytes)
	assert.True(t, existed[len(existed)-1], "done is reported once the file is in place")
}

// TestAttack13ExcludeWithSlashIsRefused: WithExclude("secrets/") would
// match nothing and upload the secrets; it is refused before any request.
func TestAttack13ExcludeWithSlashIsRefused(t *testing.T) {
	srv, _ := setup(t)
	c, ops := counting(t, srv)
	src := t.TempDir()
	makeTree(t, src, map[string][]byte{"secrets/key": []byte("k"), "a": []byte("a")})
	for _, p := range []string{"secrets/", "/secrets"} {
		_, err := c.UploadDir(t.Context(), bucket, "ex", src, s3kit.WithExclude(p))
		require.ErrorIs(t, err, s3kit.ErrInvalidInput, p)
	}
	assert.Empty(t, ops.n, "no request")
}

// TestAttack13ContinueReportsEveryKind: with WithContinueOnError, failures
// of different kinds are all reported and each matches errors.Is.
func TestAttack13ContinueReportsEveryKind(t *testing.T) {
	srv, _ := setup(t)
	c := proxy(t, srv, func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method == http.MethodPut && strings.HasSuffix(r.URL.Path, "/denied") {
			s3Error(w, http.StatusForbidden, "AccessDenied")
			return true
		}
		return false
	})
	src := t.TempDir()
	makeTree(t, src, map[string][]byte{"denied": []byte("d"), "ok": []byte("o"), "bad\xff": []byte("b")})
	res, err := c.UploadDir(t.Context(), bucket, "ck", src, s3kit.WithContinueOnError())
	assert.ErrorIs(t, err, s3kit.ErrAccessDenied)
	assert.ErrorIs(t, err, s3kit.ErrInvalidInput)
	var de *s3kit.DirError
	require.ErrorAs(t, err, &de)
	assert.Len(t, de.Failures, 2)
	var fe *s3kit.FileError
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, "ck/bad\xff", fe.Key, "those refused before any transfer come first")
	assert.Equal(t, 1, res.Files)
}
