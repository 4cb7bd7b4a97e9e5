package s3kittest_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/s3kit/s3kit/s3kittest"
)

// head returns an object's user metadata and Content-Type.
func head(t *testing.T, api *s3.Client, bucket, key string) (map[string]string, string) {
	t.Helper()
	out, err := api.HeadObject(t.Context(), &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	require.NoError(t, err)
	return out.Metadata, aws.ToString(out.ContentType)
}

func TestCopyMetadataDirective(t *testing.T) {
	srv := s3kittest.NewServer(t)
	srv.CreateBucket(t, "bkt")
	api := srv.Client(t).S3()
	_, err := api.PutObject(t.Context(), &s3.PutObjectInput{
		Bucket: aws.String("bkt"), Key: aws.String("src"), Body: strings.NewReader("data"),
		ContentType: aws.String("text/plain"), ContentDisposition: aws.String("inline"),
		Metadata: map[string]string{"owner": "alice", "old": "x"},
	})
	require.NoError(t, err)

	_, err = api.CopyObject(t.Context(), &s3.CopyObjectInput{
		Bucket: aws.String("bkt"), Key: aws.String("replaced"), CopySource: aws.String("bkt/src"),
		MetadataDirective: types.MetadataDirectiveReplace,
		ContentType:       aws.String("application/json"),
		Metadata:          map[string]string{"owner": "bob"},
	})
	require.NoError(t, err)
	meta, ct := head(t, api, "bkt", "replaced")
	assert.Equal(t, map[string]string{"owner": "bob"}, meta, "REPLACE drops the source's metadata")
	assert.Equal(t, "application/json", ct)
	out, err := api.HeadObject(t.Context(), &s3.HeadObjectInput{Bucket: aws.String("bkt"), Key: aws.String("replaced")})
	require.NoError(t, err)
	assert.Empty(t, aws.ToString(out.ContentDisposition), "REPLACE drops the source's Content-Disposition")

	_, err = api.CopyObject(t.Context(), &s3.CopyObjectInput{
		Bucket: aws.String("bkt"), Key: aws.String("copied"), CopySource: aws.String("bkt/src"),
		Metadata: map[string]string{"ignored": "y"},
	})
	require.NoError(t, err)
	meta, ct = head(t, api, "bkt", "copied")
	assert.Equal(t, map[string]string{"owner": "alice", "old": "x"}, meta, "COPY keeps the source's metadata only")
	assert.Equal(t, "text/plain", ct)

	r, err := srv.Client(t).Get(t.Context(), "bkt", "replaced")
	require.NoError(t, err)
	defer r.Close()
	body, err := io.ReadAll(r)
	require.NoError(t, err)
	assert.Equal(t, "data", string(body))
}

func TestOverwriteReplacesMetadata(t *testing.T) {
	srv := s3kittest.NewServer(t)
	srv.CreateBucket(t, "bkt")
	api := srv.Client(t).S3()
	put := func(meta map[string]string, ct string) {
		t.Helper()
		in := &s3.PutObjectInput{Bucket: aws.String("bkt"), Key: aws.String("k"), Body: strings.NewReader("v"), Metadata: meta}
		if ct != "" {
			in.ContentType = aws.String(ct)
		}
		_, err := api.PutObject(t.Context(), in)
		require.NoError(t, err)
	}
	put(map[string]string{"a": "1", "b": "2"}, "text/plain")
	put(map[string]string{"a": "3"}, "")
	meta, ct := head(t, api, "bkt", "k")
	assert.Equal(t, map[string]string{"a": "3"}, meta)
	assert.NotEqual(t, "text/plain", ct, "the old Content-Type is gone too")

	// A multipart upload that completes over the object replaces it too.
	up, err := api.CreateMultipartUpload(t.Context(), &s3.CreateMultipartUploadInput{
		Bucket: aws.String("bkt"), Key: aws.String("k"), Metadata: map[string]string{"c": "4"},
	})
	require.NoError(t, err)
	part, err := api.UploadPart(t.Context(), &s3.UploadPartInput{
		Bucket: aws.String("bkt"), Key: aws.String("k"), UploadId: up.UploadId,
		PartNumber: aws.Int32(1), Body: strings.NewReader("multipart"),
	})
	require.NoError(t, err)
	_, err = api.CompleteMultipartUpload(t.Context(), &s3.CompleteMultipartUploadInput{
		Bucket: aws.String("bkt"), Key: aws.String("k"), UploadId: up.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{ETag: part.ETag, PartNumber: aws.Int32(1)}}},
	})
	require.NoError(t, err)
	meta, _ = head(t, api, "bkt", "k")
	assert.Equal(t, map[string]string{"c": "4"}, meta)
}

// rawResponse sends a raw HTTP/1.1 request and returns the response's
// status line and header lines as sent, without Go's canonicalisation.
func rawResponse(t *testing.T, srvURL, method, path string) []string {
	t.Helper()
	u, err := url.Parse(srvURL)
	require.NoError(t, err)
	var d net.Dialer
	conn, err := d.DialContext(t.Context(), "tcp", u.Host)
	require.NoError(t, err)
	defer conn.Close()
	_, err = fmt.Fprintf(conn, "%s %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", method, path, u.Host)
	require.NoError(t, err)
	var lines []string
	br := bufio.NewReader(conn)
	for {
		line, err := br.ReadString('\n')
		require.NoError(t, err)
		line = strings.TrimRight(line, "\r\n")
		if line == "" {
			return lines
		}
		lines = append(lines, line)
	}
}

func TestUserMetadataHeadersLowerCase(t *testing.T) {
	srv := s3kittest.NewServer(t)
	srv.CreateBucket(t, "bkt")
	c := srv.Client(t)
	_, err := c.S3().PutObject(t.Context(), &s3.PutObjectInput{
		Bucket: aws.String("bkt"), Key: aws.String("k"), Body: strings.NewReader("v"),
		ACL:      types.ObjectCannedACLPublicRead,
		Metadata: map[string]string{"Owner": "alice", "two-words": "x"},
	})
	require.NoError(t, err)
	for _, method := range []string{http.MethodGet, http.MethodHead} {
		lines := rawResponse(t, srv.URL, method, "/bkt/k")
		require.NotEmpty(t, lines)
		assert.Contains(t, lines[0], " 200 ", method)
		var meta []string
		for _, l := range lines {
			if strings.HasPrefix(strings.ToLower(l), "x-amz-meta-") {
				meta = append(meta, l)
			}
		}
		slices.Sort(meta)
		assert.Equal(t, []string{"x-amz-meta-owner: alice", "x-amz-meta-two-words: x"}, meta, method)
	}
	meta, _ := head(t, c.S3(), "bkt", "k")
	assert.Equal(t, map[string]string{"owner": "alice", "two-words": "x"}, meta)
}
