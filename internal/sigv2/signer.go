package sigv2

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// APIOption returns the SDK API option that replaces the SDK's SigV4
// signing step with SigV2 for every request of a client whose credentials
// come from creds. Presigned requests keep SigV4.
func APIOption(creds aws.CredentialsProvider) func(*middleware.Stack) error {
	return func(stack *middleware.Stack) error {
		m, ok := stack.Finalize.Get("Signing")
		if !ok {
			return nil
		}
		if _, presign := m.(*v4.PresignHTTPRequestMiddleware); presign {
			return nil
		}
		_, err := stack.Finalize.Swap("Signing", &signer{creds: creds, now: time.Now})
		return err
	}
}

// signer signs a request with AWS signature version 2: an HMAC-SHA1 of the
// method, Content-MD5, Content-Type, Date, the x-amz-* headers and the
// resource, sent as "Authorization: AWS access-key:signature".
type signer struct {
	creds aws.CredentialsProvider
	now   func() time.Time
}

// ID names the step the signer replaces in the SDK stack.
func (*signer) ID() string { return "Signing" }

// HandleFinalize dates and signs the request, unless it is anonymous.
func (s *signer) HandleFinalize(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
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
	Sign(req.Request, creds, s.now())
	return next.HandleFinalize(ctx, in)
}

// Sign dates req with now and signs it with creds: the step the SDK
// stack's signer runs, and the one s3kit's direct request path
// (internal/direct) runs, so that both send the same headers.
func Sign(req *http.Request, creds aws.Credentials, now time.Time) {
	req.Header.Del("Authorization")
	req.Header.Del("X-Amz-Date")
	req.Header.Set("Date", now.UTC().Format(http.TimeFormat))
	if creds.SessionToken != "" {
		req.Header.Set("X-Amz-Security-Token", creds.SessionToken)
	}
	path := req.URL.EscapedPath()
	if path == "" {
		path = "/"
	}
	sts := StringToSign(req.Method, path, req.URL.Query(), req.Header)
	req.Header.Set("Authorization", "AWS "+creds.AccessKeyID+":"+Signature(creds.SecretAccessKey, sts))
}
