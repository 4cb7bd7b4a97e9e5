package s3kit

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/s3kit/s3kit/internal/knobs"
)

// SetCopyLimits lowers the multipart copy threshold and part size for the
// duration of t, so that tests can copy in parts with small objects. Tests
// that call it must not run in parallel with other copy tests.
func SetCopyLimits(t *testing.T, threshold, partSize int64) {
	t.Cleanup(knobs.SetCopyLimits(threshold, partSize))
}

// WithRetryDelays sets the backoff so that tests retry quickly. Tests only.
func WithRetryDelays(base, max time.Duration) Option {
	return clientOption(func(c *clientConfig) {
		c.retry.BaseDelay, c.retry.ThrottleDelay, c.retry.MaxDelay = base, base, max
	})
}

// WithSDKOptions changes the SDK options after New has set them. Tests only.
func WithSDKOptions(fn func(*s3.Options)) Option {
	return clientOption(func(c *clientConfig) { c.sdkOptions = append(c.sdkOptions, fn) })
}
