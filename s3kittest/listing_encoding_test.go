package s3kittest_test

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/s3kit/s3kit"
	"github.com/s3kit/s3kit/s3kittest"
)

// encKeys are keys XML 1.0 cannot carry (\x01) and keys URL encoding can
// get wrong ('+', '%', space), under the prefix "p\x01 +/".
var encKeys = []string{"p\x01 +/\x01one", "p\x01 +/100%", "p\x01 +/a b", "p\x01 +/a+b", "p\x01 +/cr\rx", "p\x01 +/d\x01/k", "p\x01 +/d\x01/l", "p\x01 +/é"}

func encServer(t *testing.T) *s3.Client {
	t.Helper()
	srv := s3kittest.NewServer(t)
	srv.CreateBucket(t, "bkt")
	c := srv.Client(t)
	for _, k := range append(slices.Clone(encKeys), "other") {
		_, err := c.Put(t.Context(), "bkt", k, strings.NewReader("v"))
		require.NoError(t, err)
	}
	return c.S3()
}

func TestListV2EncodingTypeURL(t *testing.T) {
	api := encServer(t)
	const prefix, delim = "p\x01 +/", "\x01/"
	in := &s3.ListObjectsV2Input{Bucket: aws.String("bkt"), Prefix: aws.String(prefix), Delimiter: aws.String(delim),
		StartAfter: aws.String("p\x01 +/\x01"), MaxKeys: aws.Int32(2), EncodingType: types.EncodingTypeUrl}
	var keys, prefixes []string
	for page := 0; ; page++ {
		require.Less(t, page, 10, "listing does not end")
		out, err := api.ListObjectsV2(t.Context(), in)
		require.NoError(t, err)
		assert.Equal(t, types.EncodingTypeUrl, out.EncodingType)
		assert.Equal(t, url.QueryEscape(prefix), aws.ToString(out.Prefix))
		assert.Equal(t, "%01%2F", aws.ToString(out.Delimiter))
		if in.ContinuationToken == nil {
			assert.Equal(t, "p%01+%2B%2F%01", aws.ToString(out.StartAfter))
		} else {
			assert.Equal(t, aws.ToString(in.ContinuationToken), aws.ToString(out.ContinuationToken), "the token is echoed as it is")
		}
		for _, o := range out.Contents {
			keys = append(keys, aws.ToString(o.Key))
		}
		for _, p := range out.CommonPrefixes {
			prefixes = append(prefixes, aws.ToString(p.Prefix))
		}
		if !aws.ToBool(out.IsTruncated) {
			break
		}
		in.ContinuationToken = out.NextContinuationToken
	}
	var want []string
	for _, k := range encKeys[:6] {
		if !strings.Contains(k, "d\x01/") {
			want = append(want, url.QueryEscape(k))
		}
	}
	want = append(want, url.QueryEscape("p\x01 +/é"))
	assert.Equal(t, want, keys)
	assert.Equal(t, []string{"p%01+%2B%2Fd%01%2F"}, prefixes)
	assert.Contains(t, keys, "p%01+%2B%2Fa%2Bb", "'+' is %2B")
	assert.Contains(t, keys, "p%01+%2B%2Fa+b", "a space is '+'")
	for _, k := range keys {
		d, err := url.QueryUnescape(k)
		require.NoError(t, err)
		assert.Contains(t, encKeys, d)
	}
}

func TestListV1EncodingTypeURL(t *testing.T) {
	api := encServer(t)
	const prefix, delim = "p\x01 +/", "\x01/"
	in := &s3.ListObjectsInput{Bucket: aws.String("bkt"), Prefix: aws.String(prefix), Delimiter: aws.String(delim),
		Marker: aws.String("p\x01 +/\x01"), MaxKeys: aws.Int32(2), EncodingType: types.EncodingTypeUrl}
	var entries []string
	for page := 0; ; page++ {
		require.Less(t, page, 10, "listing does not end")
		out, err := api.ListObjects(t.Context(), in)
		require.NoError(t, err)
		assert.Equal(t, types.EncodingTypeUrl, out.EncodingType)
		assert.Equal(t, url.QueryEscape(prefix), aws.ToString(out.Prefix))
		assert.Equal(t, "%01%2F", aws.ToString(out.Delimiter))
		assert.Equal(t, url.QueryEscape(aws.ToString(in.Marker)), aws.ToString(out.Marker))
		var last string // the page's last entry, decoded
		add := func(e string) {
			entries = append(entries, e)
			d, err := url.QueryUnescape(e)
			require.NoError(t, err)
			last = max(last, d)
		}
		for _, o := range out.Contents {
			add(aws.ToString(o.Key))
		}
		for _, p := range out.CommonPrefixes {
			add(aws.ToString(p.Prefix))
		}
		if !aws.ToBool(out.IsTruncated) {
			break
		}
		assert.Equal(t, url.QueryEscape(last), aws.ToString(out.NextMarker), "NextMarker is encoded like the keys")
		marker, err := url.QueryUnescape(aws.ToString(out.NextMarker))
		require.NoError(t, err)
		in.Marker = &marker
	}
	slices.Sort(entries)
	want := []string{"p%01+%2B%2Fd%01%2F"}
	for _, k := range encKeys {
		if k != "p\x01 +/\x01one" && !strings.Contains(k, "d\x01/") {
			want = append(want, url.QueryEscape(k))
		}
	}
	want = append(want, url.QueryEscape("p\x01 +/\x01one"))
	slices.Sort(want)
	assert.Equal(t, want, entries)
}

// TestListWithoutEncodingType checks that keys XML 1.0 can carry list back
// exactly without encoding-type, and that a page with a key it cannot carry
// fails to parse, as it does on AWS S3, instead of listing a wrong key.
func TestListWithoutEncodingType(t *testing.T) {
	api := encServer(t)
	out, err := api.ListObjectsV2(t.Context(), &s3.ListObjectsV2Input{Bucket: aws.String("bkt"), Prefix: aws.String("p\x01 +/"), StartAfter: aws.String("p\x01 +/a")})
	if assert.Error(t, err) {
		assert.Contains(t, err.Error(), "illegal character code U+0001")
	}
	_, err = api.ListObjects(t.Context(), &s3.ListObjectsInput{Bucket: aws.String("bkt"), Prefix: aws.String("p")})
	if assert.Error(t, err) {
		assert.Contains(t, err.Error(), "illegal character code U+0001")
	}
	assert.Nil(t, out)

	c := s3kittest.NewServer(t)
	c.CreateBucket(t, "bkt")
	safe := []string{"100%", "a b", "a&b<c>", "a+b", "cr\rx", "nl\nx", "tab\tx", "é"}
	for _, k := range safe {
		_, err := c.Client(t).Put(t.Context(), "bkt", k, strings.NewReader("v"))
		require.NoError(t, err)
	}
	v2, err := c.Client(t).S3().ListObjectsV2(t.Context(), &s3.ListObjectsV2Input{Bucket: aws.String("bkt")})
	require.NoError(t, err)
	assert.Empty(t, v2.EncodingType)
	var keys []string
	for _, o := range v2.Contents {
		keys = append(keys, aws.ToString(o.Key))
	}
	assert.Equal(t, safe, keys)
}

func TestListUnknownEncodingType(t *testing.T) {
	api := encServer(t)
	for name, call := range map[string]func() error{
		"ListObjectsV2": func() error {
			_, err := api.ListObjectsV2(t.Context(), &s3.ListObjectsV2Input{Bucket: aws.String("bkt"), EncodingType: "base64"})
			return err
		},
		"ListObjects": func() error {
			_, err := api.ListObjects(t.Context(), &s3.ListObjectsInput{Bucket: aws.String("bkt"), EncodingType: "base64"})
			return err
		},
		"ListMultipartUploads": func() error {
			_, err := api.ListMultipartUploads(t.Context(), &s3.ListMultipartUploadsInput{Bucket: aws.String("bkt"), EncodingType: "base64"})
			return err
		},
	} {
		t.Run(name, func(t *testing.T) {
			var ae smithy.APIError
			require.True(t, errors.As(call(), &ae))
			assert.Equal(t, "InvalidArgument", ae.ErrorCode())
		})
	}
}

func TestListMissingBucket(t *testing.T) {
	srv := s3kittest.NewServer(t)
	_, err := srv.Client(t).S3().ListObjectsV2(t.Context(), &s3.ListObjectsV2Input{Bucket: aws.String("nope"), EncodingType: types.EncodingTypeUrl})
	var nsb *types.NoSuchBucket
	assert.ErrorAs(t, err, &nsb)
}

func TestListMultipartUploadsEncodingTypeURL(t *testing.T) {
	srv := s3kittest.NewServer(t)
	srv.CreateBucket(t, "bkt")
	api := srv.Client(t).S3()
	keys := []string{"m/\x01a", "m/a b", "m/a+b", "m/d\x01/x", "n"}
	for _, k := range keys {
		_, err := api.CreateMultipartUpload(t.Context(), &s3.CreateMultipartUploadInput{Bucket: aws.String("bkt"), Key: aws.String(k)})
		require.NoError(t, err)
	}
	out, err := api.ListMultipartUploads(t.Context(), &s3.ListMultipartUploadsInput{Bucket: aws.String("bkt"),
		Prefix: aws.String("m/"), Delimiter: aws.String("\x01/"), EncodingType: types.EncodingTypeUrl})
	require.NoError(t, err)
	assert.Equal(t, types.EncodingTypeUrl, out.EncodingType)
	assert.Equal(t, "m%2F", aws.ToString(out.Prefix))
	assert.Equal(t, "%01%2F", aws.ToString(out.Delimiter))
	var got, prefixes []string
	for _, u := range out.Uploads {
		got = append(got, aws.ToString(u.Key))
	}
	for _, p := range out.CommonPrefixes {
		prefixes = append(prefixes, aws.ToString(p.Prefix))
	}
	assert.Equal(t, []string{"m%2F%01a", "m%2Fa+b", "m%2Fa%2Bb"}, got)
	assert.Equal(t, []string{"m%2Fd%01%2F"}, prefixes)

	_, err = api.ListMultipartUploads(t.Context(), &s3.ListMultipartUploadsInput{Bucket: aws.String("bkt")})
	if assert.Error(t, err, "without encoding-type, a key XML cannot carry breaks the answer, as on S3") {
		assert.Contains(t, err.Error(), "illegal character code U+0001")
	}
	out, err = api.ListMultipartUploads(t.Context(), &s3.ListMultipartUploadsInput{Bucket: aws.String("bkt"), Prefix: aws.String("m/a")})
	require.NoError(t, err)
	got = nil
	for _, u := range out.Uploads {
		got = append(got, aws.ToString(u.Key))
	}
	assert.Equal(t, []string{"m/a b", "m/a+b"}, got)
	assert.Empty(t, out.EncodingType)
}

// TestListRawXML checks the bytes of the answers: encoded, the key is
// percent-encoded; not encoded, \x01 is the character reference AWS S3
// writes, which no XML 1.0 parser accepts.
func TestListRawXML(t *testing.T) {
	srv := s3kittest.NewServer(t)
	srv.CreateBucket(t, "bkt")
	rt := &bodyRecorder{next: srv.HTTPClient().Transport}
	c := srv.Client(t, s3kit.WithHTTPClient(&http.Client{Transport: rt}), s3kit.WithMaxAttempts(1))
	_, err := c.Put(t.Context(), "bkt", "a\x01b&", strings.NewReader("v"))
	require.NoError(t, err)

	_, err = c.S3().ListObjectsV2(t.Context(), &s3.ListObjectsV2Input{Bucket: aws.String("bkt"), EncodingType: types.EncodingTypeUrl})
	require.NoError(t, err)
	assert.Contains(t, rt.last, "<Key>a%01b%26</Key>")
	assert.Contains(t, rt.last, "<EncodingType>url</EncodingType>")

	_, err = c.S3().ListObjectsV2(t.Context(), &s3.ListObjectsV2Input{Bucket: aws.String("bkt")})
	require.Error(t, err)
	assert.Contains(t, rt.last, "<Key>a&#x1;b&amp;</Key>")
	assert.NotContains(t, rt.last, "EncodingType")
}

// bodyRecorder keeps the body of the last response.
type bodyRecorder struct {
	next http.RoundTripper
	last string
}

func (b *bodyRecorder) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := b.next.RoundTrip(r)
	if err != nil {
		return nil, err
	}
	body, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if err != nil {
		return nil, err
	}
	b.last = string(body)
	resp.Body = io.NopCloser(bytes.NewReader(body))
	return resp, nil
}
