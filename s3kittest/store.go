package s3kittest

import (
	"io"
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

// store wraps gofakes3's in-memory backend where it differs from S3:
//
//   - s3mem merges an overwritten object's old metadata into the new one;
//     S3 replaces it. store records which keys the last write set and hides
//     the others on every read.
//   - gofakes3 keeps user metadata keys as Go canonicalises header names
//     ("X-Amz-Meta-Owner"); S3 lower-cases them. store lower-cases them, and
//     drops the request-only x-amz-* headers (date, payload hash, ACL, copy
//     source...) that gofakes3 would keep and serve back on GET.
//   - s3mem's delimiter matching trims the delimiter as a set of characters
//     and repeats CommonPrefixes on later pages; store lists with S3's rules
//     (listing.go).
//
// Every write reaches the backend through store.PutObject: gofakes3's
// PutObject, its in-memory multipart uploader and [store.CopyObject].
type store struct {
	*s3mem.Backend
}

// metaKeysKey is the hidden metadata entry that lists, one per line, the
// metadata keys the object's last write set.
const metaKeysKey = "X-S3kittest-Metadata-Keys"

// userMetaPrefix starts user metadata header names, in lower case.
const userMetaPrefix = "x-amz-meta-"

// requestOnly lists x-amz-* request headers that describe the request, not
// the object: S3 does not store them and does not send them back.
var requestOnly = []string{
	"x-amz-date", "x-amz-content-sha256", "x-amz-decoded-content-length",
	"x-amz-acl", "x-amz-grant-", "x-amz-copy-source", "x-amz-metadata-directive",
	"x-amz-tagging-directive", "x-amz-security-token", "x-amz-user-agent",
	"x-amz-sdk-", "x-amz-trailer", "x-amz-expected-bucket-owner",
	"x-amz-source-expected-bucket-owner", "x-amz-request-payer",
	"x-amz-checksum-algorithm", "x-amz-mp-object-size", "x-amz-write-offset-bytes",
}

// cleanMetadata returns the metadata S3 would store for a write that sent
// meta (as gofakes3 collects it from the request headers).
func cleanMetadata(meta map[string]string) map[string]string {
	out := make(map[string]string, len(meta))
	for k, v := range meta {
		lk := strings.ToLower(k)
		switch {
		case k == metaKeysKey:
		case strings.HasPrefix(lk, userMetaPrefix):
			out[lk] = v
		case slices.ContainsFunc(requestOnly, func(p string) bool { return strings.HasPrefix(lk, p) }):
		default:
			out[k] = v
		}
	}
	return out
}

// visibleMetadata hides the keys an earlier write left behind.
func visibleMetadata(meta map[string]string) map[string]string {
	list, ok := meta[metaKeysKey]
	if !ok {
		return meta
	}
	out := make(map[string]string, len(meta))
	for _, k := range strings.Split(list, "\n") {
		if v, ok := meta[k]; ok {
			out[k] = v
		}
	}
	return out
}

// PutObject stores exactly the object's cleaned metadata, whatever the
// backend merges in from an object it overwrites.
func (b *store) PutObject(bucket, key string, meta map[string]string, input io.Reader, size int64, cond *gofakes3.PutConditions) (gofakes3.PutObjectResult, error) {
	clean := cleanMetadata(meta)
	stored := maps.Clone(clean)
	stored[metaKeysKey] = strings.Join(slices.Sorted(maps.Keys(clean)), "\n")
	return b.Backend.PutObject(bucket, key, stored, input, size, cond)
}

// CopyObject copies through store's own GetObject and PutObject, so that the
// copy's metadata is cleaned like any other write's.
func (b *store) CopyObject(srcBucket, srcKey, dstBucket, dstKey string, meta map[string]string) (gofakes3.CopyObjectResult, error) {
	return gofakes3.CopyObject(b, srcBucket, srcKey, dstBucket, dstKey, meta)
}

// HeadObject returns the object with its visible metadata.
func (b *store) HeadObject(bucket, key string) (*gofakes3.Object, error) {
	return visible(b.Backend.HeadObject(bucket, key))
}

// GetObject returns the object with its visible metadata.
func (b *store) GetObject(bucket, key string, rng *gofakes3.ObjectRangeRequest) (*gofakes3.Object, error) {
	return visible(b.Backend.GetObject(bucket, key, rng))
}

// GetObjectVersion returns the object version with its visible metadata.
func (b *store) GetObjectVersion(bucket, key string, v gofakes3.VersionID, rng *gofakes3.ObjectRangeRequest) (*gofakes3.Object, error) {
	return visible(b.Backend.GetObjectVersion(bucket, key, v, rng))
}

// HeadObjectVersion returns the object version with its visible metadata.
func (b *store) HeadObjectVersion(bucket, key string, v gofakes3.VersionID) (*gofakes3.Object, error) {
	return visible(b.Backend.HeadObjectVersion(bucket, key, v))
}

func visible(obj *gofakes3.Object, err error) (*gofakes3.Object, error) {
	if obj != nil {
		obj.Metadata = visibleMetadata(obj.Metadata)
	}
	return obj, err
}

// lowerUserMetadata renames the x-amz-meta-* response headers to lower case,
// as S3 and Ceph RGW send them and as [store] keeps them. Go's Header.Set
// would canonicalise them to "X-Amz-Meta-Owner", which clients that do not
// fold case (boto3 among them) show as is.
func lowerUserMetadata(h http.Header) {
	for k, v := range h {
		if lk := strings.ToLower(k); lk != k && strings.HasPrefix(lk, userMetaPrefix) {
			delete(h, k)
			h[lk] = v
		}
	}
}
