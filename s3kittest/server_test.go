package s3kittest_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/s3kit/s3kit"
	"github.com/s3kit/s3kit/s3kittest"
)

func TestGetObjectACL(t *testing.T) {
	srv := s3kittest.NewServer(t)
	srv.CreateBucket(t, "bkt")
	c := srv.Client(t)
	_, err := c.Put(t.Context(), "bkt", "k", strings.NewReader("data"), s3kit.WithACL(s3kit.ACLPublicRead))
	require.NoError(t, err)

	out, err := c.S3().GetObjectAcl(t.Context(), &s3.GetObjectAclInput{Bucket: aws.String("bkt"), Key: aws.String("k")})
	require.NoError(t, err)
	var public bool
	for _, g := range out.Grants {
		if g.Grantee != nil && aws.ToString(g.Grantee.URI) == "http://acs.amazonaws.com/groups/global/AllUsers" && g.Permission == types.PermissionRead {
			public = true
		}
	}
	assert.True(t, public, "AllUsers READ grant")
	assert.Equal(t, "s3kittest", aws.ToString(out.Owner.ID))
}

func TestPutObjectACLWithPolicyDocument(t *testing.T) {
	srv := s3kittest.NewServer(t)
	srv.CreateBucket(t, "bkt")
	c := srv.Client(t)
	_, err := c.Put(t.Context(), "bkt", "k", strings.NewReader("data"))
	require.NoError(t, err)
	_, err = c.S3().PutObjectAcl(t.Context(), &s3.PutObjectAclInput{
		Bucket: aws.String("bkt"), Key: aws.String("k"),
		AccessControlPolicy: &types.AccessControlPolicy{
			Owner: &types.Owner{ID: aws.String("s3kittest")},
			Grants: []types.Grant{{
				Grantee:    &types.Grantee{Type: types.TypeGroup, URI: aws.String("http://acs.amazonaws.com/groups/global/AllUsers")},
				Permission: types.PermissionRead,
			}},
		},
	})
	require.NoError(t, err)
	assert.Equal(t, s3kit.ACLPublicRead, srv.ObjectACL("bkt", "k"))
}

func TestUnsupportedSubresourcesLeaveDataAlone(t *testing.T) {
	srv := s3kittest.NewServer(t)
	srv.CreateBucket(t, "bkt")
	c := srv.Client(t)
	_, err := c.Put(t.Context(), "bkt", "k", strings.NewReader("precious"))
	require.NoError(t, err)

	_, err = c.S3().PutObjectTagging(t.Context(), &s3.PutObjectTaggingInput{
		Bucket: aws.String("bkt"), Key: aws.String("k"),
		Tagging: &types.Tagging{TagSet: []types.Tag{{Key: aws.String("a"), Value: aws.String("bkt")}}},
	})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "NotImplemented")

	r, err := c.Get(t.Context(), "bkt", "k")
	require.NoError(t, err)
	defer r.Close()
	var buf bytes.Buffer
	_, err = buf.ReadFrom(r)
	require.NoError(t, err)
	assert.Equal(t, "precious", buf.String())
}

func TestListMultipartUploadsOnFreshBucket(t *testing.T) {
	srv := s3kittest.NewServer(t)
	srv.CreateBucket(t, "bkt")
	out, err := srv.Client(t).S3().ListMultipartUploads(t.Context(), &s3.ListMultipartUploadsInput{Bucket: aws.String("bkt")})
	require.NoError(t, err)
	assert.Empty(t, out.Uploads)
}

func TestAnonymousAccess(t *testing.T) {
	srv := s3kittest.NewServer(t, s3kittest.WithTLS())
	srv.CreateBucket(t, "bkt")
	c := srv.Client(t)
	_, err := c.Put(t.Context(), "bkt", "k", strings.NewReader("data"))
	require.NoError(t, err)
	tests := []struct {
		method, path string
		want         int
	}{
		{http.MethodGet, "/bkt/k", http.StatusForbidden},
		{http.MethodHead, "/bkt/k", http.StatusForbidden},
		{http.MethodGet, "/bkt", http.StatusForbidden},
		{http.MethodGet, "/", http.StatusForbidden},
		{http.MethodDelete, "/bkt/k", http.StatusForbidden},
		{http.MethodGet, "/bkt/k?acl", http.StatusForbidden},
	}
	for _, tt := range tests {
		req, err := http.NewRequestWithContext(t.Context(), tt.method, srv.URL+tt.path, nil)
		require.NoError(t, err)
		resp, err := srv.HTTPClient().Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, tt.want, resp.StatusCode, "%s %s", tt.method, tt.path)
	}
	before := srv.Requests()
	_, err = c.Head(t.Context(), "bkt", "k")
	require.NoError(t, err, "the object is still there")
	assert.Equal(t, before+1, srv.Requests())
}

// TestCertificatePEM: a client that trusts only what CertificatePEM gives,
// through s3kit.WithRootCAs, reaches a TLS server; a plain server has none.
func TestCertificatePEM(t *testing.T) {
	assert.Nil(t, s3kittest.NewServer(t).CertificatePEM())
	srv := s3kittest.NewServer(t, s3kittest.WithTLS())
	srv.CreateBucket(t, "bkt")
	c, err := s3kit.New(t.Context(), s3kit.WithEndpoint(srv.URL), s3kit.WithRegion(s3kittest.Region),
		s3kit.WithCredentials(s3kittest.AccessKey, s3kittest.SecretKey), s3kit.WithRootCAs(srv.CertificatePEM()))
	require.NoError(t, err)
	_, err = c.Put(t.Context(), "bkt", "k", strings.NewReader("trusted"))
	require.NoError(t, err)
}
