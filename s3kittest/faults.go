package s3kittest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Rule injects a [Fault] into the requests it matches. A request matches when
// its operation and key equal Op and Key (an empty field matches anything);
// among matching requests the rule fires on the Nth only, or on each with
// probability Chance drawn from a source seeded with Seed, and at most Times
// times. The zero values mean: every request, always, without limit.
//
// A rule sees only the requests that reach it: those no earlier rule of the
// same [NewFaultHandler] or [WithFaults] fired on. Nth counts, and Chance
// draws, on those alone, so rules for one operation chain: with a rule
// {Op: "PutObject", Nth: 1} that drops the answer followed by a rule
// {Op: "PutObject", Nth: 1} that answers 500, the first PutObject is dropped
// and the second, its retry, gets the 500.
//
// Rules are used by pointer and count what they did; see [Rule.Fired]. A
// Rule is safe for concurrent use once handed to [NewFaultHandler] or
// [WithFaults], and must not be changed or copied afterwards.
type Rule struct {
	Op     string  // S3 operation as [Operation] names it, such as "PutObject"; "" matches all
	Key    string  // object key; "" matches all
	Nth    int     // fire only on the Nth matching request (1-based); 0: on any
	Times  int     // fire at most this many times; 0: no limit
	Chance float64 // probability of firing on a match; 0 or 1: always
	Seed   uint64  // seed for Chance, so runs are reproducible
	Fault  Fault   // what to do; must not be nil

	mu    sync.Mutex
	rng   *rand.Rand
	seen  int
	fired int
}

// Fired returns how many times the rule has injected its fault.
func (r *Rule) Fired() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.fired
}

// Seen returns how many matching requests have reached the rule, fired on
// or not; a request an earlier rule fired on does not reach it.
func (r *Rule) Seen() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.seen
}

// String describes the rule, as in a test log.
func (r *Rule) String() string {
	return fmt.Sprintf("Rule{Op: %q, Key: %q, Nth: %d, Times: %d, Chance: %g, Fault: %v}", r.Op, r.Key, r.Nth, r.Times, r.Chance, r.Fault)
}

// decide counts a matching request and reports whether to fire on it.
func (r *Rule) decide(op, key string) bool {
	if (r.Op != "" && r.Op != op) || (r.Key != "" && r.Key != key) {
		return false
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.seen++
	if r.Times > 0 && r.fired >= r.Times {
		return false
	}
	if r.Nth > 0 && r.seen != r.Nth {
		return false
	}
	if r.Chance > 0 && r.Chance < 1 {
		if r.rng == nil {
			r.rng = rand.New(rand.NewPCG(r.Seed, r.Seed^0x9e3779b97f4a7c15))
		}
		if r.rng.Float64() >= r.Chance {
			return false
		}
	}
	r.fired++
	return true
}

// NewFaultHandler wraps next so that the rules can inject faults into its
// requests. Each request is offered to the rules in order until one fires:
// each matching rule it reaches counts it, and the first that fires injects
// its fault. The rules after that one never see the request: it does not
// count towards their Seen, Nth or Times, nor draw on their Chance. Requests
// no rule fires on go to next unchanged.
func NewFaultHandler(next http.Handler, rules ...*Rule) http.Handler {
	for _, r := range rules {
		if r == nil || r.Fault == nil {
			panic("s3kittest: NewFaultHandler: nil Rule or Rule without a Fault")
		}
	}
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		op, key := Operation(req), objectKey(req)
		for _, r := range rules {
			if r.decide(op, key) {
				r.Fault.inject(w, req, next)
				return
			}
		}
		next.ServeHTTP(w, req)
	})
}

// WithFaults makes the server inject faults by rules, in front of everything
// else it does; see [NewFaultHandler].
func WithFaults(rules ...*Rule) Option {
	return optionFunc(func(c *serverConfig) { c.faults = append(c.faults, rules...) })
}

// objectKey returns the key of a path-style request, or "".
func objectKey(r *http.Request) string {
	_, key, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	return key
}

// Operation names the S3 operation of a path-style request, such as
// "PutObject", "UploadPart", "CompleteMultipartUpload", "GetObject",
// "HeadObject" or "ListObjectsV2"; "" if it cannot tell.
func Operation(r *http.Request) string {
	bucket, key, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	if bucket == "" {
		if r.Method == http.MethodGet {
			return "ListBuckets"
		}
		return ""
	}
	if key == "" {
		return bucketOperation(r.Method, r.URL.Query())
	}
	return objectOperation(r.Method, r.URL.Query(), r.Header.Get("X-Amz-Copy-Source") != "")
}

// objectOperation names an operation on an object; copySrc reports whether
// the request names a copy source (x-amz-copy-source).
func objectOperation(method string, q url.Values, copySrc bool) string {
	switch method {
	case http.MethodPut:
		return putOperation(q, copySrc)
	case http.MethodPost:
		switch {
		case q.Has("uploads"):
			return "CreateMultipartUpload"
		case q.Has("uploadId"):
			return "CompleteMultipartUpload"
		}
	case http.MethodDelete:
		if q.Has("uploadId") {
			return "AbortMultipartUpload"
		}
		return "DeleteObject"
	case http.MethodGet:
		switch {
		case q.Has("acl"):
			return "GetObjectAcl"
		case q.Has("uploadId"):
			return "ListParts"
		}
		return "GetObject"
	case http.MethodHead:
		return "HeadObject"
	}
	return ""
}

// putOperation names a PUT on an object; copySrc reports whether it names
// a copy source (x-amz-copy-source).
func putOperation(q url.Values, copySrc bool) string {
	switch {
	case q.Has("acl"):
		return "PutObjectAcl"
	case q.Has("uploadId") && copySrc:
		return "UploadPartCopy"
	case q.Has("uploadId"):
		return "UploadPart"
	case copySrc:
		return "CopyObject"
	}
	return "PutObject"
}

// bucketOperation names an operation on a bucket.
func bucketOperation(method string, q map[string][]string) string {
	has := func(k string) bool { _, ok := q[k]; return ok }
	switch method {
	case http.MethodGet:
		switch {
		case has("uploads"):
			return "ListMultipartUploads"
		case has("acl"):
			return "GetBucketAcl"
		case has("location"):
			return "GetBucketLocation"
		case len(q["list-type"]) > 0 && q["list-type"][0] == "2":
			return "ListObjectsV2"
		}
		return "ListObjects"
	case http.MethodPut:
		return "CreateBucket"
	case http.MethodDelete:
		return "DeleteBucket"
	case http.MethodHead:
		return "HeadBucket"
	case http.MethodPost:
		if has("delete") {
			return "DeleteObjects"
		}
	}
	return ""
}

// Fault is what a [Rule] does to a request. Build one with [ErrorResponse],
// [ResetRequest], [ResetResponse], [DropResponse], [DelayHeaders],
// [DelayBody], [TruncateXML] or [InvalidXML].
type Fault interface {
	inject(w http.ResponseWriter, r *http.Request, next http.Handler)
	String() string
}

// ErrorResponse answers with an S3 error document of the given HTTP status
// and code, such as 500 "InternalError" or 503 "SlowDown", after reading the
// request body. The request never reaches the server behind.
func ErrorResponse(status int, code string) Fault { return errorFault{status, code} }

type errorFault struct {
	status int
	code   string
}

func (f errorFault) String() string { return fmt.Sprintf("%d %s", f.status, f.code) }

func (f errorFault) inject(w http.ResponseWriter, r *http.Request, _ http.Handler) {
	_, _ = io.Copy(io.Discard, r.Body)
	writeError(w, r, f.status, f.code, "injected by s3kittest")
}

// ResetRequest reads n bytes of the request body (fewer if it is shorter) and
// then resets the connection, before any response. The request never reaches
// the server behind, so nothing is stored.
func ResetRequest(n int64) Fault { return resetRequestFault{n} }

type resetRequestFault struct{ n int64 }

func (f resetRequestFault) String() string { return fmt.Sprintf("reset after %d request bytes", f.n) }

func (f resetRequestFault) inject(w http.ResponseWriter, r *http.Request, _ http.Handler) {
	_, _ = io.CopyN(io.Discard, r.Body, f.n)
	reset(w, nil)
}

// ResetResponse lets the server behind handle the request, then sends the
// response's status line, headers and the first n bytes of its body, and
// resets the connection. The request takes effect: a PUT stores its object.
func ResetResponse(n int64) Fault { return resetResponseFault{n} }

type resetResponseFault struct{ n int64 }

func (f resetResponseFault) String() string {
	return fmt.Sprintf("reset after %d response body bytes", f.n)
}

func (f resetResponseFault) inject(w http.ResponseWriter, r *http.Request, next http.Handler) {
	rec := serve(next, r)
	body := rec.Body.Bytes()
	var raw bytes.Buffer
	fmt.Fprintf(&raw, "HTTP/1.1 %d %s\r\n", rec.Code, http.StatusText(rec.Code))
	h := rec.Header().Clone()
	h.Set("Content-Length", strconv.Itoa(len(body)))
	h.Del("Transfer-Encoding")
	_ = h.Write(&raw)
	raw.WriteString("\r\n")
	if r.Method != http.MethodHead {
		raw.Write(body[:min(int64(len(body)), f.n)])
	}
	reset(w, raw.Bytes())
}

// DropResponse lets the server behind handle the request, then resets the
// connection without sending any of the response. The request takes effect,
// but the client cannot know: the case that makes retries of
// non-idempotent steps dangerous.
func DropResponse() Fault { return dropFault{} }

type dropFault struct{}

func (dropFault) String() string { return "drop response" }

func (dropFault) inject(w http.ResponseWriter, r *http.Request, next http.Handler) {
	serve(next, r)
	reset(w, nil)
}

// DelayHeaders reads the request body, then waits d, or until the client
// goes away, before handing the request to the server behind: a server slow
// to answer.
func DelayHeaders(d time.Duration) Fault { return delayHeadersFault{d} }

type delayHeadersFault struct{ d time.Duration }

func (f delayHeadersFault) String() string { return fmt.Sprintf("delay headers %v", f.d) }

func (f delayHeadersFault) inject(w http.ResponseWriter, r *http.Request, next http.Handler) {
	// Reading the body first lets the server notice a client that goes away.
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	if !wait(r.Context(), f.d) {
		return
	}
	next.ServeHTTP(w, r)
}

// DelayBody sends the response's status and headers at once, then waits d,
// or until the client goes away, before sending the body.
func DelayBody(d time.Duration) Fault { return delayBodyFault{d} }

type delayBodyFault struct{ d time.Duration }

func (f delayBodyFault) String() string { return fmt.Sprintf("delay body %v", f.d) }

func (f delayBodyFault) inject(w http.ResponseWriter, r *http.Request, next http.Handler) {
	rec := serve(next, r)
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.Header().Set("Content-Length", strconv.Itoa(rec.Body.Len()))
	w.WriteHeader(rec.Code)
	if f, ok := w.(http.Flusher); ok {
		f.Flush()
	}
	if !wait(r.Context(), f.d) {
		return
	}
	_, _ = w.Write(rec.Body.Bytes())
}

// TruncateXML cuts an XML response body in half, with a Content-Length that
// matches the cut, so the client receives a complete HTTP response holding
// broken XML. Responses that are not XML pass unchanged.
func TruncateXML() Fault {
	return rewriteXMLFault{name: "truncate XML", rewrite: func(b []byte) []byte { return b[:len(b)/2] }}
}

// InvalidXML replaces an XML response body with bytes that are not XML,
// keeping the status. Responses that are not XML pass unchanged.
func InvalidXML() Fault {
	return rewriteXMLFault{name: "invalid XML", rewrite: func([]byte) []byte {
		return []byte(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>Internal<</Code>&bogus;</Message>`)
	}}
}

type rewriteXMLFault struct {
	name    string
	rewrite func([]byte) []byte
}

func (f rewriteXMLFault) String() string { return f.name }

func (f rewriteXMLFault) inject(w http.ResponseWriter, r *http.Request, next http.Handler) {
	rec := serve(next, r)
	body := rec.Body.Bytes()
	if isXML(rec.Header().Get("Content-Type"), body) {
		body = f.rewrite(body)
	}
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(rec.Code)
	_, _ = w.Write(body)
}

func isXML(contentType string, body []byte) bool {
	return strings.Contains(contentType, "xml") || bytes.HasPrefix(bytes.TrimSpace(body), []byte("<?xml"))
}

// wait sleeps for d unless ctx ends first, and reports whether it slept
// the whole time.
func wait(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// reset writes raw bytes on the connection, then closes it with a TCP reset
// so that the client sees "connection reset by peer".
func reset(w http.ResponseWriter, raw []byte) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler)
	}
	conn, buf, err := hj.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	if len(raw) > 0 {
		_, _ = buf.Write(raw)
		_ = buf.Flush()
	}
	setLinger0(conn)
	_ = conn.Close()
}

// setLinger0 makes Close send RST instead of FIN.
func setLinger0(c net.Conn) {
	if nc, ok := c.(interface{ NetConn() net.Conn }); ok { // *tls.Conn
		c = nc.NetConn()
	}
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
}
