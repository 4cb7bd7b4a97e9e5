package s3kit

import (
	"time"

	"github.com/s3kit/s3kit/internal/retry"
)

// maxMaxAttempts is the most attempts [WithMaxAttempts] accepts.
const maxMaxAttempts = 20

// WithMaxAttempts sets how many times one request is tried in all, the first
// attempt included, when it fails with a transient error: HTTP 5xx, SlowDown
// and other throttling codes, RequestTimeout, a connection reset or refused
// before the answer was read, or an answer cut short or not parseable.
// Other errors (4xx) are never retried.
// Default: 5. It must be between 1 (no retries) and 20.
func WithMaxAttempts(n int) Option {
	return clientOption(func(c *clientConfig) { c.retry.MaxAttempts = n })
}

// WithRetryTimeout bounds the time one request may spend being retried: no
// new attempt starts once d has passed since the first one began. It does
// not cut short an attempt in progress (bound those with the context) nor
// the reading of a body that [Client.Get] returned. Default: 2 minutes. It
// must be between 1 millisecond and 1 hour.
func WithRetryTimeout(d time.Duration) Option {
	return clientOption(func(c *clientConfig) { c.retry.Timeout = d })
}

// checkRetry validates the retry settings that options set.
func checkRetry(r retry.Config) error {
	switch {
	case r.MaxAttempts < 1 || r.MaxAttempts > maxMaxAttempts:
		return invalidf("New", "", "", "WithMaxAttempts: %d out of range [1, %d]", r.MaxAttempts, maxMaxAttempts)
	case r.Timeout < time.Millisecond || r.Timeout > time.Hour:
		return invalidf("New", "", "", "WithRetryTimeout: %v out of range [1ms, 1h]", r.Timeout)
	case r.BaseDelay < 0 || r.ThrottleDelay < 0 || r.MaxDelay < 0:
		return invalidf("New", "", "", "negative retry delay")
	}
	return nil
}
