// Package s3err reads what a failed S3 request says and sorts it: [Split]
// takes an SDK error apart into the provider's code, HTTP status, request
// ID and message, and the retry record of attempts, and [Classify] puts an
// S3 code and status into a [Category].
//
// The root package builds its public Error from these parts and maps each
// Category to one of its sentinels; this package knows nothing of either.
package s3err

import (
	"errors"
	"net/http"

	"github.com/aws/smithy-go"

	"github.com/s3kit/s3kit/internal/retry"
)

// Parts is what an SDK error says about a failed request.
type Parts struct {
	Code       string // S3 error code, such as "NoSuchKey"; empty if none
	Message    string // the provider's error message; empty if none
	StatusCode int    // HTTP status; 0 if no answer was received
	RequestID  string // the provider's request ID; empty if none
	Attempts   int    // requests sent; 0 if none or unknown
	// Region is the region the server wants requests signed for, when the
	// answer says it (x-amz-bucket-region, or the message of
	// AuthorizationHeaderMalformed) and it is not the one the request was
	// signed for; "" otherwise.
	Region string
	// Method is the request's HTTP method, such as "HEAD"; "" if unknown.
	Method string
	// OutcomeUnknown is set when one of the attempts may have been carried
	// out without a definite answer reaching us (a lost or garbled answer,
	// a 500, a cancelled context).
	OutcomeUnknown bool
}

// Split takes err, as the SDK returned it, apart. A part err does not carry
// is left zero.
func Split(err error) Parts {
	var p Parts
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		p.Code = apiErr.ErrorCode()
		p.Message = apiErr.ErrorMessage()
	}
	var status interface{ HTTPStatusCode() int }
	if errors.As(err, &status) {
		p.StatusCode = status.HTTPStatusCode()
	}
	var rid interface{ ServiceRequestID() string }
	if errors.As(err, &rid) {
		p.RequestID = rid.ServiceRequestID()
	}
	p.Region = wantedRegion(err, p.Code, p.Message)
	p.Method, _ = requestOf(err)
	p.Attempts = retry.Attempts(err)
	p.OutcomeUnknown = retry.OutcomeUnknown(err)
	return p
}

// Kind tells [Classify] what kind of request failed, because the same S3
// code means different things on different requests.
type Kind int

// The kinds of request.
const (
	Object Kind = iota // a request on one object
	Bucket             // a request on a bucket (list, create)
	ACL                // a request that sets or reads an ACL

	// CondWrite is a flag added to a kind: the request is a write that
	// carries If-None-Match or If-Match, so a failed precondition means
	// PreconditionFailed, not ObjectChanged.
	CondWrite Kind = 1 << 4
)

// Category is what an S3 failure means to a caller.
type Category int

// The categories. Each but Other has a sentinel in the root package.
const (
	Other              Category = iota // none of the below
	NotFound                           // the object does not exist
	BucketNotFound                     // the bucket does not exist
	AccessDenied                       // credentials or request refused
	ACLNotSupported                    // the provider has no object ACLs
	ObjectChanged                      // an If-Match read found another version
	PreconditionFailed                 // a conditional write's condition did not hold
	BucketNotEmpty                     // a bucket to delete still holds objects
	BucketExists                       // a bucket to create exists already
	WrongRegion                        // the request was signed for another region than the server's
)

// Classify sorts an S3 error code and HTTP status, from a request of kind
// k. The code decides when it is known; the status is the fallback, as a
// HEAD answer has no body to carry a code.
func Classify(code string, status int, k Kind) Category {
	if k&CondWrite != 0 {
		if code == "PreconditionFailed" || code == "ConditionalRequestConflict" || (code == "" && status == http.StatusPreconditionFailed) {
			return PreconditionFailed
		}
		k &^= CondWrite
	}
	if c, ok := byCode(code, k); ok {
		return c
	}
	return byStatus(status, k)
}

// byCode sorts by the S3 code, and reports whether it knew the code.
func byCode(code string, k Kind) (Category, bool) {
	switch code {
	case "NotFound":
		if k == Bucket { // HeadBucket on a missing bucket
			return BucketNotFound, true
		}
		return NotFound, true
	case "NoSuchKey", "NoSuchVersion":
		return NotFound, true
	case "NoSuchBucket":
		return BucketNotFound, true
	case "AccessDenied", "SignatureDoesNotMatch", "InvalidAccessKeyId", "XAdminUserNotFound", "AllAccessDisabled", "AccountProblem", "InvalidToken", "ExpiredToken":
		return AccessDenied, true
	case "PreconditionFailed":
		return ObjectChanged, true
	case "AccessControlListNotSupported":
		return ACLNotSupported, true
	case "BucketNotEmpty":
		return BucketNotEmpty, true
	case "BucketAlreadyExists", "BucketAlreadyOwnedByYou":
		return BucketExists, true
	case "NotImplemented", "XNotImplemented":
		if k == ACL {
			return ACLNotSupported, true
		}
		return Other, true
	}
	return Other, false
}

// byStatus sorts by the HTTP status alone.
func byStatus(status int, k Kind) Category {
	switch status {
	case http.StatusNotFound:
		if k == Bucket {
			return BucketNotFound
		}
		return NotFound
	case http.StatusForbidden, http.StatusUnauthorized:
		return AccessDenied
	case http.StatusNotImplemented:
		if k == ACL {
			return ACLNotSupported
		}
	}
	return Other
}
