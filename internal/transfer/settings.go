package transfer

import (
	"fmt"
	"strings"

	"github.com/s3kit/s3kit/internal/names"
	"github.com/s3kit/s3kit/internal/s3err"
)

// Settings is what a Put or a Copy writes, beyond the data: the headers, ACL
// and condition of the new object, and how the transfer runs.
type Settings struct {
	Headers                    // Content-Type and the like
	ACL      string            // canned ACL; empty: none
	Metadata map[string]string // user metadata; nil: none
	// IfNoneMatch and IfMatch are the write's condition, as sent; nil: none.
	IfNoneMatch, IfMatch *string
	// WriteKind is the kind of a failed request that stores the object
	// (PutObject, CreateMultipartUpload, CopyObject), CompleteKind that of
	// a failed CompleteMultipartUpload.
	WriteKind, CompleteKind s3err.Kind

	PartSize    int64 // first part size; grows for unknown sizes
	Concurrency int   // parts in flight at once
	ContentMD5  bool  // send Content-MD5 with every PUT and part
	EqualParts  bool  // the provider wants parts of one size (Cloudflare R2)
}

// Headers are the standard headers a Put or a Copy gives the new object;
// an empty value is not sent.
type Headers struct {
	ContentType, CacheControl                            string
	ContentDisposition, ContentEncoding, ContentLanguage string
}

// Check rejects a value that cannot travel in an HTTP header; its error
// names the header, such as "content disposition".
func (h Headers) Check() error {
	for _, v := range []struct{ what, v string }{
		{"content type", h.ContentType}, {"cache control", h.CacheControl},
		{"content disposition", h.ContentDisposition}, {"content encoding", h.ContentEncoding},
		{"content language", h.ContentLanguage},
	} {
		if err := names.CheckHeaderValue(v.what, v.v); err != nil {
			return err
		}
	}
	return nil
}

// Any reports whether any header is set.
func (h Headers) Any() bool { return h != Headers{} }

// fill sets a request's header fields, the same way for PutObject,
// CreateMultipartUpload and CopyObject: nil for an empty value.
func (h Headers) fill(ct, cc, cd, ce, cl **string) {
	*ct, *cc = optional(h.ContentType), optional(h.CacheControl)
	*cd, *ce, *cl = optional(h.ContentDisposition), optional(h.ContentEncoding), optional(h.ContentLanguage)
}

// Result describes a stored object; the root package's PutResult has the
// same fields.
type Result struct {
	ETag      string // entity tag without quotes
	VersionID string // version ID on versioned buckets
	Size      int64  // number of bytes stored
	Parts     int    // number of parts; 0 for a single PUT
}

// S3 limits on multipart uploads.
const (
	maxPartSize = 5 << 30
	maxParts    = 10000
)

// Condition is the If-None-Match or If-Match condition of one write.
type Condition struct {
	NoneMatch, Match       string // the values of WithIfNoneMatch and WithIfMatch
	NoneMatchSet, MatchSet bool
}

// Any reports whether a condition is set.
func (w Condition) Any() bool { return w.NoneMatchSet || w.MatchSet }

// Check checks the condition's values; its errors name the options.
func (w Condition) Check() error {
	switch {
	case w.NoneMatchSet && w.MatchSet:
		return fmt.Errorf("WithIfNoneMatch and WithIfMatch cannot be combined")
	case w.NoneMatchSet && w.NoneMatch != "*":
		return fmt.Errorf("WithIfNoneMatch(%q): only \"*\" (create only if absent) is defined", w.NoneMatch)
	case w.MatchSet:
		etag := unquoteETag(w.Match)
		if etag == "" {
			return fmt.Errorf("WithIfMatch: empty ETag")
		}
		for i := 0; i < len(etag); i++ {
			if c := etag[i]; c <= ' ' || c >= 0x7f || c == '"' || c == ',' {
				return fmt.Errorf("WithIfMatch(%q): an ETag is printable ASCII without spaces, quotes or commas", w.Match)
			}
		}
	}
	return nil
}

// unquoteETag removes one pair of surrounding quotes.
func unquoteETag(s string) string {
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		return s[1 : len(s)-1]
	}
	return s
}

// Fill sets a request's If-None-Match and If-Match fields, the same way for
// PutObject, CompleteMultipartUpload and CopyObject. It leaves them nil
// without a condition.
func (w Condition) Fill(ifNoneMatch, ifMatch **string) {
	if w.NoneMatchSet {
		v := w.NoneMatch
		*ifNoneMatch = &v
	}
	if w.MatchSet {
		v := unquoteETag(w.Match)
		*ifMatch = &v
	}
}

// Kind adds [s3err.CondWrite] to k when a condition is set, so that a 412 on
// the write maps to ErrPreconditionFailed rather than ErrObjectChanged.
func (w Condition) Kind(k s3err.Kind) s3err.Kind {
	if w.Any() {
		return k | s3err.CondWrite
	}
	return k
}

// CondWrites is a set of the write requests that carry a condition: those
// on which a provider is known to ignore If-None-Match and If-Match, or
// those a write goes through.
type CondWrites uint8

// The requests of a conditional write.
const (
	CondPut       CondWrites = 1 << iota // PutObject
	CondMultipart                        // CompleteMultipartUpload
	CondCopy                             // CopyObject
)

// String names the requests, such as "PutObject and CopyObject".
func (w CondWrites) String() string {
	var names []string
	for _, n := range []struct {
		bit  CondWrites
		name string
	}{{CondPut, "PutObject"}, {CondMultipart, "CompleteMultipartUpload"}, {CondCopy, "CopyObject"}} {
		if w&n.bit != 0 {
			names = append(names, n.name)
		}
	}
	return strings.Join(names, " and ")
}
