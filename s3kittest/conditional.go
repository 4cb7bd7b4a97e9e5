package s3kittest

import (
	"encoding/hex"
	"net/http"
	"strings"
	"sync"
)

// Conditional writes. S3 checks If-None-Match: * and If-Match on
// PutObject, CopyObject and CompleteMultipartUpload against the object
// stored under the key at the moment of the write. gofakes3 v1.2.0 checks
// them on PutObject only, against the MD5 of the content (which is not the
// ETag of a multipart object), so the middleware checks them itself and
// removes them before passing the request on. A per-key lock, held from the
// check until the response is written, makes check and write atomic with
// respect to every other write of the key.

// keyLocks holds one lock per object that a request is writing. The zero
// value is ready to use.
type keyLocks struct {
	mu sync.Mutex
	m  map[objectID]*keyLock
}

type keyLock struct {
	mu    sync.Mutex
	users int // holders and waiters; the entry goes when it drops to 0
}

// lock takes id's lock and returns the function that releases it.
func (l *keyLocks) lock(id objectID) func() {
	l.mu.Lock()
	if l.m == nil {
		l.m = make(map[objectID]*keyLock)
	}
	k := l.m[id]
	if k == nil {
		k = &keyLock{}
		l.m[id] = k
	}
	k.users++
	l.mu.Unlock()
	k.mu.Lock()
	return func() {
		k.mu.Unlock()
		l.mu.Lock()
		if k.users--; k.users == 0 {
			delete(l.m, id)
		}
		l.mu.Unlock()
	}
}

// isObjectWrite reports whether r stores or removes the object under key:
// PutObject, CopyObject, CompleteMultipartUpload or DeleteObject.
func isObjectWrite(r *http.Request, key string) bool {
	if key == "" {
		return false
	}
	q := r.URL.Query()
	switch r.Method {
	case http.MethodPut:
		return !q.Has("uploadId") && !q.Has("acl")
	case http.MethodPost:
		return q.Has("uploadId")
	case http.MethodDelete:
		return !q.Has("uploadId")
	}
	return false
}

// lockWrite takes the lock of the object r writes, if it writes one, and
// returns the function that releases it.
func (s *Server) lockWrite(r *http.Request, bucket, key string) func() {
	if !isObjectWrite(r, key) {
		return func() {}
	}
	return s.writeLocks.lock(objectID{bucket, key})
}

// refuseConditional checks If-None-Match and If-Match on a write that
// stores an object, with the object's lock held (see lockWrite). If the
// condition does not hold it answers as S3 does and returns true: 412
// PreconditionFailed, or 404 NoSuchKey for If-Match on a missing object.
// Both headers together, or If-None-Match with a value other than "*", get
// 501 NotImplemented. If the condition holds it removes both headers, so
// that gofakes3 does not check them again its own way, and returns false.
func (s *Server) refuseConditional(w http.ResponseWriter, r *http.Request, bucket, key string) bool {
	if r.Method == http.MethodDelete || !isObjectWrite(r, key) {
		return false
	}
	inm, im := r.Header.Get("If-None-Match"), r.Header.Get("If-Match")
	if inm == "" && im == "" {
		return false
	}
	r.Header.Del("If-None-Match")
	r.Header.Del("If-Match")
	if ok, _ := s.backend.BucketExists(bucket); !ok {
		return false // gofakes3 answers NoSuchBucket
	}
	if err := s.conditionFailure(bucket, key, inm, im); err != nil {
		err.write(w, r)
		return true
	}
	return false
}

// conditionFailure checks a write's If-None-Match (inm) and If-Match (im)
// values against the object stored under key. It returns S3's answer if
// they do not hold, or are not ones S3 takes on a write; nil if they hold.
func (s *Server) conditionFailure(bucket, key, inm, im string) *s3Err {
	etag, exists := s.currentETag(bucket, key)
	const failed = "At least one of the pre-conditions you specified did not hold"
	switch {
	case inm != "" && im != "":
		return &s3Err{http.StatusNotImplemented, "NotImplemented", "If-None-Match and If-Match cannot be combined on a write"}
	case inm != "" && inm != "*":
		return &s3Err{http.StatusNotImplemented, "NotImplemented", "If-None-Match on a write takes only *"}
	case inm == "*" && exists:
		return &s3Err{http.StatusPreconditionFailed, "PreconditionFailed", failed}
	case im != "" && !exists:
		return &s3Err{http.StatusNotFound, "NoSuchKey", "The specified key does not exist."}
	case im != "" && im != "*" && strings.Trim(im, `"`) != strings.Trim(etag, `"`):
		return &s3Err{http.StatusPreconditionFailed, "PreconditionFailed", failed}
	}
	return nil
}

// currentETag returns the ETag the server serves for an object (the
// multipart one if it was assembled from parts), and whether it exists.
func (s *Server) currentETag(bucket, key string) (string, bool) {
	obj, err := s.backend.HeadObject(bucket, key)
	if err != nil {
		return "", false
	}
	s.mu.Lock()
	extra := s.objects[objectID{bucket, key}]
	s.mu.Unlock()
	if extra.etag != "" {
		return extra.etag, true
	}
	return hex.EncodeToString(obj.Hash), true
}
