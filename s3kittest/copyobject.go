package s3kittest

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// copyObject implements CopyObject, which gofakes3 gets wrong: it merges the
// source's metadata into a REPLACE copy's and the request's into a COPY
// copy's. As on S3, x-amz-metadata-directive COPY (the default) keeps the
// source's metadata and ignores the request's, and REPLACE stores exactly
// the request's (user metadata, Content-Type and so on). The checksums
// stored with the source describe the same bytes and are kept either way.
func (s *Server) copyObject(w http.ResponseWriter, r *http.Request) {
	bucket, key, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	srcBucket, srcKey, ok := copySource(r.Header.Get("X-Amz-Copy-Source"))
	if !ok {
		writeError(w, r, http.StatusBadRequest, "InvalidArgument", "Copy Source must mention the source bucket and key: sourcebucket/sourcekey")
		return
	}
	for _, b := range []string{bucket, srcBucket} {
		if exists, _ := s.backend.BucketExists(b); !exists {
			writeError(w, r, http.StatusNotFound, "NoSuchBucket", "The specified bucket does not exist")
			return
		}
	}
	src, data, ok := s.readCopySource(w, r, srcBucket, srcKey)
	if !ok {
		return
	}

	meta := make(map[string]string)
	switch d := strings.ToUpper(r.Header.Get("X-Amz-Metadata-Directive")); d {
	case "", "COPY":
		for k, v := range src.Metadata {
			meta[k] = v
		}
	case "REPLACE":
		meta = requestMetadata(r.Header)
		for k, v := range src.Metadata {
			if strings.HasPrefix(strings.ToLower(k), "x-amz-checksum-") {
				meta[k] = v
			}
		}
	default:
		writeError(w, r, http.StatusBadRequest, "InvalidArgument", "Unknown metadata directive.")
		return
	}
	now := time.Now().UTC()
	meta["Last-Modified"] = now.Format(http.TimeFormat)
	if size := userMetadataSize(meta); size > 2<<10 {
		writeError(w, r, http.StatusBadRequest, "MetadataTooLarge", "Your metadata headers exceed the maximum allowed metadata size")
		return
	}
	if _, err := s.store.PutObject(bucket, key, meta, bytes.NewReader(data), int64(len(data)), nil); err != nil {
		writeError(w, r, http.StatusInternalServerError, "InternalError", err.Error())
		return
	}
	if src.VersionID != "" {
		w.Header().Set("X-Amz-Copy-Source-Version-Id", string(src.VersionID))
	}
	w.Header().Set("Content-Type", "application/xml")
	fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><CopyObjectResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><LastModified>%s</LastModified><ETag>"%s"</ETag></CopyObjectResult>`,
		now.Format("2006-01-02T15:04:05.000Z"), hex.EncodeToString(src.Hash))
}

// requestMetadata collects the headers a write stores, as gofakes3 does:
// x-amz-* (which [cleanMetadata] then sorts out), Content-Type,
// Content-Disposition and Content-Encoding.
func requestMetadata(h http.Header) map[string]string {
	meta := make(map[string]string)
	for k, v := range h {
		if len(v) == 0 {
			continue
		}
		switch ck := http.CanonicalHeaderKey(k); {
		case strings.HasPrefix(ck, "X-Amz-"), ck == "Content-Type", ck == "Content-Disposition", ck == "Content-Encoding":
			meta[ck] = v[0]
		}
	}
	return meta
}

// userMetadataSize is the size S3 limits to 2 KiB: the user metadata's
// keys (without x-amz-meta-) and values.
func userMetadataSize(meta map[string]string) int {
	n := 0
	for k, v := range meta {
		if strings.HasPrefix(strings.ToLower(k), userMetaPrefix) {
			n += len(k) - len(userMetaPrefix) + len(v)
		}
	}
	return n
}
