package s3kittest

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/s3kit/s3kit"
)

// unsupported lists sub-resources gofakes3 does not route: it would treat
// such requests as plain object writes or reads and corrupt data.
var unsupported = []string{
	"tagging", "policy", "policyStatus", "cors", "lifecycle", "website", "encryption",
	"retention", "legal-hold", "torrent", "object-lock", "replication", "accelerate",
	"notification", "logging", "requestPayment", "ownershipControls",
	"publicAccessBlock", "attributes", "restore", "select", "analytics",
	"inventory", "metrics", "intelligent-tiering",
}

const allUsersURI = "http://acs.amazonaws.com/groups/global/AllUsers"

// middleware wraps gofakes3's handler; see the package doc. It counts the
// request, then takes it through these steps, each of which may answer it
// and end there:
//
//   - an anonymous request goes to [Server.serveAnonymous];
//   - [authenticate] checks the access key and the signature;
//   - [Server.acceptStreaming] refuses or decodes an aws-chunked body;
//   - [refuseUnsupported] refuses the sub-resources gofakes3 would misroute;
//   - [Server.refuseConditional] checks the conditions of a write, under the
//     lock of the object it writes, which is held until the answer is written;
//   - [Server.route] hands the request to the middleware's handler for its
//     operation, or to gofakes3.
func (s *Server) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.requests.Add(1)
		bucket, key, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
		if !isSigned(r) {
			s.serveAnonymous(next, w, r, bucket, key)
			return
		}
		if !s.authenticate(w, r) {
			return
		}
		if !s.acceptStreaming(w, r) { // streaming.go
			return
		}
		if refuseUnsupported(w, r) {
			return
		}
		defer s.lockWrite(r, bucket, key)() // conditional.go
		if s.refuseConditional(w, r, bucket, key) {
			return
		}
		s.route(next, w, r, bucket, key)
	})
}

// serveAnonymous answers a request without credentials: it may GET or HEAD,
// without any query parameter, an object whose ACL is public-read or
// public-read-write; anything else gets 403 AccessDenied.
func (s *Server) serveAnonymous(next http.Handler, w http.ResponseWriter, r *http.Request, bucket, key string) {
	read := r.Method == http.MethodGet || r.Method == http.MethodHead
	if read && key != "" && len(r.URL.Query()) == 0 && isPublic(s.ObjectACL(bucket, key)) {
		s.serveObject(next, w, r, bucket, key)
		return
	}
	writeError(w, r, http.StatusForbidden, "AccessDenied", "Access Denied")
}

// authenticate checks that a signed request names [AccessKey] and carries a
// valid SigV4 or SigV2 signature made with [SecretKey], for [Region] with
// [WithStrictRegion]. It reports whether
// the request may go on; if not, it has answered it.
func (s *Server) authenticate(w http.ResponseWriter, r *http.Request) bool {
	if ak := accessKeyOf(r); ak != AccessKey {
		writeError(w, r, http.StatusForbidden, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.")
		return false
	}
	if sig, ok, err := parseSigV4(r); ok {
		if err == nil && s.strictRegion {
			err = sig.checkRegion(w, r)
			if err != nil {
				return false
			}
		}
		if err == nil {
			err = sig.verify(r, SecretKey)
		}
		return acceptSigV4(w, r, err)
	}
	if err := verifySigV2(r, SecretKey); err != nil { // sigv2.go
		writeError(w, r, http.StatusForbidden, err.Error(), "SigV2 check failed")
		return false
	}
	return true
}

// acceptSigV4 answers a SigV4 request whose parsing or verification failed
// with err, as S3 does: 403 AccessDenied listing the unsigned x-amz-*
// headers, 400 for a malformed signature or a payload that does not match
// its hash, 403 otherwise. It reports whether the request may go on, which
// it may if err is nil.
func acceptSigV4(w http.ResponseWriter, r *http.Request, err error) bool {
	if uh := (*unsignedHeadersError)(nil); errors.As(err, &uh) {
		uh.write(w, r) // sigv4.go
		return false
	}
	if err != nil {
		status := http.StatusForbidden
		if errors.Is(err, errMalformed) || errors.Is(err, errPayload) {
			status = http.StatusBadRequest
		}
		writeError(w, r, status, err.Error(), "SigV4 check failed: "+err.Error())
		return false
	}
	return true
}

// refuseUnsupported answers 501 NotImplemented to a request for one of the
// [unsupported] sub-resources, and reports whether it did.
func refuseUnsupported(w http.ResponseWriter, r *http.Request) bool {
	q := r.URL.Query()
	for _, sub := range unsupported {
		if q.Has(sub) {
			writeError(w, r, http.StatusNotImplemented, "NotImplemented", "s3kittest does not implement ?"+sub)
			return true
		}
	}
	return false
}

// route hands an authenticated request to the middleware's handler for its
// operation: ?acl to [Server.serveACL], the rest to [Server.routeBucket] or
// [Server.routeObject].
func (s *Server) route(next http.Handler, w http.ResponseWriter, r *http.Request, bucket, key string) {
	switch {
	case r.URL.Query().Has("acl"):
		s.serveACL(w, r, bucket, key)
	case key == "":
		s.routeBucket(next, w, r, bucket)
	default:
		s.routeObject(next, w, r, bucket, key)
	}
}

// routeBucket hands a request on a bucket (or on the service, with no
// bucket) to its handler: ListMultipartUploads, ListObjects(V2) and
// DeleteObjects have one here (listing.go, batch.go); gofakes3 answers the
// rest.
func (s *Server) routeBucket(next http.Handler, w http.ResponseWriter, r *http.Request, bucket string) {
	q := r.URL.Query()
	switch {
	case q.Has("uploads") && r.Method == http.MethodGet:
		s.listMultipart(next, w, r, bucket) // listing.go
	case isListObjects(r, bucket, "", q):
		s.listObjects(w, r, bucket) // listing.go
	case q.Has("delete") && r.Method == http.MethodPost:
		s.deleteObjects(next, w, r, bucket) // batch.go
	default:
		next.ServeHTTP(w, r)
	}
}

// routeObject hands a request on an object to its handler: the multipart
// steps, PutObject and CopyObject, DeleteObject, and GetObject and
// HeadObject have one here; gofakes3 answers the rest.
func (s *Server) routeObject(next http.Handler, w http.ResponseWriter, r *http.Request, bucket, key string) {
	q := r.URL.Query()
	switch {
	case q.Has("uploads") && r.Method == http.MethodPost:
		s.createMultipart(next, w, r, bucket, key)
	case q.Has("uploadId") && r.Method == http.MethodPut && r.Header.Get("X-Amz-Copy-Source") != "":
		s.uploadPartCopy(next, w, r)
	case q.Has("uploadId"):
		s.finishMultipart(next, w, r, bucket, key, q.Get("uploadId"))
	case r.Method == http.MethodPut:
		s.putObject(next, w, r, bucket, key)
	case r.Method == http.MethodDelete:
		s.deleteObject(next, w, r, bucket, key)
	case r.Method == http.MethodGet || r.Method == http.MethodHead:
		s.serveObject(next, w, r, bucket, key)
	default:
		next.ServeHTTP(w, r)
	}
}

// isSigned reports whether r carries SigV4 or SigV2 credentials, in headers
// or in a presigned query.
func isSigned(r *http.Request) bool {
	q := r.URL.Query()
	return r.Header.Get("Authorization") != "" || q.Has("X-Amz-Signature") || q.Has("Signature")
}

// accessKeyOf returns the access key a signed request names.
func accessKeyOf(r *http.Request) string {
	if cred := r.URL.Query().Get("X-Amz-Credential"); cred != "" {
		ak, _, _ := strings.Cut(cred, "/")
		return ak
	}
	if ak := r.URL.Query().Get("AWSAccessKeyId"); ak != "" {
		return ak
	}
	auth := r.Header.Get("Authorization")
	if rest, ok := strings.CutPrefix(auth, "AWS "); ok { // SigV2
		ak, _, _ := strings.Cut(rest, ":")
		return ak
	}
	_, cred, ok := strings.Cut(auth, "Credential=")
	if !ok {
		return ""
	}
	ak, _, _ := strings.Cut(cred, "/")
	return ak
}

func isPublic(a s3kit.ACL) bool {
	return a == s3kit.ACLPublicRead || a == s3kit.ACLPublicReadWrite
}

// cannedACL reads and checks the x-amz-acl header; ok is false if it is
// present but unknown.
func cannedACL(r *http.Request) (acl s3kit.ACL, ok bool) {
	v := r.Header.Get("X-Amz-Acl")
	if v == "" {
		return s3kit.ACLPrivate, true
	}
	switch a := s3kit.ACL(v); a {
	case s3kit.ACLPrivate, s3kit.ACLPublicRead, s3kit.ACLPublicReadWrite, s3kit.ACLAuthenticatedRead,
		s3kit.ACLBucketOwnerRead, s3kit.ACLBucketOwnerFullControl:
		return a, true
	}
	return "", false
}

// putObject passes a PutObject (or CopyObject) through and records its ACL
// and kept headers (Cache-Control, Content-Language) once it succeeded; a
// CopyObject without the REPLACE directive keeps the source's.
func (s *Server) putObject(next http.Handler, w http.ResponseWriter, r *http.Request, bucket, key string) {
	acl, ok := cannedACL(r)
	if !ok {
		writeError(w, r, http.StatusBadRequest, "InvalidArgument", "unknown canned ACL")
		return
	}
	extra := objectExtra{acl: acl, headers: headersOf(r)}
	if sb, sk, ok := copySource(r.Header.Get("X-Amz-Copy-Source")); ok && !strings.EqualFold(r.Header.Get("X-Amz-Metadata-Directive"), "REPLACE") {
		s.mu.Lock()
		extra.headers = s.objects[objectID{sb, sk}].headers
		s.mu.Unlock()
	}
	h := next
	if r.Header.Get("X-Amz-Copy-Source") != "" {
		h = http.HandlerFunc(s.copyObject) // copyobject.go
	}
	rec := serve(h, r)
	if rec.Code/100 == 2 {
		s.mu.Lock()
		s.objects[objectID{bucket, key}] = extra
		s.mu.Unlock()
	}
	copyResponse(w, rec)
}

// deleteObject passes a DeleteObject through and forgets the object's ACL
// and Cache-Control once it succeeded.
func (s *Server) deleteObject(next http.Handler, w http.ResponseWriter, r *http.Request, bucket, key string) {
	rec := serve(next, r)
	if rec.Code/100 == 2 {
		s.mu.Lock()
		delete(s.objects, objectID{bucket, key})
		s.mu.Unlock()
	}
	copyResponse(w, rec)
}

// serveObject passes a GET or HEAD through and adds the Cache-Control and
// Content-Language that gofakes3 does not keep. The answer is prepared under the object's write
// lock (conditional.go), so that a read racing a write sees one version
// whole, with that version's ETag, as on S3; it is then sent from memory.
func (s *Server) serveObject(next http.Handler, w http.ResponseWriter, r *http.Request, bucket, key string) {
	unlock := s.writeLocks.lock(objectID{bucket, key})
	rec := httptest.NewRecorder()
	s.readObject(next, rec, r, bucket, key)
	unlock()
	copyResponse(w, rec)
}

// readObject answers a GET or HEAD into w.
func (s *Server) readObject(next http.Handler, w http.ResponseWriter, r *http.Request, bucket, key string) {
	s.mu.Lock()
	extra := s.objects[objectID{bucket, key}]
	s.mu.Unlock()
	if im := r.Header.Get("If-Match"); im != "" {
		// gofakes3 ignores If-Match on reads; S3 answers 412 when the
		// object's ETag (the one served, multipart or not) differs.
		if etag, ok := s.currentETag(bucket, key); ok && strings.Trim(im, `"`) != strings.Trim(etag, `"`) {
			writeError(w, r, http.StatusPreconditionFailed, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold")
			return
		}
	}
	hh := &headerHook{ResponseWriter: w, hook: func(status int) {
		lowerUserMetadata(w.Header()) // store.go
		if status/100 == 2 {
			extra.headers.set(w.Header())
		}
		if extra.etag != "" && status/100 == 2 {
			w.Header().Set("ETag", extra.etag)
		}
	}}
	next.ServeHTTP(hh, r)
	if !hh.wrote { // gofakes3 answers HEAD without calling WriteHeader
		hh.WriteHeader(http.StatusOK)
	}
}

// createMultipart passes CreateMultipartUpload through and remembers the
// upload's ACL and kept headers until it completes.
func (s *Server) createMultipart(next http.Handler, w http.ResponseWriter, r *http.Request, bucket, key string) {
	acl, ok := cannedACL(r)
	if !ok {
		writeError(w, r, http.StatusBadRequest, "InvalidArgument", "unknown canned ACL")
		return
	}
	rec := serve(next, r)
	if rec.Code/100 == 2 {
		var res struct {
			UploadID string `xml:"UploadId"`
		}
		if err := xml.Unmarshal(rec.Body.Bytes(), &res); err == nil && res.UploadID != "" {
			s.mu.Lock()
			s.pending[res.UploadID] = pendingUpload{
				objectExtra: objectExtra{acl: acl, headers: headersOf(r)},
				objectID:    objectID{bucket, key},
			}
			s.mu.Unlock()
		}
	}
	copyResponse(w, rec)
}

// finishMultipart passes part uploads, completion and abort through; a
// completion applies the upload's ACL to the object.
func (s *Server) finishMultipart(next http.Handler, w http.ResponseWriter, r *http.Request, bucket, key, uploadID string) {
	switch r.Method {
	case http.MethodPost, http.MethodDelete:
	default:
		next.ServeHTTP(w, r)
		return
	}
	rec := serve(next, r)
	if rec.Code/100 == 2 {
		s.mu.Lock()
		if r.Method == http.MethodPost {
			// Serve the multipart ETag on GET and HEAD, as S3 does.
			var res struct {
				ETag string `xml:"ETag"`
			}
			extra := s.pending[uploadID].objectExtra
			if err := xml.Unmarshal(rec.Body.Bytes(), &res); err == nil {
				extra.etag = res.ETag
			}
			s.objects[objectID{bucket, key}] = extra
		}
		delete(s.pending, uploadID)
		s.mu.Unlock()
	}
	copyResponse(w, rec)
}

// serveACL implements GET and PUT of ?acl on objects. Bucket ACLs are not
// implemented.
func (s *Server) serveACL(w http.ResponseWriter, r *http.Request, bucket, key string) {
	if key == "" {
		writeError(w, r, http.StatusNotImplemented, "NotImplemented", "s3kittest does not implement bucket ACLs")
		return
	}
	if _, err := s.backend.HeadObject(bucket, key); err != nil {
		if ok, _ := s.backend.BucketExists(bucket); !ok {
			writeError(w, r, http.StatusNotFound, "NoSuchBucket", "The specified bucket does not exist")
			return
		}
		writeError(w, r, http.StatusNotFound, "NoSuchKey", "The specified key does not exist.")
		return
	}
	switch r.Method {
	case http.MethodGet:
		s.writeACL(w, s.ObjectACL(bucket, key))
	case http.MethodPut:
		acl, ok := cannedACL(r)
		if !ok {
			writeError(w, r, http.StatusBadRequest, "InvalidArgument", "unknown canned ACL")
			return
		}
		if r.Header.Get("X-Amz-Acl") == "" {
			// An AccessControlPolicy document: public if AllUsers may READ.
			body, err := io.ReadAll(io.LimitReader(r.Body, 64<<10))
			if err != nil {
				writeError(w, r, http.StatusBadRequest, "MalformedACLError", err.Error())
				return
			}
			if bytes.Contains(body, []byte(allUsersURI)) && bytes.Contains(body, []byte("<Permission>READ</Permission>")) {
				acl = s3kit.ACLPublicRead
			}
		}
		s.mu.Lock()
		e := s.objects[objectID{bucket, key}]
		e.acl = acl
		s.objects[objectID{bucket, key}] = e
		s.mu.Unlock()
		w.WriteHeader(http.StatusOK)
	default:
		writeError(w, r, http.StatusMethodNotAllowed, "MethodNotAllowed", "method not allowed on ?acl")
	}
}

// writeACL writes an AccessControlPolicy for a canned ACL.
func (s *Server) writeACL(w http.ResponseWriter, acl s3kit.ACL) {
	grant := func(grantee, perm string) string {
		return `<Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ` + grantee + `</Grantee><Permission>` + perm + `</Permission></Grant>`
	}
	owner := `xsi:type="CanonicalUser"><ID>s3kittest</ID><DisplayName>s3kittest</DisplayName>`
	grants := grant(owner, "FULL_CONTROL")
	switch acl {
	case s3kit.ACLPublicRead:
		grants += grant(`xsi:type="Group"><URI>`+allUsersURI+`</URI>`, "READ")
	case s3kit.ACLPublicReadWrite:
		grants += grant(`xsi:type="Group"><URI>`+allUsersURI+`</URI>`, "READ")
		grants += grant(`xsi:type="Group"><URI>`+allUsersURI+`</URI>`, "WRITE")
	case s3kit.ACLAuthenticatedRead:
		grants += grant(`xsi:type="Group"><URI>http://acs.amazonaws.com/groups/global/AuthenticatedUsers</URI>`, "READ")
	}
	w.Header().Set("Content-Type", "application/xml")
	fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?>`+
		`<AccessControlPolicy xmlns="http://s3.amazonaws.com/doc/2006-03-01/">`+
		`<Owner><ID>s3kittest</ID><DisplayName>s3kittest</DisplayName></Owner>`+
		`<AccessControlList>%s</AccessControlList></AccessControlPolicy>`, grants)
}

// serve runs next into a recorder, for responses with small bodies that the
// middleware must inspect before passing on.
func serve(next http.Handler, r *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	next.ServeHTTP(rec, r)
	return rec
}

func copyResponse(w http.ResponseWriter, rec *httptest.ResponseRecorder) {
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	_, _ = w.Write(rec.Body.Bytes())
}

// writeError writes an S3 error document (no body for HEAD).
func writeError(w http.ResponseWriter, r *http.Request, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/xml")
	w.Header().Set("X-Amz-Request-Id", "s3kittest")
	w.WriteHeader(status)
	if r.Method == http.MethodHead {
		return
	}
	fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>%s</Code><Message>%s</Message><Resource>%s</Resource><RequestId>s3kittest</RequestId></Error>`,
		xmlEscape(code), xmlEscape(msg), xmlEscape(r.URL.Path))
}

func xmlEscape(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

// headerHook calls hook just before the status line is written.
type headerHook struct {
	http.ResponseWriter
	hook  func(status int)
	wrote bool
}

func (h *headerHook) WriteHeader(status int) {
	if h.wrote {
		return // gofakes3 sometimes writes a second status; drop it
	}
	h.wrote = true
	h.hook(status)
	h.ResponseWriter.WriteHeader(status)
}

func (h *headerHook) Write(p []byte) (int, error) {
	if !h.wrote {
		h.WriteHeader(http.StatusOK)
	}
	return h.ResponseWriter.Write(p)
}

// Flush passes flushes through so that streamed bodies are not held back.
func (h *headerHook) Flush() {
	if f, ok := h.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}
