// Package listing walks the pages of a bucket listing, with either version
// of ListObjects, for s3kit's List: it follows continuation tokens and
// markers, stops on a provider that breaks pagination instead of looping,
// undoes the URL encoding of keys, and merges common prefixes with objects
// in key order.
package listing

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// API is the part of *s3.Client a listing uses.
type API interface {
	ListObjectsV2(ctx context.Context, in *s3.ListObjectsV2Input, opts ...func(*s3.Options)) (*s3.ListObjectsV2Output, error)
	ListObjects(ctx context.Context, in *s3.ListObjectsInput, opts ...func(*s3.Options)) (*s3.ListObjectsOutput, error)
}

// Query is what a listing asks for.
type Query struct {
	Bucket     string
	Prefix     string
	Delimiter  string
	StartAfter string
	PageSize   int32
	V1         bool // use ListObjects (version 1, with markers)
}

// Entry is one object, or with IsPrefix one common prefix, of which only
// Key is set.
type Entry struct {
	Key          string
	Size         int64
	ETag         string // without the surrounding quotes
	LastModified time.Time
	StorageClass string
	IsPrefix     bool
}

// page is one page of a listing, from either ListObjects version.
type page struct {
	objects   []Entry
	prefixes  []string
	truncated bool
	next      string // continuation token (v2) or marker (v1); "" if none
}

// Walk lists q's pages with ListObjectsV2, or ListObjects when q.V1 is
// set, and calls yield with each entry, objects and common prefixes merged
// in key order, until yield returns false or the listing ends. A failed
// page is returned as wrap makes it; Walk also stops with an error on a
// cancelled ctx and on a provider that repeats a token or marker, or that
// reports a truncated page with nothing to go on.
func Walk(ctx context.Context, api API, q *Query, wrap func(error) error, yield func(Entry) bool) error {
	seen := make(map[string]struct{})
	seenPrefix := make(map[string]struct{})
	token := ""
	for n := 1; ; n++ {
		if err := ctx.Err(); err != nil {
			return context.Cause(ctx)
		}
		p, err := fetch(ctx, api, q, token)
		if err != nil {
			return wrap(err)
		}
		for _, e := range p.merged(seenPrefix) {
			if !yield(e) {
				return nil
			}
		}
		if !p.truncated {
			return nil
		}
		if p.next == "" {
			return fmt.Errorf("provider reported page %d as truncated but gave no continuation token", n)
		}
		if _, dup := seen[p.next]; dup {
			return fmt.Errorf("provider repeated continuation token %q on page %d; stopping instead of looping", p.next, n)
		}
		seen[p.next] = struct{}{}
		token = p.next
	}
}

// merged returns the page's objects and new prefixes in key order. Some
// providers repeat a common prefix on later pages; seen drops repeats.
func (p *page) merged(seen map[string]struct{}) []Entry {
	out := p.objects
	for _, pre := range p.prefixes {
		if _, dup := seen[pre]; dup {
			continue
		}
		seen[pre] = struct{}{}
		out = append(out, Entry{Key: pre, IsPrefix: true})
	}
	if len(p.prefixes) > 0 {
		slices.SortStableFunc(out, func(a, b Entry) int { return strings.Compare(a.Key, b.Key) })
	}
	return out
}

// fetch fetches one page; token is "" for the first.
func fetch(ctx context.Context, api API, q *Query, token string) (page, error) {
	if q.V1 {
		return fetchV1(ctx, api, q, token)
	}
	in := &s3.ListObjectsV2Input{Bucket: &q.Bucket, MaxKeys: aws.Int32(q.PageSize), EncodingType: types.EncodingTypeUrl}
	if q.Prefix != "" {
		in.Prefix = &q.Prefix
	}
	if q.Delimiter != "" {
		in.Delimiter = &q.Delimiter
	}
	if token != "" {
		in.ContinuationToken = &token
	} else if q.StartAfter != "" {
		in.StartAfter = &q.StartAfter
	}
	out, err := api.ListObjectsV2(ctx, in)
	if err != nil {
		return page{}, err
	}
	// The continuation token is opaque and never encoded.
	p := page{truncated: aws.ToBool(out.IsTruncated), next: aws.ToString(out.NextContinuationToken)}
	err = p.fill(out.EncodingType, out.Contents, out.CommonPrefixes)
	return p, err
}

// fill adds a page's objects and common prefixes, decoding their keys when
// the provider says it URL-encoded them.
func (p *page) fill(enc types.EncodingType, contents []types.Object, prefixes []types.CommonPrefix) error {
	dec := newKeyDecoder(enc)
	p.objects = make([]Entry, 0, len(contents)+len(prefixes))
	for _, o := range contents {
		p.objects = append(p.objects, Entry{
			Key:          dec.decode(o.Key),
			Size:         aws.ToInt64(o.Size),
			ETag:         strings.Trim(aws.ToString(o.ETag), `"`),
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
func (p *page) nextMarker(enc types.EncodingType, raw string) string {
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

// fetchV1 fetches one page with ListObjects (version 1). The marker of
// the next page is NextMarker or, when the provider leaves it out (S3 only
// sends it with a delimiter), the last key or prefix of this page.
func fetchV1(ctx context.Context, api API, q *Query, marker string) (page, error) {
	in := &s3.ListObjectsInput{Bucket: &q.Bucket, MaxKeys: aws.Int32(q.PageSize), EncodingType: types.EncodingTypeUrl}
	if q.Prefix != "" {
		in.Prefix = &q.Prefix
	}
	if q.Delimiter != "" {
		in.Delimiter = &q.Delimiter
	}
	if marker == "" {
		marker = q.StartAfter
	}
	if marker != "" {
		in.Marker = &marker
	}
	out, err := api.ListObjects(ctx, in)
	if err != nil {
		return page{}, err
	}
	var p page
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
