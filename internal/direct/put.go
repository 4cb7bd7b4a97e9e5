package direct

import (
	"context"
	"io"
	"net/http"
	"reflect"
	"sync"

	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/s3kit/s3kit/internal/payload"
)

// continueThreshold is the SDK's default body size from which a PUT asks
// for "Expect: 100-continue".
const continueThreshold = 2 << 20

// PutObject is the SDK's PutObject, on the direct path for a body that can
// seek, of a known length, signed with a precomputed SHA-256 (the one
// per-call option payload.Sign), and an input of the fields s3kit's single
// PUT sets; anything else goes to the SDK.
func (c *Client) PutObject(ctx context.Context, in *s3.PutObjectInput, opts ...func(*s3.Options)) (*s3.PutObjectOutput, error) {
	sum, ok := signedSum(opts)
	body, seeks := in.Body.(io.ReadSeeker)
	if !ok || !seeks || !plainPut(in) {
		return c.Client.PutObject(ctx, in, opts...)
	}
	start, err := body.Seek(0, io.SeekCurrent)
	if err != nil {
		return c.Client.PutObject(ctx, in, opts...)
	}
	cl, err := newCall(http.MethodPut, *in.Bucket, *in.Key)
	if err != nil {
		return c.Client.PutObject(ctx, in, opts...)
	}
	cl.query, cl.payload, cl.length = "x-id=PutObject", sum, *in.ContentLength
	cl.header = func(h http.Header) { c.putHeaders(h, in) }
	stripped := *in // what the replay decodes with: no body to read
	stripped.Body, stripped.ContentLength = nil, nil
	sdk := func(ctx context.Context, opt func(*s3.Options)) (*s3.PutObjectOutput, error) {
		return c.Client.PutObject(ctx, &stripped, append(opts, opt)...)
	}
	size := *in.ContentLength
	return run(ctx, c, "PutObject", cl, func(ctx context.Context, n, max int) (*s3.PutObjectOutput, error) {
		if n > 1 {
			if _, err := body.Seek(start, io.SeekStart); err != nil {
				return nil, err
			}
		}
		req, err := c.request(ctx, cl, n, max)
		if err != nil {
			return nil, err
		}
		var sb *safeBody
		if size > 0 {
			sb = &safeBody{r: body}
			req.Body = sb
		}
		resp, err := c.do(cl, req)
		if sb != nil {
			_ = sb.Close() // as the SDK does: the transport may read on after Do
		}
		if err == nil && statusOK(resp) && emptyBody(resp) {
			if out, ok := putOutput(resp.Header); ok {
				withAnswer(&out.ResultMetadata, resp)
				return out, nil
			}
		}
		return replay(ctx, cl, resp, err, sdk)
	})
}

// plainPut reports whether in sets only the fields the direct path sends.
func plainPut(in *s3.PutObjectInput) bool {
	if in.Bucket == nil || in.Key == nil || in.ContentLength == nil || *in.ContentLength < 0 {
		return false
	}
	rest := *in
	rest.Bucket, rest.Key, rest.Body, rest.ContentLength, rest.Metadata = nil, nil, nil, nil, nil
	rest.ContentType, rest.CacheControl, rest.ContentDisposition, rest.ContentEncoding, rest.ContentLanguage = nil, nil, nil, nil, nil
	rest.ACL, rest.IfNoneMatch, rest.IfMatch, rest.ContentMD5 = "", nil, nil, nil
	return reflect.ValueOf(&rest).Elem().IsZero()
}

// putHeaders sets the headers of in as the SDK's serializer does.
func (c *Client) putHeaders(h http.Header, in *s3.PutObjectInput) {
	set := func(name string, v *string) {
		if v != nil {
			h[name] = []string{*v}
		}
	}
	if in.ACL != "" {
		h["X-Amz-Acl"] = []string{string(in.ACL)}
	}
	set("Cache-Control", in.CacheControl)
	set("Content-Disposition", in.ContentDisposition)
	set("Content-Encoding", in.ContentEncoding)
	set("Content-Language", in.ContentLanguage)
	set("Content-Md5", in.ContentMD5)
	set("Content-Type", in.ContentType)
	if in.ContentType == nil {
		h["Content-Type"] = []string{"application/octet-stream"} // the SDK's default for a body
	}
	set("If-Match", in.IfMatch)
	set("If-None-Match", in.IfNoneMatch)
	for k, v := range in.Metadata {
		h["X-Amz-Meta-"+http.CanonicalHeaderKey(k)] = []string{v}
	}
	if *in.ContentLength >= c.continueAt && c.continueAt > 0 {
		h["Expect"] = []string{"100-continue"}
	}
}

// putOutput reads a PutObject answer's headers as the SDK does, for the
// fields s3kit reads; it reports false for one the SDK should read.
func putOutput(h http.Header) (*s3.PutObjectOutput, bool) {
	for _, name := range []string{"X-Amz-Server-Side-Encryption-Bucket-Key-Enabled", "X-Amz-Object-Size"} {
		if _, ok := h[name]; ok {
			return nil, false
		}
	}
	return &s3.PutObjectOutput{ETag: str(h, "Etag"), VersionId: str(h, "X-Amz-Version-Id")}, true
}

// signedSum finds the SHA-256 that opts, if they are exactly the option of
// payload.Sign, make the SDK sign; ok is false for any other options.
func signedSum(opts []func(*s3.Options)) (sum string, ok bool) {
	if len(opts) != 1 || opts[0] == nil {
		return "", false
	}
	var o s3.Options
	opts[0](&o)
	if len(o.APIOptions) != 1 {
		return "", false
	}
	st := middleware.NewStack("PutObject", smithyhttp.NewStackRequest)
	if err := o.APIOptions[0](st); err != nil {
		return "", false
	}
	m, found := st.Finalize.Get(payload.SignID)
	if !found || len(st.Finalize.List()) != 1 || len(st.Build.List()) != 0 || len(st.Serialize.List()) != 0 ||
		len(st.Initialize.List()) != 0 || len(st.Deserialize.List()) != 0 {
		return "", false
	}
	_, _, _ = m.HandleFinalize(context.Background(), middleware.FinalizeInput{},
		middleware.FinalizeHandlerFunc(func(ctx context.Context, _ middleware.FinalizeInput) (middleware.FinalizeOutput, middleware.Metadata, error) {
			sum = v4.GetPayloadHash(ctx)
			return middleware.FinalizeOutput{}, middleware.Metadata{}, nil
		}))
	return sum, sum != ""
}

// safeBody is a request body that stops reading once closed, so that a
// transport still sending it after Do returned never reads while the body
// is rewound for the next attempt (smithy-go's safeReadCloser does the same
// for the SDK).
type safeBody struct {
	mu     sync.Mutex
	r      io.Reader
	closed bool
}

// Read reads from the body, or returns io.EOF once it is closed.
func (b *safeBody) Read(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return 0, io.EOF
	}
	return b.r.Read(p)
}

// Close stops reading; it does not close the caller's body.
func (b *safeBody) Close() error {
	b.mu.Lock()
	b.closed = true
	b.mu.Unlock()
	return nil
}
