package payload

import (
	"bytes"
	"fmt"
	"io"
	"os"
)

// Body is what Put knows of a body before reading it.
type Body struct {
	Size     int64       // bytes to send; -1: unknown
	ReaderAt io.ReaderAt // the body read in place, part by part; nil: read it in order
	Base     int64       // offset of the unread data in ReaderAt
}

// Measure finds the size of body, or takes declared (WithSize; -1: none),
// and whether it can be read in place. A declared size that contradicts a
// body whose measured size is what Put reads (one read in place, or a
// *bytes.Buffer) is an error: a body read in place would otherwise be cut
// to the declared size without anyone noticing. For other bodies a
// mismatch shows up while reading.
func Measure(body io.Reader, declared int64) (Body, error) {
	measured := SizeOf(body)
	b := Body{Size: declared}
	if b.Size < 0 {
		b.Size = measured
	}
	if b.Size >= 0 {
		b.ReaderAt, b.Base = ReaderAt(body)
	}
	if _, isBuffer := body.(*bytes.Buffer); measured >= 0 && measured != b.Size && (b.ReaderAt != nil || isBuffer) {
		return Body{}, fmt.Errorf("WithSize(%d) but the body holds %d bytes", b.Size, measured)
	}
	return b, nil
}

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
