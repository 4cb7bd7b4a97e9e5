package s3kit

import (
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// WithRetryDelays sets the backoff so that tests retry quickly. Tests only.
func WithRetryDelays(base, max time.Duration) Option {
	return clientOption(func(c *clientConfig) {
		c.retry.baseDelay, c.retry.throttleDelay, c.retry.maxDelay = base, base, max
	})
}

// WithSDKOptions changes the SDK options after New has set them. Tests only.
func WithSDKOptions(fn func(*s3.Options)) Option {
	return clientOption(func(c *clientConfig) { c.sdkOptions = append(c.sdkOptions, fn) })
}
