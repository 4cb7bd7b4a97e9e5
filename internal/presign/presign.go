// Package presign finishes the presigned requests the SDK signs for
// s3kit's PresignGet and PresignPut: it reads their expiry back from the
// URL, escapes dot segments of the key, and signs Content-Type on a PUT.
package presign

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/s3kit/s3kit/internal/names"
)

// Signed reads what a caller needs from the SDK's presigned request: its
// URL, with the key's "." and ".." segments escaped (see escapeDotSegments),
// the headers the request must carry (Host left out), and the instant it
// expires. Expires is read back from the signed URL, so that it is the
// instant a server computes: the signing time, to the second, plus
// X-Amz-Expires.
func Signed(req *v4.PresignedHTTPRequest, bucket, key string) (rawURL string, header http.Header, expires time.Time, err error) {
	u, err := url.Parse(req.URL)
	if err != nil {
		return "", nil, time.Time{}, err
	}
	q := u.Query()
	signed, err := time.Parse("20060102T150405Z", q.Get("X-Amz-Date"))
	if err != nil {
		return "", nil, time.Time{}, fmt.Errorf("presigned URL has no valid X-Amz-Date: %w", err)
	}
	secs, err := strconv.ParseInt(q.Get("X-Amz-Expires"), 10, 64)
	if err != nil {
		return "", nil, time.Time{}, fmt.Errorf("presigned URL has no valid X-Amz-Expires: %w", err)
	}
	h := req.SignedHeader.Clone()
	if h == nil {
		h = http.Header{}
	}
	h.Del("Host")
	return escapeDotSegments(req.URL, u, bucket, key), h, signed.Add(time.Duration(secs) * time.Second), nil
}

// escapeDotSegments returns the signed URL raw, parsed as u, with its path
// escaped as s3kit's PublicURL escapes it (names.EscapePath), which differs from
// the SDK's only in the "." and ".." segments of the key: their dots become
// %2E, so that clients which resolve dot segments before sending (curl,
// browsers) ask for the same key. The signature stays valid: the SDK signs the key's
// S3 URI encoding, in which "." is literal, and a server rebuilds that
// canonical path from the decoded key (s3kittest does, as strict servers
// do). A path that is not /bucket/key or /key is left as it is.
func escapeDotSegments(raw string, u *url.URL, bucket, key string) string {
	var p string
	switch u.Path {
	case "/" + bucket + "/" + key:
		p = "/" + names.EscapePath(bucket) + "/" + names.EscapePath(key)
	case "/" + key:
		p = "/" + names.EscapePath(key)
	default:
		return raw
	}
	if p == u.EscapedPath() {
		return raw
	}
	v := *u
	v.RawPath = p
	if v.EscapedPath() != p {
		return raw
	}
	return v.String()
}

// ContentType puts Content-Type back on a presigned PUT: the SDK removes
// it from requests without a body, which is every presigned PUT, and so
// would not sign it.
func ContentType(ct string) func(*middleware.Stack) error {
	return func(stack *middleware.Stack) error {
		return stack.Build.Add(middleware.BuildMiddlewareFunc("s3kitPresignContentType",
			func(ctx context.Context, in middleware.BuildInput, next middleware.BuildHandler) (middleware.BuildOutput, middleware.Metadata, error) {
				if req, ok := in.Request.(*smithyhttp.Request); ok {
					req.Header.Set("Content-Type", ct)
				}
				return next.HandleBuild(ctx, in)
			}), middleware.After)
	}
}
