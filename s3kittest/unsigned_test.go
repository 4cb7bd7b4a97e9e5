package s3kittest_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/s3kit/s3kit"
	"github.com/s3kit/s3kit/s3kittest"
)

func TestPresignedPutRefusesUnsignedAmzHeaders(t *testing.T) {
	srv := s3kittest.NewServer(t)
	srv.CreateBucket(t, "bkt")
	c := srv.Client(t)
	p, err := c.PresignPut(t.Context(), "bkt", "k", time.Hour)
	require.NoError(t, err)

	send := func(extra http.Header) (int, string) {
		t.Helper()
		req, err := http.NewRequestWithContext(t.Context(), p.Method, p.URL, strings.NewReader("data"))
		require.NoError(t, err)
		for k, v := range p.Header {
			req.Header[k] = v
		}
		for k, v := range extra {
			req.Header[k] = v
		}
		resp, err := srv.HTTPClient().Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		return resp.StatusCode, string(body)
	}
	status, body := send(http.Header{"X-Amz-Acl": {"public-read"}, "X-Amz-Meta-A": {"b"}})
	assert.Equal(t, http.StatusForbidden, status, body)
	assert.Contains(t, body, "<Code>AccessDenied</Code>")
	assert.Contains(t, body, "There were headers present in the request which were not signed")
	assert.Contains(t, body, "<HeadersNotSigned>x-amz-acl, x-amz-meta-a</HeadersNotSigned>")
	_, err = c.Head(t.Context(), "bkt", "k")
	require.ErrorIs(t, err, s3kit.ErrNotFound, "the refused upload stored nothing")

	status, body = send(nil)
	require.Equal(t, http.StatusOK, status, body)
	assert.Equal(t, s3kit.ACLPrivate, srv.ObjectACL("bkt", "k"))
}

func TestHeaderSignedRequestRefusesUnsignedAmzHeaders(t *testing.T) {
	srv := s3kittest.NewServer(t)
	srv.CreateBucket(t, "bkt")
	body := []byte("data")
	sum := sha256.Sum256(body)
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPut, srv.URL+"/bkt/k", bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("X-Amz-Content-Sha256", hex.EncodeToString(sum[:]))
	creds := aws.Credentials{AccessKeyID: s3kittest.AccessKey, SecretAccessKey: s3kittest.SecretKey}
	require.NoError(t, v4.NewSigner().SignHTTP(t.Context(), creds, req, hex.EncodeToString(sum[:]), "s3", s3kittest.Region, time.Now()))
	req.Header.Set("X-Amz-Acl", "public-read") // added after signing

	resp, err := srv.HTTPClient().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	assert.Equal(t, http.StatusForbidden, resp.StatusCode, string(got))
	assert.Contains(t, string(got), "<HeadersNotSigned>x-amz-acl</HeadersNotSigned>")
	assert.Equal(t, s3kit.ACLPrivate, srv.ObjectACL("bkt", "k"))
}
