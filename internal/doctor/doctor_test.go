package doctor

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/s3kit/s3kit/internal/s3err"
)

func TestWholeBucket(t *testing.T) {
	tests := []struct {
		name string
		rule types.LifecycleRule
		want bool
	}{
		{"no filter", types.LifecycleRule{}, true},
		{"empty filter", types.LifecycleRule{Filter: &types.LifecycleRuleFilter{}}, true},
		{"empty prefix", types.LifecycleRule{Filter: &types.LifecycleRuleFilter{Prefix: aws.String("")}}, true},
		{"prefix", types.LifecycleRule{Filter: &types.LifecycleRuleFilter{Prefix: aws.String("logs/")}}, false},
		//lint:ignore SA1019 older servers and rules still use the rule-level Prefix
		{"rule-level prefix", types.LifecycleRule{Prefix: aws.String("logs/")}, false},
		{"tag", types.LifecycleRule{Filter: &types.LifecycleRuleFilter{Tag: &types.Tag{Key: aws.String("k")}}}, false},
		{"and", types.LifecycleRule{Filter: &types.LifecycleRuleFilter{And: &types.LifecycleRuleAndOperator{}}}, false},
		{"size", types.LifecycleRule{Filter: &types.LifecycleRuleFilter{ObjectSizeGreaterThan: aws.Int64(1)}}, false},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, wholeBucket(tt.rule), tt.name)
	}
}

func TestShortErr(t *testing.T) {
	assert.Equal(t, "NoSuchKey", shortErr(&smithy.GenericAPIError{Code: "NoSuchKey", Message: "gone"}))
	assert.Equal(t, "plain", shortErr(errors.New("plain")))
}

func TestBase(t *testing.T) {
	assert.Equal(t, "https://s3.eu-west-1.amazonaws.com", (&Config{Region: "eu-west-1"}).Base())
	u, err := url.Parse("http://127.0.0.1:9000")
	require.NoError(t, err)
	assert.Equal(t, "http://127.0.0.1:9000", (&Config{Endpoint: u, Region: "eu-west-1"}).Base())
}

// config is a Config for endpoint whose errors are the SDK's own, sorted
// with s3err as the root package sorts them.
func config(t *testing.T, endpoint string) Config {
	u, err := url.Parse(endpoint)
	require.NoError(t, err)
	client := s3.New(s3.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(endpoint), UsePathStyle: true,
		Credentials:      credentials.NewStaticCredentialsProvider("ak", "sk", ""),
		RetryMaxAttempts: 1,
	})
	return Config{
		S3: client, Bucket: "bkt", Endpoint: u, Region: "us-east-1", PathStyle: true,
		PublicURL: func(bucket, key string) string { return endpoint + "/" + bucket + "/" + key },
		Wrap:      func(_ string, _ s3err.Kind, err error) error { return err },
		Is: func(err error, c s3err.Category) bool {
			p := s3err.Split(err)
			return s3err.Classify(p.Code, p.StatusCode, s3err.Bucket) == c
		},
	}
}

func statuses(r Result) map[Check]Status {
	m := make(map[Check]Status)
	for _, f := range r.Findings {
		m[f.Check] = f.Status
	}
	return m
}

func TestRunUnreachable(t *testing.T) {
	r := Run(t.Context(), config(t, "http://127.0.0.1:1"))
	assert.False(t, r.Reachable)
	got := statuses(r)
	assert.Equal(t, Failed, got[Reachability])
	for _, c := range []Check{Clock, PathStyle, VirtualHost, ListV2, Checksums, DeleteMD5, ACLs, Anonymous, Conditional, Lifecycle} {
		assert.Equal(t, Skipped, got[c], "check %d", c)
	}
	assert.NotContains(t, got, Cleanup, "nothing written, nothing to clean")
	assert.NotContains(t, got, Auth)
}

// TestRunAuth checks the clock finding and that the answer to HeadBucket
// goes through Wrap and Is.
func TestRunAuth(t *testing.T) {
	tests := []struct {
		status int
		detail string
	}{
		{http.StatusNotFound, `bucket "bkt" does not exist: create it first`},
		{http.StatusForbidden, "credentials refused: "},
	}
	for _, tt := range tests {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Date", time.Now().Add(2*time.Minute).UTC().Format(http.TimeFormat))
			w.WriteHeader(tt.status)
		}))
		r := Run(t.Context(), config(t, srv.URL))
		srv.Close()
		assert.True(t, r.Reachable)
		assert.False(t, r.Authenticated)
		require.GreaterOrEqual(t, len(r.Findings), 3)
		assert.Equal(t, Finding{Check: Auth, Status: Failed, Detail: r.Findings[2].Detail}, r.Findings[2])
		assert.Contains(t, r.Findings[2].Detail, tt.detail)
		assert.Equal(t, Warning, statuses(r)[Clock], "the server's clock is two minutes ahead")
		assert.InDelta(t, 2*time.Minute, r.ClockSkew, float64(5*time.Second))
	}
}
