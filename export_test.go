package s3kit

import (
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/s3kit/s3kit/internal/knobs"
)

// WithCopyLimits lowers the multipart copy threshold and part size of one
// client, so that tests can copy in parts with small objects. Tests only.
func WithCopyLimits(threshold, partSize int64) Option {
	return knobs.WithCopyLimits(threshold, partSize).(Option)
}

// WithRetryDelays sets the backoff so that tests retry quickly. Tests only.
func WithRetryDelays(base, max time.Duration) Option {
	return clientOption(func(c *config) {
		c.retry.BaseDelay, c.retry.ThrottleDelay, c.retry.MaxDelay = base, base, max
	})
}

// WithSDKOptions changes the SDK options after New has set them. Tests only.
func WithSDKOptions(fn func(*s3.Options)) Option {
	return clientOption(func(c *config) { c.sdkOptions = append(c.sdkOptions, fn) })
}
