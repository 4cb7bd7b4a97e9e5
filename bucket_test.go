package s3kit_test

import (
	"context"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/s3kit/s3kit"
	"github.com/s3kit/s3kit/s3kittest"
)

// TestBucketCallsWhoseAnswerWasLost checks that CreateBucket and
// DeleteBucket succeed when a retry finds their own work already done, and
// only then.
func TestBucketCallsWhoseAnswerWasLost(t *testing.T) {
	t.Parallel()
	const name = "b-retried"
	drop := func(op string) *s3kittest.Rule {
		return &s3kittest.Rule{Op: op, Nth: 1, Fault: s3kittest.DropResponse()}
	}
	create := func(ctx context.Context, c *s3kit.Client) error { return c.CreateBucket(ctx, name) }
	del := func(ctx context.Context, c *s3kit.Client) error { return c.DeleteBucket(ctx, name) }
	cases := []struct {
		name      string
		exists    bool // the bucket exists before the call
		rules     []*s3kittest.Rule
		ownBucket bool // ListBuckets lists the bucket if it exists
		call      func(context.Context, *s3kit.Client) error
		wantCode  string // "" for success
		wantErr   error
		wantAfter bool // the bucket exists after the call
	}{
		{name: "create/answer lost, retry answered BucketAlreadyExists, ListBuckets lists it",
			rules: []*s3kittest.Rule{drop("CreateBucket")}, ownBucket: true, call: create, wantAfter: true},
		{name: "create/answer lost, retry answered BucketAlreadyOwnedByYou",
			rules: []*s3kittest.Rule{drop("CreateBucket"),
				// Nth 1: a request the first rule fired on is not counted here.
				{Op: "CreateBucket", Nth: 1, Fault: s3kittest.ErrorResponse(http.StatusConflict, "BucketAlreadyOwnedByYou")}},
			call: create, wantAfter: true},
		{name: "create/first attempt answered BucketAlreadyOwnedByYou", exists: true,
			rules:     []*s3kittest.Rule{{Op: "CreateBucket", Fault: s3kittest.ErrorResponse(http.StatusConflict, "BucketAlreadyOwnedByYou")}},
			ownBucket: true, call: create, wantCode: "BucketAlreadyOwnedByYou", wantAfter: true},
		{name: "create/first attempt answered BucketAlreadyExists", exists: true,
			ownBucket: true, call: create, wantCode: "BucketAlreadyExists", wantAfter: true},
		{name: "create/retry answered BucketAlreadyExists, ListBuckets does not list it", exists: true,
			rules: []*s3kittest.Rule{{Op: "CreateBucket", Nth: 1, Fault: s3kittest.ErrorResponse(http.StatusInternalServerError, "InternalError")}},
			call:  create, wantCode: "BucketAlreadyExists", wantAfter: true},
		{name: "create/retry answered BucketAlreadyExists, ListBuckets refused", exists: true,
			rules: []*s3kittest.Rule{{Op: "CreateBucket", Nth: 1, Fault: s3kittest.ErrorResponse(http.StatusInternalServerError, "InternalError")},
				{Op: "ListBuckets", Fault: s3kittest.ErrorResponse(http.StatusForbidden, "AccessDenied")}},
			ownBucket: true, call: create, wantCode: "BucketAlreadyExists", wantAfter: true},
		{name: "delete/answer lost, retry answered NoSuchBucket", exists: true,
			rules: []*s3kittest.Rule{drop("DeleteBucket")}, call: del},
		{name: "delete/first attempt answered NoSuchBucket",
			call: del, wantCode: "NoSuchBucket", wantErr: s3kit.ErrBucketNotFound},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := s3kittest.NewServer(t, s3kittest.WithFaults(tc.rules...))
			if tc.exists {
				srv.CreateBucket(t, name)
			}
			c := bucketFront(t, srv, tc.ownBucket)
			err := tc.call(t.Context(), c)
			if tc.wantCode == "" {
				require.NoError(t, err)
			} else {
				var e *s3kit.Error
				require.ErrorAs(t, err, &e)
				assert.Equal(t, tc.wantCode, e.Code)
				if tc.wantErr != nil {
					assert.ErrorIs(t, err, tc.wantErr)
				}
			}
			var listErr error
			for _, err := range srv.Client(t).List(t.Context(), name) {
				listErr = err
			}
			if tc.wantAfter {
				assert.NoError(t, listErr, "the bucket exists")
			} else {
				assert.ErrorIs(t, listErr, s3kit.ErrBucketNotFound, "the bucket is gone")
			}
			for _, r := range tc.rules {
				if r.Nth == 1 {
					assert.Equal(t, 1, r.Fired(), "precondition: the first attempt met its fault")
				}
			}
		})
	}
}

// bucketFront puts a proxy in front of srv whose ListBuckets answer lists
// the caller's buckets only if own is set (gofakes3 has no owners and lists
// every bucket), and returns a client with fast retries for it. A response
// the server drops reaches the client as 502 Bad Gateway, which is retried.
func bucketFront(t *testing.T, srv *s3kittest.Server, own bool) *s3kit.Client {
	t.Helper()
	target, err := url.Parse(srv.URL)
	require.NoError(t, err)
	rp := httputil.NewSingleHostReverseProxy(target)
	rp.ErrorLog = log.New(io.Discard, "", 0)
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !own && r.Method == http.MethodGet && r.URL.Path == "/" {
			w.Header().Set("Content-Type", "application/xml")
			_, _ = io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><ListAllMyBucketsResult><Owner><ID>me</ID></Owner><Buckets></Buckets></ListAllMyBucketsResult>`)
			return
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(front.Close)
	c, err := s3kit.New(t.Context(), fastRetries(s3kit.WithEndpoint(front.URL), s3kit.WithCredentials(s3kittest.AccessKey, s3kittest.SecretKey))...)
	require.NoError(t, err)
	return c
}
