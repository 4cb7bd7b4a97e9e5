package s3kit_test

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/s3kit/s3kit"
	"github.com/s3kit/s3kit/s3kittest"
)

// writeFile writes data to path, creating its directories.
func writeFile(t *testing.T, path string, data []byte) {
	t.Helper()
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	require.NoError(t, os.WriteFile(path, data, 0o644))
}

// dirNames lists the names in dir.
func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	des, err := os.ReadDir(dir)
	require.NoError(t, err)
	var names []string
	for _, de := range des {
		names = append(names, de.Name())
	}
	return names
}

// createdMode is the mode os.Create gives a new file in dir under the
// current umask.
func createdMode(t *testing.T, dir string) fs.FileMode {
	t.Helper()
	f, err := os.Create(filepath.Join(dir, "mode-probe"))
	require.NoError(t, err)
	fi, err := f.Stat()
	require.NoError(t, err)
	require.NoError(t, f.Close())
	require.NoError(t, os.Remove(f.Name()))
	return fi.Mode().Perm()
}

func TestUploadFile(t *testing.T) {
	_, c := setup(t)
	ctx := t.Context()
	dir := t.TempDir()
	body := []byte(`{"a":1}`)
	writeFile(t, filepath.Join(dir, "doc.json"), body)
	writeFile(t, filepath.Join(dir, "page.html"), []byte("<p>hi</p>"))
	writeFile(t, filepath.Join(dir, "blob.s3kitunknown"), []byte("?"))
	big := randomBytes(6 << 20)
	writeFile(t, filepath.Join(dir, "big.bin"), big)

	cases := []struct {
		file, wantType string
		opts           []s3kit.PutOption
	}{
		{"doc.json", "application/json", nil},
		{"page.html", "text/html; charset=utf-8", nil},
		{"doc.json", "text/x-mine", []s3kit.PutOption{s3kit.WithContentType("text/x-mine")}},
		{"blob.s3kitunknown", "", nil},
	}
	for _, tc := range cases {
		t.Run(tc.file+tc.wantType, func(t *testing.T) {
			res, err := c.UploadFile(ctx, bucket, "f/"+tc.file, filepath.Join(dir, tc.file), tc.opts...)
			require.NoError(t, err)
			assert.Zero(t, res.Parts)
			obj, err := c.Head(ctx, bucket, "f/"+tc.file)
			require.NoError(t, err)
			if tc.wantType == "" {
				assert.NotContains(t, obj.ContentType, "json") // the server's default
			} else {
				assert.Equal(t, tc.wantType, obj.ContentType)
			}
		})
	}

	t.Run("multipart, read in place", func(t *testing.T) {
		res, err := c.UploadFile(ctx, bucket, "f/big.bin", filepath.Join(dir, "big.bin"),
			s3kit.WithMultipartThreshold(5<<20), s3kit.WithPartSize(5<<20))
		require.NoError(t, err)
		assert.Equal(t, 2, res.Parts)
		got, _ := getAll(t, c, "f/big.bin")
		assert.Equal(t, sum(big), got)
	})

	t.Run("bad paths are refused before any request", func(t *testing.T) {
		_, err := c.UploadFile(ctx, bucket, "f/missing", filepath.Join(dir, "missing"))
		require.ErrorIs(t, err, s3kit.ErrInvalidInput)
		assert.ErrorIs(t, err, fs.ErrNotExist)
		_, err = c.UploadFile(ctx, bucket, "f/dir", dir)
		assert.ErrorIs(t, err, s3kit.ErrInvalidInput)
		_, err = c.Head(ctx, bucket, "f/dir")
		assert.ErrorIs(t, err, s3kit.ErrNotFound)
	})
}

func TestDownloadFile(t *testing.T) {
	_, c := setup(t)
	ctx := t.Context()
	dir := t.TempDir()
	small := []byte("hello file")
	big := randomBytes(11 << 20)
	_, err := c.Put(ctx, bucket, "small.txt", bytes.NewReader(small))
	require.NoError(t, err)
	_, err = c.Put(ctx, bucket, "big.bin", bytes.NewReader(big), s3kit.WithMultipartThreshold(5<<20), s3kit.WithPartSize(5<<20))
	require.NoError(t, err)
	_, err = c.Put(ctx, bucket, "empty", bytes.NewReader(nil))
	require.NoError(t, err)

	for _, tc := range []struct {
		key  string
		want []byte
	}{{"small.txt", small}, {"big.bin", big}, {"empty", nil}} {
		t.Run(tc.key, func(t *testing.T) {
			target := filepath.Join(dir, tc.key)
			writeFile(t, target, []byte("old content to replace"))
			require.NoError(t, os.Chmod(target, 0o755))
			obj, err := c.DownloadFile(ctx, bucket, tc.key, target, s3kit.WithPartSize(5<<20))
			require.NoError(t, err)
			assert.Equal(t, int64(len(tc.want)), obj.Size)
			got, err := os.ReadFile(target)
			require.NoError(t, err)
			assert.Equal(t, sum(tc.want), sum(got))
			// The new file's mode is what os.Create gives, not the old file's
			// nor anything from the store.
			fi, err := os.Stat(target)
			require.NoError(t, err)
			assert.Equal(t, createdMode(t, dir), fi.Mode().Perm())
		})
	}
	assert.ElementsMatch(t, []string{"small.txt", "big.bin", "empty"}, dirNames(t, dir), "no temporary file is left")

	t.Run("bad input", func(t *testing.T) {
		_, err := c.DownloadFile(ctx, bucket, "small.txt", "")
		assert.ErrorIs(t, err, s3kit.ErrInvalidInput)
		_, err = c.DownloadFile(ctx, bucket, "small.txt", filepath.Join(dir, "x"), s3kit.WithMultipartThreshold(5<<20))
		assert.ErrorIs(t, err, s3kit.ErrInvalidInput)
	})
}

// tamperGET returns an intercept that flips one byte of every GET answer
// for key, keeping its length.
func tamperGET(next http.Handler, key string) func(w http.ResponseWriter, r *http.Request) bool {
	return func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method != http.MethodGet || r.URL.Path != "/"+bucket+"/"+key {
			return false
		}
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		b := rec.Body.Bytes()
		if len(b) > 0 {
			b[len(b)/2] ^= 0xff
		}
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		_, _ = w.Write(b)
		return true
	}
}

// partsServer answers HEAD requests with a PartNumber for the objects in
// parts, as S3 does: the part's length, its range and the parts count
// (s3kittest ignores PartNumber). heads counts them.
type partsServer struct {
	mu    sync.Mutex
	parts map[string][]int64 // key → part sizes
	etags map[string]string  // key → ETag
	heads int
}

func (p *partsServer) intercept(w http.ResponseWriter, r *http.Request) bool {
	pn := r.URL.Query().Get("partNumber")
	key := strings.TrimPrefix(r.URL.Path, "/"+bucket+"/")
	p.mu.Lock()
	defer p.mu.Unlock()
	sizes, ok := p.parts[key]
	if r.Method != http.MethodHead || pn == "" || !ok {
		return false
	}
	p.heads++
	n, _ := strconv.Atoi(pn)
	var off, total int64
	for i, s := range sizes {
		if i < n-1 {
			off += s
		}
		total += s
	}
	w.Header().Set("ETag", `"`+p.etags[key]+`"`)
	w.Header().Set("Content-Length", strconv.FormatInt(sizes[n-1], 10))
	w.Header().Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", off, off+sizes[n-1]-1, total))
	w.Header().Set("X-Amz-Mp-Parts-Count", strconv.Itoa(len(sizes)))
	w.WriteHeader(http.StatusOK)
	return true
}

// putParts stores data as key in a multipart upload with parts of the
// given sizes, through the SDK, so the parts need not be uniform.
func putParts(t *testing.T, c *s3kit.Client, key string, data []byte, sizes []int64) string {
	t.Helper()
	ctx := t.Context()
	up, err := c.S3().CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(bucket), Key: &key})
	require.NoError(t, err)
	var done []types.CompletedPart
	var off int64
	all := md5.New()
	for i, n := range sizes {
		out, err := c.S3().UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String(bucket), Key: &key, UploadId: up.UploadId,
			PartNumber: aws.Int32(int32(i + 1)), Body: bytes.NewReader(data[off : off+n]), ContentLength: aws.Int64(n)})
		require.NoError(t, err)
		done = append(done, types.CompletedPart{ETag: out.ETag, PartNumber: aws.Int32(int32(i + 1))})
		h := md5.Sum(data[off : off+n])
		all.Write(h[:])
		off += n
	}
	_, err = c.S3().CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String(bucket), Key: &key,
		UploadId: up.UploadId, MultipartUpload: &types.CompletedMultipartUpload{Parts: done}})
	require.NoError(t, err)
	return fmt.Sprintf("%s-%d", hex.EncodeToString(all.Sum(nil)), len(sizes))
}

func TestDownloadFileChecksContent(t *testing.T) {
	srv, c := setup(t)
	ctx := t.Context()
	data := randomBytes(12 << 20)
	_, err := c.Put(ctx, bucket, "single", bytes.NewReader(data[:1<<20]))
	require.NoError(t, err)
	_, err = c.Put(ctx, bucket, "uniform", bytes.NewReader(data), s3kit.WithMultipartThreshold(5<<20), s3kit.WithPartSize(5<<20))
	require.NoError(t, err)
	odd := []int64{6 << 20, 5 << 20, 1 << 20} // parts that differ in size
	oddETag := putParts(t, c, "odd", data, odd)
	obj, err := c.Head(ctx, bucket, "odd")
	require.NoError(t, err)
	require.Equal(t, oddETag, obj.ETag)
	uni, err := c.Head(ctx, bucket, "uniform")
	require.NoError(t, err)
	etags := map[string]string{"odd": oddETag, "uniform": uni.ETag}

	cases := []struct {
		name, key   string
		parts       bool // the server tells part sizes
		tamper      bool
		opts        []s3kit.DownloadOption
		wantCorrupt bool
		wantHeads   int // HEADs with a PartNumber, where the server tells
	}{
		{name: "MD5 ETag, intact", key: "single"},
		{name: "MD5 ETag, damaged", key: "single", tamper: true, wantCorrupt: true},
		{name: "MD5 ETag, damaged, check off", key: "single", tamper: true, opts: []s3kit.DownloadOption{s3kit.WithMD5Check(false)}},
		{name: "uniform parts, intact, sizes guessed", key: "uniform"},
		{name: "uniform parts, intact, sizes told", key: "uniform", parts: true, wantHeads: 1},
		{name: "uniform parts, damaged, sizes told", key: "uniform", parts: true, tamper: true, wantCorrupt: true, wantHeads: 3},
		{name: "parts of different sizes, intact, sizes told", key: "odd", parts: true, wantHeads: 3},
		{name: "parts of different sizes, damaged, sizes told", key: "odd", parts: true, tamper: true, wantCorrupt: true, wantHeads: 3},
		// Without part sizes, parts of different sizes cannot be checked:
		// no false alarm.
		{name: "parts of different sizes, intact, sizes not told", key: "odd"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ps := &partsServer{parts: map[string][]int64{}, etags: etags}
			if tc.parts {
				ps.parts["uniform"] = []int64{5 << 20, 5 << 20, 2 << 20}
				ps.parts["odd"] = odd
			}
			pc := proxyWith(t, srv, func(next http.Handler) func(w http.ResponseWriter, r *http.Request) bool {
				return func(w http.ResponseWriter, r *http.Request) bool {
					if tc.tamper && tamperGET(next, tc.key)(w, r) {
						return true
					}
					return ps.intercept(w, r)
				}
			})
			dir := t.TempDir()
			target := filepath.Join(dir, "out")
			_, err := pc.DownloadFile(ctx, bucket, tc.key, target, tc.opts...)
			assert.Equal(t, tc.wantHeads, ps.heads)
			if tc.wantCorrupt {
				require.ErrorIs(t, err, s3kit.ErrDataCorrupted)
				assert.Empty(t, dirNames(t, dir), "neither the target nor a temporary file is left")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, []string{"out"}, dirNames(t, dir))
		})
	}

	t.Run("the object changed before the check", func(t *testing.T) {
		pc := proxy(t, srv, func(w http.ResponseWriter, r *http.Request) bool {
			if r.Method != http.MethodHead {
				return false
			}
			w.WriteHeader(http.StatusPreconditionFailed) // If-Match no longer holds
			return true
		})
		dir := t.TempDir()
		_, err := pc.DownloadFile(ctx, bucket, "uniform", filepath.Join(dir, "out"))
		require.ErrorIs(t, err, s3kit.ErrObjectChanged)
		assert.Empty(t, dirNames(t, dir))
	})

	t.Run("SSE-KMS: an ETag that is not an MD5 is not an alarm", func(t *testing.T) {
		pc := proxyWith(t, srv, func(next http.Handler) func(w http.ResponseWriter, r *http.Request) bool {
			return func(w http.ResponseWriter, r *http.Request) bool {
				if r.URL.Path != "/"+bucket+"/single" {
					return false
				}
				fake := `"0123456789abcdef0123456789abcdef"`
				if r.Method == http.MethodHead {
					w.Header().Set("ETag", fake)
					w.Header().Set("X-Amz-Server-Side-Encryption", "aws:kms")
					w.Header().Set("Content-Length", strconv.Itoa(1<<20))
					w.WriteHeader(http.StatusOK)
					return true
				}
				rec := httptest.NewRecorder()
				next.ServeHTTP(rec, r)
				for k, v := range rec.Header() {
					w.Header()[k] = v
				}
				w.Header().Set("ETag", fake)
				w.Header().Set("X-Amz-Server-Side-Encryption", "aws:kms")
				w.WriteHeader(rec.Code)
				_, _ = w.Write(rec.Body.Bytes())
				return true
			}
		})
		target := filepath.Join(t.TempDir(), "out")
		_, err := pc.DownloadFile(ctx, bucket, "single", target)
		require.NoError(t, err)
		got, err := os.ReadFile(target)
		require.NoError(t, err)
		assert.Equal(t, sum(data[:1<<20]), sum(got))
	})
}

func TestDownloadFileLeavesNothingOnFailure(t *testing.T) {
	srv, c := setup(t)
	ctx := t.Context()
	_, err := c.Put(ctx, bucket, "k", bytes.NewReader([]byte("new data")))
	require.NoError(t, err)
	dir := t.TempDir()
	target := filepath.Join(dir, "target")
	writeFile(t, target, []byte("precious"))

	_, err = c.DownloadFile(ctx, bucket, "missing", target)
	require.ErrorIs(t, err, s3kit.ErrNotFound)

	pc := proxyWith(t, srv, func(next http.Handler) func(w http.ResponseWriter, r *http.Request) bool {
		return tamperGET(next, "k")
	})
	_, err = pc.DownloadFile(ctx, bucket, "k", target)
	require.ErrorIs(t, err, s3kit.ErrDataCorrupted)

	_, err = c.DownloadFile(ctx, bucket, "k", filepath.Join(dir, "no-such-dir", "target"))
	require.Error(t, err)
	assert.ErrorIs(t, err, fs.ErrNotExist)

	got, err := os.ReadFile(target)
	require.NoError(t, err)
	assert.Equal(t, "precious", string(got), "a failed download leaves the existing file as it was")
	assert.Equal(t, []string{"target"}, dirNames(t, dir), "no temporary file is left")
}

func TestDownloadFileCancelledMidway(t *testing.T) {
	srv, c := setup(t)
	data := randomBytes(12 << 20)
	_, err := c.Put(t.Context(), bucket, "big", bytes.NewReader(data))
	require.NoError(t, err)

	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var once sync.Once
	pc := proxy(t, srv, func(w http.ResponseWriter, r *http.Request) bool {
		// The first range passes; a later one stalls until the client
		// gives up, and the test cancels once one has started.
		if r.Method != http.MethodGet || strings.HasPrefix(r.Header.Get("Range"), "bytes=0-") {
			return false
		}
		once.Do(cancel)
		<-r.Context().Done()
		return true
	})
	dir := t.TempDir()
	target := filepath.Join(dir, "big")
	writeFile(t, target, []byte("old"))
	_, err = pc.DownloadFile(ctx, bucket, "big", target, s3kit.WithPartSize(5<<20))
	require.ErrorIs(t, err, context.Canceled)
	got, err := os.ReadFile(target)
	require.NoError(t, err)
	assert.Equal(t, "old", string(got))
	assert.Equal(t, []string{"big"}, dirNames(t, dir), "the temporary file is removed")
}

func TestDownloadFileResumes(t *testing.T) {
	cut := &s3kittest.Rule{Op: "GetObject", Nth: 1, Fault: s3kittest.ResetResponse(100 << 10)}
	srv := s3kittest.NewServer(t, s3kittest.WithFaults(cut))
	srv.CreateBucket(t, bucket)
	c := srv.Client(t)
	data := randomBytes(3 << 20)
	_, err := c.Put(t.Context(), bucket, "k", bytes.NewReader(data))
	require.NoError(t, err)
	target := filepath.Join(t.TempDir(), "k")
	_, err = c.DownloadFile(t.Context(), bucket, "k", target)
	require.NoError(t, err)
	assert.Equal(t, 1, cut.Fired(), "the first answer was cut short and the rest asked for with If-Match")
	got, err := os.ReadFile(target)
	require.NoError(t, err)
	assert.Equal(t, sum(data), sum(got))
}
