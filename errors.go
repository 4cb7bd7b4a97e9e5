package s3kit

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/s3kit/s3kit/internal/retry"
)

// Sentinel errors. Every error returned by a [Client] method is an [*Error]
// that matches at most one of these with [errors.Is], so callers can branch on
// the kind of failure without knowing which provider they talk to.
var (
	// ErrNotFound means the object does not exist (S3 codes NoSuchKey and
	// NotFound, or HTTP 404 on an object request).
	ErrNotFound = errors.New("s3kit: object not found")
	// ErrBucketNotFound means the bucket does not exist (S3 code NoSuchBucket).
	ErrBucketNotFound = errors.New("s3kit: bucket not found")
	// ErrAccessDenied means the provider refused the credentials or the
	// request (AccessDenied, SignatureDoesNotMatch, InvalidAccessKeyId, or
	// HTTP 403 or 401).
	ErrAccessDenied = errors.New("s3kit: access denied")
	// ErrACLNotSupported means the provider does not implement object ACLs
	// (NotImplemented or AccessControlListNotSupported on an ACL request).
	// The object's data is not changed when this is returned.
	ErrACLNotSupported = errors.New("s3kit: object ACLs not supported by this provider")
	// ErrInvalidInput means an argument or option was rejected before any
	// request was sent.
	ErrInvalidInput = errors.New("s3kit: invalid input")
	// ErrObjectChanged means the object changed while it was being read in
	// several requests (a resumed or ranged download), so the pieces would
	// not belong together (S3 code PreconditionFailed on If-Match). A
	// failed condition on a write is [ErrPreconditionFailed] instead.
	ErrObjectChanged = errors.New("s3kit: object changed during the download")
	// ErrOutcomeUnknown means a write (Put, Copy, Delete, or a batch of
	// DeleteMany or DeletePrefix) failed in a way that does not tell
	// whether the provider carried it out: its answer was lost, cut short
	// or garbled, the server answered 500, or ctx ended while the request
	// was in flight, and no later attempt or check settled it. The write
	// may have taken effect, and may still take effect later; call
	// [Client.Head] to find out. Every other error from Put, Copy or Delete
	// means the key was left as it was (DeleteMany and DeletePrefix may
	// have deleted earlier batches before failing). The cause (such as
	// [context.Canceled]) is still reachable with errors.Is and errors.As.
	ErrOutcomeUnknown = errors.New("s3kit: outcome unknown")
	// ErrPreconditionFailed means a conditional write ([WithIfNoneMatch] or
	// [WithIfMatch] on [Client.Put] or [Client.Copy]) was refused because its
	// condition did not hold: an object already exists, or its ETag is not
	// the one given (S3 code PreconditionFailed, HTTP 412, or
	// ConditionalRequestConflict, HTTP 409, which S3 answers when another
	// write to the key was in progress). The object under the key is left
	// as it was by this call.
	//
	// A 412 on a retry whose earlier attempt may have been applied (its
	// answer was lost) proves nothing: the retry may have failed the
	// condition against the object that attempt stored. Such a write
	// returns [ErrOutcomeUnknown] instead, or succeeds when s3kit can prove
	// the object is its own (a multipart upload's ETag).
	ErrPreconditionFailed = errors.New("s3kit: precondition of a conditional write failed")
)

// sentinels lists every exported Err variable; a test checks it against the
// source.
var sentinels = []error{ErrNotFound, ErrBucketNotFound, ErrAccessDenied, ErrACLNotSupported,
	ErrInvalidInput, ErrObjectChanged, ErrDataCorrupted, ErrOutcomeUnknown, ErrPreconditionFailed}

// hasSentinel reports whether err matches one of the sentinels.
func hasSentinel(err error) bool {
	for _, s := range sentinels {
		if errors.Is(err, s) {
			return true
		}
	}
	return false
}

// Error describes a failed operation. It names the operation, bucket and key,
// carries what the provider said (Code, StatusCode, RequestID) and unwraps to
// both the matching sentinel (such as [ErrNotFound]) and the underlying cause,
// so errors.Is and errors.As see through it to the SDK's error types and to
// [context.Canceled].
//
// Error never contains credentials.
type Error struct {
	Op         string // operation, such as "Get" or "Put"
	Bucket     string // bucket name, if any
	Key        string // object key, if any
	Code       string // S3 error code, such as "NoSuchKey"; empty if none
	StatusCode int    // HTTP status; 0 if no response was received
	RequestID  string // provider's request ID; empty if none
	Attempts   int    // requests sent for the failed step; 0 if none was sent or unknown
	Err        error  // underlying cause

	kind    error  // one of the sentinels, or nil
	message string // the provider's error message, if any
}

// Error formats the error as "s3kit: OP BUCKET/KEY: CODE (HTTP STATUS)
// [request ID]: cause",
// followed by "(after N attempts)" when the request was retried. The cause
// is the provider's message; when the provider gave only a status, without
// a code, it is the reason the answer was refused, such as the XML syntax
// error of a garbled body (TestErrorTextShowsCause).
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("s3kit: ")
	b.WriteString(e.Op)
	if e.Bucket != "" || e.Key != "" {
		b.WriteByte(' ')
		b.WriteString(e.Bucket)
		if e.Key != "" {
			b.WriteByte('/')
			b.WriteString(e.Key)
		}
	}
	b.WriteString(": ")
	switch {
	case e.Code != "" && e.StatusCode != 0:
		fmt.Fprintf(&b, "%s (HTTP %d)", e.Code, e.StatusCode)
	case e.Code != "":
		b.WriteString(e.Code)
	case e.StatusCode != 0:
		fmt.Fprintf(&b, "HTTP %d", e.StatusCode)
	case e.kind != nil:
		b.WriteString(strings.TrimPrefix(e.kind.Error(), "s3kit: "))
	}
	if e.RequestID != "" {
		fmt.Fprintf(&b, " [request %s]", e.RequestID)
	}
	switch {
	case e.Code != "" || e.StatusCode != 0:
		// The SDK's own text repeats the status and IDs; keep its message,
		// or, for a bare status, what went wrong with the answer.
		if e.message != "" {
			b.WriteString(": ")
			b.WriteString(e.message)
		} else if e.Code == "" && e.Err != nil {
			b.WriteString(": ")
			b.WriteString(causeText(e.Err))
		}
	case e.Err != nil:
		if e.kind != nil {
			b.WriteString(": ")
		}
		b.WriteString(e.Err.Error())
	}
	b.WriteString(retryNote(e))
	if e.kind == ErrOutcomeUnknown {
		b.WriteString("; the outcome is unknown: the write may or may not have taken effect (Head the object to find out)")
	}
	return b.String()
}

// retryNote is the end of [Error.Error]: how often the request was tried and
// whether the retry time limit stopped it.
func retryNote(e *Error) string {
	var note string
	if e.Attempts > 1 {
		note = fmt.Sprintf(" (after %d attempts", e.Attempts)
		var te *retry.TimeoutError
		if errors.As(e.Err, &te) {
			note += "; " + te.Error()
		}
		note += ")"
	}
	return note
}

// causeText is err's text without the SDK's "operation error S3: Op, https
// response error StatusCode: N, RequestID: ..., HostID: ..." prefix, which
// repeats what [Error.Error] already says: for an answer that could not be
// read, the cause below the HTTP response, such as the XML syntax error.
func causeText(err error) string {
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) && re.Err != nil {
		return re.Err.Error()
	}
	return err.Error()
}

// Unwrap returns the sentinel this error matches (if any) and the cause.
func (e *Error) Unwrap() []error {
	errs := make([]error, 0, 2)
	if e.kind != nil {
		errs = append(errs, e.kind)
	}
	if e.Err != nil {
		errs = append(errs, e.Err)
	}
	return errs
}

// opKind tells classify what kind of request failed, because the same S3
// code means different things on different requests.
type opKind int

const (
	kindObject opKind = iota // a request on one object
	kindBucket               // a request on a bucket (list, create)
	kindACL                  // a request that sets or reads an ACL

	// kindCondWrite is a flag added to a kind: the request is a write
	// that carries If-None-Match or If-Match (conditional.go), so a failed
	// precondition means ErrPreconditionFailed, not ErrObjectChanged.
	kindCondWrite opKind = 1 << 4
)

// invalidf returns an *Error that matches ErrInvalidInput.
func invalidf(op, bucket, key, format string, args ...any) error {
	return invalid(op, bucket, key, fmt.Errorf(format, args...))
}

// invalid returns an *Error that matches ErrInvalidInput, with err (from an
// internal check) as its cause.
func invalid(op, bucket, key string, err error) error {
	return &Error{Op: op, Bucket: bucket, Key: key, kind: ErrInvalidInput, Err: err}
}

// wrapWrite is [wrapErr] for the request that commits a write (PutObject,
// CompleteMultipartUpload, CopyObject, DeleteObject): if any of its
// attempts may have been applied, the error matches [ErrOutcomeUnknown]
// instead of what the last answer said, because a retry's refusal (such as
// 412 or NoSuchUpload) can follow a first attempt that worked.
func wrapWrite(op, bucket, key string, k opKind, err error) error {
	werr := wrapErr(op, bucket, key, k, err)
	var e *Error
	if retry.OutcomeUnknown(err) && errors.As(werr, &e) && e.kind != ErrInvalidInput {
		e.kind = ErrOutcomeUnknown
	}
	return werr
}

// wrapErr turns an SDK error into an *Error. It returns nil for nil.
func wrapErr(op, bucket, key string, k opKind, err error) error {
	if err == nil {
		return nil
	}
	var already *Error
	if errors.As(err, &already) {
		return err
	}
	e := &Error{Op: op, Bucket: bucket, Key: key, Err: err}
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		e.Code = apiErr.ErrorCode()
		e.message = apiErr.ErrorMessage()
	}
	var status interface{ HTTPStatusCode() int }
	if errors.As(err, &status) {
		e.StatusCode = status.HTTPStatusCode()
	}
	var rid interface{ ServiceRequestID() string }
	if errors.As(err, &rid) {
		e.RequestID = rid.ServiceRequestID()
	}
	e.Attempts = retry.Attempts(err)
	e.kind = classify(e.Code, e.StatusCode, k)
	return e
}

// classify maps an S3 error code and HTTP status to a sentinel, or nil.
func classify(code string, status int, k opKind) error {
	if k&kindCondWrite != 0 {
		if code == "PreconditionFailed" || code == "ConditionalRequestConflict" || (code == "" && status == http.StatusPreconditionFailed) {
			return ErrPreconditionFailed
		}
		k &^= kindCondWrite
	}
	switch code {
	case "NotFound":
		if k == kindBucket { // HeadBucket on a missing bucket
			return ErrBucketNotFound
		}
		return ErrNotFound
	case "NoSuchKey", "NoSuchVersion":
		return ErrNotFound
	case "NoSuchBucket":
		return ErrBucketNotFound
	case "AccessDenied", "SignatureDoesNotMatch", "InvalidAccessKeyId", "AllAccessDisabled", "AccountProblem", "InvalidToken", "ExpiredToken":
		return ErrAccessDenied
	case "PreconditionFailed":
		return ErrObjectChanged
	case "AccessControlListNotSupported":
		return ErrACLNotSupported
	case "NotImplemented", "XNotImplemented":
		if k == kindACL {
			return ErrACLNotSupported
		}
		return nil
	}
	switch status {
	case http.StatusNotFound:
		if k == kindBucket {
			return ErrBucketNotFound
		}
		return ErrNotFound
	case http.StatusForbidden, http.StatusUnauthorized:
		return ErrAccessDenied
	case http.StatusNotImplemented:
		if k == kindACL {
			return ErrACLNotSupported
		}
	}
	return nil
}
