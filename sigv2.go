package s3kit

import (
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// sigV2SubResources are the query parameters that SigV2 signs as part of the
// resource, in the order it wants them (sorted).
var sigV2SubResources = []string{
	"acl", "cors", "delete", "lifecycle", "location", "logging", "notification",
	"partNumber", "policy", "requestPayment",
	"response-cache-control", "response-content-disposition", "response-content-encoding",
	"response-content-language", "response-content-type", "response-expires",
	"restore", "tagging", "torrent", "uploadId", "uploads", "versionId", "versioning",
	"versions", "website",
}

// sigV2Option returns the API option that replaces the SDK's SigV4 signing
// step with SigV2 for every request of a client whose credentials come from
// creds. Presigned requests keep SigV4.
func sigV2Option(creds aws.CredentialsProvider) func(*middleware.Stack) error {
	return func(stack *middleware.Stack) error {
		m, ok := stack.Finalize.Get("Signing")
		if !ok {
			return nil
		}
		if _, presign := m.(*v4.PresignHTTPRequestMiddleware); presign {
			return nil
		}
		_, err := stack.Finalize.Swap("Signing", &sigV2Signer{creds: creds, now: time.Now})
		return err
	}
}

// sigV2Signer signs a request with AWS signature version 2: an HMAC-SHA1 of
// the method, Content-MD5, Content-Type, Date, the x-amz-* headers and the
// resource, sent as "Authorization: AWS access-key:signature".
type sigV2Signer struct {
	creds aws.CredentialsProvider
	now   func() time.Time
}

func (*sigV2Signer) ID() string { return "Signing" }

func (s *sigV2Signer) HandleFinalize(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
	req, ok := in.Request.(*smithyhttp.Request)
	if !ok {
		return middleware.FinalizeOutput{}, middleware.Metadata{}, fmt.Errorf("s3kit: SigV2: unexpected request type %T", in.Request)
	}
	if s.creds == nil {
		return next.HandleFinalize(ctx, in) // anonymous
	}
	creds, err := s.creds.Retrieve(ctx)
	if err != nil {
		return middleware.FinalizeOutput{}, middleware.Metadata{}, fmt.Errorf("s3kit: SigV2: retrieving credentials: %w", err)
	}
	req.Header.Del("Authorization")
	req.Header.Del("X-Amz-Date")
	req.Header.Set("Date", s.now().UTC().Format(http.TimeFormat))
	if creds.SessionToken != "" {
		req.Header.Set("X-Amz-Security-Token", creds.SessionToken)
	}
	mac := hmac.New(sha1.New, []byte(creds.SecretAccessKey))
	mac.Write([]byte(sigV2StringToSign(req.Method, req.URL, req.Header)))
	req.Header.Set("Authorization", "AWS "+creds.AccessKeyID+":"+base64.StdEncoding.EncodeToString(mac.Sum(nil)))
	return next.HandleFinalize(ctx, in)
}

// sigV2StringToSign builds the string SigV2 signs for a path-style request.
func sigV2StringToSign(method string, u *url.URL, h http.Header) string {
	var b strings.Builder
	b.WriteString(method)
	b.WriteByte('\n')
	b.WriteString(h.Get("Content-Md5"))
	b.WriteByte('\n')
	b.WriteString(h.Get("Content-Type"))
	b.WriteByte('\n')
	if h.Get("X-Amz-Date") == "" {
		b.WriteString(h.Get("Date"))
	}
	b.WriteByte('\n')
	var amz []string
	for k := range h {
		if lk := strings.ToLower(k); strings.HasPrefix(lk, "x-amz-") {
			amz = append(amz, lk)
		}
	}
	sort.Strings(amz)
	for _, k := range amz {
		vals := h.Values(k)
		for i := range vals {
			vals[i] = strings.TrimSpace(vals[i])
		}
		b.WriteString(k)
		b.WriteByte(':')
		b.WriteString(strings.Join(vals, ","))
		b.WriteByte('\n')
	}
	path := u.EscapedPath()
	if path == "" {
		path = "/"
	}
	b.WriteString(path)
	q := u.Query()
	sep := byte('?')
	for _, sub := range sigV2SubResources {
		if !q.Has(sub) {
			continue
		}
		b.WriteByte(sep)
		sep = '&'
		b.WriteString(sub)
		if v := q.Get(sub); v != "" {
			b.WriteByte('=')
			b.WriteString(v)
		}
	}
	return b.String()
}
