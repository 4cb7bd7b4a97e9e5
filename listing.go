package s3kit

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// WithDelimiter groups keys that contain delimiter after the prefix into
// one entry per common prefix, as a directory listing does: with
// WithPrefix("photos/") and WithDelimiter("/"), "photos/2026/a.jpg" comes
// back as the entry "photos/2026/" with [Object.IsPrefix] set. Prefixes and
// objects come in key order. Default: no grouping.
func WithDelimiter(delimiter string) ListOption {
	return listOption(func(c *listConfig) { c.delimiter = delimiter })
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
			yield(Object{}, wrapErr(op, bucket, "", kindBucket, err))
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
	if c.ext.listV1 {
		return c.listPageV1(ctx, bucket, cfg, token)
	}
	in := &s3.ListObjectsV2Input{Bucket: &bucket, MaxKeys: aws.Int32(int32(cfg.pageSize))}
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
	p := listPage{truncated: aws.ToBool(out.IsTruncated), next: aws.ToString(out.NextContinuationToken)}
	p.objects = make([]Object, 0, len(out.Contents)+len(out.CommonPrefixes))
	for _, o := range out.Contents {
		p.objects = append(p.objects, Object{
			Key:          aws.ToString(o.Key),
			Size:         aws.ToInt64(o.Size),
			ETag:         trimETag(o.ETag),
			LastModified: aws.ToTime(o.LastModified),
			StorageClass: string(o.StorageClass),
		})
	}
	for _, cp := range out.CommonPrefixes {
		p.prefixes = append(p.prefixes, aws.ToString(cp.Prefix))
	}
	return p, nil
}

// listPageV1 fetches one page with ListObjects (version 1). The marker of
// the next page is NextMarker or, when the provider leaves it out (S3 only
// sends it with a delimiter), the last key or prefix of this page.
func (c *Client) listPageV1(ctx context.Context, bucket string, cfg *listConfig, marker string) (listPage, error) {
	in := &s3.ListObjectsInput{Bucket: &bucket, MaxKeys: aws.Int32(int32(cfg.pageSize))}
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
	p := listPage{truncated: aws.ToBool(out.IsTruncated), next: aws.ToString(out.NextMarker)}
	p.objects = make([]Object, 0, len(out.Contents)+len(out.CommonPrefixes))
	for _, o := range out.Contents {
		p.objects = append(p.objects, Object{
			Key:          aws.ToString(o.Key),
			Size:         aws.ToInt64(o.Size),
			ETag:         trimETag(o.ETag),
			LastModified: aws.ToTime(o.LastModified),
			StorageClass: string(o.StorageClass),
		})
	}
	for _, cp := range out.CommonPrefixes {
		p.prefixes = append(p.prefixes, aws.ToString(cp.Prefix))
	}
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
