package transfer

import (
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// getObjectInput asks for range rng ("bytes=a-b") of the target, with
// If-Match when etag is set.
func (t *Target) getObjectInput(rng, etag string) *s3.GetObjectInput {
	in := &s3.GetObjectInput{Bucket: &t.Bucket, Key: &t.Key, Range: &rng}
	if etag != "" {
		in.IfMatch = &etag
	}
	return in
}

// headObjectInput asks for the target's description.
func (t *Target) headObjectInput() *s3.HeadObjectInput {
	return &s3.HeadObjectInput{Bucket: &t.Bucket, Key: &t.Key}
}
