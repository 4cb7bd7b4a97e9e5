package s3kittest

import (
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/johannesboyne/gofakes3"
)

// ListBucket lists with S3's rules where s3mem's differ. With a delimiter,
// a key that contains the whole delimiter string after the prefix rolls up
// into the CommonPrefix that ends at its first occurrence. A page holds at
// most MaxKeys entries, keys and CommonPrefixes together; the next page
// starts after the marker and skips keys whose CommonPrefix is not after
// it, so no CommonPrefix comes back twice. IsTruncated is set only when
// another entry follows, so a listing never ends with an empty page.
func (b *store) ListBucket(name string, prefix *gofakes3.Prefix, page gofakes3.ListBucketPage) (*gofakes3.ObjectList, error) {
	var p gofakes3.Prefix
	if prefix != nil {
		p = *prefix
	}
	all, err := b.Backend.ListBucket(name, &gofakes3.Prefix{HasPrefix: p.HasPrefix, Prefix: p.Prefix}, gofakes3.ListBucketPage{})
	if err != nil {
		return nil, err
	}
	var delim string
	if p.HasDelimiter {
		delim = p.Delimiter
	}
	out := gofakes3.NewObjectList()
	var n int64
	for _, e := range listEntries(all.Contents, p.Prefix, delim, page) {
		if page.MaxKeys > 0 && n == page.MaxKeys {
			out.IsTruncated = true
			break
		}
		if e.content == nil {
			out.AddPrefix(e.name)
		} else {
			out.Add(e.content)
		}
		out.NextMarker = e.name
		n++
	}
	if !out.IsTruncated {
		out.NextMarker = ""
	}
	return out, nil
}

// listEntry is one entry of a listing: an object or a CommonPrefix.
type listEntry struct {
	name    string            // the object's key, or the CommonPrefix
	content *gofakes3.Content // the object; nil for a CommonPrefix
}

// listEntries returns in order the entries of a listing of contents (sorted
// by key) under prefix that come after the page's marker: the objects whose
// key has no delim after prefix, and for the others the CommonPrefix that
// ends at delim's first occurrence after prefix, once, and only if it comes
// after the marker.
func listEntries(contents []*gofakes3.Content, prefix, delim string, page gofakes3.ListBucketPage) []listEntry {
	var entries []listEntry
	var lastPrefix string
	for _, c := range contents {
		if page.HasMarker && c.Key <= page.Marker {
			continue
		}
		rest, ok := strings.CutPrefix(c.Key, prefix)
		if !ok {
			continue
		}
		i := strings.Index(rest, delim)
		if delim == "" || i < 0 {
			entries = append(entries, listEntry{name: c.Key, content: c})
			continue
		}
		cp := c.Key[:len(prefix)+i+len(delim)]
		if cp == lastPrefix || (page.HasMarker && cp <= page.Marker) {
			continue
		}
		entries = append(entries, listEntry{name: cp})
		lastPrefix = cp
	}
	return entries
}

// isListObjects reports whether r is a ListObjects or ListObjectsV2
// request, which [Server.listObjects] answers instead of gofakes3.
func isListObjects(r *http.Request, bucket, key string, q url.Values) bool {
	if r.Method != http.MethodGet || bucket == "" || key != "" {
		return false
	}
	for _, sub := range []string{"location", "uploads", "versioning", "versions", "versionId", "acl"} {
		if q.Has(sub) {
			return false
		}
	}
	return true
}

// encodeKeys reads the encoding-type parameter of a listing: ok is false
// if it names an encoding S3 does not know.
func encodeKeys(q url.Values) (encode, ok bool) {
	switch v := q.Get("encoding-type"); v {
	case "":
		return false, true
	case "url":
		return true, true
	}
	return false, false
}

// listObjects answers ListObjects and ListObjectsV2 from [store.ListBucket].
// gofakes3 would write keys through encoding/xml, which turns characters
// XML 1.0 cannot carry into U+FFFD, and ignores encoding-type=url. Here, with
// encoding-type=url, keys, common prefixes and the echoed Prefix, Delimiter,
// Marker, NextMarker and StartAfter are URL-encoded as AWS S3 does
// (url.QueryEscape: a space is '+', '+' is "%2B"); the continuation token
// stays as it is. Without it, they are written as AWS S3 writes them; see
// [xmlText].
func (s *Server) listObjects(w http.ResponseWriter, r *http.Request, bucket string) {
	q := r.URL.Query()
	encode, ok := encodeKeys(q)
	if !ok {
		writeError(w, r, http.StatusBadRequest, "InvalidArgument", "Invalid Encoding Method specified in Request")
		return
	}
	if ok, _ := s.backend.BucketExists(bucket); !ok {
		writeError(w, r, http.StatusNotFound, "NoSuchBucket", "The specified bucket does not exist")
		return
	}
	lq := listObjectsQuery{v2: q.Get("list-type") == "2", encode: encode, prefix: listPrefix(q)}
	var perr *s3Err
	if lq.page, perr = listPage(q, lq.v2); perr != nil {
		perr.write(w, r)
		return
	}
	list, err := s.store.ListBucket(bucket, &lq.prefix, lq.page)
	if err != nil {
		writeError(w, r, http.StatusInternalServerError, "InternalError", err.Error())
		return
	}
	listBucketResult(bucket, q, lq, list).send(w)
}

// listObjectsQuery is what a ListObjects or ListObjectsV2 request asks for.
type listObjectsQuery struct {
	v2     bool // ListObjectsV2 (list-type=2)
	encode bool // encoding-type=url
	prefix gofakes3.Prefix
	page   gofakes3.ListBucketPage
}

// listPrefix reads the prefix and delimiter parameters of a listing.
func listPrefix(q url.Values) gofakes3.Prefix {
	prefix := gofakes3.Prefix{Prefix: q.Get("prefix"), Delimiter: q.Get("delimiter")}
	prefix.HasPrefix, prefix.HasDelimiter = prefix.Prefix != "", prefix.Delimiter != ""
	return prefix
}

// listPage reads which page a ListObjects or ListObjectsV2 (v2) request
// asks for: max-keys, clamped to [0, gofakes3.MaxBucketKeys], and the key
// the page starts after: ListObjects' marker, or ListObjectsV2's decoded
// continuation-token, else its start-after. It answers S3's 400
// InvalidArgument for a max-keys or a continuation token it cannot read.
func listPage(q url.Values, v2 bool) (gofakes3.ListBucketPage, *s3Err) {
	page := gofakes3.ListBucketPage{MaxKeys: int64(gofakes3.DefaultMaxBucketKeys)}
	if v := q.Get("max-keys"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return page, &s3Err{http.StatusBadRequest, "InvalidArgument", "Provided max-keys not an integer or within integer range"}
		}
		page.MaxKeys = min(max(n, 0), gofakes3.MaxBucketKeys)
	}
	switch {
	case v2 && q.Get("continuation-token") != "":
		tok, err := base64.URLEncoding.DecodeString(q.Get("continuation-token"))
		if err != nil || len(tok) == 0 {
			return page, &s3Err{http.StatusBadRequest, "InvalidArgument", "The continuation token provided is incorrect"}
		}
		page.Marker = string(tok)
	case v2:
		page.Marker = q.Get("start-after")
	default:
		page.Marker = q.Get("marker")
	}
	page.HasMarker = page.Marker != ""
	return page, nil
}

// listBucketResult builds the ListBucketResult document that answers lq
// with list, echoing the request's query q as S3 does.
func listBucketResult(bucket string, q url.Values, lq listObjectsQuery, list *gofakes3.ObjectList) *listingDoc {
	d := newListingDoc(lq.encode)
	d.WriteString(`<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">`)
	d.elem("Name", xmlText(bucket))
	d.elem("Prefix", d.enc(lq.prefix.Prefix))
	if lq.v2 {
		if q.Has("start-after") {
			d.elem("StartAfter", d.enc(q.Get("start-after")))
		}
		if q.Has("continuation-token") {
			d.elem("ContinuationToken", xmlText(q.Get("continuation-token")))
		}
		d.elem("KeyCount", strconv.Itoa(len(list.Contents)+len(list.CommonPrefixes)))
	} else {
		d.elem("Marker", d.enc(lq.page.Marker))
	}
	d.elem("MaxKeys", strconv.FormatInt(lq.page.MaxKeys, 10))
	d.opt("Delimiter", d.enc(lq.prefix.Delimiter))
	d.encodingType()
	d.elem("IsTruncated", strconv.FormatBool(list.IsTruncated))
	d.nextPage(lq, list)
	for _, c := range list.Contents {
		d.contents(c)
	}
	d.commonPrefixes(list.CommonPrefixes)
	d.WriteString("</ListBucketResult>")
	return d
}

// listingDoc builds the XML document that answers a listing.
type listingDoc struct {
	strings.Builder
	encode bool                // encoding-type=url
	enc    func(string) string // escapes keys and the echoed parameters
}

// newListingDoc starts a listing document with the XML declaration. With
// encode (encoding-type=url), keys and echoed parameters are URL-encoded
// as AWS S3 does (url.QueryEscape); without it, they are written with
// [xmlText].
func newListingDoc(encode bool) *listingDoc {
	d := &listingDoc{encode: encode, enc: xmlText}
	if encode {
		d.enc = url.QueryEscape
	}
	d.WriteString(xml.Header)
	return d
}

// elem writes the element <name>text</name>; text is escaped already.
func (d *listingDoc) elem(name, text string) {
	fmt.Fprintf(d, "<%s>%s</%s>", name, text, name)
}

// opt writes the element <name>text</name> unless text is empty.
func (d *listingDoc) opt(name, text string) {
	if text != "" {
		d.elem(name, text)
	}
}

// encodingType writes <EncodingType>url</EncodingType> if keys are
// URL-encoded.
func (d *listingDoc) encodingType() {
	if d.encode {
		d.elem("EncodingType", "url")
	}
}

// nextPage writes where the next page of a truncated ListBucketResult
// starts: NextContinuationToken for ListObjectsV2, NextMarker for
// ListObjects.
func (d *listingDoc) nextPage(lq listObjectsQuery, list *gofakes3.ObjectList) {
	switch {
	case !list.IsTruncated:
	case lq.v2:
		d.elem("NextContinuationToken", base64.URLEncoding.EncodeToString([]byte(list.NextMarker)))
	case lq.prefix.Delimiter != "":
		// S3 sends NextMarker only to listings with a delimiter.
		d.elem("NextMarker", d.enc(list.NextMarker))
	}
}

// contents writes the <Contents> element of one object.
func (d *listingDoc) contents(c *gofakes3.Content) {
	d.WriteString("<Contents>")
	d.elem("Key", d.enc(c.Key))
	if !c.LastModified.IsZero() {
		d.elem("LastModified", c.LastModified.UTC().Format("2006-01-02T15:04:05.000Z"))
	}
	d.elem("ETag", xmlText(c.ETag))
	d.elem("Size", strconv.FormatInt(c.Size, 10))
	d.opt("StorageClass", xmlText(string(c.StorageClass)))
	d.WriteString("</Contents>")
}

// commonPrefixes writes a <CommonPrefixes> element for each prefix.
func (d *listingDoc) commonPrefixes(prefixes []gofakes3.CommonPrefix) {
	for _, p := range prefixes {
		d.WriteString("<CommonPrefixes>")
		d.elem("Prefix", d.enc(p.Prefix))
		d.WriteString("</CommonPrefixes>")
	}
}

// send writes the document to w as the answer.
func (d *listingDoc) send(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/xml")
	_, _ = io.WriteString(w, d.String())
}

// xmlText escapes s for XML text as AWS S3 does: the markup characters,
// tab, newline and carriage return become character references, as
// encoding/xml writes them, and so do characters XML 1.0 cannot carry,
// such as "&#x1;" for \x1. Such a reference is not well-formed XML 1.0
// either: parsers, encoding/xml included, reject the document, as they
// reject S3's. Bytes that are not UTF-8 are written as they are.
func xmlText(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			b.WriteByte(s[i])
		case r == '&':
			b.WriteString("&amp;")
		case r == '<':
			b.WriteString("&lt;")
		case r == '>':
			b.WriteString("&gt;")
		case r == '"':
			b.WriteString("&#34;")
		case r == '\'':
			b.WriteString("&#39;")
		case r == '\t' || r == '\n' || r == '\r' || !isXMLChar(r):
			fmt.Fprintf(&b, "&#x%X;", r)
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// isXMLChar reports whether XML 1.0 can carry r.
func isXMLChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D ||
		r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD ||
		r >= 0x10000 && r <= 0x10FFFF
}

// multipartList is gofakes3's answer to ListMultipartUploads.
type multipartList struct {
	KeyMarker          string
	UploadIDMarker     string `xml:"UploadIdMarker"`
	NextKeyMarker      string
	NextUploadIDMarker string `xml:"NextUploadIdMarker"`
	MaxUploads         int64
	CommonPrefixes     []gofakes3.CommonPrefix
	IsTruncated        bool
	Uploads            []struct {
		Key          string
		UploadID     string `xml:"UploadId"`
		StorageClass string
		Initiated    string
	} `xml:"Upload"`
}

// listMultipart answers ListMultipartUploads from gofakes3's answer, with
// an empty list where gofakes3 answers 404 NoSuchUpload for a bucket that
// never had an upload. gofakes3 garbles keys XML 1.0 cannot carry and
// ignores encoding-type=url; so the keys are taken from the uploads the
// middleware saw created, and written as in [Server.listObjects]: with
// encoding-type=url, Key, Prefix, Delimiter, KeyMarker, NextKeyMarker and
// common prefixes are URL-encoded.
func (s *Server) listMultipart(next http.Handler, w http.ResponseWriter, r *http.Request, bucket string) {
	q := r.URL.Query()
	encode, ok := encodeKeys(q)
	if !ok {
		writeError(w, r, http.StatusBadRequest, "InvalidArgument", "Invalid Encoding Method specified in Request")
		return
	}
	rec := serve(next, r)
	res, ok := readMultipartList(rec)
	if !ok {
		copyResponse(w, rec)
		return
	}
	s.restoreUploadKeys(&res, bucket, q.Get("prefix"), q.Get("delimiter"))
	listMultipartUploadsResult(bucket, q, encode, &res).send(w)
}

// readMultipartList reads gofakes3's answer to ListMultipartUploads. Its
// 404 NoSuchUpload reads as an empty list; ok is false for any other answer
// that is not a list, which is to be passed on as it is.
func readMultipartList(rec *httptest.ResponseRecorder) (res multipartList, ok bool) {
	switch {
	case rec.Code == http.StatusNotFound && strings.Contains(rec.Body.String(), "NoSuchUpload"):
	case rec.Code == http.StatusOK && xml.Unmarshal(rec.Body.Bytes(), &res) == nil:
	default:
		return multipartList{}, false
	}
	return res, true
}

// restoreUploadKeys puts back in res the keys that gofakes3 garbled, taken
// from the uploads the middleware saw created: the uploads' keys, the
// NextKeyMarker, which is the last upload's key, and, for a listing with a
// delimiter, the common prefixes. prefix and delim are the listing's.
func (s *Server) restoreUploadKeys(res *multipartList, bucket, prefix, delim string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, u := range res.Uploads {
		if p, ok := s.pending[u.UploadID]; ok {
			res.Uploads[i].Key = p.key
		}
	}
	if n := len(res.Uploads); n > 0 && res.NextKeyMarker != "" {
		res.NextKeyMarker = res.Uploads[n-1].Key
	}
	if len(res.CommonPrefixes) > 0 && delim != "" {
		s.restoreUploadPrefixes(res, bucket, prefix, delim)
	}
}

// restoreUploadPrefixes puts back in res the common prefixes that gofakes3
// garbled, rebuilt from the keys of the pending uploads in bucket. The
// caller holds s.mu.
func (s *Server) restoreUploadPrefixes(res *multipartList, bucket, prefix, delim string) {
	orig := make(map[string]string) // as gofakes3 writes it -> as it is
	for _, p := range s.pending {
		rest, ok := strings.CutPrefix(p.key, prefix)
		if i := strings.Index(rest, delim); ok && p.bucket == bucket && i >= 0 {
			cp := p.key[:len(prefix)+i+len(delim)]
			orig[garbled(cp)] = cp
		}
	}
	for i, cp := range res.CommonPrefixes {
		if k, ok := orig[cp.Prefix]; ok {
			res.CommonPrefixes[i].Prefix = k
		}
	}
}

// listMultipartUploadsResult builds the ListMultipartUploadsResult document
// for res, with keys URL-encoded if encode, echoing the request's query q as
// S3 does.
func listMultipartUploadsResult(bucket string, q url.Values, encode bool, res *multipartList) *listingDoc {
	d := newListingDoc(encode)
	d.WriteString(`<ListMultipartUploadsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">`)
	d.elem("Bucket", xmlText(bucket))
	d.opt("KeyMarker", d.enc(q.Get("key-marker")))
	d.opt("UploadIdMarker", xmlText(res.UploadIDMarker))
	d.opt("NextKeyMarker", d.enc(res.NextKeyMarker))
	d.opt("NextUploadIdMarker", xmlText(res.NextUploadIDMarker))
	d.opt("Prefix", d.enc(q.Get("prefix")))
	d.opt("Delimiter", d.enc(q.Get("delimiter")))
	if res.MaxUploads > 0 {
		d.elem("MaxUploads", strconv.FormatInt(res.MaxUploads, 10))
	}
	d.encodingType()
	d.elem("IsTruncated", strconv.FormatBool(res.IsTruncated))
	for _, u := range res.Uploads {
		d.WriteString("<Upload>")
		d.elem("Key", d.enc(u.Key))
		d.elem("UploadId", xmlText(u.UploadID))
		d.opt("StorageClass", xmlText(u.StorageClass))
		d.opt("Initiated", xmlText(u.Initiated))
		d.WriteString("</Upload>")
	}
	d.commonPrefixes(res.CommonPrefixes)
	d.WriteString("</ListMultipartUploadsResult>")
	return d
}

// garbled returns s as encoding/xml writes and reads it back: with U+FFFD
// for each character XML 1.0 cannot carry and each byte that is not UTF-8.
func garbled(s string) string {
	return strings.Map(func(r rune) rune {
		if !isXMLChar(r) {
			return utf8.RuneError
		}
		return r
	}, s)
}
