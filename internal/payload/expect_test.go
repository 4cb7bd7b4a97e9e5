package payload

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestWaitForContinue checks that a PUT the SDK gives "Expect:
// 100-continue" reaches the HTTP client as an HTTP/1.1 request, the only
// kind net/http's Transport waits for "100 Continue" on, with
// WaitForContinue, and as HTTP/0.0 without it: if the SDK starts to say
// HTTP/1.1 itself, WaitForContinue can go.
func TestWaitForContinue(t *testing.T) {
	for _, with := range []bool{false, true} {
		var sent *http.Request
		o := s3.Options{Region: "eu-west-1", BaseEndpoint: aws.String("http://127.0.0.1:1"), UsePathStyle: true,
			Credentials: aws.AnonymousCredentials{}, Retryer: aws.NopRetryer{},
			HTTPClient: smithyhttp.ClientDoFunc(func(r *http.Request) (*http.Response, error) {
				sent = r
				return nil, errors.New("not sent")
			})}
		if with {
			o.APIOptions = append(o.APIOptions, WaitForContinue)
		}
		body := strings.Repeat("x", 3<<20)
		_, err := s3.New(o).PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String("bkt"), Key: aws.String("k"),
			Body: strings.NewReader(body), ContentLength: aws.Int64(int64(len(body)))})
		require.Error(t, err)
		require.NotNil(t, sent)
		assert.Equal(t, "100-continue", sent.Header.Get("Expect"))
		assert.Equal(t, with, sent.ProtoAtLeast(1, 1), "HTTP/%d.%d", sent.ProtoMajor, sent.ProtoMinor)
	}
}
