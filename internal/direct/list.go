package direct

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"sync"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// maxListBody is the largest listing body the direct path reads into
// memory to decode; a larger one streams into the SDK's deserializer.
// A page of 1000 keys of 1024 bytes, all escaped, stays well below it.
const maxListBody = 16 << 20

// ListObjectsV2 is the SDK's ListObjectsV2, on the direct path for an input
// of Bucket, Prefix, Delimiter, StartAfter, ContinuationToken, MaxKeys and
// EncodingType only and no per-call options. A page the list decoder
// (listxml.go) does not fully understand, and every error answer, is
// decoded by the SDK.
func (c *Client) ListObjectsV2(ctx context.Context, in *s3.ListObjectsV2Input, opts ...func(*s3.Options)) (*s3.ListObjectsV2Output, error) {
	rest := *in
	rest.Bucket, rest.Prefix, rest.Delimiter, rest.StartAfter, rest.ContinuationToken, rest.MaxKeys = nil, nil, nil, nil, nil, nil
	rest.EncodingType = ""
	if len(opts) > 0 || !reflect.ValueOf(&rest).Elem().IsZero() || in.Bucket == nil {
		return c.Client.ListObjectsV2(ctx, in, opts...)
	}
	cl, err := newCall(http.MethodGet, *in.Bucket, "")
	if err != nil {
		return c.Client.ListObjectsV2(ctx, in)
	}
	q := url.Values{"list-type": {"2"}}
	set(q, "continuation-token", in.ContinuationToken)
	set(q, "delimiter", in.Delimiter)
	setEnc(q, in.EncodingType)
	setMax(q, in.MaxKeys)
	set(q, "prefix", in.Prefix)
	set(q, "start-after", in.StartAfter)
	cl.query = q.Encode()
	sdk := func(ctx context.Context, opt func(*s3.Options)) (*s3.ListObjectsV2Output, error) {
		return c.Client.ListObjectsV2(ctx, in, opt)
	}
	return run(ctx, c, "ListObjectsV2", cl, func(ctx context.Context, n, max int) (*s3.ListObjectsV2Output, error) {
		req, err := c.request(ctx, cl, n, max)
		if err != nil {
			return nil, err // as in the SDK's stack: no answer to replay
		}
		resp, err := c.do(cl, req)
		if err == nil && statusOK(resp) {
			if out, ok := decodeAnswer(resp, decodeListV2); ok {
				out.RequestCharged = requestCharged(resp.Header)
				withAnswer(&out.ResultMetadata, resp)
				return out, nil
			}
		}
		return replay(ctx, cl, resp, err, sdk)
	})
}

// ListObjects is the SDK's ListObjects (version 1), on the direct path for
// an input of Bucket, Prefix, Delimiter, Marker, MaxKeys and EncodingType
// only and no per-call options, as [Client.ListObjectsV2].
func (c *Client) ListObjects(ctx context.Context, in *s3.ListObjectsInput, opts ...func(*s3.Options)) (*s3.ListObjectsOutput, error) {
	rest := *in
	rest.Bucket, rest.Prefix, rest.Delimiter, rest.Marker, rest.MaxKeys, rest.EncodingType = nil, nil, nil, nil, nil, ""
	if len(opts) > 0 || !reflect.ValueOf(&rest).Elem().IsZero() || in.Bucket == nil {
		return c.Client.ListObjects(ctx, in, opts...)
	}
	cl, err := newCall(http.MethodGet, *in.Bucket, "")
	if err != nil {
		return c.Client.ListObjects(ctx, in)
	}
	q := url.Values{}
	set(q, "delimiter", in.Delimiter)
	setEnc(q, in.EncodingType)
	set(q, "marker", in.Marker)
	setMax(q, in.MaxKeys)
	set(q, "prefix", in.Prefix)
	cl.query = q.Encode()
	sdk := func(ctx context.Context, opt func(*s3.Options)) (*s3.ListObjectsOutput, error) {
		return c.Client.ListObjects(ctx, in, opt)
	}
	return run(ctx, c, "ListObjects", cl, func(ctx context.Context, n, max int) (*s3.ListObjectsOutput, error) {
		req, err := c.request(ctx, cl, n, max)
		if err != nil {
			return nil, err // as in the SDK's stack: no answer to replay
		}
		resp, err := c.do(cl, req)
		if err == nil && statusOK(resp) {
			if out, ok := decodeAnswer(resp, decodeListV1); ok {
				out.RequestCharged = requestCharged(resp.Header)
				withAnswer(&out.ResultMetadata, resp)
				return out, nil
			}
		}
		return replay(ctx, cl, resp, err, sdk)
	})
}

// set sets the query parameter name to *v, as the SDK's serializer does.
func set(q url.Values, name string, v *string) {
	if v != nil {
		q[name] = []string{*v}
	}
}

func setEnc(q url.Values, enc types.EncodingType) {
	if enc != "" {
		q["encoding-type"] = []string{string(enc)}
	}
}

func setMax(q url.Values, n *int32) {
	if n != nil {
		q["max-keys"] = []string{strconv.FormatInt(int64(*n), 10)}
	}
}

// requestCharged is the x-amz-request-charged header as the SDK reads it.
func requestCharged(h http.Header) types.RequestCharged {
	v, _ := first(h, "X-Amz-Request-Charged")
	return types.RequestCharged(v)
}

// bodies keeps the buffers listing bodies are read into: the decoder
// copies every string it keeps, so a buffer is free again once a page is
// decoded.
var bodies = sync.Pool{New: func() any { return new([]byte) }}

// decodeAnswer reads resp's body and decodes it with decode. When it
// cannot (the body is too large, reading it failed, or decode gave up),
// it puts back what it read, followed by the rest of the body or the
// error that ended the reading, for the SDK to read, and reports false.
func decodeAnswer[T any](resp *http.Response, decode func([]byte) (T, bool)) (T, bool) {
	var zero T
	bp := bodies.Get().(*[]byte)
	b, err := readAll(resp.Body, (*bp)[:0], resp.ContentLength)
	if err == nil && len(b) <= maxListBody {
		if out, ok := decode(b); ok {
			_ = resp.Body.Close()
			if cap(b) <= 4*maxListBody/16 {
				*bp = b
				bodies.Put(bp)
			}
			return out, true
		}
	}
	// The buffer goes with the answer to the SDK, and is not reused.
	putBack(resp, b, err)
	return zero, false
}

// readAll appends r to b until its end, an error, or more than
// maxListBody bytes; size is the expected length, or -1.
func readAll(r io.Reader, b []byte, size int64) ([]byte, error) {
	if size > 0 && size <= maxListBody && int64(cap(b)) < size+1 {
		b = make([]byte, 0, size+1) // +1: the read that finds the end
	}
	for len(b) <= maxListBody {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return b, err
		}
	}
	return b, nil
}
