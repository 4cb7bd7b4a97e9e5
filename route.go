package s3kit

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/s3kit/s3kit/internal/direct"
	"github.com/s3kit/s3kit/internal/knobs"
	"github.com/s3kit/s3kit/internal/listing"
	"github.com/s3kit/s3kit/internal/transfer"
)

// objectAPI is what the object operations and List call: the SDK client,
// or the direct request path (internal/direct), which takes the same
// inputs and gives the same outputs and errors.
type objectAPI interface {
	transfer.API
	listing.API
	DeleteObject(context.Context, *s3.DeleteObjectInput, ...func(*s3.Options)) (*s3.DeleteObjectOutput, error)
}

func init() {
	knobs.WithDirectPath = func(on bool) any {
		return clientOption(func(c *config) { c.direct = on })
	}
}

// objects returns the path the object operations take.
func (c *Client) objects() objectAPI {
	if c.hot != nil {
		return c.hot
	}
	return c.s3
}

// directPath builds the direct request path over client, or returns nil
// when calls must go through the SDK's stack: when a test turned it off
// (knobs.WithDirectPath(false)); with a logger, tracer or meter
// provider, whose records and spans come from SDK middlewares; with SDK
// options a test added; for AWS and any client whose SDK computes or
// validates checksums it was not asked for, or uses virtual-host
// addressing, which the direct path does not carry.
func (c *config) directPath(client *s3.Client) *direct.Client {
	o := c.observe
	if !c.direct || o.Logger != nil || o.Meters != nil || o.Tracing() || len(c.sdkOptions) > 0 ||
		!c.compatChecksums() || !c.pathStyle || c.endpointURL == nil {
		return nil
	}
	return direct.New(client, direct.Settings{Endpoint: c.endpointURL, SigV2: c.sigV2})
}
