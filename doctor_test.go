package s3kit_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/s3kit/s3kit"
	"github.com/s3kit/s3kit/s3kittest"
)

func TestDoctor(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		opts         []s3kittest.Option
		tlsTested    bool
		deleteNeeds  bool
		checksumStat s3kit.Status
	}{
		{"http", nil, false, false, s3kit.StatusSkipped},
		{"tls", []s3kittest.Option{s3kittest.WithTLS()}, true, false, s3kit.StatusInfo},
		{"http, Content-MD5 required", []s3kittest.Option{s3kittest.WithRequireContentMD5()}, false, true, s3kit.StatusSkipped},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv, c := setup(t, tc.opts...)
			r, err := c.Doctor(t.Context(), bucket)
			require.NoError(t, err)
			t.Log("\n" + r.String())

			assert.True(t, r.Reachable)
			assert.Less(t, r.ClockSkew.Abs().Seconds(), 5.0)
			assert.True(t, r.Authenticated)
			assert.True(t, r.PathStyle)
			assert.False(t, r.VirtualHost, "bkt.127.0.0.1 does not resolve")
			assert.True(t, r.ListV2)
			assert.Equal(t, tc.tlsTested, r.StreamingChecksumsTested)
			assert.False(t, r.StreamingChecksums, "s3kittest rejects aws-chunked uploads")
			assert.Equal(t, tc.deleteNeeds, r.DeleteNeedsMD5)
			assert.True(t, r.ObjectACLs)
			assert.True(t, r.AnonymousPublicRead)
			assert.True(t, r.CleanedUp)
			assert.True(t, r.ConditionalPut, "s3kittest enforces If-None-Match on PutObject")
			assert.True(t, r.ConditionalMultipart, "and on CompleteMultipartUpload")
			assert.True(t, r.ConditionalCopy, "and on CopyObject")
			f, ok := r.Finding(s3kit.CheckConditional)
			require.True(t, ok)
			assert.Equal(t, s3kit.StatusOK, f.Status, f.Detail)
			f, ok = r.Finding(s3kit.CheckChecksums)
			require.True(t, ok)
			assert.Equal(t, tc.checksumStat, f.Status)
			for _, f := range r.Findings {
				assert.NotEqual(t, s3kit.StatusFailed, f.Status, "%s: %s", f.Check, f.Detail)
			}
			assert.Empty(t, r.Suggestions, "path-style is already the default for this endpoint: nothing to suggest")

			assert.Empty(t, listKeys(t, c), "every object the doctor wrote is gone")
			assert.Zero(t, pendingUploads(t, c))
			_ = srv
		})
	}
}

func TestDoctorMissingBucketAndBadCredentials(t *testing.T) {
	t.Parallel()
	srv, c := setup(t)
	r, err := c.Doctor(t.Context(), "no-such-bucket")
	require.NoError(t, err)
	assert.True(t, r.Reachable)
	assert.False(t, r.Authenticated)
	f, _ := r.Finding(s3kit.CheckAuth)
	assert.Equal(t, s3kit.StatusFailed, f.Status)
	assert.Contains(t, f.Detail, "does not exist")
	f, _ = r.Finding(s3kit.CheckACLs)
	assert.Equal(t, s3kit.StatusSkipped, f.Status)

	bad := srv.Client(t, s3kit.WithCredentials(s3kittest.AccessKey, "wrong"))
	r, err = bad.Doctor(t.Context(), bucket)
	require.NoError(t, err)
	f, _ = r.Finding(s3kit.CheckAuth)
	assert.Equal(t, s3kit.StatusFailed, f.Status)
	assert.Contains(t, f.Detail, "refused")
	assert.NotContains(t, r.String(), "wrong")

	_, err = c.Doctor(t.Context(), "B")
	assert.ErrorIs(t, err, s3kit.ErrInvalidInput)
}

func TestDoctorUnreachable(t *testing.T) {
	t.Parallel()
	c, err := s3kit.New(t.Context(), s3kit.WithEndpoint("http://127.0.0.1:1"), s3kit.WithCredentials("ak", "sk"))
	require.NoError(t, err)
	r, err := c.Doctor(t.Context(), bucket)
	require.NoError(t, err)
	assert.False(t, r.Reachable)
	f, _ := r.Finding(s3kit.CheckReachability)
	assert.Equal(t, s3kit.StatusFailed, f.Status)
	_, ok := r.Finding(s3kit.CheckCleanup)
	assert.False(t, ok, "nothing written, nothing to clean")
}

// TestDoctorLegacyBucketName checks that the doctor does not claim
// virtual-host addressing works for a bucket name that is not a host name
// (the SDK would silently use path-style for it).
func TestDoctorLegacyBucketName(t *testing.T) {
	t.Parallel()
	srv := s3kittest.NewServer(t)
	srv.CreateBucket(t, "Old_Bucket")
	// A host name rather than an IP address, so the doctor would try
	// virtual-host addressing.
	endpoint := strings.Replace(srv.URL, "127.0.0.1", "localhost", 1)
	c := srv.Client(t, s3kit.WithEndpoint(endpoint), s3kit.WithRelaxedBucketNames(true))
	r, err := c.Doctor(t.Context(), "Old_Bucket")
	require.NoError(t, err)
	t.Log("\n" + r.String())
	assert.True(t, r.Authenticated)
	assert.True(t, r.PathStyle)
	assert.False(t, r.VirtualHost)
	f, ok := r.Finding(s3kit.CheckVirtualHost)
	require.True(t, ok)
	assert.Equal(t, s3kit.StatusSkipped, f.Status)
	assert.Contains(t, f.Detail, "not a valid host name")
	assert.True(t, r.CleanedUp)
}

// TestDoctorConditionalIgnored puts a proxy in front of s3kittest that
// answers a conditional CopyObject with success without doing anything, as
// a server that ignores the condition would (minus the overwrite): the
// doctor must report the copy as unprotected, and only as a fact when the
// client's profile already refuses conditional copies.
func TestDoctorConditionalIgnored(t *testing.T) {
	t.Parallel()
	srv := s3kittest.NewServer(t)
	srv.CreateBucket(t, bucket)
	target, err := url.Parse(srv.URL)
	require.NoError(t, err)
	rp := httputil.NewSingleHostReverseProxy(target)
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPut && r.Header.Get("X-Amz-Copy-Source") != "" && r.Header.Get("If-None-Match") != "" {
			w.Header().Set("Content-Type", "application/xml")
			_, _ = io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><CopyObjectResult><ETag>"0123"</ETag></CopyObjectResult>`)
			return
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(front.Close)
	tests := []struct {
		name   string
		opts   []s3kit.Option
		status s3kit.Status
	}{
		{"no profile", []s3kit.Option{s3kit.WithEndpoint(front.URL)}, s3kit.StatusWarning},
		{"versitygw profile", []s3kit.Option{s3kit.WithProvider(s3kit.Versitygw(front.URL)), s3kit.WithRegion(s3kittest.Region)}, s3kit.StatusInfo},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := s3kit.New(t.Context(), append(tc.opts, s3kit.WithCredentials(s3kittest.AccessKey, s3kittest.SecretKey))...)
			require.NoError(t, err)
			r, err := c.Doctor(t.Context(), bucket)
			require.NoError(t, err)
			t.Log("\n" + r.String())
			assert.True(t, r.ConditionalPut)
			assert.True(t, r.ConditionalMultipart)
			assert.False(t, r.ConditionalCopy)
			f, ok := r.Finding(s3kit.CheckConditional)
			require.True(t, ok)
			assert.Equal(t, tc.status, f.Status)
			assert.Contains(t, f.Detail, "ignored on CopyObject")
			assert.True(t, r.CleanedUp)
			assert.Zero(t, pendingUploads(t, c), "the refused multipart probe was aborted")
		})
	}
}

// TestDoctorLifecycle checks the lifecycle finding: s3kit leaves the empty
// upload of a lost CreateMultipartUpload answer alone, and only a rule that
// aborts incomplete uploads in the whole bucket removes it.
func TestDoctorLifecycle(t *testing.T) {
	t.Parallel()
	const ruleXML = `<?xml version="1.0" encoding="UTF-8"?><LifecycleConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Rule><ID>%s</ID><Filter><Prefix>%s</Prefix></Filter><Status>Enabled</Status><AbortIncompleteMultipartUpload><DaysAfterInitiation>7</DaysAfterInitiation></AbortIncompleteMultipartUpload></Rule></LifecycleConfiguration>`
	tests := []struct {
		name   string
		answer func(w http.ResponseWriter)
		status s3kit.Status
		aborts bool
	}{
		{"rule on the whole bucket", func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "application/xml")
			fmt.Fprintf(w, ruleXML, "abort-uploads", "")
		}, s3kit.StatusOK, true},
		{"rule on a prefix only", func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "application/xml")
			fmt.Fprintf(w, ruleXML, "logs", "logs/")
		}, s3kit.StatusWarning, false},
		{"no lifecycle configuration", func(w http.ResponseWriter) { s3Error(w, http.StatusNotFound, "NoSuchLifecycleConfiguration") }, s3kit.StatusWarning, false},
		{"not implemented (s3kittest)", nil, s3kit.StatusInfo, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, _ := setup(t)
			c := proxy(t, srv, func(w http.ResponseWriter, r *http.Request) bool {
				if tt.answer == nil || r.Method != http.MethodGet || !r.URL.Query().Has("lifecycle") {
					return false
				}
				tt.answer(w)
				return true
			})
			r, err := c.Doctor(t.Context(), bucket)
			require.NoError(t, err)
			f, ok := r.Finding(s3kit.CheckLifecycle)
			require.True(t, ok)
			assert.Equal(t, tt.status, f.Status, f.Detail)
			assert.Equal(t, tt.aborts, r.AbortsIncompleteUploads)
		})
	}
}
