package tree

import (
	"crypto/md5"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"
)

// TempSuffix ends the name of every temporary file a download writes.
const TempSuffix = ".s3kit-tmp"

// CreateTemp creates an empty temporary file beside target, named
// ".<base>.<random>.s3kit-tmp", with mode 0666 before the umask, as
// os.Create would make the target: modes never come from the store.
func CreateTemp(target string) (*os.File, error) {
	dir, base := filepath.Split(target)
	if len(base) > 128 { // room for the rest within 255 bytes
		n := 128
		for n > 0 && !utf8.RuneStart(base[n]) {
			n--
		}
		base = base[:n]
	}
	for range 10 {
		var r [6]byte
		_, _ = rand.Read(r[:])
		name := filepath.Join(dir, "."+base+"."+hex.EncodeToString(r[:])+TempSuffix)
		f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o666)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		return f, err
	}
	return nil, fmt.Errorf("no free temporary name beside %s", target)
}

// Commit syncs f to stable storage, closes it and renames it to target,
// replacing what target held, then syncs the directory so that the rename
// survives a crash. On error f is closed and removed.
func Commit(f *os.File, target string) error {
	err := f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), target)
	}
	if err != nil {
		_ = os.Remove(f.Name())
		return err
	}
	syncDir(filepath.Dir(target))
	return nil
}

// syncDir syncs a directory, where the system allows it (not on Windows).
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
}

// Discard closes and removes a temporary file that will not be committed.
func Discard(f *os.File) {
	_ = f.Close()
	_ = os.Remove(f.Name())
}

// MakeParents creates the directories of the relative path local (as
// [LocalName] returned it) under root, as os.MkdirAll would with mode 0777
// before the umask, and refuses to go through anything under root that is
// not a directory: a symbolic link there (to a directory inside or outside
// the tree) makes it fail, so nothing is ever written through one. It
// returns the path of the file.
func MakeParents(root, local string) (string, error) {
	dir := root
	segs := strings.Split(local, string(filepath.Separator))
	for _, seg := range segs[:len(segs)-1] {
		dir = filepath.Join(dir, seg)
		fi, err := os.Lstat(dir)
		if errors.Is(err, fs.ErrNotExist) {
			if err = os.Mkdir(dir, 0o777); err == nil || errors.Is(err, fs.ErrExist) {
				fi, err = os.Lstat(dir) // another file's transfer may have made it
			}
		}
		if err != nil {
			return "", err
		}
		if fi.Mode()&fs.ModeSymlink != 0 {
			return "", fmt.Errorf("%s is a symbolic link; s3kit does not write through links in the target tree", dir)
		}
		if !fi.IsDir() {
			return "", fmt.Errorf("%s is a file, not a directory", dir)
		}
	}
	return filepath.Join(root, local), nil
}

// HashFile returns the hex MD5 or SHA-256 (sha true) of r's first size
// bytes.
func HashFile(r io.ReaderAt, size int64, sha bool) (string, error) {
	var h hash.Hash = md5.New()
	if sha {
		h = sha256.New()
	}
	if _, err := io.Copy(h, io.NewSectionReader(r, 0, size)); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// PartsETag returns the ETag S3 gives a multipart upload of r's bytes in
// parts of the given sizes: the hex MD5 of the parts' MD5s, "-", and the
// number of parts.
func PartsETag(r io.ReaderAt, sizes []int64) (string, error) {
	all := md5.New()
	var off int64
	for _, n := range sizes {
		h := md5.New()
		if _, err := io.Copy(h, io.NewSectionReader(r, off, n)); err != nil {
			return "", err
		}
		all.Write(h.Sum(nil))
		off += n
	}
	return fmt.Sprintf("%s-%d", hex.EncodeToString(all.Sum(nil)), len(sizes)), nil
}

// UniformParts returns the sizes of the parts of an object of size bytes
// cut in parts of partSize (the last one shorter).
func UniformParts(size, partSize int64) []int64 {
	if partSize <= 0 {
		return nil
	}
	var out []int64
	for off := int64(0); off < size; off += partSize {
		out = append(out, min(partSize, size-off))
	}
	return out
}

// IsMD5 reports whether etag (without quotes) has the form of an MD5: 32
// hex digits.
func IsMD5(etag string) bool {
	if len(etag) != 32 {
		return false
	}
	_, err := hex.DecodeString(etag)
	return err == nil
}

// MultipartCount returns N for an ETag of the form "<32 hex>-N", or 0.
func MultipartCount(etag string) int {
	i := strings.IndexByte(etag, '-')
	if i != 32 || !IsMD5(etag[:i]) {
		return 0
	}
	n := 0
	for _, c := range etag[i+1:] {
		if c < '0' || c > '9' || n > 100000 {
			return 0
		}
		n = n*10 + int(c-'0')
	}
	return n
}

// GuessPartSizes returns the uniform part sizes, among common ones and
// preferred (the part size the caller would use itself), that cut size
// bytes into exactly n parts, for a server that does not tell part sizes.
func GuessPartSizes(size int64, n int, preferred ...int64) []int64 {
	const mib = 1 << 20
	cands := append(append([]int64(nil), preferred...), 5*mib, 8*mib, 10*mib, 15*mib, 16*mib, 25*mib, 32*mib, 50*mib, 64*mib, 100*mib, 128*mib, 256*mib, 512*mib)
	if n > 0 {
		per := (size + int64(n) - 1) / int64(n)
		cands = append(cands, (per+mib-1)/mib*mib)
	}
	var out []int64
	seen := map[int64]bool{}
	for _, p := range cands {
		if p > 0 && !seen[p] && (size+p-1)/p == int64(n) {
			seen[p] = true
			out = append(out, p)
		}
	}
	return out
}
