package tree

import (
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"strings"
)

// LocalName returns the path, relative to the target directory and in the
// operating system's form, under which the key remainder rel (the key
// without the transfer's prefix, '/' separated) is written. It refuses
// every rel that could name a file outside the target directory or that
// cannot be a file name as it stands: an empty rel or one ending in '/', an
// empty segment ("a//b"), "." and ".." segments, a leading '/', a
// backslash, a NUL byte, a drive letter ("C:") as first segment, and on
// Windows any ':' and the names Windows reserves. A refused key is never
// renamed into something that would fit.
func LocalName(rel string) (string, error) {
	if err := checkRel(rel); err != nil {
		return "", err
	}
	p := filepath.FromSlash(rel)
	if !filepath.IsLocal(p) {
		return "", fmt.Errorf("%q is not a local file name on this system", rel)
	}
	return p, nil
}

// checkRel applies the rules of LocalName that do not depend on the
// operating system, plus ':' on Windows.
func checkRel(rel string) error {
	switch {
	case rel == "":
		return errors.New("the key names the prefix itself, not a file under it")
	case strings.HasSuffix(rel, "/"):
		return fmt.Errorf("%q ends in '/' but holds data, so it cannot be a file", rel)
	case strings.HasPrefix(rel, "/"):
		return fmt.Errorf("%q is an absolute path", rel)
	case strings.ContainsRune(rel, 0):
		return fmt.Errorf("%q contains a NUL byte", rel)
	case strings.ContainsRune(rel, '\\'):
		return fmt.Errorf("%q contains a backslash, a path separator on Windows", rel)
	case hasDriveLetter(rel):
		return fmt.Errorf("%q starts with a drive letter", rel)
	case runtime.GOOS == "windows" && strings.ContainsRune(rel, ':'):
		return fmt.Errorf("%q contains ':', which Windows file names cannot", rel)
	}
	for seg := range strings.SplitSeq(rel, "/") {
		switch seg {
		case "":
			return fmt.Errorf("%q has an empty path segment", rel)
		case ".", "..":
			return fmt.Errorf("%q has a %q segment", rel, seg)
		}
	}
	return nil
}

// hasDriveLetter reports whether rel starts with a letter and ':', as
// "C:" or "c:foo" do.
func hasDriveLetter(rel string) bool {
	if len(rel) < 2 || rel[1] != ':' {
		return false
	}
	c := rel[0] | 0x20
	return c >= 'a' && c <= 'z'
}

// Conflicts returns, for a set of key remainders, those that are both a
// file and the directory of another one: "p" when "p/x" is also in rels.
// The value names one of the keys below it.
func Conflicts(rels []string) map[string]string {
	set := make(map[string]bool, len(rels))
	for _, r := range rels {
		set[r] = true
	}
	var out map[string]string
	for _, r := range rels {
		for i := strings.IndexByte(r, '/'); i >= 0; {
			if dir := r[:i]; set[dir] {
				if out == nil {
					out = make(map[string]string)
				}
				if _, seen := out[dir]; !seen {
					out[dir] = r
				}
			}
			j := strings.IndexByte(r[i+1:], '/')
			if j < 0 {
				break
			}
			i += j + 1
		}
	}
	return out
}

// JoinKey returns the key of the file at rel ('/' separated) under
// prefix, which Prefix has normalised.
func JoinKey(prefix, rel string) string { return prefix + rel }

// Prefix normalises a transfer's prefix: "" stays "" (the whole bucket),
// and any other prefix ends in '/', so that "photos" and "photos/" both
// mean the keys under "photos/" and never "photos2/...".
func Prefix(p string) string {
	if p == "" || strings.HasSuffix(p, "/") {
		return p
	}
	return p + "/"
}
