package transfer

import "github.com/s3kit/s3kit/internal/s3err"

// Settings is what a Put or a Copy writes, beyond the data: the headers, ACL
// and condition of the new object, and how the transfer runs.
type Settings struct {
	ContentType  string            // empty: none
	CacheControl string            // empty: none
	ACL          string            // canned ACL; empty: none
	Metadata     map[string]string // user metadata; nil: none
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
