package s3kit_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/s3kit/s3kit"
	"github.com/s3kit/s3kit/s3kittest"
)

func TestProviderProfiles(t *testing.T) {
	t.Parallel()
	tests := []struct {
		p         s3kit.Provider
		endpoint  string // "" for AWS
		region    string
		pathStyle bool
		compat    bool
		publicURL string
	}{
		{s3kit.CloudTemple("acme", ""), "https://acme.s3.fr1.cloud-temple.com", "fr1", true, true, "https://acme.s3.fr1.cloud-temple.com/bkt/a%20b"},
		{s3kit.CloudTemple("acme", "eu-west-1"), "https://acme.s3.fr1.cloud-temple.com", "eu-west-1", true, true, ""},
		{s3kit.AWS("eu-west-3"), "", "eu-west-3", false, false, "https://bkt.s3.eu-west-3.amazonaws.com/a%20b"},
		{s3kit.CephRGW("https://rgw.local:7480"), "https://rgw.local:7480", "eu-west-1", true, true, "https://rgw.local:7480/bkt/a%20b"},
		{s3kit.MinIO("https://minio.local:9000"), "https://minio.local:9000", "us-east-1", true, true, ""},
		{s3kit.Versitygw("https://vgw.local:7070"), "https://vgw.local:7070", "us-east-1", true, true, ""},
		{s3kit.Scaleway("fr-par"), "https://s3.fr-par.scw.cloud", "fr-par", true, true, ""},
		{s3kit.OVHcloud("gra"), "https://s3.gra.io.cloud.ovh.net", "gra", true, true, ""},
		{s3kit.Wasabi("eu-central-1"), "https://s3.eu-central-1.wasabisys.com", "eu-central-1", true, true, ""},
		{s3kit.BackblazeB2("us-west-004"), "https://s3.us-west-004.backblazeb2.com", "us-west-004", true, true, ""},
		{s3kit.CloudflareR2("0123abcd"), "https://0123abcd.r2.cloudflarestorage.com", "auto", true, true, ""},
		{s3kit.DigitalOceanSpaces("ams3"), "https://ams3.digitaloceanspaces.com", "us-east-1", true, true, ""},
		{s3kit.GoogleCloudStorage(), "https://storage.googleapis.com", "auto", true, true, "https://storage.googleapis.com/bkt/a%20b"},
	}
	for _, tc := range tests {
		t.Run(tc.p.Name()+" "+tc.region, func(t *testing.T) {
			c, err := s3kit.New(t.Context(), s3kit.WithProvider(tc.p), s3kit.WithCredentials("ak", "sk"))
			require.NoError(t, err)
			o := c.S3().Options()
			assert.Equal(t, tc.endpoint, aws.ToString(o.BaseEndpoint))
			assert.Equal(t, tc.region, o.Region)
			assert.Equal(t, tc.pathStyle, o.UsePathStyle)
			if tc.compat {
				assert.Equal(t, aws.RequestChecksumCalculationWhenRequired, o.RequestChecksumCalculation)
			} else {
				assert.NotEqual(t, aws.RequestChecksumCalculationWhenRequired, o.RequestChecksumCalculation)
			}
			if tc.publicURL != "" {
				assert.Equal(t, tc.publicURL, c.PublicURL(bucket, "a b"))
			}
			assert.Contains(t, tc.p.String(), tc.p.Name())
		})
	}
}

// TestExplicitOptionsWinOverProfile puts the options before and after the
// profile: the explicit ones win either way.
func TestExplicitOptionsWinOverProfile(t *testing.T) {
	explicit := []s3kit.Option{
		s3kit.WithEndpoint("https://internal.example:8443"),
		s3kit.WithRegion("custom-1"),
		s3kit.WithPathStyle(false),
		s3kit.WithCredentials("ak", "sk"),
	}
	profile := s3kit.WithProvider(s3kit.CloudTemple("acme", "fr1"))
	for name, opts := range map[string][]s3kit.Option{
		"profile first": append([]s3kit.Option{profile}, explicit...),
		"profile last":  append(append([]s3kit.Option{}, explicit...), profile),
	} {
		t.Run(name, func(t *testing.T) {
			c, err := s3kit.New(t.Context(), opts...)
			require.NoError(t, err)
			o := c.S3().Options()
			assert.Equal(t, "https://internal.example:8443", aws.ToString(o.BaseEndpoint))
			assert.Equal(t, "custom-1", o.Region)
			assert.False(t, o.UsePathStyle)
		})
	}
	t.Run("profile wins over the environment", func(t *testing.T) {
		t.Setenv("S3_ENDPOINT_URL", "https://from-env.example")
		t.Setenv("S3_REGION", "env-1")
		t.Setenv("S3_ACCESS_KEY", "ak")
		t.Setenv("S3_SECRET_KEY", "sk")
		t.Setenv("AWS_CONFIG_FILE", "/dev/null")
		t.Setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
		c, err := s3kit.New(t.Context(), s3kit.FromEnv(), profile)
		require.NoError(t, err)
		o := c.S3().Options()
		assert.Equal(t, "https://acme.s3.fr1.cloud-temple.com", aws.ToString(o.BaseEndpoint))
		assert.Equal(t, "fr1", o.Region)
	})
}

func TestProviderBadArguments(t *testing.T) {
	t.Parallel()
	for _, p := range []s3kit.Provider{
		{},
		s3kit.CloudTemple("", "fr1"),
		s3kit.CloudTemple("a.b", "fr1"),
		s3kit.CloudTemple("x/y", "fr1"),
		s3kit.AWS(""),
		s3kit.CephRGW(""),
		s3kit.MinIO("not a url"),
		s3kit.Scaleway(""),
		s3kit.CloudflareR2("acct/evil"),
		s3kit.DigitalOceanSpaces("-x"),
	} {
		t.Run(fmt.Sprintf("%q", p.Name()), func(t *testing.T) {
			_, err := s3kit.New(t.Context(), s3kit.WithProvider(p), s3kit.WithCredentials("ak", "sk"))
			assert.ErrorIs(t, err, s3kit.ErrInvalidInput)
		})
	}
}

// TestProviderWithoutACLs checks that a profile without object ACLs refuses
// ACL calls before sending anything, while private puts still work.
func TestProviderWithoutACLs(t *testing.T) {
	t.Parallel()
	srv := s3kittest.NewServer(t)
	srv.CreateBucket(t, bucket)
	c := srv.Client(t, s3kit.WithProvider(s3kit.MinIO(srv.URL)), s3kit.WithRegion(s3kittest.Region))
	_, err := c.Put(t.Context(), bucket, "k", strings.NewReader("v"))
	require.NoError(t, err)
	_, err = c.Put(t.Context(), bucket, "k2", strings.NewReader("v"), s3kit.WithACL(s3kit.ACLPrivate))
	require.NoError(t, err, "private is fine")

	before := srv.Requests()
	calls := map[string]func() error{
		"SetACL":     func() error { return c.SetACL(t.Context(), bucket, "k", s3kit.ACLPublicRead) },
		"MakePublic": func() error { _, err := c.MakePublic(t.Context(), bucket, "k"); return err },
		"Put public": func() error {
			_, err := c.Put(t.Context(), bucket, "k3", strings.NewReader("v"), s3kit.WithACL(s3kit.ACLPublicRead))
			return err
		},
		"PresignPut public": func() error {
			_, err := c.PresignPut(t.Context(), bucket, "k3", 60e9, s3kit.WithACL(s3kit.ACLPublicRead))
			return err
		},
		"Copy public": func() error {
			_, err := c.Copy(t.Context(), bucket, "k", bucket, "k4", s3kit.WithACL(s3kit.ACLPublicRead))
			return err
		},
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			err := call()
			assert.ErrorIs(t, err, s3kit.ErrACLNotSupported)
			assert.Contains(t, err.Error(), "MinIO has no object ACLs")
		})
	}
	assert.Equal(t, before, srv.Requests(), "no request sent")
	assert.Equal(t, s3kit.ACLPrivate, srv.ObjectACL(bucket, "k"))
}

func TestProviderKeyLimit(t *testing.T) {
	t.Parallel()
	srv := s3kittest.NewServer(t)
	srv.CreateBucket(t, bucket)
	c := srv.Client(t, s3kit.WithProvider(s3kit.CloudTemple("acme", "")), s3kit.WithEndpoint(srv.URL), s3kit.WithPathStyle(true))
	// ECS counts characters, not bytes.
	for _, key := range []string{strings.Repeat("k", 255), strings.Repeat("é", 255), strings.Repeat("😀", 127) + "k"} {
		_, err := c.Put(t.Context(), bucket, key, strings.NewReader("v"))
		require.NoError(t, err, "%d bytes", len(key))
	}
	for _, key := range []string{strings.Repeat("k", 256), strings.Repeat("é", 256), strings.Repeat("😀", 128)} {
		before := srv.Requests()
		_, err := c.Put(t.Context(), bucket, key, strings.NewReader("v"))
		assert.ErrorIs(t, err, s3kit.ErrInvalidInput)
		assert.Contains(t, err.Error(), "Cloud Temple allows at most 255")
		assert.Equal(t, before, srv.Requests())
	}
}

// TestProviderListV1 checks that a profile that lists with v1 (Google Cloud
// Storage) makes List send ListObjects v1 requests.
func TestProviderListV1(t *testing.T) {
	t.Parallel()
	srv := s3kittest.NewServer(t)
	srv.CreateBucket(t, bucket)
	putKeys(t, srv.Client(t), []string{"a", "b"})
	var v1 atomic.Int32
	front := proxyEndpoint(t, srv, func(r *http.Request) {
		if r.Method == http.MethodGet && !r.URL.Query().Has("list-type") {
			v1.Add(1)
		}
	})
	gcs, err := s3kit.New(t.Context(), s3kit.WithProvider(s3kit.GoogleCloudStorage()), s3kit.WithEndpoint(front),
		s3kit.WithRegion(s3kittest.Region), s3kit.WithCredentials(s3kittest.AccessKey, s3kittest.SecretKey))
	require.NoError(t, err)
	assert.Equal(t, []string{"a", "b"}, listKeys(t, gcs))
	assert.Equal(t, int32(1), v1.Load())
}
