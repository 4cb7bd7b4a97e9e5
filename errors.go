package s3kit

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/s3kit/s3kit/internal/names"
	"github.com/s3kit/s3kit/internal/s3err"
	"github.com/s3kit/s3kit/internal/transfer"
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
	// ErrBucketNotEmpty means [Client.DeleteBucket] was refused because the
	// bucket still holds objects (S3 code BucketNotEmpty). Nothing was
	// deleted; empty it first, for example with [Client.DeletePrefix].
	ErrBucketNotEmpty = errors.New("s3kit: bucket not empty")
	// ErrBucketExists means [Client.CreateBucket] was refused because the
	// bucket exists (S3 codes BucketAlreadyExists, when someone else owns
	// it or the provider does not say, and BucketAlreadyOwnedByYou).
	ErrBucketExists = errors.New("s3kit: bucket already exists")
	// ErrWrongRegion means the server refused a request signed for another
	// region than its own, and said which one it expects: the error's text
	// names it, and [WithRegion] with that region fixes it. A HEAD answer
	// has no body to say it in; [Client.Head] and [Client.Doctor] then ask
	// again with a request that has one (TestMistakesUsersMake).
	ErrWrongRegion = errors.New("s3kit: wrong region")
)

// ErrDataCorrupted means a download did not deliver the object as the
// provider described it: the body ended before its Content-Length (or,
// for an answer without one, the size HEAD gives) even after resuming, or
// its MD5 differs from the object's ETag. The bytes already read
// must not be trusted; read the object again.
var ErrDataCorrupted = errors.New("s3kit: downloaded data does not match the object")

// sentinels lists every exported Err variable; a test checks it against the
// source.
var sentinels = []error{ErrNotFound, ErrBucketNotFound, ErrAccessDenied, ErrACLNotSupported,
	ErrInvalidInput, ErrObjectChanged, ErrDataCorrupted, ErrOutcomeUnknown, ErrPreconditionFailed,
	ErrBucketNotEmpty, ErrBucketExists, ErrWrongRegion}

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
// is the provider's message (or what its code means, when it sends none);
// when the provider gave only a status, without a code, it is the reason
// the answer was refused, such as the XML syntax error of a garbled body
// (TestErrorTextShowsCause); without an answer, it says why in plain words
// (TestMistakesUsersMake).
func (e *Error) Error() string {
	f := s3err.Fields{Op: e.Op, Bucket: e.Bucket, Key: e.Key, Code: e.Code, StatusCode: e.StatusCode,
		RequestID: e.RequestID, Attempts: e.Attempts, Err: e.Err, Message: e.message,
		OutcomeUnknown: e.kind == ErrOutcomeUnknown}
	if e.kind != nil {
		f.Sentinel = strings.TrimPrefix(e.kind.Error(), "s3kit: ")
	}
	return s3err.Format(f)
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

// invalidf returns an *Error that matches ErrInvalidInput.
func invalidf(op, bucket, key, format string, args ...any) error {
	return invalid(op, bucket, key, fmt.Errorf(format, args...))
}

// invalid returns an *Error that matches ErrInvalidInput, with err (from an
// internal check) as its cause.
func invalid(op, bucket, key string, err error) error {
	return &Error{Op: op, Bucket: bucket, Key: key, kind: ErrInvalidInput, Err: err}
}

// errSite says where a request failed, for [wrap].
type errSite struct {
	op, bucket, key string
	kind            s3err.Kind
	// write marks the request that commits a write (PutObject,
	// CompleteMultipartUpload, CopyObject, DeleteObject, DeleteObjects):
	// if any of its attempts may have been applied, the error matches
	// [ErrOutcomeUnknown] instead of what the last answer said, because a
	// retry's refusal (such as 412 or NoSuchUpload) can follow a first
	// attempt that worked.
	write bool
	// step names the step of op that failed, such as "part 3". It leads
	// both the cause and the provider's message.
	step string
}

// wrapErr turns an SDK error from a request of kind k into an *Error. It
// returns nil for nil.
func wrapErr(op, bucket, key string, k s3err.Kind, err error) error {
	return wrap(errSite{op: op, bucket: bucket, key: key, kind: k}, err)
}

// wrapWrite is [wrapErr] for the request that commits a write; see
// [errSite.write].
func wrapWrite(op, bucket, key string, k s3err.Kind, err error) error {
	return wrap(errSite{op: op, bucket: bucket, key: key, kind: k, write: true}, err)
}

// wrap turns an SDK error into an *Error that says where it happened and
// what the provider answered. It returns nil for nil, and err itself (after
// the step, if any) when err already holds an *Error, which is never
// changed.
func wrap(at errSite, err error) error {
	if err == nil {
		return nil
	}
	cause := err // without the step, which the text puts in front once
	if at.step != "" {
		err = fmt.Errorf("%s: %w", at.step, err)
	}
	var already *Error
	if errors.As(err, &already) {
		return err
	}
	p := s3err.Split(err)
	kind := sentinelOf(s3err.Classify(p.Code, p.StatusCode, at.kind))
	if p.Region != "" {
		kind = ErrWrongRegion
	}
	if at.write && p.OutcomeUnknown {
		kind = ErrOutcomeUnknown
	}
	return &Error{Op: at.op, Bucket: at.bucket, Key: at.key, Code: p.Code, StatusCode: p.StatusCode,
		RequestID: p.RequestID, Attempts: p.Attempts, Err: err, kind: kind, message: message(p, at.step, cause)}
}

// message is the text an Error shows after the answer: the provider's
// message or what its code means, what went wrong when no answer came,
// and the region the server wants; led by the step, if any.
func message(p s3err.Parts, step string, cause error) string {
	msg := p.Text()
	switch {
	case p.Code == "" && p.StatusCode == 0:
		msg = s3err.Cause(cause) // no answer: what went wrong, in plain words
	case p.Code == "" && p.StatusCode == http.StatusBadRequest:
		// A 400 that is not an S3 error document: an HTTPS server answers
		// a plain HTTP request so, and so do servers that are not S3.
		msg = s3err.ResponseCause(cause) + "; the answer is not an S3 error document: check the endpoint (https:// or http://, host and port)"
	case p.Region != "":
		msg += fmt.Sprintf("; the server expects region %q: use WithRegion(%q)", p.Region, p.Region)
	}
	switch {
	case msg != "" && step != "":
		return step + ": " + msg
	case step != "" && p.Code == "" && p.StatusCode != 0:
		return step + ": " + s3err.ResponseCause(cause) // a bare status: what went wrong with the answer
	case step != "":
		return step
	}
	return msg
}

// sentinelOf returns the sentinel of a category of S3 failure, or nil: the
// one place where what a provider answered meets the sentinels.
func sentinelOf(c s3err.Category) error {
	switch c {
	case s3err.NotFound:
		return ErrNotFound
	case s3err.BucketNotFound:
		return ErrBucketNotFound
	case s3err.AccessDenied:
		return ErrAccessDenied
	case s3err.ACLNotSupported:
		return ErrACLNotSupported
	case s3err.ObjectChanged:
		return ErrObjectChanged
	case s3err.PreconditionFailed:
		return ErrPreconditionFailed
	case s3err.BucketNotEmpty:
		return ErrBucketNotEmpty
	case s3err.BucketExists:
		return ErrBucketExists
	case s3err.WrongRegion:
		return ErrWrongRegion
	}
	return nil
}

// engineErrors builds the errors of the transfer engine as *Error: the
// engine's one way to make and inspect errors.
type engineErrors struct{}

// Wrap implements [transfer.Errors].
func (engineErrors) Wrap(at transfer.Site, err error) error {
	return wrap(errSite{op: at.Op, bucket: at.Bucket, key: at.Key, kind: at.Kind, write: at.Write, step: at.Step}, err)
}

// New implements [transfer.Errors].
func (engineErrors) New(op, bucket, key string, k transfer.Kind, err error) error {
	return &Error{Op: op, Bucket: bucket, Key: key, kind: engineSentinel(k), Err: err}
}

// Is implements [transfer.Errors].
func (engineErrors) Is(err error, k transfer.Kind) bool {
	s := engineSentinel(k)
	return s != nil && errors.Is(err, s)
}

// HasSentinel implements [transfer.Errors].
func (engineErrors) HasSentinel(err error) bool { return hasSentinel(err) }

// Code implements [transfer.Errors].
func (engineErrors) Code(err error) (string, bool) {
	var e *Error
	if errors.As(err, &e) {
		return e.Code, true
	}
	return "", false
}

// JoinAbort implements [transfer.Errors].
func (engineErrors) JoinAbort(id string, cause, err error) error {
	return joinAbortErr(id, cause, err)
}

// engineSentinel is the sentinel of an engine error category, or nil.
func engineSentinel(k transfer.Kind) error {
	switch k {
	case transfer.Invalid:
		return ErrInvalidInput
	case transfer.ObjectChanged:
		return ErrObjectChanged
	case transfer.DataCorrupted:
		return ErrDataCorrupted
	case transfer.PreconditionFailed:
		return ErrPreconditionFailed
	}
	return nil
}

// joinAbortErr attaches the failure of an abort to the error that caused
// it. An *Error comes back as a new one whose cause also names the failed
// abort; the one given is left as it was.
func joinAbortErr(id string, cause, err error) error {
	e, ok := cause.(*Error)
	if !ok {
		return errors.Join(cause, err)
	}
	joined := *e
	abortErr := fmt.Errorf("abort of multipart upload %s failed: %w", id, err)
	joined.Err = errors.Join(e.Err, abortErr)
	if joined.message != "" && joined.Code == "" && joined.StatusCode == 0 {
		// The message is the plain cause of a failure without answer,
		// which stands for Err in the text: add the abort's failure.
		joined.message += "\n" + abortErr.Error()
	}
	return &joined
}

// checkBucket applies the bucket naming rules (names.CheckBucket): S3's,
// or with relaxed the legacy rules of Dell ECS.
func checkBucket(op, bucket string, relaxed bool) error {
	if err := names.CheckBucket(bucket, relaxed); err != nil {
		return invalid(op, bucket, "", err)
	}
	return nil
}

// checkKey rejects keys S3 cannot store (names.CheckKey).
func checkKey(op, bucket, key string) error {
	if err := names.CheckKey(key); err != nil {
		return invalid(op, bucket, "", err)
	}
	return nil
}

// checkObject validates a bucket and a key together.
func checkObject(op, bucket, key string, relaxedNames bool) error {
	if err := checkBucket(op, bucket, relaxedNames); err != nil {
		return err
	}
	return checkKey(op, bucket, key)
}

// checkMetadata validates user metadata (names.CheckMetadata).
func checkMetadata(op, bucket, key string, md map[string]string) error {
	if err := names.CheckMetadata(md); err != nil {
		return invalid(op, bucket, key, err)
	}
	return nil
}
