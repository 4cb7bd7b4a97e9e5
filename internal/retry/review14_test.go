package retry

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// r14Step is what one attempt of a scripted PutObject meets: "creds" (the
// credentials fail, nothing is sent), "reset" (sent, the connection is
// lost), or an HTTP status.
type r14Step any

// r14Script plays steps, one per attempt, through the SDK's own stack with
// s3kit's retry policy installed.
type r14Script struct {
	mu    sync.Mutex
	steps []r14Step
	n     int // attempts begun (credentials asked)
	sent  int // attempts that reached the HTTP client
}

func (s *r14Script) Retrieve(context.Context) (aws.Credentials, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	step := s.steps[min(s.n, len(s.steps)-1)]
	s.n++
	if step == "creds" {
		return aws.Credentials{}, errors.New("the SSO session expired")
	}
	return aws.Credentials{AccessKeyID: "AKID", SecretAccessKey: "SECRET", CanExpire: true, Expires: time.Unix(1, 0)}, nil
}

func (s *r14Script) Do(r *http.Request) (*http.Response, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sent++
	step := s.steps[min(s.n-1, len(s.steps)-1)]
	if step == "reset" {
		return nil, errors.New("read tcp: connection reset by peer")
	}
	status := step.(int)
	body := ""
	if status >= 300 {
		body = `<?xml version="1.0"?><Error><Code>X</Code><Message>x</Message></Error>`
	}
	return &http.Response{StatusCode: status, Header: http.Header{"Etag": {`"e"`}}, Body: io.NopCloser(strings.NewReader(body)), Request: r}, nil
}

// TestReview14_SentMarkIsPerAttempt checks, through the SDK's stack, that
// a write's outcome is unknown exactly when one of its sent attempts may
// have been applied, whatever attempts failed before they were sent
// around it.
func TestReview14_SentMarkIsPerAttempt(t *testing.T) {
	for _, tc := range []struct {
		name    string
		steps   []r14Step
		unknown bool
	}{
		{"never sent", []r14Step{"creds"}, false},
		{"500 then unsent", []r14Step{500, "creds"}, true},
		{"reset then unsent", []r14Step{"reset", "creds"}, true},
		{"503 then unsent", []r14Step{503, "creds"}, false},
		{"503, 500, 503", []r14Step{503, 500, 503}, true},
		{"500 then 403", []r14Step{500, 403}, true},
		{"403", []r14Step{403}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := &r14Script{steps: tc.steps}
			o := s3.Options{Region: "eu-west-1", BaseEndpoint: aws.String("http://127.0.0.1:1"), UsePathStyle: true,
				Credentials: s, HTTPClient: s,
				RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
				ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired}
			c := Default()
			c.BaseDelay, c.ThrottleDelay, c.MaxDelay = time.Microsecond, time.Microsecond, time.Microsecond
			Install(&o, c)
			_, err := s3.New(o).PutObject(t.Context(), &s3.PutObjectInput{Bucket: aws.String("b"), Key: aws.String("k"), Body: strings.NewReader("x")})
			require.Error(t, err)
			assert.Equal(t, tc.unknown, OutcomeUnknown(err), "%v (attempts %d, sent %d)", err, Attempts(err), s.sent)
		})
	}
}
