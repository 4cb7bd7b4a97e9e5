package tree

import (
	"fmt"
	"path"
	"strings"
)

// Filter chooses the files a directory transfer takes, by their path
// relative to the directory ('/' separated), which is also the key without
// the prefix.
//
// A pattern is a sequence of '/'-separated segments, each matched as
// path.Match matches ('*' and '?' never cross a '/', [a-z] classes, '\'
// escapes), where a segment "**" matches any number of segments, none
// included. A pattern without '/' is matched against the base name of the
// file and of each directory above it ("*.tmp", ".git"); a pattern with
// '/' is matched against the whole relative path of the file and of each
// directory above it ("logs/*.log", "build/**").
//
// A file is taken if it matches at least one include pattern (or none is
// given) and neither it nor any directory above it matches an exclude
// pattern: exclude wins, and excluding a directory excludes all it holds.
type Filter struct {
	Include []string
	Exclude []string
}

// Check returns an error for the first malformed pattern.
func (f *Filter) Check() error {
	for _, ps := range [][]string{f.Include, f.Exclude} {
		for _, p := range ps {
			if p == "" {
				return fmt.Errorf("empty pattern")
			}
			for seg := range strings.SplitSeq(p, "/") {
				// A relative path has no such segment, so the pattern
				// would match nothing: an exclude written "build/" or
				// "/secret" would silently exclude nothing
				// (TestAttack13PatternsThatMatchNothing).
				if seg == "" || seg == "." || seg == ".." {
					return fmt.Errorf("pattern %q has an empty, \".\" or \"..\" segment (a leading or trailing '/'?), so it would match nothing; patterns are relative paths such as \"build\" or \"logs/*.log\"", p)
				}
				if _, err := path.Match(seg, ""); err != nil {
					return fmt.Errorf("pattern %q: %w", p, err)
				}
			}
		}
	}
	return nil
}

// Takes reports whether the file at rel is taken.
func (f *Filter) Takes(rel string) bool {
	if f == nil {
		return true
	}
	if len(f.Include) > 0 && !anyMatch(f.Include, rel) {
		return false
	}
	return !f.ExcludesDir(rel)
}

// ExcludesDir reports whether rel (a file or a directory) or any
// directory above it matches an exclude pattern. A walk skips such a
// directory whole.
func (f *Filter) ExcludesDir(rel string) bool {
	if f == nil || len(f.Exclude) == 0 {
		return false
	}
	for {
		if anyMatch(f.Exclude, rel) {
			return true
		}
		i := strings.LastIndexByte(rel, '/')
		if i < 0 {
			return false
		}
		rel = rel[:i]
	}
}

// anyMatch reports whether one of patterns matches rel itself.
func anyMatch(patterns []string, rel string) bool {
	for _, p := range patterns {
		if Match(p, rel) {
			return true
		}
	}
	return false
}

// Match reports whether pattern matches rel, as [Filter] describes.
func Match(pattern, rel string) bool {
	if !strings.Contains(pattern, "/") {
		ok, _ := path.Match(pattern, path.Base(rel))
		return ok
	}
	return matchSegs(strings.Split(pattern, "/"), strings.Split(rel, "/"))
}

// matchSegs matches pattern segments against name segments, "**" matching
// any number of them.
func matchSegs(pat, name []string) bool {
	for len(pat) > 0 {
		if pat[0] == "**" {
			for len(pat) > 0 && pat[0] == "**" {
				pat = pat[1:]
			}
			if len(pat) == 0 {
				return true
			}
			for i := range name {
				if matchSegs(pat, name[i:]) {
					return true
				}
			}
			return false
		}
		if len(name) == 0 {
			return false
		}
		if ok, _ := path.Match(pat[0], name[0]); !ok {
			return false
		}
		pat, name = pat[1:], name[1:]
	}
	return len(name) == 0
}
