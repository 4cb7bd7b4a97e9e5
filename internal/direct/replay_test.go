package direct

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/stretchr/testify/assert"
)

// closeCounter is an answer body that counts its Close calls.
type closeCounter struct {
	io.Reader
	closed int
}

func (c *closeCounter) Close() error { c.closed++; return nil }

// TestReplayClosesAnAnswerTheSDKNeverTook checks that an answer handed to
// a replay whose SDK operation fails before it calls the replay's HTTP
// client is closed, and that one the SDK took is left to the SDK.
func TestReplayClosesAnAnswerTheSDKNeverTook(t *testing.T) {
	early := errors.New("failed before sending")
	for _, tc := range []struct {
		name   string
		takes  bool
		closed int
	}{{"never taken", false, 1}, {"taken", true, 0}} {
		t.Run(tc.name, func(t *testing.T) {
			body := &closeCounter{Reader: strings.NewReader("<Error/>")}
			resp := &http.Response{StatusCode: 500, Header: http.Header{}, Body: body}
			op := func(ctx context.Context, opt func(*s3.Options)) (*s3.HeadObjectOutput, error) {
				var o s3.Options
				opt(&o)
				if tc.takes {
					_, _ = o.HTTPClient.Do(&http.Request{})
				}
				return nil, early
			}
			_, err := replay(t.Context(), &call{}, resp, nil, op)
			assert.ErrorIs(t, err, early)
			assert.Equal(t, tc.closed, body.closed)
		})
	}
}
