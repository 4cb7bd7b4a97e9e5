package s3err

import (
	"net/http"
	"strings"
)

// codeText is what S3's error codes mean, in the words of the AWS S3 API
// reference ("Error responses"), for providers that send a code without a
// message (Ceph RGW sends none).
var codeText = map[string]string{
	"AccessDenied":                 "access denied",
	"AuthorizationHeaderMalformed": "the authorization header is malformed",
	"BadDigest":                    "the Content-MD5 or checksum does not match what the server received",
	"BucketAlreadyExists":          "the bucket name is not available; bucket names are shared by all users of the service",
	"BucketAlreadyOwnedByYou":      "the bucket already exists and you own it",
	"BucketNotEmpty":               "the bucket is not empty",
	"EntityTooLarge":               "the object or part is larger than the server allows",
	"EntityTooSmall":               "a part other than the last is smaller than the server allows (5 MiB on S3)",
	"InternalError":                "the server had an internal error",
	"InvalidAccessKeyId":           "the access key is not known to this server",
	"XAdminUserNotFound":           "the access key is not known to this server",
	"InvalidArgument":              "an argument of the request is not valid",
	"InvalidBucketName":            "the bucket name is not valid on this server",
	"InvalidDigest":                "the Content-MD5 is not valid",
	"InvalidPart":                  "a part of the multipart upload was not found or its ETag does not match",
	"InvalidPartOrder":             "the parts of the multipart upload are not in ascending order",
	"InvalidRange":                 "the requested range cannot be satisfied",
	"MethodNotAllowed":             "the method is not allowed on this resource",
	"MissingContentLength":         "the request has no Content-Length",
	"NoSuchBucket":                 "the bucket does not exist",
	"NoSuchKey":                    "the key does not exist",
	"NoSuchUpload":                 "the multipart upload does not exist: it was completed or aborted",
	"NotImplemented":               "the server does not implement this request",
	"PreconditionFailed":           "a precondition of the request did not hold",
	"QuotaExceeded":                "a quota of the account or bucket is exceeded",
	"RequestTimeTooSkewed":         "this machine's clock differs too much from the server's",
	"ServiceUnavailable":           "the server cannot handle the request now",
	"SignatureDoesNotMatch":        "the signature does not match",
	"SlowDown":                     "the server asks for a lower request rate",
	"TooManyBuckets":               "the account has as many buckets as it may",
	"XAmzContentSHA256Mismatch":    "the body's SHA-256 does not match the x-amz-content-sha256 header",
}

// accessKeyHint is what to change when the server does not know the key.
const accessKeyHint = "check the access key (WithCredentials, or S3_ACCESS_KEY with FromEnv) and the endpoint"

// codeHint says what to change for the codes where s3kit can tell; it is
// added after the provider's message or the code's meaning.
var codeHint = map[string]string{
	"BucketAlreadyExists":   "choose another name",
	"BucketNotEmpty":        "delete its objects first, for example with DeleteMany over the keys List gives",
	"InvalidAccessKeyId":    accessKeyHint,
	"XAdminUserNotFound":    accessKeyHint, // versitygw's InvalidAccessKeyId
	"RequestTimeTooSkewed":  "check this machine's clock",
	"SignatureDoesNotMatch": "check the secret key (WithCredentials, or S3_SECRET_KEY with FromEnv); a proxy that changes the request causes it too",
}

// headText is what a bare status means on an answer without a body (a
// HEAD), for which the SDK makes the code from the status.
var headText = map[int]string{
	http.StatusBadRequest: "the server refused the request without saying why (a HEAD answer has no body); " +
		"a region other than the server's is the usual cause: check WithRegion, or run Client.Doctor, which finds the region the server expects",
	http.StatusForbidden: "access denied, without a reason (a HEAD answer has no body): " +
		"check the access key and secret key, the bucket's policy, and the region",
}

// Text returns what a failed request's answer says: message if it says
// something, and otherwise what code (or, for a code the SDK made from a
// bare status, the status) means; then, for some codes, what to change. A
// message says nothing when it is empty, the SDK's "UnknownError", or only
// the status's own text, as for a HEAD.
func (p Parts) Text() string {
	code, status, message := p.Code, p.StatusCode, p.Message
	text := message
	if message == "" || message == "UnknownError" || sameWords(message, http.StatusText(status)) {
		text = meaning(code, status, p.Method)
	}
	if hint := codeHint[code]; hint != "" {
		if text == "" {
			return hint
		}
		return strings.TrimRight(text, ". ") + ": " + hint
	}
	return text
}

// meaning is what code means, or for a code the SDK made from the bare
// status of a HEAD (whose answer has no body), what that status usually
// means there.
func meaning(code string, status int, method string) string {
	if t, ok := headText[status]; ok && method == http.MethodHead && sameWords(code, http.StatusText(status)) {
		return t
	}
	return codeText[code]
}

// sameWords reports whether a and b are the same words, ignoring case and
// spaces ("BadRequest" and "Bad Request").
func sameWords(a, b string) bool {
	return strings.EqualFold(strings.ReplaceAll(a, " ", ""), strings.ReplaceAll(b, " ", ""))
}
