package direct

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// The SDK's clock skew correction (aws/retry and aws/middleware's
// RecordResponseTiming), which the direct path follows: each answer's Date
// header, against the time the answer came, gives the skew of this
// machine's clock; the next attempt is signed with the clock corrected by
// it, an error that may come from a skewed clock is retried when the skew
// changed by more than skewThreshold, and the last answer's skew is kept
// for the client's next calls.
const (
	skewThreshold             = 4 * time.Minute
	maxTrustedRequestDuration = 15 * time.Minute
)

// clockSkewCodes are the error codes that may mean a skewed clock.
var clockSkewCodes = map[string]bool{
	"InvalidSignatureException": true, "SignatureDoesNotMatch": true, "AuthFailure": true,
	"RequestTimeTooSkewed": true, "AccessDeniedException": true,
}

// skew is what one attempt learnt of the clock.
type skew struct {
	observed time.Duration
	ok       bool // the answer gave a skew
}

// observeSkew computes the skew an answer that came at responseAt, for a
// request sent at requestAt, shows.
func observeSkew(resp *http.Response, requestAt, responseAt time.Time) skew {
	if resp == nil || resp.Header.Get("Age") != "" || responseAt.Sub(requestAt) > maxTrustedRequestDuration {
		return skew{}
	}
	date := resp.Header.Get("Date")
	if date == "" {
		return skew{}
	}
	server, err := smithyhttp.ParseTime(date)
	if err != nil {
		return skew{}
	}
	return skew{observed: server.Sub(responseAt), ok: true}
}

// wrapAsClockSkew makes err retryable when its code may mean a skewed
// clock and the skew the answer showed differs from the one the attempt was
// signed with by more than skewThreshold.
func wrapAsClockSkew(err error, s skew, signedWith time.Duration) error {
	var coded interface{ ErrorCode() string }
	if !s.ok || !errors.As(err, &coded) || !clockSkewCodes[coded.ErrorCode()] {
		return err
	}
	if d := signedWith - s.observed; d > skewThreshold || d < -skewThreshold {
		return &clockSkewError{err: err}
	}
	return err
}

// clockSkewError is the SDK's retryableClockSkewError: a refusal that a
// corrected clock may turn into a success.
type clockSkewError struct{ err error }

func (e *clockSkewError) Error() string        { return fmt.Sprintf("Probable clock skew error: %v", e.err) }
func (e *clockSkewError) Unwrap() error        { return e.err }
func (e *clockSkewError) RetryableError() bool { return true }
