package conformance

import (
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/s3kit/s3kit"
)

// dirTree is the tree the directory round trips move: nested directories,
// 1,000 small files, three files sent in parts, and names with unicode and
// spaces. It avoids what some servers cannot store as files (versitygw's
// posix backend refuses "p" beside "p/x" and folds "a//b").
func dirTree() map[string][]byte {
	files := map[string][]byte{
		"a.txt":                         []byte("alpha"),
		"nested/one/two/three/deep.txt": []byte("deep"),
		"with space/naïve été 日本.txt":   []byte("unicode and spaces"),
		"empty.txt":                     nil,
	}
	for i := range 1000 {
		files[fmt.Sprintf("many/d%02d/f%04d.txt", i%13, i)] = []byte(fmt.Sprintf("small file %d", i))
	}
	for i := range 3 {
		files[fmt.Sprintf("large/part %d.bin", i)] = data(11<<20 + i*1000)
	}
	return files
}

// dirUploadParts sends files over 5 MiB in 5 MiB parts; dirDownloadParts
// fetches them in 5 MiB ranges.
var (
	dirUploadParts   = []s3kit.DirOption{s3kit.WithMultipartThreshold(5 << 20), s3kit.WithPartSize(5 << 20)}
	dirDownloadParts = []s3kit.DirOption{s3kit.WithPartSize(5 << 20)}
)

// dataRequests counts the requests that carry object data: PUTs (PutObject
// and UploadPart) and GETs of an object (not of a listing).
type dataRequests struct {
	next http.RoundTripper
	mu   sync.Mutex
	puts int
	gets int
}

func (d *dataRequests) RoundTrip(r *http.Request) (*http.Response, error) {
	d.mu.Lock()
	switch {
	case r.Method == http.MethodPut:
		d.puts++
	case r.Method == http.MethodGet && strings.Count(strings.Trim(r.URL.Path, "/"), "/") >= 1:
		d.gets++
	}
	d.mu.Unlock()
	return d.next.RoundTrip(r)
}

func (d *dataRequests) counts() (puts, gets int) {
	d.mu.Lock()
	defer d.mu.Unlock()
	puts, gets = d.puts, d.gets
	d.puts, d.gets = 0, 0
	return puts, gets
}

// directories runs UploadDir and DownloadDir round trips, and a second run
// of each with WithSkipUnchanged that must move no object data.
func (s *suite) directories(t *testing.T) {
	ctx := t.Context()
	next := http.DefaultTransport
	if s.target.HTTPClient != nil && s.target.HTTPClient.Transport != nil {
		next = s.target.HTTPClient.Transport
	}
	count := &dataRequests{next: next}
	c, err := s3kit.New(ctx, append(s.target.Options[:len(s.target.Options):len(s.target.Options)],
		s3kit.WithHTTPClient(&http.Client{Transport: count}))...)
	require.NoError(t, err)

	files := dirTree()
	src, dst := t.TempDir(), t.TempDir()
	var total int64
	for rel, b := range files {
		p := filepath.Join(src, filepath.FromSlash(rel))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, b, 0o644))
		total += int64(len(b))
	}
	up := append([]s3kit.DirOption{s3kit.WithSkipUnchanged()}, dirUploadParts...)
	down := append([]s3kit.DirOption{s3kit.WithSkipUnchanged()}, dirDownloadParts...)

	res, err := c.UploadDir(ctx, s.bucket, "dirs", src, up...)
	require.NoError(t, err)
	assert.Equal(t, s3kit.DirResult{Files: len(files), Bytes: total}, res)
	res, err = c.DownloadDir(ctx, s.bucket, "dirs", dst, down...)
	require.NoError(t, err)
	assert.Equal(t, s3kit.DirResult{Files: len(files), Bytes: total}, res)
	assert.Equal(t, treeSums(files), readSums(t, dst))

	// A multipart object checks out as a file too (its parts' ETag).
	_, err = c.DownloadFile(ctx, s.bucket, "dirs/large/part 1.bin", filepath.Join(t.TempDir(), "one"), s3kit.WithPartSize(5<<20))
	require.NoError(t, err)

	count.counts()
	res, err = c.UploadDir(ctx, s.bucket, "dirs", src, up...)
	require.NoError(t, err)
	assert.Equal(t, s3kit.DirResult{Skipped: len(files)}, res)
	res, err = c.DownloadDir(ctx, s.bucket, "dirs", dst, down...)
	require.NoError(t, err)
	assert.Equal(t, s3kit.DirResult{Skipped: len(files)}, res)
	puts, gets := count.counts()
	assert.Zero(t, puts, "a second upload of an unchanged tree sends no data")
	assert.Zero(t, gets, "a second download of an unchanged tree fetches no data")

	require.NoError(t, c.DeletePrefix(ctx, s.bucket, "dirs/"))
}

func treeSums(files map[string][]byte) map[string]string {
	out := map[string]string{}
	for k, b := range files {
		out[k] = sum(b)
	}
	return out
}

// readSums returns the SHA-256 of each regular file under dir, by its
// relative path with '/'.
func readSums(t *testing.T, dir string) map[string]string {
	out := map[string]string{}
	require.NoError(t, filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		out[filepath.ToSlash(rel)] = sum(b)
		return err
	}))
	return out
}
