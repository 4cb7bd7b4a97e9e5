// Package history is a randomized history test for s3kit, in the spirit of
// Jepsen's history checkers. Several workers run random operations on a
// small key space through a client whose requests meet faults and
// cancellations; every call is recorded with when it started, when it
// returned and what it returned; then a checker holds the history against
// S3's per-key semantics and reports each call whose answer disagrees with
// what the store holds. It is used by s3kit's own tests against s3kittest
// and, in CI, against Ceph RGW through a fault proxy; nothing here is API.
package history

import (
	"encoding/binary"
	"fmt"
	"strconv"
)

// Values are self-describing, so that a truncation or a mix of two values
// is seen in the bytes alone: a fixed-size header names the value's ID and
// length, and every later byte is a function of the ID and its offset, so
// that any range can be regenerated without the rest.
const headerLen = 38 // "H1|" + 16 hex ID + "|" + 16 hex length + "|\n"

// minValue is the shortest value: its header.
const minValue = headerLen

// valueRange returns bytes [off, off+n) of the value with the given ID and
// length.
func valueRange(id uint64, length, off, n int64) []byte {
	b := make([]byte, n)
	fillRange(b, id, length, off)
	return b
}

// fillRange fills b with the bytes of the value from offset off.
func fillRange(b []byte, id uint64, length, off int64) {
	hdr := header(id, length)
	i := int64(0)
	for ; i < int64(len(b)) && off+i < headerLen; i++ {
		b[i] = hdr[off+i]
	}
	var word [8]byte
	for i < int64(len(b)) {
		p := off + i
		binary.LittleEndian.PutUint64(word[:], mix(id*0x9e3779b97f4a7c15+uint64(p/8)))
		k := copy(b[i:], word[p%8:])
		i += int64(k)
	}
}

// value returns the whole value.
func value(id uint64, length int64) []byte {
	b := make([]byte, length)
	fillRange(b, id, length, 0)
	return b
}

func header(id uint64, length int64) []byte {
	return fmt.Appendf(nil, "H1|%016x|%016x|\n", id, length)
}

// parseHeader reads the ID and length from the start of a value.
func parseHeader(b []byte) (id uint64, length int64, ok bool) {
	if len(b) < headerLen || string(b[:3]) != "H1|" || b[19] != '|' || string(b[36:38]) != "|\n" {
		return 0, 0, false
	}
	id, err1 := strconv.ParseUint(string(b[3:19]), 16, 64)
	l, err2 := strconv.ParseUint(string(b[20:36]), 16, 63)
	if err1 != nil || err2 != nil {
		return 0, 0, false
	}
	return id, int64(l), true
}

// mix is SplitMix64's finaliser.
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}
