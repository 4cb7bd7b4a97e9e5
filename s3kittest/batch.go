package s3kittest

import (
	"bytes"
	"crypto/md5"
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/johannesboyne/gofakes3"
)

// WithRequireContentMD5 makes the server answer a DeleteObjects request
// without a correct Content-MD5 header with 400 MissingContentMD5 or
// InvalidDigest, as older MinIO, Oracle Cloud and other stores do.
// Default: Content-MD5 is optional.
func WithRequireContentMD5() Option {
	return optionFunc(func(c *serverConfig) { c.requireMD5 = true })
}

// deleteObjects checks Content-MD5 if required, passes a DeleteObjects
// request through and forgets the ACLs of the keys it deleted.
func (s *Server) deleteObjects(next http.Handler, w http.ResponseWriter, r *http.Request, bucket string) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 4<<20))
	if err != nil {
		writeError(w, r, http.StatusBadRequest, "IncompleteBody", err.Error())
		return
	}
	if s.requireMD5 {
		got := r.Header.Get("Content-Md5")
		sum := md5.Sum(body)
		switch {
		case got == "":
			writeError(w, r, http.StatusBadRequest, "MissingContentMD5", "Missing required header for this request: Content-Md5.")
			return
		case got != base64.StdEncoding.EncodeToString(sum[:]):
			writeError(w, r, http.StatusBadRequest, "InvalidDigest", "The Content-MD5 you specified was invalid.")
			return
		}
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	rec := serve(next, r)
	if rec.Code/100 == 2 {
		var req struct {
			Objects []struct {
				Key string `xml:"Key"`
			} `xml:"Object"`
		}
		if xml.Unmarshal(body, &req) == nil {
			s.mu.Lock()
			for _, o := range req.Objects {
				delete(s.objects, objectID{bucket, o.Key})
			}
			s.mu.Unlock()
		}
	}
	copyResponse(w, rec)
}

// copySource splits an x-amz-copy-source value into bucket and key.
func copySource(v string) (bucket, key string, ok bool) {
	v, _, _ = strings.Cut(v, "?")
	dec, err := url.PathUnescape(strings.TrimPrefix(v, "/"))
	if err != nil {
		return "", "", false
	}
	bucket, key, ok = strings.Cut(dec, "/")
	return bucket, key, ok && bucket != "" && key != ""
}

// uploadPartCopy implements UploadPartCopy, which gofakes3 lacks: it reads
// the source range from the backend and uploads it as an ordinary part.
func (s *Server) uploadPartCopy(next http.Handler, w http.ResponseWriter, r *http.Request) {
	srcBucket, srcKey, ok := copySource(r.Header.Get("X-Amz-Copy-Source"))
	if !ok {
		writeError(w, r, http.StatusBadRequest, "InvalidArgument", "bad x-amz-copy-source")
		return
	}
	// The source is read, and its ETag checked, under its write lock, so
	// that an overwrite racing the part cannot pass the If-Match check
	// with the new data (which then failed the range with 416 instead of
	// 412). No other lock is held here: UploadPartCopy writes no object.
	unlock := s.writeLocks.lock(objectID{srcBucket, srcKey})
	_, data, ok := s.readCopySource(w, r, srcBucket, srcKey)
	unlock()
	if !ok {
		return
	}
	if rng := r.Header.Get("X-Amz-Copy-Source-Range"); rng != "" {
		first, last, ok := parseRange(rng, int64(len(data)))
		if !ok {
			writeError(w, r, http.StatusRequestedRangeNotSatisfiable, "InvalidRange", "The requested range is not satisfiable")
			return
		}
		data = data[first : last+1]
	}
	part := r.Clone(r.Context())
	part.Body = io.NopCloser(bytes.NewReader(data))
	part.ContentLength = int64(len(data))
	part.Header.Set("Content-Length", strconv.Itoa(len(data)))
	part.Header.Del("X-Amz-Copy-Source")
	part.Header.Del("X-Amz-Copy-Source-Range")
	part.Header.Del("Content-Md5")
	rec := serve(next, part)
	if rec.Code/100 != 2 {
		copyResponse(w, rec)
		return
	}
	w.Header().Set("Content-Type", "application/xml")
	fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><CopyPartResult><LastModified>%s</LastModified><ETag>%s</ETag></CopyPartResult>`,
		time.Now().UTC().Format(time.RFC3339), xmlEscape(rec.Header().Get("ETag")))
}

// parseRange parses "bytes=first-last" within size.
func parseRange(v string, size int64) (first, last int64, ok bool) {
	a, b, found := strings.Cut(strings.TrimPrefix(v, "bytes="), "-")
	if !found {
		return 0, 0, false
	}
	first, err1 := strconv.ParseInt(a, 10, 64)
	last, err2 := strconv.ParseInt(b, 10, 64)
	if err1 != nil || err2 != nil || first < 0 || last < first || last >= size {
		return 0, 0, false
	}
	return first, last, true
}

// readCopySource reads the whole source of a copy and checks
// x-amz-copy-source-if-match against its ETag. On failure it writes S3's
// error and returns ok false.
func (s *Server) readCopySource(w http.ResponseWriter, r *http.Request, bucket, key string) (obj *gofakes3.Object, data []byte, ok bool) {
	obj, err := s.store.GetObject(bucket, key, nil)
	if err != nil {
		writeError(w, r, http.StatusNotFound, "NoSuchKey", "The specified key does not exist.")
		return nil, nil, false
	}
	data, err = io.ReadAll(obj.Contents)
	_ = obj.Contents.Close()
	if err != nil {
		writeError(w, r, http.StatusInternalServerError, "InternalError", err.Error())
		return nil, nil, false
	}
	if want := r.Header.Get("X-Amz-Copy-Source-If-Match"); want != "" && strings.Trim(want, `"`) != s.sourceETag(bucket, key) {
		writeError(w, r, http.StatusPreconditionFailed, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold")
		return nil, nil, false
	}
	return obj, data, true
}

// sourceETag returns the ETag a copy source is served with.
func (s *Server) sourceETag(bucket, key string) string {
	etag, _ := s.currentETag(bucket, key)
	return strings.Trim(etag, `"`)
}
