package s3kit_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/s3kit/s3kit"
	"github.com/s3kit/s3kit/internal/knobs"
)

// appliedThenRefused is a user's transport that retries on its own, each
// try on a context of its own with its own time limit (so without the
// request's context values): the first try is sent and applied, its answer
// is lost, and the next try, to another address of the endpoint, meets a
// certificate the client refuses. It does that to the requests match
// picks, and passes the others on.
type appliedThenRefused struct {
	next    http.RoundTripper
	match   func(*http.Request) bool
	applied atomic.Int32
}

func (a *appliedThenRefused) RoundTrip(req *http.Request) (*http.Response, error) {
	if !a.match(req) {
		return a.next.RoundTrip(req)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	try := req.WithContext(ctx)
	if req.GetBody != nil {
		body, err := req.GetBody()
		if err != nil {
			return nil, err
		}
		try.Body = body
	}
	resp, err := a.next.RoundTrip(try)
	if err == nil {
		resp.Body.Close()
		if resp.StatusCode < 300 {
			a.applied.Add(1)
		}
	}
	return nil, &tls.CertificateVerificationError{Err: x509.UnknownAuthorityError{}}
}

// TestAttack15_CertificateRefusedByATransportOfItsOwn writes through a
// user's transport that applied the write and then reports a certificate
// it refused, without net/http ever handing the request of s3kit's
// attempt a connection on the attempt's context. The write may have been
// applied (here it was), so every write must say ErrOutcomeUnknown; a
// multipart upload's completion, which s3kit checks when its outcome is
// unknown (multipartRun.settle), is found to have worked.
func TestAttack15_CertificateRefusedByATransportOfItsOwn(t *testing.T) {
	type write struct {
		match   func(*http.Request) bool
		do      func(ctx context.Context, c *s3kit.Client) error
		check   func(t *testing.T, c *s3kit.Client) // the write took effect
		settled bool                                // s3kit checks the outcome and finds the write done
	}
	isPut := func(r *http.Request) bool {
		return r.Method == http.MethodPut && r.Header.Get("X-Amz-Copy-Source") == ""
	}
	exists := func(t *testing.T, c *s3kit.Client) {
		_, err := c.Head(t.Context(), bucket, "k")
		require.NoError(t, err, "the write took effect")
	}
	gone := func(t *testing.T, c *s3kit.Client) {
		_, err := c.Head(t.Context(), bucket, "src")
		require.ErrorIs(t, err, s3kit.ErrNotFound, "the delete took effect")
	}
	writes := map[string]write{
		"Put": {isPut, func(ctx context.Context, c *s3kit.Client) error {
			_, err := c.Put(ctx, bucket, "k", strings.NewReader("x"))
			return err
		}, exists, false},
		"Put multipart, its completion": {
			func(r *http.Request) bool { return r.Method == http.MethodPost && r.URL.Query().Has("uploadId") },
			func(ctx context.Context, c *s3kit.Client) error {
				_, err := c.Put(ctx, bucket, "k", strings.NewReader(strings.Repeat("x", twoParts)), mpOpts...)
				return err
			}, exists, true},
		"Delete": {func(r *http.Request) bool { return r.Method == http.MethodDelete },
			func(ctx context.Context, c *s3kit.Client) error { return c.Delete(ctx, bucket, "src") }, gone, false},
		"DeleteMany": {func(r *http.Request) bool { return r.Method == http.MethodPost && r.URL.Query().Has("delete") },
			func(ctx context.Context, c *s3kit.Client) error {
				return c.DeleteMany(ctx, bucket, slices.Values([]string{"src"}))
			}, gone, false},
		"Copy": {func(r *http.Request) bool { return r.Header.Get("X-Amz-Copy-Source") != "" },
			func(ctx context.Context, c *s3kit.Client) error {
				_, err := c.Copy(ctx, bucket, "src", bucket, "k")
				return err
			}, exists, false},
	}
	for name, w := range writes {
		for _, direct := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s/direct=%v", name, direct), func(t *testing.T) {
				srv, plain := setup(t)
				_, err := plain.Put(t.Context(), bucket, "src", strings.NewReader("source"))
				require.NoError(t, err)
				tr := &appliedThenRefused{next: srv.HTTPClient().Transport, match: w.match}
				c := srv.Client(t, s3kit.WithMaxAttempts(1), s3kit.WithHTTPClient(&http.Client{Transport: tr}),
					knobs.WithDirectPath(direct).(s3kit.Option))
				err = w.do(t.Context(), c)
				require.Positive(t, tr.applied.Load(), "the transport applied the write")
				w.check(t, plain)
				if w.settled {
					assert.NoError(t, err, "the check found the completion")
				} else {
					assert.ErrorIs(t, err, s3kit.ErrOutcomeUnknown, "the write was applied: %v", err)
				}
			})
		}
	}
}
