package tree

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Entry is one regular file found by [Walk].
type Entry struct {
	Rel  string // path relative to the walked directory, '/' separated
	Path string // path to open, in the operating system's form
	Size int64
}

// Problem is a file or directory [Walk] could not take.
type Problem struct {
	Rel string
	Err error
}

// Walked is what [Walk] found.
type Walked struct {
	Files    []Entry
	Excluded int       // files left out: by the filter, links not followed, and files that are not regular (devices, sockets, pipes)
	Problems []Problem // directories that could not be read, links that could not be followed
}

// Walk lists the regular files under root, in lexical order, keeping those
// f takes. Symbolic links are left out (and counted in Excluded) unless
// follow is true; then a link to a file is taken under the link's name and
// a link to a directory is walked, except one that leads back to a
// directory above it (a cycle), which is a Problem. Directories f excludes
// are not entered. Walk fails only if root itself is not a readable
// directory.
func Walk(root string, f *Filter, follow bool) (Walked, error) {
	fi, err := os.Stat(root)
	if err != nil {
		return Walked{}, err
	}
	if !fi.IsDir() {
		return Walked{}, fmt.Errorf("%s is not a directory", root)
	}
	w := &walker{f: f, follow: follow}
	if err := w.dir(root, "", []os.FileInfo{fi}); err != nil {
		return Walked{}, err
	}
	return w.out, nil
}

type walker struct {
	f      *Filter
	follow bool
	out    Walked
}

// dir walks the directory at path, whose relative path is rel; above
// holds it and the directories above it, to find cycles.
func (w *walker) dir(path, rel string, above []os.FileInfo) error {
	des, err := os.ReadDir(path)
	if err != nil {
		if rel == "" {
			return err
		}
		w.out.Problems = append(w.out.Problems, Problem{rel, err})
		return nil
	}
	for _, de := range des {
		crel := de.Name()
		if rel != "" {
			crel = rel + "/" + de.Name()
		}
		w.entry(filepath.Join(path, de.Name()), crel, de, above)
	}
	return nil
}

// entry takes one directory entry.
func (w *walker) entry(path, rel string, de fs.DirEntry, above []os.FileInfo) {
	if w.f.ExcludesDir(rel) {
		w.out.Excluded++
		return
	}
	mode := de.Type()
	if mode&fs.ModeSymlink != 0 {
		if !w.follow {
			w.out.Excluded++
			return
		}
		fi, err := os.Stat(path)
		if err != nil {
			w.out.Problems = append(w.out.Problems, Problem{rel, fmt.Errorf("following the link: %w", err)})
			return
		}
		mode = fi.Mode().Type()
	}
	switch {
	case mode.IsDir():
		w.subdir(path, rel, above)
	case mode.IsRegular():
		w.file(path, rel)
	default:
		w.out.Excluded++
	}
}

// subdir walks a directory unless it is one of those above it.
func (w *walker) subdir(path, rel string, above []os.FileInfo) {
	fi, err := os.Stat(path)
	if err != nil {
		w.out.Problems = append(w.out.Problems, Problem{rel, err})
		return
	}
	for _, a := range above {
		if os.SameFile(a, fi) {
			w.out.Problems = append(w.out.Problems, Problem{rel, errors.New("the link leads back to a directory above it")})
			return
		}
	}
	_ = w.dir(path, rel, append(above[:len(above):len(above)], fi))
}

// file takes a regular file if the filter does.
func (w *walker) file(path, rel string) {
	if !w.f.Takes(rel) {
		w.out.Excluded++
		return
	}
	fi, err := os.Stat(path)
	if err != nil {
		w.out.Problems = append(w.out.Problems, Problem{rel, err})
		return
	}
	w.out.Files = append(w.out.Files, Entry{Rel: rel, Path: path, Size: fi.Size()})
}
