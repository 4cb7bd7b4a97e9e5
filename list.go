package s3kit

import (
	"context"
	"fmt"
	"iter"
	"net/url"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/s3kit/s3kit/internal/names"
	"github.com/s3kit/s3kit/internal/s3err"
)

const maxPageSize = 1000

// List returns an iterator over the objects in bucket, in the provider's
// order. It fetches one page at a time, only as the loop asks for more, and
// holds one page in memory. Breaking out of the loop stops it at once and
// leaves nothing running.
//
// List asks for URL-encoded keys (EncodingType=url) and decodes them when
// the provider says it encoded them, so keys with control characters that
// XML 1.0 cannot carry come back exactly as stored; keys from a provider
// that did not encode them are kept as sent
// (TestListDecodesURLEncodedKeys, TestListKeepsKeysOfProvidersThatDoNotEncode).
// On a provider that ignores EncodingType, such as gofakes3, such keys come
// back with U+FFFD in place of the control character. Ceph RGW 16 encodes
// keys but echoes markers and continuation tokens raw, so a page that ends
// on a key with such a character cannot be read there; a page size that
// holds the whole listing avoids the page boundary.
//
// An error is yielded once, as (Object{}, err), and ends the iteration. This
// includes bad arguments ([ErrInvalidInput]), a missing bucket
// ([ErrBucketNotFound]), a cancelled context, and a provider that breaks
// pagination by repeating a continuation token or by reporting a truncated
// page without a token; List never loops on such a provider.
//
//	for obj, err := range client.List(ctx, "bucket", s3kit.WithPrefix("logs/")) {
//		if err != nil {
//			return err
//		}
//		fmt.Println(obj.Key, obj.Size)
//	}
func (c *Client) List(ctx context.Context, bucket string, opts ...ListOption) iter.Seq2[Object, error] {
	return c.listing(ctx, "List", bucket, opts)
}

// listing is [Client.List] for the operation op, which its errors name.
func (c *Client) listing(ctx context.Context, op, bucket string, opts []ListOption) iter.Seq2[Object, error] {
	cfg := listConfig{pageSize: maxPageSize}
	var optErr error
	for _, o := range opts {
		if o == nil {
			optErr = invalidf(op, bucket, "", "nil ListOption")
			break
		}
		o.applyList(&cfg)
	}
	if optErr == nil {
		optErr = cfg.validate(op, bucket, c.cfg.relaxedNames)
	}
	return func(yield func(Object, error) bool) {
		if optErr != nil {
			yield(Object{}, optErr)
			return
		}
		c.list(ctx, op, bucket, &cfg, yield)
	}
}

func (cfg *listConfig) validate(op, bucket string, relaxedNames bool) error {
	if err := checkBucket(op, bucket, relaxedNames); err != nil {
		return err
	}
	if cfg.pageSize < 1 || cfg.pageSize > maxPageSize {
		return invalidf(op, bucket, "", "page size %d out of range [1, %d]", cfg.pageSize, maxPageSize)
	}
	if len(cfg.prefix) > names.MaxKeyLen || len(cfg.startAfter) > names.MaxKeyLen || len(cfg.delimiter) > names.MaxKeyLen {
		return invalidf(op, bucket, "", "prefix, delimiter or start-after longer than %d bytes", names.MaxKeyLen)
	}
	return nil
}

// listPage is one page of a listing, from either ListObjects version.
type listPage struct {
	objects   []Object
	prefixes  []string
	truncated bool
	next      string // continuation token (v2) or marker (v1); "" if none
}

// list walks the pages of ListObjectsV2, or ListObjects with WithListV1,
// and feeds yield. It stops with an error on a provider that repeats a
// token or marker, or that reports a truncated page with nothing to go on.
func (c *Client) list(ctx context.Context, op, bucket string, cfg *listConfig, yield func(Object, error) bool) {
	seen := make(map[string]struct{})
	seenPrefix := make(map[string]struct{})
	token := ""
	for page := 1; ; page++ {
		if err := ctx.Err(); err != nil {
			yield(Object{}, &Error{Op: op, Bucket: bucket, Err: context.Cause(ctx)})
			return
		}
		p, err := c.listPage(ctx, bucket, cfg, token)
		if err != nil {
			yield(Object{}, wrapErr(op, bucket, "", s3err.Bucket, err))
			return
		}
		for _, obj := range p.merged(seenPrefix) {
			if !yield(obj, nil) {
				return
			}
		}
		if !p.truncated {
			return
		}
		if p.next == "" {
			yield(Object{}, &Error{Op: op, Bucket: bucket, Err: fmt.Errorf("provider reported page %d as truncated but gave no continuation token", page)})
			return
		}
		if _, dup := seen[p.next]; dup {
			yield(Object{}, &Error{Op: op, Bucket: bucket, Err: fmt.Errorf("provider repeated continuation token %q on page %d; stopping instead of looping", p.next, page)})
			return
		}
		seen[p.next] = struct{}{}
		token = p.next
	}
}

// merged returns the page's objects and new prefixes in key order. Some
// providers repeat a common prefix on later pages; seen drops repeats.
func (p *listPage) merged(seen map[string]struct{}) []Object {
	out := p.objects
	for _, pre := range p.prefixes {
		if _, dup := seen[pre]; dup {
			continue
		}
		seen[pre] = struct{}{}
		out = append(out, Object{Key: pre, IsPrefix: true})
	}
	if len(p.prefixes) > 0 {
		slices.SortStableFunc(out, func(a, b Object) int { return strings.Compare(a.Key, b.Key) })
	}
	return out
}

// listPage fetches one page; token is "" for the first.
func (c *Client) listPage(ctx context.Context, bucket string, cfg *listConfig, token string) (listPage, error) {
	if c.cfg.listV1 {
		return c.listPageV1(ctx, bucket, cfg, token)
	}
	in := &s3.ListObjectsV2Input{Bucket: &bucket, MaxKeys: aws.Int32(int32(cfg.pageSize)), EncodingType: types.EncodingTypeUrl}
	if cfg.prefix != "" {
		in.Prefix = &cfg.prefix
	}
	if cfg.delimiter != "" {
		in.Delimiter = &cfg.delimiter
	}
	if token != "" {
		in.ContinuationToken = &token
	} else if cfg.startAfter != "" {
		in.StartAfter = &cfg.startAfter
	}
	out, err := c.s3.ListObjectsV2(ctx, in)
	if err != nil {
		return listPage{}, err
	}
	// The continuation token is opaque and never encoded.
	p := listPage{truncated: aws.ToBool(out.IsTruncated), next: aws.ToString(out.NextContinuationToken)}
	err = p.fill(out.EncodingType, out.Contents, out.CommonPrefixes)
	return p, err
}

// fill adds a page's objects and common prefixes, decoding their keys when
// the provider says it URL-encoded them.
func (p *listPage) fill(enc types.EncodingType, contents []types.Object, prefixes []types.CommonPrefix) error {
	dec := newKeyDecoder(enc)
	p.objects = make([]Object, 0, len(contents)+len(prefixes))
	for _, o := range contents {
		p.objects = append(p.objects, Object{
			Key:          dec.decode(o.Key),
			Size:         aws.ToInt64(o.Size),
			ETag:         trimETag(o.ETag),
			LastModified: aws.ToTime(o.LastModified),
			StorageClass: string(o.StorageClass),
		})
	}
	for _, cp := range prefixes {
		p.prefixes = append(p.prefixes, dec.decode(cp.Prefix))
	}
	return dec.err
}

// nextMarker returns the key a v1 page's NextMarker names: the page's last
// key or last common prefix, whichever comes later. AWS S3 URL-encodes it
// like the keys when the listing is encoded, but Ceph RGW sends it raw; so
// the raw form is taken if it is one of those two and the decoded form is
// not (or is the earlier), else the decoded form.
func (p *listPage) nextMarker(enc types.EncodingType, raw string) string {
	dec := newKeyDecoder(enc)
	decoded := dec.decode(&raw)
	if decoded == raw || dec.err != nil {
		return raw
	}
	var last []string
	if n := len(p.objects); n > 0 {
		last = append(last, p.objects[n-1].Key)
	}
	if n := len(p.prefixes); n > 0 {
		last = append(last, p.prefixes[n-1])
	}
	isLast := func(k string) bool { return slices.Contains(last, k) }
	if isLast(raw) && (!isLast(decoded) || raw > decoded) {
		return raw
	}
	return decoded
}

// keyDecoder undoes the URL encoding of a listing asked for with
// EncodingType=url, which is how keys with characters XML 1.0 cannot carry
// (such as control characters) come back intact. Providers that ignore the
// request return raw keys and no EncodingType element; those keys are kept
// as they are.
//
// Decoding is that of a URL query (url.QueryUnescape): a '+' means a space.
// AWS S3 and MinIO encode a space as '+', Ceph RGW as "%20", and all three
// encode '+' itself as "%2B"; the AWS SDKs for Python and Java decode the
// same way. A key that does not decode is an error rather than a wrong key.
type keyDecoder struct {
	on  bool
	err error // the first key that did not decode
}

func newKeyDecoder(enc types.EncodingType) *keyDecoder {
	return &keyDecoder{on: strings.EqualFold(string(enc), string(types.EncodingTypeUrl))}
}

// decode returns the key p points to, decoded if the listing is encoded.
func (d *keyDecoder) decode(p *string) string {
	s := aws.ToString(p)
	if !d.on {
		return s
	}
	k, err := url.QueryUnescape(s)
	if err != nil {
		if d.err == nil {
			d.err = fmt.Errorf("provider returned a URL-encoded key %q that does not decode: %w", s, err)
		}
		return s
	}
	return k
}

// listPageV1 fetches one page with ListObjects (version 1). The marker of
// the next page is NextMarker or, when the provider leaves it out (S3 only
// sends it with a delimiter), the last key or prefix of this page.
func (c *Client) listPageV1(ctx context.Context, bucket string, cfg *listConfig, marker string) (listPage, error) {
	in := &s3.ListObjectsInput{Bucket: &bucket, MaxKeys: aws.Int32(int32(cfg.pageSize)), EncodingType: types.EncodingTypeUrl}
	if cfg.prefix != "" {
		in.Prefix = &cfg.prefix
	}
	if cfg.delimiter != "" {
		in.Delimiter = &cfg.delimiter
	}
	if marker == "" {
		marker = cfg.startAfter
	}
	if marker != "" {
		in.Marker = &marker
	}
	out, err := c.s3.ListObjects(ctx, in)
	if err != nil {
		return listPage{}, err
	}
	var p listPage
	if err := p.fill(out.EncodingType, out.Contents, out.CommonPrefixes); err != nil {
		return p, err
	}
	p.truncated, p.next = aws.ToBool(out.IsTruncated), p.nextMarker(out.EncodingType, aws.ToString(out.NextMarker))
	if p.next == "" && p.truncated {
		for _, o := range p.objects {
			p.next = max(p.next, o.Key)
		}
		for _, pre := range p.prefixes {
			p.next = max(p.next, pre)
		}
	}
	return p, nil
}
