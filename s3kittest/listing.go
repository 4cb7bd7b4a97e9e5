package s3kittest

import (
	"strings"

	"github.com/johannesboyne/gofakes3"
)

// ListBucket lists with S3's rules where s3mem's differ. With a delimiter,
// a key that contains the whole delimiter string after the prefix rolls up
// into the CommonPrefix that ends at its first occurrence. A page holds at
// most MaxKeys entries, keys and CommonPrefixes together; the next page
// starts after the marker and skips keys whose CommonPrefix is not after
// it, so no CommonPrefix comes back twice. IsTruncated is set only when
// another entry follows, so a listing never ends with an empty page.
func (b *store) ListBucket(name string, prefix *gofakes3.Prefix, page gofakes3.ListBucketPage) (*gofakes3.ObjectList, error) {
	var p gofakes3.Prefix
	if prefix != nil {
		p = *prefix
	}
	all, err := b.Backend.ListBucket(name, &gofakes3.Prefix{HasPrefix: p.HasPrefix, Prefix: p.Prefix}, gofakes3.ListBucketPage{})
	if err != nil {
		return nil, err
	}
	var delim string
	if p.HasDelimiter {
		delim = p.Delimiter
	}
	out := gofakes3.NewObjectList()
	var lastPrefix string
	var n int64
	for _, c := range all.Contents {
		if page.HasMarker && c.Key <= page.Marker {
			continue
		}
		rest, ok := strings.CutPrefix(c.Key, p.Prefix)
		if !ok {
			continue
		}
		entry, common := c.Key, false
		if i := strings.Index(rest, delim); delim != "" && i >= 0 {
			entry, common = c.Key[:len(c.Key)-len(rest)+i+len(delim)], true
			if entry == lastPrefix || (page.HasMarker && entry <= page.Marker) {
				continue
			}
		}
		if page.MaxKeys > 0 && n == page.MaxKeys {
			out.IsTruncated = true
			break
		}
		if common {
			out.AddPrefix(entry)
			lastPrefix = entry
		} else {
			out.Add(c)
		}
		out.NextMarker = entry
		n++
	}
	if !out.IsTruncated {
		out.NextMarker = ""
	}
	return out, nil
}
