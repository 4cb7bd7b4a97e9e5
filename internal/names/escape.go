package names

import "strings"

// EscapePath percent-encodes s with S3's URI encoding, leaving "/" as the
// segment separator. Segments that are exactly "." or ".." have their dots
// encoded too, so that no URL normaliser can move the path out of the
// bucket.
func EscapePath(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(s) + len(s)/2)
	for i, seg := range strings.Split(s, "/") {
		if i > 0 {
			b.WriteByte('/')
		}
		if seg == "." || seg == ".." {
			b.WriteString(strings.Repeat("%2E", len(seg)))
			continue
		}
		for j := 0; j < len(seg); j++ {
			c := seg[j]
			if IsUnreserved(c) {
				b.WriteByte(c)
				continue
			}
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		}
	}
	return b.String()
}

// IsUnreserved reports whether c is one of the characters that S3's URI
// encoding leaves as they are: letters, digits, '-', '.', '_' and '~'.
func IsUnreserved(c byte) bool {
	return ('A' <= c && c <= 'Z') || ('a' <= c && c <= 'z') || ('0' <= c && c <= '9') ||
		c == '-' || c == '.' || c == '_' || c == '~'
}
