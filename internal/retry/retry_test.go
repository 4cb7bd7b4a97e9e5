package retry

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsretry "github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/stretchr/testify/assert"
)

// answered is an error that came with an HTTP answer of status.
func answered(status int) error {
	return &smithy.OperationError{ServiceID: "S3", OperationName: "PutObject", Err: &smithyhttp.ResponseError{
		Response: &smithyhttp.Response{Response: &http.Response{StatusCode: status}},
		Err:      &smithy.GenericAPIError{Code: http.StatusText(status)},
	}}
}

func TestMayHaveApplied(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"400", answered(400), false},
		{"403", answered(403), false},
		{"412", answered(412), false},
		{"500", answered(500), true},
		{"501", answered(501), false},
		{"503", answered(503), false},
		{"connection refused", &net.OpError{Op: "dial", Err: errors.New("refused")}, false},
		{"reset after sending", &net.OpError{Op: "read", Err: errors.New("reset")}, true},
		{"answer cut short", io.ErrUnexpectedEOF, true},
		{"cancelled", context.Canceled, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, mayHaveApplied(tt.err))
		})
	}
}

func TestGarbledAnswer(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want aws.Ternary
	}{
		{"XML that does not parse", &smithy.DeserializationError{Err: errors.New("bad XML")}, aws.TrueTernary},
		{"body cut short", fmt.Errorf("reading: %w", io.ErrUnexpectedEOF), aws.TrueTernary},
		{"body empty", io.EOF, aws.TrueTernary},
		{"an S3 refusal", answered(403), aws.UnknownTernary},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, garbledAnswer(tt.err))
		})
	}
}

func TestBackoffStaysUnderItsCeiling(t *testing.T) {
	b := &backoff{
		cfg:      Config{BaseDelay: 10 * time.Millisecond, ThrottleDelay: 40 * time.Millisecond, MaxDelay: 100 * time.Millisecond},
		throttle: awsretry.IsErrorThrottles(awsretry.DefaultThrottles),
	}
	slowDown := &smithy.GenericAPIError{Code: "SlowDown"}
	tests := []struct {
		attempt int
		err     error
		ceiling time.Duration
	}{
		{0, answered(500), 10 * time.Millisecond},
		{1, answered(500), 10 * time.Millisecond},
		{3, answered(500), 40 * time.Millisecond},
		{5, answered(500), 100 * time.Millisecond},
		{100, answered(500), 100 * time.Millisecond},
		{1, slowDown, 40 * time.Millisecond},
		{2, slowDown, 80 * time.Millisecond},
	}
	for _, tt := range tests {
		for range 50 {
			d, err := b.BackoffDelay(tt.attempt, tt.err)
			assert.NoError(t, err)
			assert.True(t, d >= 0 && d < tt.ceiling, "attempt %d: %v not in [0, %v)", tt.attempt, d, tt.ceiling)
		}
	}
	d, err := (&backoff{throttle: b.throttle}).BackoffDelay(3, answered(500))
	assert.NoError(t, err)
	assert.Zero(t, d, "no delay when every delay is 0")
}

func TestAttemptsAndOutcome(t *testing.T) {
	cause := answered(500)
	err := fmt.Errorf("wrapped: %w", &attemptsError{n: 3, unsure: true, err: cause})
	assert.Equal(t, 3, Attempts(err))
	assert.True(t, OutcomeUnknown(err))
	assert.ErrorIs(t, err, cause)
	assert.Equal(t, "wrapped: "+cause.Error(), err.Error(), "the count adds no text")

	assert.Equal(t, 4, Attempts(&awsretry.MaxAttemptsError{Attempt: 4, Err: cause}))
	assert.False(t, OutcomeUnknown(&attemptsError{n: 2, err: cause}))
	assert.Zero(t, Attempts(cause))
	assert.False(t, OutcomeUnknown(cause))
}

func TestTimeoutErrorText(t *testing.T) {
	assert.Equal(t, "retry time limit of 30ms reached", (&TimeoutError{30 * time.Millisecond}).Error())
}

// TestRefusedCertificateCountsOnlyBeforeAConnection checks the bookkeeping
// behind TestRefusedCertificateIsNoUnknownOutcome: a certificate refused
// in a handshake net/http saw fail, before the attempt got a connection,
// leaves the outcome settled; after a connection, without a failed
// handshake seen (an HTTP client that sends on its own, see
// TestAttack15_CertificateRefusedByATransportOfItsOwn), or with another
// error, the outcome is unknown; and neither mark carries over to the next
// attempt.
func TestRefusedCertificateCountsOnlyBeforeAConnection(t *testing.T) {
	refused := &url.Error{Op: "Put", URL: "https://s3.example.com/b/k",
		Err: &tls.CertificateVerificationError{Err: x509.UnknownAuthorityError{}}}
	dialRefused := &net.OpError{Op: "dial", Err: errors.New("refused")}
	type attempt struct {
		handshake error // nil: no handshake seen; errOK: one that worked
		connected bool
		err       error
	}
	errOK := errors.New("handshake worked")
	for _, tc := range []struct {
		name     string
		attempts []attempt
		unknown  bool
	}{
		{"refused in the handshake, before a connection", []attempt{{refused, false, refused}}, false},
		{"plain HTTP answered the handshake", []attempt{{refused, false, &url.Error{Op: "Put", URL: "https://x", Err: http.ErrSchemeMismatch}}}, false},
		{"refused on a connection", []attempt{{errOK, true, refused}}, true},
		{"refused with no handshake seen", []attempt{{nil, false, refused}}, true},
		{"refused after a handshake that worked", []attempt{{errOK, false, refused}}, true},
		{"reset before a connection", []attempt{{refused, false, &net.OpError{Op: "read", Err: errors.New("reset")}}}, true},
		{"a connection in an earlier attempt does not count", []attempt{{nil, true, dialRefused}, {refused, false, refused}}, false},
		{"a failed handshake in an earlier attempt does not count", []attempt{{refused, false, dialRefused}, {nil, false, refused}}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, call := Begin(context.Background())
			trace := httptrace.ContextClientTrace(ctx)
			for _, a := range tc.attempts {
				call.Attempt()
				call.Sending()
				switch a.handshake {
				case nil:
				case errOK:
					trace.TLSHandshakeDone(tls.ConnectionState{}, nil)
				default:
					trace.TLSHandshakeDone(tls.ConnectionState{}, a.handshake)
				}
				if a.connected {
					trace.GotConn(httptrace.GotConnInfo{})
				}
				call.Failed(a.err)
			}
			assert.Equal(t, tc.unknown, OutcomeUnknown(call.Wrap(errors.New("failed"))))
		})
	}
}
