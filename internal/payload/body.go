package payload

import (
	"io"
	"os"
)

// SizeOf returns the number of unread bytes in r, or -1 if that cannot be
// known without reading.
func SizeOf(r io.Reader) int64 {
	if f, ok := r.(*os.File); ok {
		// Only a regular file's size is its length: files in /proc and
		// /sys, pipes and devices report something else or nothing.
		if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
			return -1
		}
	}
	switch v := r.(type) {
	case interface{ Len() int }:
		return int64(v.Len())
	case io.Seeker:
		cur, err := v.Seek(0, io.SeekCurrent)
		if err != nil {
			return -1
		}
		end, err := v.Seek(0, io.SeekEnd)
		if err != nil {
			return -1
		}
		if _, err := v.Seek(cur, io.SeekStart); err != nil || end < cur {
			return -1
		}
		return end - cur
	}
	return -1
}

// ReaderAt returns r as an io.ReaderAt and the offset of its unread data, if
// r supports both ReadAt and Seek. Such bodies are sent in place, part by
// part, without being copied into buffers.
func ReaderAt(r io.Reader) (io.ReaderAt, int64) {
	ra, ok := r.(io.ReaderAt)
	if !ok {
		return nil, 0
	}
	s, ok := r.(io.Seeker)
	if !ok {
		return nil, 0
	}
	cur, err := s.Seek(0, io.SeekCurrent)
	if err != nil {
		return nil, 0
	}
	return ra, cur
}
