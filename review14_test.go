package s3kit_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/s3kit/s3kit"
	"github.com/s3kit/s3kit/internal/knobs"
)

// r14Creds are credentials that expire at once, so that every signing asks
// for them again, and that fail once *fail is set.
func r14Creds(fail *atomic.Bool) aws.CredentialsProvider {
	return aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
		if fail.Load() {
			return aws.Credentials{}, errors.New("the SSO session expired")
		}
		return aws.Credentials{AccessKeyID: "AKID", SecretAccessKey: "SECRET", CanExpire: true, Expires: time.Unix(1, 0)}, nil
	})
}

// r14Server answers as a store that holds every object and takes every
// multipart upload, except that the request commit picks (the write whose
// outcome is at stake) is answered with a 500 when sent is true; when
// flip(r) is true, the credentials fail from then on.
func r14Server(t *testing.T, fail *atomic.Bool, commit func(r *http.Request) bool, flip func(r *http.Request) bool) (url string, commits *atomic.Int32) {
	t.Helper()
	commits = new(atomic.Int32)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		if flip(r) {
			fail.Store(true)
		}
		q := r.URL.Query()
		switch {
		case commit(r):
			commits.Add(1)
			w.WriteHeader(http.StatusInternalServerError)
			fmt.Fprint(w, `<?xml version="1.0"?><Error><Code>InternalError</Code><Message>boom</Message></Error>`)
		case r.Method == http.MethodPost && q.Has("uploads"):
			fmt.Fprint(w, `<?xml version="1.0"?><InitiateMultipartUploadResult><Bucket>bkt</Bucket><Key>k</Key><UploadId>up1</UploadId></InitiateMultipartUploadResult>`)
		case r.Method == http.MethodPut && q.Has("partNumber"):
			w.Header().Set("ETag", `"0f343b0931126a20f133d67c2b018a3b"`)
		case r.Method == http.MethodDelete && q.Has("uploadId"):
			w.WriteHeader(http.StatusNoContent)
		case r.Method == http.MethodHead:
			w.Header().Set("ETag", `"781e5e245d69b566979b86e28d23f2c7"`)
			w.Header().Set("Content-Length", "10")
			w.Header().Set("Last-Modified", "Wed, 25 Nov 2026 10:00:00 GMT")
		default:
			w.WriteHeader(http.StatusNotImplemented)
		}
	}))
	t.Cleanup(srv.Close)
	return srv.URL, commits
}

// r14Writes are the writes that only the SDK path carries, each with the
// request that commits it.
var r14Writes = []struct {
	name   string
	commit func(r *http.Request) bool
	last   func(r *http.Request) bool // the request just before the commit
	call   func(ctx context.Context, c *s3kit.Client) error
}{
	{"multipart Put",
		func(r *http.Request) bool { return r.Method == http.MethodPost && r.URL.Query().Has("uploadId") },
		func(r *http.Request) bool { return r.URL.Query().Get("partNumber") == "2" },
		func(ctx context.Context, c *s3kit.Client) error {
			_, err := c.Put(ctx, "bkt", "k", strings.NewReader(strings.Repeat("x", 6<<20)),
				s3kit.WithMultipartThreshold(5<<20), s3kit.WithPartSize(5<<20), s3kit.WithConcurrency(1))
			return err
		}},
	{"Copy",
		func(r *http.Request) bool {
			return r.Method == http.MethodPut && r.Header.Get("X-Amz-Copy-Source") != ""
		},
		func(r *http.Request) bool { return r.Method == http.MethodHead },
		func(ctx context.Context, c *s3kit.Client) error {
			_, err := c.Copy(ctx, "bkt", "src", "bkt", "k")
			return err
		}},
	{"DeleteMany",
		func(r *http.Request) bool { return r.Method == http.MethodPost && r.URL.Query().Has("delete") },
		func(*http.Request) bool { return false },
		func(ctx context.Context, c *s3kit.Client) error {
			return c.DeleteMany(ctx, "bkt", slices.Values([]string{"a", "b"}))
		}},
}

// TestReview14_SentThenUnsentWritesOnTheSDKPath checks, for the writes
// only the SDK path carries (a multipart Put's CompleteMultipartUpload,
// CopyObject, DeleteObjects), that a commit whose first attempt got a 500
// and whose second failed before it was sent (the credentials) stays of
// unknown outcome, and that a commit that was never sent is not.
func TestReview14_SentThenUnsentWritesOnTheSDKPath(t *testing.T) {
	for _, w := range r14Writes {
		for _, sent := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s/sent=%t", w.name, sent), func(t *testing.T) {
				if !sent && w.name == "DeleteMany" {
					t.Skip("no request before the commit")
				}
				var fail atomic.Bool
				flip := w.last
				if sent {
					flip = w.commit
				}
				u, commits := r14Server(t, &fail, w.commit, flip)
				c, err := s3kit.New(t.Context(), s3kit.WithEndpoint(u), s3kit.WithRegion("eu-west-1"),
					s3kit.WithCredentials("AKID", "SECRET"), s3kit.WithMaxAttempts(3),
					s3kit.WithRetryDelays(time.Microsecond, time.Microsecond),
					s3kit.WithSDKOptions(func(o *s3.Options) { o.Credentials = r14Creds(&fail) }))
				require.NoError(t, err)
				err = w.call(t.Context(), c)
				require.Error(t, err)
				if sent {
					require.EqualValues(t, 1, commits.Load())
				} else {
					require.Zero(t, commits.Load())
				}
				assert.Equal(t, sent, errors.Is(err, s3kit.ErrOutcomeUnknown), err)
			})
		}
	}
}

// TestReview14_RefusedThenUnsentIsNoUnknownOutcome checks, on both paths,
// that a write whose first attempt was refused (503) and whose second
// failed before it was sent (the credentials) is reported failed, not of
// unknown outcome: the mark of a sent attempt is per attempt.
func TestReview14_RefusedThenUnsentIsNoUnknownOutcome(t *testing.T) {
	for _, name := range []string{"Put", "PutEmpty", "Delete"} {
		t.Run(name, func(t *testing.T) {
			cfg := a14Config{creds: true, fresh: a14Creds(t, 2), opts: []s3kit.Option{s3kit.FromEnv()}}
			sdk, direct := a14Paths(t, then(1, xmlError(503, "SlowDown", "slow"), objectAnswer), cfg, "k", a14Ops()[name])
			assert.Equal(t, sdk, direct)
			require.Len(t, direct.Requests, 1)
			require.NotEmpty(t, direct.ErrText)
			assert.NotContains(t, direct.Sentinels, "OutcomeUnknown", direct.ErrText)
		})
	}
}

// TestReview14_ExpressBucketNamesTakeTheSDKPath checks that a bucket whose
// name ends as an S3 Express directory bucket's ("--x-s3", "--xa-s3"),
// which the SDK's endpoint rules send through an S3 Express session
// (CreateSession, then its own credentials), gives the same requests,
// results and errors on both paths. The direct path sent such calls
// plainly: Head and Delete succeeded where the SDK fails, and a Put that
// the SDK never sends was sent and reported of unknown outcome.
func TestReview14_ExpressBucketNamesTakeTheSDKPath(t *testing.T) {
	type result struct {
		ErrText  string
		Unknown  bool
		Requests []string
	}
	ops := map[string]func(ctx context.Context, c *s3kit.Client, bucket string) error{
		"Head": func(ctx context.Context, c *s3kit.Client, bucket string) error {
			_, err := c.Head(ctx, bucket, "k")
			return err
		},
		"Get": func(ctx context.Context, c *s3kit.Client, bucket string) error {
			r, err := c.Get(ctx, bucket, "k")
			if err == nil {
				_ = r.Close()
			}
			return err
		},
		"Delete": func(ctx context.Context, c *s3kit.Client, bucket string) error { return c.Delete(ctx, bucket, "k") },
		"Put": func(ctx context.Context, c *s3kit.Client, bucket string) error {
			_, err := c.Put(ctx, bucket, "k", strings.NewReader("abc"))
			return err
		},
		"List": func(ctx context.Context, c *s3kit.Client, bucket string) error {
			for _, err := range c.List(ctx, bucket) {
				if err != nil {
					return err
				}
			}
			return nil
		},
	}
	for _, bucket := range []string{"data--usw2-az1--x-s3", "data--x-s3", "data--use1-lz1--xa-s3"} {
		for name, op := range ops {
			t.Run(bucket+"/"+name, func(t *testing.T) {
				run := func(on bool) result {
					rec := &wireRecorder{answer: objectAnswer}
					srv := httptest.NewServer(rec)
					t.Cleanup(srv.Close)
					c, err := s3kit.New(t.Context(), s3kit.WithEndpoint(srv.URL), s3kit.WithRegion("us-west-2"),
						s3kit.WithCredentials("AKID", "SECRET"), s3kit.WithMaxAttempts(2),
						s3kit.WithRetryDelays(time.Microsecond, time.Microsecond), knobs.WithDirectPath(on).(s3kit.Option))
					require.NoError(t, err)
					var res result
					if err := op(t.Context(), c, bucket); err != nil {
						res.ErrText, res.Unknown = err.Error(), errors.Is(err, s3kit.ErrOutcomeUnknown)
					}
					rec.mu.Lock()
					defer rec.mu.Unlock()
					for _, r := range rec.reqs {
						res.Requests = append(res.Requests, r.Method+" "+r.URI)
					}
					return res
				}
				assert.Equal(t, run(false), run(true))
			})
		}
	}
}

// TestReview14_SettingsTheSDKRefusesAreNeverSent checks that a client whose
// settings the SDK's endpoint rules refuse before sending anything (a
// region that is not a host label, FIPS with a custom endpoint) fails
// alike on both paths, with nothing sent. The direct path sent the
// request, so that a Put the SDK never sends was stored and reported of
// unknown outcome, with the SDK's refusal as its cause.
func TestReview14_SettingsTheSDKRefusesAreNeverSent(t *testing.T) {
	for _, region := range []string{"eu_west", "-x", "fips-us-east-1"} {
		for _, name := range []string{"Head", "Get", "Delete", "Put", "List"} {
			t.Run(region+"/"+name, func(t *testing.T) {
				var texts [2]string
				for i, on := range []bool{false, true} {
					rec := &wireRecorder{answer: objectAnswer}
					srv := httptest.NewServer(rec)
					t.Cleanup(srv.Close)
					c, err := s3kit.New(t.Context(), s3kit.WithEndpoint(srv.URL), s3kit.WithRegion(region),
						s3kit.WithCredentials("AKID", "SECRET"), knobs.WithDirectPath(on).(s3kit.Option))
					require.NoError(t, err)
					_, _, err = a14Ops()[name](t.Context(), c, "k")
					require.Error(t, err)
					texts[i] = err.Error()
					assert.NotErrorIs(t, err, s3kit.ErrOutcomeUnknown)
					rec.mu.Lock()
					assert.Empty(t, rec.reqs, "direct=%t", on)
					rec.mu.Unlock()
				}
				assert.Equal(t, texts[0], texts[1])
			})
		}
	}
}
