package s3kit

import (
	"strings"

	"github.com/s3kit/s3kit/internal/s3err"
)

// WithIfNoneMatch("*") makes [Client.Put] or [Client.Copy] create the object
// only if nothing is stored under the key yet: if an object exists, the write
// fails with an error matching [ErrPreconditionFailed] and the existing
// object is left as it was. "*" is the only value S3 defines; any other value
// is refused with [ErrInvalidInput] before any request is sent. It cannot be
// combined with [WithIfMatch] (S3 refuses both headers on one write).
//
// The condition travels as the If-None-Match header on PutObject, on
// CompleteMultipartUpload for a multipart Put (parts are uploaded first; the
// condition is checked when they are assembled, and a failed upload is
// aborted) and on CopyObject, or the CompleteMultipartUpload of a multipart
// copy. [Client.PresignPut] signs it, so the upload must send it as
// [Presigned.Header] lists it. Not every server enforces it: see the package
// doc ("Conditional writes") and [Client.Doctor]. With a provider profile
// known to ignore it for the write at hand, s3kit refuses it with
// [ErrInvalidInput] rather than send a condition that would be dropped.
//
// Default: no condition (the last write wins).
func WithIfNoneMatch(v string) PutOption {
	return putOption(func(c *putConfig) { c.cond.noneMatch, c.cond.noneMatchSet = v, true })
}

// WithIfMatch makes [Client.Put] or [Client.Copy] replace the object only if
// the object stored under the key now has entity tag etag, as returned in
// [Object.ETag] or [PutResult.ETag] (with or without the surrounding
// quotes): the compare-and-swap of optimistic concurrency. If the stored
// object's ETag differs, the write fails with an error matching
// [ErrPreconditionFailed] and the stored object is left as it was. If no
// object exists under the key, the write fails too: AWS and s3kittest answer
// 404 NoSuchKey ([ErrNotFound]), some servers 412 ([ErrPreconditionFailed]).
// etag must be non-empty printable ASCII without quotes inside, or "*" (any
// existing object); otherwise it is refused with [ErrInvalidInput] before
// any request. It cannot be combined with [WithIfNoneMatch].
//
// The ETag is sent without quotes, as AWS's own examples do: Ceph RGW 16.2
// compares the If-Match header with the bare ETag and refuses a quoted one
// (seen). Where the condition goes, which servers enforce it, and what a
// provider profile does are as for [WithIfNoneMatch].
//
// Default: no condition (the last write wins).
func WithIfMatch(etag string) PutOption {
	return putOption(func(c *putConfig) { c.cond.match, c.cond.matchSet = etag, true })
}

// writeCondition is the If-None-Match or If-Match condition of one write.
type writeCondition struct {
	noneMatch, match       string
	noneMatchSet, matchSet bool
}

// any reports whether a condition is set.
func (w writeCondition) any() bool { return w.noneMatchSet || w.matchSet }

// validate checks the condition's values.
func (w writeCondition) validate(op, bucket, key string) error {
	switch {
	case w.noneMatchSet && w.matchSet:
		return invalidf(op, bucket, key, "WithIfNoneMatch and WithIfMatch cannot be combined")
	case w.noneMatchSet && w.noneMatch != "*":
		return invalidf(op, bucket, key, "WithIfNoneMatch(%q): only \"*\" (create only if absent) is defined", w.noneMatch)
	case w.matchSet:
		etag := unquoteETag(w.match)
		if etag == "" {
			return invalidf(op, bucket, key, "WithIfMatch: empty ETag")
		}
		for i := 0; i < len(etag); i++ {
			if c := etag[i]; c <= ' ' || c >= 0x7f || c == '"' || c == ',' {
				return invalidf(op, bucket, key, "WithIfMatch(%q): an ETag is printable ASCII without spaces, quotes or commas", w.match)
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

// fill sets a request's If-None-Match and If-Match fields, the same way for
// PutObject, CompleteMultipartUpload and CopyObject. It leaves them nil
// without a condition.
func (w writeCondition) fill(ifNoneMatch, ifMatch **string) {
	if w.noneMatchSet {
		v := w.noneMatch
		*ifNoneMatch = &v
	}
	if w.matchSet {
		v := unquoteETag(w.match)
		*ifMatch = &v
	}
}

// kind adds [s3err.CondWrite] to k when a condition is set, so that a 412 on
// the write maps to ErrPreconditionFailed rather than ErrObjectChanged.
func (w writeCondition) kind(k s3err.Kind) s3err.Kind {
	if w.any() {
		return k | s3err.CondWrite
	}
	return k
}

// condWrites is a set of write requests on which a server ignores
// If-None-Match and If-Match.
type condWrites uint8

const (
	condPut       condWrites = 1 << iota // PutObject
	condMultipart                        // CompleteMultipartUpload
	condCopy                             // CopyObject
)

// String names the requests, such as "PutObject and CopyObject".
func (w condWrites) String() string {
	var names []string
	for _, n := range []struct {
		bit  condWrites
		name string
	}{{condPut, "PutObject"}, {condMultipart, "CompleteMultipartUpload"}, {condCopy, "CopyObject"}} {
		if w&n.bit != 0 {
			names = append(names, n.name)
		}
	}
	return strings.Join(names, " and ")
}

// checkConditional refuses a conditional write that would go through
// requests on which the provider profile says the server ignores the
// condition, before any request is sent.
func (c *Client) checkConditional(op, bucket, key string, cond writeCondition, uses condWrites) error {
	if !cond.any() {
		return nil
	}
	if ignored := c.ext.condIgnored & uses; ignored != 0 {
		hint := ""
		if ignored&condMultipart != 0 && op == "Put" {
			hint = "; give a body of known size up to the multipart threshold, which goes in one PutObject"
		}
		return invalidf(op, bucket, key, "%s ignores If-None-Match and If-Match on %s, so the condition would not be enforced%s",
			c.ext.provider, ignored, hint)
	}
	return nil
}

// putRequests returns the requests a Put of size bytes (-1: unknown) sends
// its condition with.
func putRequests(size, threshold int64) condWrites {
	if size >= 0 && size <= threshold {
		return condPut
	}
	// A body of unknown size may turn out to fit in one PUT, or not.
	return condPut | condMultipart
}
