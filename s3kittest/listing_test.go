package s3kittest_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/s3kit/s3kit/s3kittest"
)

func TestListMultiCharacterDelimiter(t *testing.T) {
	srv := s3kittest.NewServer(t)
	srv.CreateBucket(t, "bkt")
	c := srv.Client(t)
	keys := []string{"a--", "a-b--c", "a-b--d", "ab", "b", "cab/x", "cabd", "xaby", "zz/ab/1", "zz/ab/2"}
	for _, k := range keys {
		_, err := c.Put(t.Context(), "bkt", k, strings.NewReader("v"))
		require.NoError(t, err)
	}
	tests := []struct {
		prefix, delimiter string
		keys, prefixes    []string
	}{
		{"", "ab", []string{"a--", "a-b--c", "a-b--d", "b"}, []string{"ab", "cab", "xab", "zz/ab"}},
		{"", "--", []string{"ab", "b", "cab/x", "cabd", "xaby", "zz/ab/1", "zz/ab/2"}, []string{"a--", "a-b--"}},
		{"", "/", []string{"a--", "a-b--c", "a-b--d", "ab", "b", "cabd", "xaby"}, []string{"cab/", "zz/"}},
		{"", "b", []string{"a--"}, []string{"a-b", "ab", "b", "cab", "xab", "zz/ab"}},
		{"zz/", "ab", nil, []string{"zz/ab"}},
		{"a", "-", []string{"ab"}, []string{"a-"}},
		{"a-b", "--", nil, []string{"a-b--"}},
	}
	for _, tt := range tests {
		for _, pageSize := range []int32{1, 2, 3, 1000} {
			t.Run(fmt.Sprintf("prefix=%q,delimiter=%q,max-keys=%d", tt.prefix, tt.delimiter, pageSize), func(t *testing.T) {
				ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
				defer cancel()
				gotKeys, gotPrefixes := listV2(ctx, t, c.S3(), tt.prefix, tt.delimiter, pageSize)
				assert.Equal(t, tt.keys, gotKeys, "V2 keys")
				assert.Equal(t, tt.prefixes, gotPrefixes, "V2 common prefixes")
				gotKeys, gotPrefixes = listV1(ctx, t, c.S3(), tt.prefix, tt.delimiter, pageSize)
				assert.Equal(t, tt.keys, gotKeys, "V1 keys")
				assert.Equal(t, tt.prefixes, gotPrefixes, "V1 common prefixes")
			})
		}
	}
}

// maxPages stops a listing that does not end.
const maxPages = 30

func listV2(ctx context.Context, t *testing.T, api *s3.Client, prefix, delimiter string, pageSize int32) (keys, prefixes []string) {
	t.Helper()
	in := &s3.ListObjectsV2Input{Bucket: aws.String("bkt"), Prefix: aws.String(prefix), Delimiter: aws.String(delimiter), MaxKeys: aws.Int32(pageSize)}
	for range maxPages {
		out, err := api.ListObjectsV2(ctx, in)
		require.NoError(t, err)
		for _, o := range out.Contents {
			keys = append(keys, aws.ToString(o.Key))
		}
		for _, p := range out.CommonPrefixes {
			prefixes = append(prefixes, aws.ToString(p.Prefix))
		}
		assert.LessOrEqual(t, len(out.Contents)+len(out.CommonPrefixes), int(pageSize), "page size")
		if !aws.ToBool(out.IsTruncated) {
			if in.ContinuationToken != nil {
				assert.NotZero(t, len(out.Contents)+len(out.CommonPrefixes), "the last page is not empty")
			}
			return keys, prefixes
		}
		require.NotEmpty(t, aws.ToString(out.NextContinuationToken))
		in.ContinuationToken = out.NextContinuationToken
	}
	t.Fatalf("ListObjectsV2 did not end after %d pages: keys %q, prefixes %q", maxPages, keys, prefixes)
	return nil, nil
}

func listV1(ctx context.Context, t *testing.T, api *s3.Client, prefix, delimiter string, pageSize int32) (keys, prefixes []string) {
	t.Helper()
	in := &s3.ListObjectsInput{Bucket: aws.String("bkt"), Prefix: aws.String(prefix), Delimiter: aws.String(delimiter), MaxKeys: aws.Int32(pageSize)}
	for range maxPages {
		out, err := api.ListObjects(ctx, in)
		require.NoError(t, err)
		for _, o := range out.Contents {
			keys = append(keys, aws.ToString(o.Key))
		}
		for _, p := range out.CommonPrefixes {
			prefixes = append(prefixes, aws.ToString(p.Prefix))
		}
		if !aws.ToBool(out.IsTruncated) {
			return keys, prefixes
		}
		require.NotEmpty(t, aws.ToString(out.NextMarker), "a truncated page with a delimiter has a NextMarker")
		in.Marker = out.NextMarker
	}
	t.Fatalf("ListObjects did not end after %d pages: keys %q, prefixes %q", maxPages, keys, prefixes)
	return nil, nil
}
