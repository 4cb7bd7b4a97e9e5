package s3kit

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// Retry defaults. The backoff before retry n (1-based) is a random duration
// in [0, min(base × 2^(n-1), maxDelay)) ("full jitter"); throttling errors
// such as SlowDown start from a larger base.
const (
	defaultMaxAttempts   = 5
	defaultRetryTimeout  = 2 * time.Minute
	defaultBaseDelay     = 100 * time.Millisecond
	defaultThrottleDelay = 500 * time.Millisecond
	defaultMaxDelay      = 10 * time.Second
	maxMaxAttempts       = 20
)

// retryConfig holds the retry settings of a client.
type retryConfig struct {
	maxAttempts   int
	timeout       time.Duration
	baseDelay     time.Duration // first backoff for transient errors
	throttleDelay time.Duration // first backoff for throttling errors
	maxDelay      time.Duration // cap on one backoff
}

func defaultRetry() retryConfig {
	return retryConfig{
		maxAttempts:   defaultMaxAttempts,
		timeout:       defaultRetryTimeout,
		baseDelay:     defaultBaseDelay,
		throttleDelay: defaultThrottleDelay,
		maxDelay:      defaultMaxDelay,
	}
}

// WithMaxAttempts sets how many times one request is tried in all, the first
// attempt included, when it fails with a transient error: HTTP 5xx, SlowDown
// and other throttling codes, RequestTimeout, a connection reset or refused
// before the answer was read, or an answer cut short or not parseable.
// Other errors (4xx) are never retried.
// Default: 5. It must be between 1 (no retries) and 20.
func WithMaxAttempts(n int) Option {
	return clientOption(func(c *clientConfig) { c.retry.maxAttempts = n })
}

// WithRetryTimeout bounds the time one request may spend being retried: no
// new attempt starts once d has passed since the first one began. It does
// not cut short an attempt in progress (bound those with the context) nor
// the reading of a body that [Client.Get] returned. Default: 2 minutes. It
// must be between 1 millisecond and 1 hour.
func WithRetryTimeout(d time.Duration) Option {
	return clientOption(func(c *clientConfig) { c.retry.timeout = d })
}

func (r retryConfig) validate() error {
	switch {
	case r.maxAttempts < 1 || r.maxAttempts > maxMaxAttempts:
		return invalidf("New", "", "", "WithMaxAttempts: %d out of range [1, %d]", r.maxAttempts, maxMaxAttempts)
	case r.timeout < time.Millisecond || r.timeout > time.Hour:
		return invalidf("New", "", "", "WithRetryTimeout: %v out of range [1ms, 1h]", r.timeout)
	case r.baseDelay < 0 || r.throttleDelay < 0 || r.maxDelay < 0:
		return invalidf("New", "", "", "negative retry delay")
	}
	return nil
}

// apply installs the retry policy on the SDK options: the standard retryer
// without its retry-token quota (a burst of 503s would otherwise empty the
// bucket and turn later retries into instant "retry quota exceeded"
// failures), our backoff, and the middleware that enforces the time budget
// and counts attempts.
func (r retryConfig) apply(o *s3.Options) {
	std := retry.NewStandard(func(so *retry.StandardOptions) {
		so.MaxAttempts = r.maxAttempts
		so.RateLimiter = ratelimit.None
		so.Backoff = &backoff{cfg: r, throttle: retry.IsErrorThrottles(so.Throttles)}
		so.Retryables = append(so.Retryables, retry.IsErrorRetryableFunc(garbledAnswer))
	})
	o.Retryer = &budgetRetryer{Standard: std, timeout: r.timeout}
	o.RetryMaxAttempts = 0 // keep AWS_MAX_ATTEMPTS from wrapping our retryer
	o.APIOptions = append(o.APIOptions, addCallState)
}

// garbledAnswer makes an answer that could not be read retryable: a body
// cut short (io.ErrUnexpectedEOF, io.EOF) or XML that does not parse. The
// SDK gives up on these at once, but they come from the network or a proxy
// and pass on a retry. Retrying is safe for every call s3kit makes: reads
// and PUTs are idempotent, a retried CreateMultipartUpload has its orphan
// aborted and a retried CompleteMultipartUpload is checked by ETag
// (multipart_recover.go).
func garbledAnswer(err error) aws.Ternary {
	var de *smithy.DeserializationError
	if errors.As(err, &de) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return aws.TrueTernary
	}
	return aws.UnknownTernary
}

// backoff computes exponential delays with full jitter.
type backoff struct {
	cfg      retryConfig
	throttle retry.IsErrorThrottle
}

// BackoffDelay returns the delay before the retry that follows attempt.
func (b *backoff) BackoffDelay(attempt int, err error) (time.Duration, error) {
	base := b.cfg.baseDelay
	if b.throttle.IsErrorThrottle(err) == aws.TrueTernary {
		base = b.cfg.throttleDelay
	}
	ceiling := b.cfg.maxDelay
	if attempt < 1 {
		attempt = 1
	}
	if attempt <= 32 {
		if d := base << (attempt - 1); d > 0 && d < ceiling {
			ceiling = d
		}
	}
	if ceiling <= 0 {
		return 0, nil
	}
	return rand.N(ceiling), nil
}

// budgetRetryer refuses a retry once the call's time budget is spent.
type budgetRetryer struct {
	*retry.Standard
	timeout time.Duration
}

// retryTimeoutError is joined to the last error when the time budget ends the
// retries.
type retryTimeoutError struct{ timeout time.Duration }

func (e *retryTimeoutError) Error() string {
	return fmt.Sprintf("retry time limit of %v reached", e.timeout)
}

// GetRetryToken allows a retry only while the call is within its budget.
func (r *budgetRetryer) GetRetryToken(ctx context.Context, opErr error) (func(error) error, error) {
	if st := stateOf(ctx); st != nil && time.Since(st.start) >= r.timeout {
		return nil, &retryTimeoutError{r.timeout}
	}
	return r.Standard.GetRetryToken(ctx, opErr)
}

// callState follows one SDK operation across its attempts.
type callState struct {
	start    time.Time
	attempts atomic.Int32
	unsure   atomic.Bool // an attempt may have been applied without a definite answer
}

type callStateKey struct{}

func stateOf(ctx context.Context) *callState {
	st, _ := middleware.GetStackValue(ctx, callStateKey{}).(*callState)
	return st
}

// addCallState adds the two middlewares behind the retry bookkeeping: one
// around the whole operation that starts the clock and attaches the number
// of attempts to a failure, and one inside the retry loop that counts.
func addCallState(stack *middleware.Stack) error {
	if err := stack.Initialize.Add(middleware.InitializeMiddlewareFunc("s3kit.CallState",
		func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			st := &callState{start: time.Now()}
			out, md, err := next.HandleInitialize(middleware.WithStackValue(ctx, callStateKey{}, st), in)
			if err != nil {
				err = &attemptsError{n: int(st.attempts.Load()), unsure: st.unsure.Load(), err: err}
			}
			return out, md, err
		}), middleware.Before); err != nil {
		return err
	}
	// The retry middleware sits just before ResolveAuthScheme; inserting
	// there too puts the counter inside the retry loop. Presigning removes
	// the retry middleware, so nothing here may be placed relative to it.
	if _, ok := stack.Finalize.Get("ResolveAuthScheme"); !ok {
		return nil
	}
	return stack.Finalize.Insert(middleware.FinalizeMiddlewareFunc("s3kit.CountAttempts",
		func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
			st := stateOf(ctx)
			if st != nil {
				st.attempts.Add(1)
			}
			out, md, err := next.HandleFinalize(ctx, in)
			if err != nil && st != nil && mayHaveApplied(err) {
				st.unsure.Store(true)
			}
			return out, md, err
		}), "ResolveAuthScheme", middleware.Before)
}

// attemptsError carries the number of attempts an operation made, and
// whether any of them may have been applied by the server without a
// definite answer reaching us. Its text is the cause's; [wrapErr] moves the
// count into [Error.Attempts].
type attemptsError struct {
	n      int
	unsure bool
	err    error
}

func (e *attemptsError) Error() string { return e.err.Error() }
func (e *attemptsError) Unwrap() error { return e.err }

// retryNote is the end of [Error.Error]: how often the request was tried and
// whether the retry time limit stopped it.
func retryNote(e *Error) string {
	var note string
	if e.Attempts > 1 {
		note = fmt.Sprintf(" (after %d attempts", e.Attempts)
		var te *retryTimeoutError
		if errors.As(e.Err, &te) {
			note += "; " + te.Error()
		}
		note += ")"
	}
	return note
}

// attemptsOf returns how many attempts err reports, or 0.
func attemptsOf(err error) int {
	var ae *attemptsError
	if errors.As(err, &ae) && ae.n > 0 {
		return ae.n
	}
	var me *retry.MaxAttemptsError
	if errors.As(err, &me) {
		return me.Attempt
	}
	return 0
}

// mayHaveApplied reports whether a failed attempt may have been carried out
// by the server: everything except a definite refusal (an HTTP answer of
// 4xx, 501, or 503, which S3 sends to shed load before doing anything) and a
// connection that could not be opened. A lost or garbled answer, a reset
// after the request was sent, a 500 and a cancelled context all may hide a
// write that took effect.
func mayHaveApplied(err error) bool {
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) && re.Response != nil && re.HTTPStatusCode() != 0 {
		code := re.HTTPStatusCode()
		return (code < 400 || code >= 500) && code != http.StatusNotImplemented && code != http.StatusServiceUnavailable
	}
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return false
	}
	return true
}

// outcomeUnknown reports whether err comes from an operation one of whose
// attempts may have been applied (see [mayHaveApplied]).
func outcomeUnknown(err error) bool {
	var ae *attemptsError
	return errors.As(err, &ae) && ae.unsure
}
