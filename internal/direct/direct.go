// Package direct sends the single-request hot operations (HeadObject,
// GetObject, DeleteObject and a single-part PutObject) straight over
// net/http, without the SDK's per-call middleware stack, which costs several
// hundred allocations and most of the CPU of a small request (issue 14).
// It sends the pages of a listing (ListObjectsV2 and ListObjects) the same
// way and decodes them with its own scanner (listxml.go), since most of a
// listing's CPU went into the SDK's XML deserializer.
//
// It is not a second S3 client. Everything it sends is decided by the
// SDK client it is built from: the endpoint, region, credentials provider
// (with its refresh), HTTP client, retryer (the same object, so the same
// classification, backoff and time budget) and addressing; it signs with the
// SDK's own v4.Signer, with the options the S3 client gives it, or with
// s3kit's SigV2 signer (sigv2.Sign, which the SDK path's middleware calls
// too). It takes the SDK's input structures and returns the SDK's output
// structures, so the root package maps both paths' results in one place,
// and it escapes paths with smithy-go's httpbinding.EscapePath, as the SDK's
// serializers do.
//
// Every answer it does not fully understand goes to the SDK: an error
// answer, a failed send and a success whose headers carry something the
// fast path does not parse are handed, as received, to the SDK client's own
// operation (through an HTTP client that returns that answer, with retries
// off; see replay), so the error of each attempt is exactly the one the SDK
// would have made, and the retry loop (run, a copy of aws/retry's
// Attempt.handleAttempt) decides on it as the SDK's loop does. A call with
// an input field or a per-call option the fast path does not carry goes to
// the SDK whole, and so does a call on a bucket named as an S3 Express
// directory bucket (see newCall).
//
// The clock is corrected as the SDK corrects it (skew.go), from the
// answers the direct path receives; the SDK client keeps its own
// correction for the calls it sends. The User-Agent is
// "aws-sdk-go-v2/VERSION s3kit-direct" (it is not signed). The root
// package's TestDirectPathSendsAndMapsAsTheSDK compares the requests and
// results of both paths, TestDirectPathCorrectsTheClock the clock's
// correction.
//
// The root package decides which clients use it (route.go).
package direct

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsretry "github.com/aws/aws-sdk-go-v2/aws/retry"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/s3kit/s3kit/internal/retry"
)

// Client is an SDK client whose HeadObject, GetObject, DeleteObject,
// PutObject, ListObjectsV2 and ListObjects take the direct path. Every other method is the SDK's.
type Client struct {
	*s3.Client

	hc      s3.HTTPClient
	base    *url.URL // the endpoint, without a trailing slash on its path
	region  string
	creds   aws.CredentialsProvider
	signer  *v4.Signer
	sigV2   bool
	retryer aws.RetryerV2
	ua      string
	// continueAt is the body size from which a PUT sends "Expect:
	// 100-continue", as the S3 client's ContinueHeaderThresholdBytes
	// says; 0: never.
	continueAt int64
	skew       atomic.Int64 // the clock's correction, in nanoseconds, from the last call's last answer
	noSkew     bool         // the SDK client's DisableClockSkewCorrection
}

// Settings are what the root package knows beyond the SDK client's options.
type Settings struct {
	Endpoint *url.URL // the endpoint the client settled on
	SigV2    bool     // sign with SigV2 (WithSignatureV2)
}

// New builds the direct path over sdk, or returns nil when sdk's options do
// not allow it: no credentials or anonymous ones (the SDK then does not
// sign), a retryer that is not a RetryerV2, no endpoint, or virtual-host
// addressing.
func New(sdk *s3.Client, s Settings) *Client {
	o := sdk.Options()
	rv2, ok := o.Retryer.(aws.RetryerV2)
	if !ok || o.Credentials == nil || aws.IsCredentialsProvider(o.Credentials, aws.AnonymousCredentials{}) ||
		o.HTTPClient == nil || s.Endpoint == nil || !o.UsePathStyle || !sdkSends(sdk) {
		return nil
	}
	base := *s.Endpoint
	base.Path = strings.TrimRight(base.Path, "/")
	base.RawPath = ""
	continueAt := int64(continueThreshold)
	switch {
	case o.ContinueHeaderThresholdBytes == -1:
		continueAt = 0
	case o.ContinueHeaderThresholdBytes > 0:
		continueAt = o.ContinueHeaderThresholdBytes
	}
	return &Client{
		noSkew:     o.DisableClockSkewCorrection,
		continueAt: continueAt,
		Client:     sdk,
		hc:         o.HTTPClient,
		base:       &base,
		region:     o.Region,
		creds:      o.Credentials,
		signer:     v4.NewSigner(func(so *v4.SignerOptions) { so.DisableURIPathEscaping = true }),
		sigV2:      s.SigV2,
		retryer:    rv2,
		ua:         "aws-sdk-go-v2/" + aws.SDKVersion + " s3kit-direct",
	}
}

// sdkSends reports whether the SDK client's own stack takes a plain
// request as far as its HTTP client. Its endpoint rules refuse some
// settings before anything is sent (a region that is not a host label,
// FIPS or dual-stack with a custom endpoint), and the direct path must not
// send what the SDK refuses. It runs one HeadObject that sends nothing,
// signs nothing and asks no credentials provider.
func sdkSends(sdk *s3.Client) bool {
	reached := false
	_, _ = sdk.HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: aws.String("bucket"), Key: aws.String("key")}, func(o *s3.Options) {
		o.HTTPClient = smithyhttp.ClientDoFunc(func(*http.Request) (*http.Response, error) {
			reached = true
			return nil, errors.New("not sent")
		})
		o.Retryer = aws.NopRetryer{}
		o.Credentials = aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "probe", SecretAccessKey: "probe"}, nil
		})
		o.APIOptions = append(o.APIOptions, unsigned)
	})
	return reached
}

// attempt sends attempt n of at most max and returns its output, or its
// error as the SDK's retry loop would see it.
type attempt[T any] func(ctx context.Context, n, max int) (T, error)

// run runs the attempts of operation op as the SDK's retry middleware
// (aws/retry Attempt.handleAttempt) does, with the same retryer, and wraps
// the final error as the SDK's stack does: the record of attempts of
// internal/retry inside a smithy.OperationError.
func run[T any](ctx context.Context, c *Client, op string, cl *call, try attempt[T]) (T, error) {
	var zero T
	ctx, call := retry.Begin(ctx)
	cl.attempt = call
	correct := !c.noSkew
	if correct {
		cl.skew = time.Duration(c.skew.Load())
	}
	maxAttempts := c.retryer.MaxAttempts()
	releaseRetry := func(error) error { return nil }
	var final error
	for n := 1; ; n++ {
		if err := ctx.Err(); err != nil {
			final = err
			break
		}
		releaseAttempt, err := c.retryer.GetAttemptToken(ctx)
		if err != nil {
			final = fmt.Errorf("failed to get retry Send token, %w", err)
			break
		}
		call.Attempt()
		cl.seen = skew{}
		out, err := try(ctx, n, maxAttempts)
		if err != nil {
			call.Failed(err)
		}
		_ = releaseRetry(err)
		_ = releaseAttempt(err)
		seen, signedWith := cl.seen, cl.skew
		if correct {
			cl.skew = seen.observed // 0 when the answer showed none, as in the SDK
		}
		if err == nil {
			c.keepSkew(seen, correct)
			return out, nil
		}
		if correct {
			err = wrapAsClockSkew(err, seen, signedWith)
		}
		var again bool
		releaseRetry, again, final = c.next(ctx, n, maxAttempts, err)
		if !again {
			c.keepSkew(seen, correct)
			break
		}
	}
	return zero, &smithy.OperationError{ServiceID: s3.ServiceID, OperationName: op, Err: call.Wrap(final)}
}

// keepSkew keeps the skew the call's last answer showed for the client's
// next calls, as the SDK's retry loop keeps it.
func (c *Client) keepSkew(seen skew, correct bool) {
	if correct && seen.ok {
		c.skew.Store(int64(seen.observed))
	}
}

// next decides, after attempt n failed with err, whether to try again, and
// waits the backoff if so; it returns the error to end with otherwise.
func (c *Client) next(ctx context.Context, n, maxAttempts int, err error) (func(error) error, bool, error) {
	nop := func(error) error { return nil }
	if !c.retryer.IsErrorRetryable(err) {
		return nop, false, err
	}
	if maxAttempts > 0 && n >= maxAttempts {
		return nop, false, &awsretry.MaxAttemptsError{Attempt: n, Err: err}
	}
	release, terr := c.retryer.GetRetryToken(ctx, err)
	if terr != nil {
		return nop, false, errors.Join(err, terr)
	}
	delay, derr := c.retryer.RetryDelay(n, err)
	if derr != nil {
		return release, false, derr
	}
	if serr := sleep(ctx, retryAfter(delay, err)); serr != nil {
		return release, false, &aws.RequestCanceledError{Err: serr}
	}
	return release, true, err
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// retryAfter adjusts the backoff to the answer's x-amz-retry-after header
// (milliseconds), within [backoff, backoff + 5s], as the SDK's retry loop
// does.
func retryAfter(backoff time.Duration, err error) time.Duration {
	var re interface{ HTTPStatusCode() int }
	if !errors.As(err, &re) {
		return backoff
	}
	h := responseHeader(err)
	if h == nil || h.Get("X-Amz-Retry-After") == "" {
		return backoff
	}
	ms, perr := strconv.ParseInt(h.Get("X-Amz-Retry-After"), 10, 64)
	if perr != nil || ms < 0 {
		return backoff
	}
	d := time.Duration(ms) * time.Millisecond
	return min(max(d, backoff), backoff+5*time.Second)
}

// discard reads a little of body, so that the connection can be reused,
// and closes it, as the SDK does with the body of an answer it has read.
func discard(body io.ReadCloser) {
	_, _ = io.Copy(io.Discard, io.LimitReader(body, 64<<10))
	_ = body.Close()
}

// emptyBody reads resp's body to its end and closes it if it is empty;
// otherwise it puts back what it read, followed by the error that ended the
// reading if any, for the SDK to read (an answer with a body, or one cut
// short, is the SDK's to judge).
func emptyBody(resp *http.Response) bool {
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err == nil && len(b) == 0 {
		_ = resp.Body.Close()
		return true
	}
	putBack(resp, b, err)
	return false
}

// putBack puts the bytes b read from resp's body in front of the rest of
// it, followed by err if the reading ended with an error, so that the SDK
// reads the answer as it came.
func putBack(resp *http.Response, b []byte, err error) {
	rest := io.Reader(resp.Body)
	if err != nil {
		rest = errReader{err}
	}
	resp.Body = struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(b), rest), resp.Body}
}

// errReader fails every Read with err.
type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

// statusOK reports whether resp is a 2xx answer.
func statusOK(resp *http.Response) bool {
	return resp != nil && resp.StatusCode >= 200 && resp.StatusCode < 300
}
