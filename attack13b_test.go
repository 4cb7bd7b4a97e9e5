package s3kit_test

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

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
