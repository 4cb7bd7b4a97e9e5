package direct

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go/middleware"
	smithytime "github.com/aws/smithy-go/time"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// HeadObject is the SDK's HeadObject, on the direct path for an input of
// Bucket and Key only and no per-call options.
func (c *Client) HeadObject(ctx context.Context, in *s3.HeadObjectInput, opts ...func(*s3.Options)) (*s3.HeadObjectOutput, error) {
	if len(opts) > 0 || *in != (s3.HeadObjectInput{Bucket: in.Bucket, Key: in.Key}) || in.Bucket == nil || in.Key == nil {
		return c.Client.HeadObject(ctx, in, opts...)
	}
	cl, err := newCall(http.MethodHead, *in.Bucket, *in.Key)
	if err != nil {
		return c.Client.HeadObject(ctx, in)
	}
	sdk := func(ctx context.Context, opt func(*s3.Options)) (*s3.HeadObjectOutput, error) {
		return c.Client.HeadObject(ctx, in, opt)
	}
	return run(ctx, c, "HeadObject", cl, func(ctx context.Context, n, max int) (*s3.HeadObjectOutput, error) {
		req, err := c.request(ctx, cl, n, max)
		if err != nil {
			return nil, err // as in the SDK's stack: no answer to replay
		}
		resp, err := c.do(cl, req)
		if err == nil && statusOK(resp) {
			if o, ok := parseObject(resp.Header); ok {
				discard(resp.Body)
				out := o.head()
				withAnswer(&out.ResultMetadata, resp)
				return out, nil
			}
		}
		return replay(ctx, cl, resp, err, sdk)
	})
}

// GetObject is the SDK's GetObject, on the direct path for an input of
// Bucket, Key, Range and IfMatch only and no per-call options. The body
// of the output streams from the network and must be closed.
func (c *Client) GetObject(ctx context.Context, in *s3.GetObjectInput, opts ...func(*s3.Options)) (*s3.GetObjectOutput, error) {
	plain := s3.GetObjectInput{Bucket: in.Bucket, Key: in.Key, Range: in.Range, IfMatch: in.IfMatch}
	if len(opts) > 0 || *in != plain || in.Bucket == nil || in.Key == nil {
		return c.Client.GetObject(ctx, in, opts...)
	}
	cl, err := newCall(http.MethodGet, *in.Bucket, *in.Key)
	if err != nil {
		return c.Client.GetObject(ctx, in)
	}
	cl.query = "x-id=GetObject"
	cl.header = func(h http.Header) {
		if in.IfMatch != nil {
			h["If-Match"] = []string{*in.IfMatch}
		}
		if in.Range != nil {
			h["Range"] = []string{*in.Range}
		}
	}
	sdk := func(ctx context.Context, opt func(*s3.Options)) (*s3.GetObjectOutput, error) {
		return c.Client.GetObject(ctx, in, opt)
	}
	return run(ctx, c, "GetObject", cl, func(ctx context.Context, n, max int) (*s3.GetObjectOutput, error) {
		req, err := c.request(ctx, cl, n, max)
		if err != nil {
			return nil, err // as in the SDK's stack: no answer to replay
		}
		resp, err := c.do(cl, req)
		if err == nil && statusOK(resp) {
			if o, ok := parseObject(resp.Header); ok {
				out := o.get()
				out.Body = resp.Body
				withAnswer(&out.ResultMetadata, resp)
				return out, nil
			}
		}
		return replay(ctx, cl, resp, err, sdk)
	})
}

// DeleteObject is the SDK's DeleteObject, on the direct path for an input
// of Bucket and Key only and no per-call options.
func (c *Client) DeleteObject(ctx context.Context, in *s3.DeleteObjectInput, opts ...func(*s3.Options)) (*s3.DeleteObjectOutput, error) {
	if len(opts) > 0 || *in != (s3.DeleteObjectInput{Bucket: in.Bucket, Key: in.Key}) || in.Bucket == nil || in.Key == nil {
		return c.Client.DeleteObject(ctx, in, opts...)
	}
	cl, err := newCall(http.MethodDelete, *in.Bucket, *in.Key)
	if err != nil {
		return c.Client.DeleteObject(ctx, in)
	}
	cl.query = "x-id=DeleteObject"
	sdk := func(ctx context.Context, opt func(*s3.Options)) (*s3.DeleteObjectOutput, error) {
		return c.Client.DeleteObject(ctx, in, opt)
	}
	return run(ctx, c, "DeleteObject", cl, func(ctx context.Context, n, max int) (*s3.DeleteObjectOutput, error) {
		req, err := c.request(ctx, cl, n, max)
		if err != nil {
			return nil, err // as in the SDK's stack: no answer to replay
		}
		resp, err := c.do(cl, req)
		if err == nil && statusOK(resp) && resp.Header.Get("X-Amz-Delete-Marker") == "" && emptyBody(resp) {
			out := &s3.DeleteObjectOutput{VersionId: str(resp.Header, "X-Amz-Version-Id")}
			withAnswer(&out.ResultMetadata, resp)
			return out, nil
		}
		return replay(ctx, cl, resp, err, sdk)
	})
}

// do sends req and notes what its answer shows of the clock.
func (c *Client) do(cl *call, req *http.Request) (*http.Response, error) {
	if cl.attempt != nil {
		cl.attempt.Sending()
	}
	requestAt := time.Now()
	resp, err := c.hc.Do(req)
	cl.seen = observeSkew(resp, requestAt, time.Now())
	return resp, err
}

// withAnswer records resp in md as the SDK's stack records the raw
// answer (its AddRawResponse step, whose key is unexported), which s3kit
// reads the HTTP status from: a GetObject's 200 and 206 mean different
// bodies.
func withAnswer(md *middleware.Metadata, resp *http.Response) {
	raw := &smithyhttp.Response{Response: resp}
	_, *md, _ = awsmiddleware.AddRawResponse{}.HandleDeserialize(context.Background(), middleware.DeserializeInput{},
		middleware.DeserializeHandlerFunc(func(context.Context, middleware.DeserializeInput) (middleware.DeserializeOutput, middleware.Metadata, error) {
			return middleware.DeserializeOutput{RawResponse: raw}, middleware.Metadata{}, nil
		}))
}

// typed are the headers the SDK's HeadObject and GetObject parse into
// numbers, booleans or times, which s3kit does not read: an answer that
// carries one goes to the SDK, which fails where they do not parse.
var typed = []string{"X-Amz-Delete-Marker", "X-Amz-Missing-Meta", "X-Amz-Mp-Parts-Count",
	"X-Amz-Object-Lock-Event-Hold-Duration-Days", "X-Amz-Object-Lock-Event-Hold-Duration-Years",
	"X-Amz-Object-Lock-Retain-Until-Date", "X-Amz-Server-Side-Encryption-Bucket-Key-Enabled", "X-Amz-Tagging-Count"}

// object is what the headers of a HeadObject or GetObject answer say that
// s3kit reads, parsed as the SDK parses them.
type object struct {
	contentLength                                 *int64
	lastModified                                  *time.Time
	eTag, cacheControl, contentDisposition        *string
	contentEncoding, contentLanguage, contentType *string
	contentRange, versionID, sseCustomerAlgorithm *string
	acceptRanges                                  *string
	storageClass                                  types.StorageClass
	sse                                           types.ServerSideEncryption
	metadata                                      map[string]string
}

// parseObject reads h as the SDK's deserializer does, for the fields
// s3kit reads; it reports false for an answer the SDK should read.
func parseObject(h http.Header) (object, bool) {
	var o object
	for _, name := range typed {
		if _, ok := h[name]; ok {
			return o, false
		}
	}
	if v, ok := first(h, "Content-Length"); ok {
		n, err := strconv.ParseInt(v, 0, 64)
		if err != nil {
			return o, false
		}
		o.contentLength = &n
	}
	if v, ok := first(h, "Last-Modified"); ok {
		t, err := smithytime.ParseHTTPDate(v)
		if err != nil {
			return o, false
		}
		o.lastModified = &t
	}
	// One array holds every string field, so that an answer costs one
	// allocation for them rather than one each.
	v := new([12]string)
	o.eTag, o.cacheControl, o.contentDisposition = strIn(h, "Etag", &v[0]), strIn(h, "Cache-Control", &v[1]), strIn(h, "Content-Disposition", &v[2])
	o.contentEncoding, o.contentLanguage, o.contentType = strIn(h, "Content-Encoding", &v[3]), strIn(h, "Content-Language", &v[4]), strIn(h, "Content-Type", &v[5])
	o.contentRange, o.versionID = strIn(h, "Content-Range", &v[6]), strIn(h, "X-Amz-Version-Id", &v[7])
	o.sseCustomerAlgorithm, o.acceptRanges = strIn(h, "X-Amz-Server-Side-Encryption-Customer-Algorithm", &v[8]), strIn(h, "Accept-Ranges", &v[9])
	o.storageClass = types.StorageClass(aws.ToString(strIn(h, "X-Amz-Storage-Class", &v[10])))
	o.sse = types.ServerSideEncryption(aws.ToString(strIn(h, "X-Amz-Server-Side-Encryption", &v[11])))
	o.metadata = metadata(h)
	return o, true
}

// head is o as a HeadObject output.
func (o *object) head() *s3.HeadObjectOutput {
	return &s3.HeadObjectOutput{ContentLength: o.contentLength, LastModified: o.lastModified, ETag: o.eTag,
		CacheControl: o.cacheControl, ContentDisposition: o.contentDisposition, ContentEncoding: o.contentEncoding,
		ContentLanguage: o.contentLanguage, ContentType: o.contentType, ContentRange: o.contentRange,
		VersionId: o.versionID, SSECustomerAlgorithm: o.sseCustomerAlgorithm, AcceptRanges: o.acceptRanges,
		StorageClass: o.storageClass, ServerSideEncryption: o.sse, Metadata: o.metadata}
}

// get is o as a GetObject output, without its body.
func (o *object) get() *s3.GetObjectOutput {
	return &s3.GetObjectOutput{ContentLength: o.contentLength, LastModified: o.lastModified, ETag: o.eTag,
		CacheControl: o.cacheControl, ContentDisposition: o.contentDisposition, ContentEncoding: o.contentEncoding,
		ContentLanguage: o.contentLanguage, ContentType: o.contentType, ContentRange: o.contentRange,
		VersionId: o.versionID, SSECustomerAlgorithm: o.sseCustomerAlgorithm, AcceptRanges: o.acceptRanges,
		StorageClass: o.storageClass, ServerSideEncryption: o.sse, Metadata: o.metadata}
}

// first is the first value of the header name (canonical), trimmed as the
// SDK trims it.
func first(h http.Header, name string) (string, bool) {
	v := h[name]
	if len(v) == 0 {
		return "", false
	}
	return strings.TrimSpace(v[0]), true
}

// str is the first value of the header name as the SDK's string field, or nil.
func str(h http.Header, name string) *string {
	v, ok := first(h, name)
	if !ok {
		return nil
	}
	return &v
}

// strIn is [str] that stores the value in *dst.
func strIn(h http.Header, name string, dst *string) *string {
	v, ok := first(h, name)
	if !ok {
		return nil
	}
	*dst = v
	return dst
}

// metadata collects the x-amz-meta-* headers, keys in lower case, as the
// SDK does; nil if there are none.
func metadata(h http.Header) map[string]string {
	const prefix = "X-Amz-Meta-"
	var md map[string]string
	for k, v := range h {
		if len(k) < len(prefix) || !strings.EqualFold(k[:len(prefix)], prefix) || len(v) == 0 {
			continue
		}
		if md == nil {
			md = map[string]string{}
		}
		md[strings.ToLower(k[len(prefix):])] = strings.TrimSpace(v[0])
	}
	return md
}
