package s3err

import (
	"net/http"
	"strings"
)

// codeText is what S3's error codes mean, in the words of the AWS S3 API
// reference ("Error responses"), for providers that send a code without a
// message (Ceph RGW sends none), and what to change where s3kit can say.
var codeText = map[string]string{
	"AccessDenied":                 "access denied",
	"AuthorizationHeaderMalformed": "the authorization header is malformed",
	"BadDigest":                    "the Content-MD5 or checksum does not match what the server received",
	"BucketAlreadyExists":          "the bucket name is not available; bucket names are shared by all users of the service: choose another name",
	"BucketAlreadyOwnedByYou":      "the bucket already exists and you own it",
	"BucketNotEmpty":               "the bucket is not empty: delete its objects first (DeletePrefix, or DeleteMany with the keys of List)",
	"EntityTooLarge":               "the object or part is larger than the server allows",
	"EntityTooSmall":               "a part other than the last is smaller than the server allows (5 MiB on S3)",
	"InternalError":                "the server had an internal error",
	"InvalidAccessKeyId":           "the access key is not known to this server: check the access key (WithCredentials, or S3_ACCESS_KEY with FromEnv) and the endpoint",
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
	"RequestTimeTooSkewed":         "this machine's clock differs too much from the server's: check the clock",
	"ServiceUnavailable":           "the server cannot handle the request now",
	"SignatureDoesNotMatch":        "the signature does not match: check the secret key (WithCredentials, or S3_SECRET_KEY with FromEnv); a proxy that changes the request causes it too",
	"SlowDown":                     "the server asks for a lower request rate",
	"TooManyBuckets":               "the account has as many buckets as it may",
	"XAmzContentSHA256Mismatch":    "the body's SHA-256 does not match the x-amz-content-sha256 header",
}

// headText is what a bare status means on an answer without a body (a
// HEAD), for which the SDK makes the code from the status.
var headText = map[int]string{
	http.StatusBadRequest: "the server refused the request without saying why (a HEAD answer has no body); " +
		"a region other than the server's is the usual cause: check WithRegion, or run Client.Doctor, which finds the region the server expects",
	http.StatusForbidden: "access denied, without a reason (a HEAD answer has no body): " +
		"check the access key and secret key, the bucket's policy, and the region",
}

// Text returns message if it says something, and otherwise what code (or,
// without a code the server sent, status) means; "" if neither is known.
// A message says nothing when it is empty, the SDK's "UnknownError", or
// only the status's own text, as for a HEAD.
func Text(code string, status int, message string) string {
	if message != "" && message != "UnknownError" && !strings.EqualFold(strings.ReplaceAll(message, " ", ""), strings.ReplaceAll(http.StatusText(status), " ", "")) {
		return message
	}
	if t, ok := headText[status]; ok && strings.EqualFold(code, strings.ReplaceAll(http.StatusText(status), " ", "")) {
		return t
	}
	if t, ok := codeText[code]; ok {
		return t
	}
	if message == "UnknownError" {
		return ""
	}
	return message
}
