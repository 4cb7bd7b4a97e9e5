package s3kittest

import (
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
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
	var lastPrefix string
	var n int64
	for _, c := range all.Contents {
		if page.HasMarker && c.Key <= page.Marker {
			continue
		}
		rest, ok := strings.CutPrefix(c.Key, p.Prefix)
		if !ok {
			continue
		}
		entry, common := c.Key, false
		if i := strings.Index(rest, delim); delim != "" && i >= 0 {
			entry, common = c.Key[:len(c.Key)-len(rest)+i+len(delim)], true
			if entry == lastPrefix || (page.HasMarker && entry <= page.Marker) {
				continue
			}
		}
		if page.MaxKeys > 0 && n == page.MaxKeys {
			out.IsTruncated = true
			break
		}
		if common {
			out.AddPrefix(entry)
			lastPrefix = entry
		} else {
			out.Add(c)
		}
		out.NextMarker = entry
		n++
	}
	if !out.IsTruncated {
		out.NextMarker = ""
	}
	return out, nil
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
	maxKeys := int64(gofakes3.DefaultMaxBucketKeys)
	if v := q.Get("max-keys"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			writeError(w, r, http.StatusBadRequest, "InvalidArgument", "Provided max-keys not an integer or within integer range")
			return
		}
		maxKeys = min(max(n, 0), gofakes3.MaxBucketKeys)
	}
	v2 := q.Get("list-type") == "2"
	page := gofakes3.ListBucketPage{MaxKeys: maxKeys}
	switch {
	case v2 && q.Get("continuation-token") != "":
		tok, err := base64.URLEncoding.DecodeString(q.Get("continuation-token"))
		if err != nil || len(tok) == 0 {
			writeError(w, r, http.StatusBadRequest, "InvalidArgument", "The continuation token provided is incorrect")
			return
		}
		page.Marker = string(tok)
	case v2:
		page.Marker = q.Get("start-after")
	default:
		page.Marker = q.Get("marker")
	}
	page.HasMarker = page.Marker != ""
	prefix := gofakes3.Prefix{Prefix: q.Get("prefix"), Delimiter: q.Get("delimiter")}
	prefix.HasPrefix, prefix.HasDelimiter = prefix.Prefix != "", prefix.Delimiter != ""
	list, err := s.store.ListBucket(bucket, &prefix, page)
	if err != nil {
		writeError(w, r, http.StatusInternalServerError, "InternalError", err.Error())
		return
	}

	enc := xmlText
	if encode {
		enc = url.QueryEscape
	}
	var b strings.Builder
	elem := func(name, text string) { fmt.Fprintf(&b, "<%s>%s</%s>", name, text, name) }
	b.WriteString(xml.Header)
	b.WriteString(`<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">`)
	elem("Name", xmlText(bucket))
	elem("Prefix", enc(prefix.Prefix))
	if v2 {
		if q.Has("start-after") {
			elem("StartAfter", enc(q.Get("start-after")))
		}
		if q.Has("continuation-token") {
			elem("ContinuationToken", xmlText(q.Get("continuation-token")))
		}
		elem("KeyCount", strconv.Itoa(len(list.Contents)+len(list.CommonPrefixes)))
	} else {
		elem("Marker", enc(page.Marker))
	}
	elem("MaxKeys", strconv.FormatInt(maxKeys, 10))
	if prefix.Delimiter != "" {
		elem("Delimiter", enc(prefix.Delimiter))
	}
	if encode {
		elem("EncodingType", "url")
	}
	elem("IsTruncated", strconv.FormatBool(list.IsTruncated))
	if list.IsTruncated && v2 {
		elem("NextContinuationToken", base64.URLEncoding.EncodeToString([]byte(list.NextMarker)))
	}
	if list.IsTruncated && !v2 && prefix.Delimiter != "" {
		// S3 sends NextMarker only to listings with a delimiter.
		elem("NextMarker", enc(list.NextMarker))
	}
	for _, c := range list.Contents {
		b.WriteString("<Contents>")
		elem("Key", enc(c.Key))
		if !c.LastModified.IsZero() {
			elem("LastModified", c.LastModified.UTC().Format("2006-01-02T15:04:05.000Z"))
		}
		elem("ETag", xmlText(c.ETag))
		elem("Size", strconv.FormatInt(c.Size, 10))
		if c.StorageClass != "" {
			elem("StorageClass", xmlText(string(c.StorageClass)))
		}
		b.WriteString("</Contents>")
	}
	for _, p := range list.CommonPrefixes {
		b.WriteString("<CommonPrefixes>")
		elem("Prefix", enc(p.Prefix))
		b.WriteString("</CommonPrefixes>")
	}
	b.WriteString("</ListBucketResult>")
	w.Header().Set("Content-Type", "application/xml")
	_, _ = io.WriteString(w, b.String())
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
	var res multipartList
	switch {
	case rec.Code == http.StatusNotFound && strings.Contains(rec.Body.String(), "NoSuchUpload"):
	case rec.Code == http.StatusOK && xml.Unmarshal(rec.Body.Bytes(), &res) == nil:
	default:
		copyResponse(w, rec)
		return
	}
	prefix, delim := q.Get("prefix"), q.Get("delimiter")
	s.mu.Lock()
	for i, u := range res.Uploads {
		if p, ok := s.pending[u.UploadID]; ok {
			res.Uploads[i].Key = p.key
		}
	}
	if n := len(res.Uploads); n > 0 && res.NextKeyMarker != "" {
		res.NextKeyMarker = res.Uploads[n-1].Key
	}
	if len(res.CommonPrefixes) > 0 && delim != "" {
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
	s.mu.Unlock()

	enc := xmlText
	if encode {
		enc = url.QueryEscape
	}
	var b strings.Builder
	elem := func(name, text string) { fmt.Fprintf(&b, "<%s>%s</%s>", name, text, name) }
	opt := func(name, text string) {
		if text != "" {
			elem(name, text)
		}
	}
	b.WriteString(xml.Header)
	b.WriteString(`<ListMultipartUploadsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">`)
	elem("Bucket", xmlText(bucket))
	opt("KeyMarker", enc(q.Get("key-marker")))
	opt("UploadIdMarker", xmlText(res.UploadIDMarker))
	opt("NextKeyMarker", enc(res.NextKeyMarker))
	opt("NextUploadIdMarker", xmlText(res.NextUploadIDMarker))
	opt("Prefix", enc(prefix))
	opt("Delimiter", enc(delim))
	if res.MaxUploads > 0 {
		elem("MaxUploads", strconv.FormatInt(res.MaxUploads, 10))
	}
	if encode {
		elem("EncodingType", "url")
	}
	elem("IsTruncated", strconv.FormatBool(res.IsTruncated))
	for _, u := range res.Uploads {
		b.WriteString("<Upload>")
		elem("Key", enc(u.Key))
		elem("UploadId", xmlText(u.UploadID))
		opt("StorageClass", xmlText(u.StorageClass))
		opt("Initiated", xmlText(u.Initiated))
		b.WriteString("</Upload>")
	}
	for _, p := range res.CommonPrefixes {
		b.WriteString("<CommonPrefixes>")
		elem("Prefix", enc(p.Prefix))
		b.WriteString("</CommonPrefixes>")
	}
	b.WriteString("</ListMultipartUploadsResult>")
	w.Header().Set("Content-Type", "application/xml")
	_, _ = io.WriteString(w, b.String())
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
