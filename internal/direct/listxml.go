package direct

import (
	"bytes"
	"regexp"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	smithytime "github.com/aws/smithy-go/time"
)

// This file decodes a ListBucketResult, the body of a ListObjectsV2 or
// ListObjects answer, as the SDK's deserializer does (encoding/xml's
// token API, through smithy-go's NodeDecoder), at a fraction of its cost:
// profiles of a listing showed most of its CPU in that deserializer.
//
// It is a scanner over the body's bytes that understands a strict subset
// of XML: the one S3 servers send. Whatever it does not understand, or
// would make the SDK fail, makes it give up (ok false), and the page goes
// to the SDK's own deserializer; it never guesses. It gives up on, among
// others: a DOCTYPE or processing instruction other than an XML
// declaration of version 1.0 in UTF-8; element names with a namespace
// prefix or outside [A-Za-z_][A-Za-z0-9_.-]*; attributes whose value holds
// anything but printable ASCII without '&' and '<'; a raw carriage
// return in a value (encoding/xml rewrites it); entities other than the
// five predefined ones and character references; a value made of more
// than one piece of text (text and CDATA, or a comment inside); an
// element nested deeper than maxDepth; and anything the SDK would reject
// (a bad number, boolean or date, a character XML 1.0 does not allow,
// invalid UTF-8, mismatched tags, a body that ends early).
//
// What it matches the SDK on: element names are compared case-insensitively
// and unknown elements are skipped with everything inside them; a scalar
// that appears twice keeps its last value; each Contents and
// CommonPrefixes element adds one entry; Owner and RestoreStatus
// elements that appear twice in one object are merged; an empty element
// gives an empty string; text between elements, comments and CDATA
// outside values are ignored; nothing after the root element is read.
// FuzzDecodeList checks it against the SDK's deserializer.

// maxDepth is the deepest nesting of elements the scanner follows.
const maxDepth = 64

// xmlDecl is the XML declaration the scanner accepts: version 1.0 and, if
// named, UTF-8, which is what encoding/xml accepts without a
// CharsetReader.
var xmlDecl = regexp.MustCompile(`^<\?xml[ \t\r\n]+version=(?:"1\.0"|'1\.0')` +
	`(?:[ \t\r\n]+encoding=(?:"[uU][tT][fF]-8"|'[uU][tT][fF]-8'))?` +
	`(?:[ \t\r\n]+standalone=(?:"yes"|"no"|'yes'|'no'))?[ \t\r\n]*\?>`)

// plain marks the bytes that a value's text may hold as they are: the
// printable ASCII characters other than '<', '&' and ']', and tab and
// line feed.
var plain = func() (t [256]bool) {
	for b := 0x20; b < 0x7f; b++ {
		t[b] = true
	}
	t['<'], t['&'], t[']'] = false, false, false
	t['\t'], t['\n'] = true, true
	return t
}()

// listScanner reads one ListBucketResult.
type listScanner struct {
	b       []byte
	i       int
	v1      bool   // ListObjects (version 1): its own set of top-level elements
	scratch []byte // a value with entities, decoded
	ok      bool   // false once the scanner gave up

	strs  slab[string]
	ints  slab[int64]
	times slab[time.Time]
	// lastTime caches the last date parsed, which most objects of a page
	// share or repeat.
	lastRaw  string
	lastTime time.Time
}

// slab hands out pointers to values in chunks, so that a page's many
// small fields cost a few allocations rather than one each.
type slab[T any] struct{ free []T }

func (s *slab[T]) put(v T) *T {
	if len(s.free) == 0 {
		s.free = make([]T, 256)
	}
	p := &s.free[0]
	*p = v
	s.free = s.free[1:]
	return p
}

// listResult is a ListBucketResult: the fields of both versions.
type listResult struct {
	commonPrefixes []types.CommonPrefix
	contents       []types.Object
	delimiter      *string
	encodingType   types.EncodingType
	isTruncated    *bool
	maxKeys        *int32
	name           *string
	prefix         *string
	// version 2
	continuationToken, nextContinuationToken, startAfter *string
	keyCount                                             *int32
	// version 1
	marker, nextMarker *string
}

// decodeListV2 decodes body as the SDK's ListObjectsV2 deserializer does,
// or reports false.
func decodeListV2(body []byte) (*s3.ListObjectsV2Output, bool) {
	r, ok := decodeList(body, false)
	if !ok {
		return nil, false
	}
	return &s3.ListObjectsV2Output{CommonPrefixes: r.commonPrefixes, Contents: r.contents,
		ContinuationToken: r.continuationToken, Delimiter: r.delimiter, EncodingType: r.encodingType,
		IsTruncated: r.isTruncated, KeyCount: r.keyCount, MaxKeys: r.maxKeys, Name: r.name,
		NextContinuationToken: r.nextContinuationToken, Prefix: r.prefix, StartAfter: r.startAfter}, true
}

// decodeListV1 decodes body as the SDK's ListObjects deserializer does, or
// reports false.
func decodeListV1(body []byte) (*s3.ListObjectsOutput, bool) {
	r, ok := decodeList(body, true)
	if !ok {
		return nil, false
	}
	return &s3.ListObjectsOutput{CommonPrefixes: r.commonPrefixes, Contents: r.contents,
		Delimiter: r.delimiter, EncodingType: r.encodingType, IsTruncated: r.isTruncated,
		Marker: r.marker, MaxKeys: r.maxKeys, Name: r.name, NextMarker: r.nextMarker, Prefix: r.prefix}, true
}

// decodeList decodes the root element of body, whatever its name but
// Error, as the SDK does.
func decodeList(body []byte, v1 bool) (*listResult, bool) {
	s := &listScanner{b: body, v1: v1, ok: true}
	s.prolog()
	if !s.ok || s.i >= len(s.b) {
		return nil, false // no root element: the SDK's to judge
	}
	root, closed := s.startTag()
	if !s.ok || is(root, "Error") {
		// The SDK takes a 200 answer whose root is Error for a 500
		// (customizations.HandleResponseErrorWith200Status).
		return nil, false
	}
	r := &listResult{}
	if !closed {
		s.children(root, 1, func(name []byte, closed bool) { s.top(r, name, closed) })
	}
	return r, s.ok
}

// prolog skips what comes before the root element: white space, comments
// and an XML declaration.
func (s *listScanner) prolog() {
	for s.ok {
		s.space()
		switch {
		case s.i >= len(s.b):
			return
		case s.has("<?"):
			m := xmlDecl.FindIndex(s.b[s.i:])
			if m == nil {
				s.ok = false
				return
			}
			s.i += m[1]
		case s.has("<!--"):
			s.comment()
		case s.b[s.i] == '<':
			return
		default:
			s.ok = false // text, or a byte order mark
		}
	}
}

// top decodes one child element of the root.
func (s *listScanner) top(r *listResult, name []byte, closed bool) {
	switch {
	case is(name, "Contents"):
		s.contents(r, name, closed)
	case is(name, "CommonPrefixes"):
		s.commonPrefix(r, name, closed)
	case is(name, "Delimiter"):
		r.delimiter = s.str(name, closed)
	case is(name, "EncodingType"):
		if v := s.str(name, closed); v != nil {
			r.encodingType = types.EncodingType(*v)
		}
	case is(name, "IsTruncated"):
		r.isTruncated = s.boolean(name, closed, r.isTruncated)
	case is(name, "MaxKeys"):
		r.maxKeys = s.int32(name, closed, r.maxKeys)
	case is(name, "Name"):
		r.name = s.str(name, closed)
	case is(name, "Prefix"):
		r.prefix = s.str(name, closed)
	default:
		if s.v1 {
			s.topV1(r, name, closed)
		} else {
			s.topV2(r, name, closed)
		}
	}
}

// contents decodes a Contents element: one more object.
func (s *listScanner) contents(r *listResult, name []byte, closed bool) {
	if r.contents == nil {
		// S3 servers send MaxKeys first: the page's size, at most.
		r.contents = make([]types.Object, 0, min(max(int(aws.ToInt32(r.maxKeys)), 1), 1000))
	}
	r.contents = append(r.contents, types.Object{})
	o := &r.contents[len(r.contents)-1]
	if !closed {
		s.children(name, 2, func(child []byte, closed bool) { s.object(o, child, closed) })
	}
}

// commonPrefix decodes a CommonPrefixes element: one more prefix.
func (s *listScanner) commonPrefix(r *listResult, name []byte, closed bool) {
	if r.commonPrefixes == nil {
		r.commonPrefixes = make([]types.CommonPrefix, 0)
	}
	r.commonPrefixes = append(r.commonPrefixes, types.CommonPrefix{})
	p := &r.commonPrefixes[len(r.commonPrefixes)-1]
	if closed {
		return
	}
	s.children(name, 2, func(child []byte, closed bool) {
		if is(child, "Prefix") {
			p.Prefix = s.str(child, closed)
			return
		}
		s.skip(child, closed, 3)
	})
}

// topV2 decodes the root's children only ListObjectsV2 knows.
func (s *listScanner) topV2(r *listResult, name []byte, closed bool) {
	switch {
	case is(name, "ContinuationToken"):
		r.continuationToken = s.str(name, closed)
	case is(name, "NextContinuationToken"):
		r.nextContinuationToken = s.str(name, closed)
	case is(name, "StartAfter"):
		r.startAfter = s.str(name, closed)
	case is(name, "KeyCount"):
		r.keyCount = s.int32(name, closed, r.keyCount)
	default:
		s.skip(name, closed, 2)
	}
}

// topV1 decodes the root's children only ListObjects knows.
func (s *listScanner) topV1(r *listResult, name []byte, closed bool) {
	switch {
	case is(name, "Marker"):
		r.marker = s.str(name, closed)
	case is(name, "NextMarker"):
		r.nextMarker = s.str(name, closed)
	default:
		s.skip(name, closed, 2)
	}
}

// object decodes one child element of a Contents element.
func (s *listScanner) object(o *types.Object, name []byte, closed bool) {
	switch {
	case is(name, "Key"):
		o.Key = s.str(name, closed)
	case is(name, "ETag"):
		o.ETag = s.str(name, closed)
	case is(name, "Size"):
		v, ok := s.value(name, closed)
		if !ok {
			return
		}
		n, err := strconv.ParseInt(string(v), 10, 64)
		if err != nil {
			s.ok = false
			return
		}
		o.Size = s.ints.put(n)
	case is(name, "LastModified"):
		o.LastModified = s.time(name, closed)
	case is(name, "StorageClass"):
		if v, ok := s.value(name, closed); ok {
			o.StorageClass = types.ObjectStorageClass(intern(v))
		}
	default:
		s.objectMore(o, name, closed)
	}
}

// objectMore decodes the children of a Contents element that object
// leaves: the ones S3 servers send less often.
func (s *listScanner) objectMore(o *types.Object, name []byte, closed bool) {
	switch {
	case is(name, "ChecksumAlgorithm"):
		if v, ok := s.value(name, closed); ok {
			if o.ChecksumAlgorithm == nil {
				o.ChecksumAlgorithm = make([]types.ChecksumAlgorithm, 0, 1)
			}
			o.ChecksumAlgorithm = append(o.ChecksumAlgorithm, types.ChecksumAlgorithm(intern(v)))
		}
	case is(name, "ChecksumType"):
		if v, ok := s.value(name, closed); ok {
			o.ChecksumType = types.ChecksumType(intern(v))
		}
	case is(name, "Owner"):
		if o.Owner == nil {
			o.Owner = &types.Owner{}
		}
		s.owner(o.Owner, name, closed)
	case is(name, "RestoreStatus"):
		if o.RestoreStatus == nil {
			o.RestoreStatus = &types.RestoreStatus{}
		}
		s.restoreStatus(o.RestoreStatus, name, closed)
	default:
		s.skip(name, closed, 3)
	}
}

// owner decodes an Owner element's children into ow.
func (s *listScanner) owner(ow *types.Owner, elem []byte, closed bool) {
	if closed {
		return
	}
	s.children(elem, 3, func(name []byte, closed bool) {
		switch {
		case is(name, "DisplayName"):
			ow.DisplayName = s.str(name, closed)
		case is(name, "ID"):
			ow.ID = s.str(name, closed)
		default:
			s.skip(name, closed, 4)
		}
	})
}

// restoreStatus decodes a RestoreStatus element's children into rs.
func (s *listScanner) restoreStatus(rs *types.RestoreStatus, elem []byte, closed bool) {
	if closed {
		return
	}
	s.children(elem, 3, func(name []byte, closed bool) {
		switch {
		case is(name, "IsRestoreInProgress"):
			rs.IsRestoreInProgress = s.boolean(name, closed, rs.IsRestoreInProgress)
		case is(name, "RestoreExpiryDate"):
			if t := s.time(name, closed); t != nil {
				rs.RestoreExpiryDate = t
			}
		default:
			s.skip(name, closed, 4)
		}
	})
}

// is reports whether the element name is want, compared as the SDK
// compares them (strings.EqualFold; names are ASCII here).
func is(name []byte, want string) bool {
	if len(name) != len(want) {
		return false
	}
	for i := range len(name) {
		a, b := name[i], want[i]
		if a != b && a|0x20 != b|0x20 {
			return false
		}
	}
	return true
}

// intern returns v as a string, without allocating for the values of
// S3's enumerations that listings repeat on every object.
func intern(v []byte) string {
	switch string(v) {
	case "STANDARD":
		return "STANDARD"
	case "CRC32":
		return "CRC32"
	case "CRC32C":
		return "CRC32C"
	case "CRC64NVME":
		return "CRC64NVME"
	case "SHA1":
		return "SHA1"
	case "SHA256":
		return "SHA256"
	case "FULL_OBJECT":
		return "FULL_OBJECT"
	case "COMPOSITE":
		return "COMPOSITE"
	}
	return string(v)
}

// str decodes a string field.
func (s *listScanner) str(name []byte, closed bool) *string {
	v, ok := s.value(name, closed)
	if !ok {
		return nil
	}
	return s.strs.put(string(v))
}

// boolean decodes a boolean field as strconv.ParseBool does; old is kept
// if the scanner gives up.
func (s *listScanner) boolean(name []byte, closed bool, old *bool) *bool {
	v, ok := s.value(name, closed)
	if !ok {
		return old
	}
	b, err := strconv.ParseBool(string(v))
	if err != nil {
		s.ok = false
		return old
	}
	return &b
}

// int32 decodes an integer field as the SDK does: parsed as 64 bits, then
// converted.
func (s *listScanner) int32(name []byte, closed bool, old *int32) *int32 {
	v, ok := s.value(name, closed)
	if !ok {
		return old
	}
	n, err := strconv.ParseInt(string(v), 10, 64)
	if err != nil {
		s.ok = false
		return old
	}
	n32 := int32(n) // truncated, as the SDK does
	return &n32
}

// time decodes a timestamp field with the SDK's own parser.
func (s *listScanner) time(name []byte, closed bool) *time.Time {
	v, ok := s.value(name, closed)
	if !ok {
		return nil
	}
	if string(v) != s.lastRaw || s.lastRaw == "" {
		t, err := smithytime.ParseDateTime(string(v))
		if err != nil {
			s.ok = false
			return nil
		}
		s.lastRaw, s.lastTime = string(v), t
	}
	return s.times.put(s.lastTime)
}

// value reads the text of the element name, whose start tag the scanner
// has just read, and its end tag, as smithy-go's NodeDecoder.Value does:
// the element holds nothing, one piece of text, or one CDATA section. The
// bytes it returns are valid until the next call.
func (s *listScanner) value(name []byte, closed bool) ([]byte, bool) {
	if !s.ok {
		return nil, false
	}
	if closed {
		return []byte{}, true
	}
	var v []byte
	switch {
	case s.has("</"):
		v = []byte{}
	case s.has("<![CDATA["):
		v = s.cdata()
	case s.i < len(s.b) && s.b[s.i] != '<':
		v = s.text()
	default:
		s.ok = false // a child element or a comment: the SDK fails
	}
	if s.ok {
		s.endTag(name)
	}
	return v, s.ok
}

// text reads text up to the next '<', decoding references.
func (s *listScanner) text() []byte {
	start := s.i
	b := s.b
	i := s.i
	for i < len(b) && plain[b[i]] {
		i++
	}
	if i < len(b) && b[i] == '<' {
		s.i = i
		return b[start:i]
	}
	// The slow way: references, ']', and bytes outside printable ASCII.
	s.scratch = append(s.scratch[:0], b[start:i]...)
	for s.ok {
		for i < len(b) && plain[b[i]] {
			s.scratch = append(s.scratch, b[i])
			i++
		}
		if i >= len(b) {
			s.ok = false // no end tag
			break
		}
		c := b[i]
		switch {
		case c == '<':
			s.i = i
			return s.scratch
		case c == '&':
			i = s.reference(i)
		case c == ']':
			if bytes.HasPrefix(b[i:], []byte("]]>")) {
				s.ok = false // encoding/xml refuses it outside CDATA
				break
			}
			s.scratch = append(s.scratch, c)
			i++
		case c >= utf8.RuneSelf:
			r, n := utf8.DecodeRune(b[i:])
			if !allowed(r, n) {
				s.ok = false
				break
			}
			s.scratch = append(s.scratch, b[i:i+n]...)
			i += n
		default:
			s.ok = false // a control character, or '\r', which encoding/xml rewrites
		}
	}
	return nil
}

// reference decodes the entity or character reference at b[i] into
// scratch and returns the index after it, as encoding/xml does for the
// predefined entities; anything else ends the scan.
func (s *listScanner) reference(i int) int {
	b := s.b
	end := bytes.IndexByte(b[i:min(len(b), i+16)], ';')
	if end < 0 {
		s.ok = false
		return i
	}
	ref := b[i+1 : i+end]
	next := i + end + 1
	switch string(ref) {
	case "amp":
		s.scratch = append(s.scratch, '&')
		return next
	case "lt":
		s.scratch = append(s.scratch, '<')
		return next
	case "gt":
		s.scratch = append(s.scratch, '>')
		return next
	case "apos":
		s.scratch = append(s.scratch, '\'')
		return next
	case "quot":
		s.scratch = append(s.scratch, '"')
		return next
	}
	if len(ref) < 2 || ref[0] != '#' {
		s.ok = false
		return i
	}
	digits, base := ref[1:], 10
	if digits[0] == 'x' {
		digits, base = digits[1:], 16
	}
	n, err := strconv.ParseUint(string(digits), base, 64)
	if err != nil || n > utf8.MaxRune || !digitsOnly(digits, base) {
		s.ok = false
		return i
	}
	// As encoding/xml: string(rune(n)), so a surrogate becomes U+FFFD.
	r, _ := utf8.DecodeRuneInString(string(rune(n)))
	if !inCharacterRange(r) {
		s.ok = false
		return i
	}
	s.scratch = utf8.AppendRune(s.scratch, r)
	return next
}

// digitsOnly reports whether d is only digits of base (ParseUint also
// takes underscores with base 0, never here, and a sign, never here; this
// keeps to encoding/xml's loop).
func digitsOnly(d []byte, base int) bool {
	for _, c := range d {
		ok := '0' <= c && c <= '9' || base == 16 && ('a' <= c && c <= 'f' || 'A' <= c && c <= 'F')
		if !ok {
			return false
		}
	}
	return len(d) > 0
}

// allowed reports whether the rune r, decoded from n bytes, is valid
// UTF-8 and a character XML 1.0 allows.
func allowed(r rune, n int) bool {
	return !(r == utf8.RuneError && n == 1) && inCharacterRange(r)
}

// inCharacterRange is encoding/xml's isInCharacterRange.
func inCharacterRange(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D || r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF
}

// cdata reads a CDATA section.
func (s *listScanner) cdata() []byte {
	s.i += len("<![CDATA[")
	end := bytes.Index(s.b[s.i:], []byte("]]>"))
	if end < 0 {
		s.ok = false
		return nil
	}
	v := s.b[s.i : s.i+end]
	for i := 0; i < len(v); {
		c := v[i]
		if c < utf8.RuneSelf {
			if !plain[c] && c != '<' && c != '&' && c != ']' {
				s.ok = false // a control character, or '\r', which encoding/xml rewrites
				return nil
			}
			i++
			continue
		}
		r, n := utf8.DecodeRune(v[i:])
		if !allowed(r, n) {
			s.ok = false
			return nil
		}
		i += n
	}
	s.i += end + len("]]>")
	return v
}

// children reads the children of the element elem, whose start tag the
// scanner has just read, at depth, calling fn with each child's name after its
// start tag, up to and with the element's end tag. Text, CDATA and
// comments between children are checked and ignored, as the SDK ignores
// them.
func (s *listScanner) children(elem []byte, depth int, fn func(name []byte, closed bool)) {
	if depth > maxDepth {
		s.ok = false
		return
	}
	for s.ok {
		switch {
		case s.space():
		case s.i >= len(s.b):
			s.ok = false // the body ends inside an element
		case s.has("</"):
			s.endTag(elem)
			return
		case s.has("<!--"):
			s.comment()
		case s.has("<![CDATA["):
			s.cdata()
		case s.b[s.i] == '<':
			name, closed := s.startTag()
			if s.ok {
				fn(name, closed)
			}
		default:
			s.text()
		}
	}
}

// skip reads an element the SDK skips, with everything in it.
func (s *listScanner) skip(elem []byte, closed bool, depth int) {
	if closed || !s.ok {
		return
	}
	s.children(elem, depth, func(name []byte, closed bool) { s.skip(name, closed, depth+1) })
}

// startTag reads a start tag: its name, and whether it closes itself.
// Attributes are checked and ignored, as the SDK ignores them.
func (s *listScanner) startTag() (name []byte, closed bool) {
	s.i++ // '<'
	name = s.name()
	for s.ok {
		sp := s.space()
		switch {
		case s.has(">"):
			s.i++
			return name, false
		case s.has("/>"):
			s.i += 2
			return name, true
		case sp:
			s.attribute()
		default:
			s.ok = false
		}
	}
	return name, false
}

// attribute reads name="value" with a plain value.
func (s *listScanner) attribute() {
	s.name()
	if s.has(":") { // a prefixed attribute, such as xmlns:x
		s.i++
		s.name()
	}
	s.space()
	if !s.ok || !s.has("=") {
		s.ok = false
		return
	}
	s.i++
	s.space()
	if s.i >= len(s.b) || s.b[s.i] != '"' && s.b[s.i] != '\'' {
		s.ok = false
		return
	}
	q := s.b[s.i]
	s.i++
	for s.i < len(s.b) && s.b[s.i] != q {
		c := s.b[s.i]
		if c < 0x20 || c >= 0x7f || c == '<' || c == '&' {
			s.ok = false
			return
		}
		s.i++
	}
	if s.i >= len(s.b) {
		s.ok = false
		return
	}
	s.i++
}

// endTag reads the end tag of the element name.
func (s *listScanner) endTag(name []byte) {
	if !s.has("</") {
		s.ok = false
		return
	}
	s.i += 2
	if !bytes.Equal(s.name(), name) {
		s.ok = false // encoding/xml refuses a mismatched end tag
		return
	}
	s.space()
	if !s.has(">") {
		s.ok = false
		return
	}
	s.i++
}

// name reads an element or attribute name: [A-Za-z_][A-Za-z0-9_.-]*.
func (s *listScanner) name() []byte {
	start := s.i
	for s.i < len(s.b) {
		c := s.b[s.i]
		letter := 'a' <= c|0x20 && c|0x20 <= 'z' || c == '_'
		if !letter && (s.i == start || !('0' <= c && c <= '9' || c == '.' || c == '-')) {
			break
		}
		s.i++
	}
	if s.i == start {
		s.ok = false
	}
	return s.b[start:s.i]
}

// comment reads a comment; like encoding/xml, it refuses "--" inside.
func (s *listScanner) comment() {
	s.i += len("<!--")
	end := bytes.Index(s.b[s.i:], []byte("--"))
	if end < 0 || s.i+end+2 >= len(s.b) || s.b[s.i+end+2] != '>' {
		s.ok = false
		return
	}
	body := s.b[s.i : s.i+end]
	for i := 0; i < len(body); {
		r, n := utf8.DecodeRune(body[i:])
		if !allowed(r, n) {
			s.ok = false
			return
		}
		i += n
	}
	s.i += end + 3
}

// space skips white space and reports whether there was any.
func (s *listScanner) space() bool {
	start := s.i
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
			continue
		}
		break
	}
	return s.i > start
}

// has reports whether the unread bytes start with p.
func (s *listScanner) has(p string) bool {
	return len(s.b)-s.i >= len(p) && string(s.b[s.i:s.i+len(p)]) == p
}
