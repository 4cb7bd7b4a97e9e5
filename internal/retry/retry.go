// Package retry installs s3kit's retry policy on the SDK's S3 client: the
// standard retryer without its retry-token quota, exponential backoff with
// full jitter, a time budget per call, and the bookkeeping that tells, after
// a failure, how many attempts were made and whether one of them may have
// been carried out by the server without a definite answer reaching us.
//
// The options that set the policy (WithMaxAttempts, WithRetryTimeout) and
// their checks belong to the root package; this package only applies a
// [Config] it is given.
package retry

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	awsretry "github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
)

// Config holds the retry settings of a client.
type Config struct {
	MaxAttempts   int           // attempts in all, the first included
	Timeout       time.Duration // no new attempt starts once this has passed since the first began
	BaseDelay     time.Duration // first backoff for transient errors
	ThrottleDelay time.Duration // first backoff for throttling errors
	MaxDelay      time.Duration // cap on one backoff
}

// Defaults. The backoff before retry n (1-based) is a random duration in
// [0, min(base × 2^(n-1), MaxDelay)) ("full jitter"); throttling errors
// such as SlowDown start from a larger base.
const (
	DefaultMaxAttempts   = 5
	DefaultTimeout       = 2 * time.Minute
	DefaultBaseDelay     = 100 * time.Millisecond
	DefaultThrottleDelay = 500 * time.Millisecond
	DefaultMaxDelay      = 10 * time.Second
)

// Default returns the default settings.
func Default() Config {
	return Config{
		MaxAttempts:   DefaultMaxAttempts,
		Timeout:       DefaultTimeout,
		BaseDelay:     DefaultBaseDelay,
		ThrottleDelay: DefaultThrottleDelay,
		MaxDelay:      DefaultMaxDelay,
	}
}

// Install puts the policy c on the SDK options: the standard retryer
// without its retry-token quota (a burst of 503s would otherwise empty the
// bucket and turn later retries into instant "retry quota exceeded"
// failures), the backoff, and the middlewares that enforce the time budget
// and count attempts. c must have been checked.
func Install(o *s3.Options, c Config) {
	std := awsretry.NewStandard(func(so *awsretry.StandardOptions) {
		so.MaxAttempts = c.MaxAttempts
		so.RateLimiter = ratelimit.None
		so.Backoff = &backoff{cfg: c, throttle: awsretry.IsErrorThrottles(so.Throttles)}
		so.Retryables = append([]awsretry.IsErrorRetryable{awsretry.IsErrorRetryableFunc(tlsSetup)},
			append(so.Retryables, awsretry.IsErrorRetryableFunc(garbledAnswer))...)
	})
	o.Retryer = &budgetRetryer{Standard: std, timeout: c.Timeout}
	o.RetryMaxAttempts = 0 // keep AWS_MAX_ATTEMPTS from wrapping our retryer
	o.APIOptions = append(o.APIOptions, addCallState)
}

// tlsSetup makes a certificate or handshake failure final: the same
// request meets it again, so retrying only delays the error that says
// what to change.
func tlsSetup(err error) aws.Ternary {
	if IsTLSSetup(err) {
		return aws.FalseTernary
	}
	return aws.UnknownTernary
}

// IsTLSSetup reports whether err is a certificate the client does not
// accept, a handshake the server refused with an alert, or a server that
// does not speak TLS.
func IsTLSSetup(err error) bool {
	var record tls.RecordHeaderError
	return refusedCertificate(err) || errors.As(err, &record) || IsTLSAlert(err)
}

// IsTLSAlert reports whether err is a TLS alert the server sent, such as
// "protocol version not supported" or a missing client certificate: crypto/tls
// reports those as a net.OpError whose Op is "remote error".
func IsTLSAlert(err error) bool {
	var op *net.OpError
	var alert tls.AlertError
	return (errors.As(err, &op) && op.Op == "remote error") || errors.As(err, &alert)
}

// garbledAnswer makes an answer that could not be read retryable: a body
// cut short (io.ErrUnexpectedEOF, io.EOF) or XML that does not parse. The
// SDK gives up on these at once, but they come from the network or a proxy
// and pass on a retry. Retrying is safe for every call s3kit makes: reads
// and PUTs are idempotent, a retried CreateMultipartUpload may leave an
// empty upload behind (never parts; a lifecycle rule removes it, see
// internal/transfer's Upload.create) and a retried CompleteMultipartUpload
// is settled by internal/transfer's upload.go (abort first, then ETag).
func garbledAnswer(err error) aws.Ternary {
	var de *smithy.DeserializationError
	if errors.As(err, &de) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return aws.TrueTernary
	}
	return aws.UnknownTernary
}

// backoff computes exponential delays with full jitter.
type backoff struct {
	cfg      Config
	throttle awsretry.IsErrorThrottle
}

// BackoffDelay returns the delay before the retry that follows attempt.
func (b *backoff) BackoffDelay(attempt int, err error) (time.Duration, error) {
	base := b.cfg.BaseDelay
	if b.throttle.IsErrorThrottle(err) == aws.TrueTernary {
		base = b.cfg.ThrottleDelay
	}
	ceiling := b.cfg.MaxDelay
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
	*awsretry.Standard
	timeout time.Duration
}

// GetRetryToken allows a retry only while the call is within its budget.
func (r *budgetRetryer) GetRetryToken(ctx context.Context, opErr error) (func(error) error, error) {
	if st := stateOf(ctx); st != nil && time.Since(st.start) >= r.timeout {
		return nil, &TimeoutError{r.timeout}
	}
	return r.Standard.GetRetryToken(ctx, opErr)
}

// TimeoutError is joined to the last error when the time budget ends the
// retries.
type TimeoutError struct{ timeout time.Duration }

// Error says which time limit was reached.
func (e *TimeoutError) Error() string {
	return fmt.Sprintf("retry time limit of %v reached", e.timeout)
}
