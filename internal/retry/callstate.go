package retry

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"net/http"
	"net/http/httptrace"
	"sync/atomic"
	"time"

	awsretry "github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// callState follows one SDK operation across its attempts.
type callState struct {
	start    time.Time
	attempts atomic.Int32
	unsure   atomic.Bool // an attempt may have been applied without a definite answer
	// sent: the current attempt got past signing to the HTTP client. An
	// attempt that failed before (credentials, endpoint, signing) sent
	// nothing and cannot have been applied.
	sent atomic.Bool
	// connected: the current attempt got a connection from net/http (its
	// GotConn hook, see [callState.traced]), so any TLS handshake on it
	// was over before the request was written.
	connected atomic.Bool
	// handshakeFailed: net/http saw a TLS handshake of the current
	// attempt fail (its TLSHandshakeDone hook, with an error).
	handshakeFailed atomic.Bool
}

// newAttempt resets the per-attempt marks.
func (st *callState) newAttempt() {
	st.attempts.Add(1)
	st.sent.Store(false)
	st.connected.Store(false)
	st.handshakeFailed.Store(false)
}

// failed records the error of the current attempt.
func (st *callState) failed(err error) {
	if !st.sent.Load() || !mayHaveApplied(err) {
		return
	}
	if st.handshakeFailed.Load() && !st.connected.Load() && refusedCertificate(err) {
		// The client refused the server's certificate in the handshake,
		// before any connection was handed to the request: no byte of it
		// went out (TestRefusedCertificateIsNoUnknownOutcome). A
		// certificate refused later, in a TLS 1.2 renegotiation after
		// the request was written, comes with connected set. Only
		// net/http's own handshake counts: a certificate error from an
		// HTTP client that did its own sending (a transport that retries
		// on contexts of its own, say) proves nothing about what it sent
		// before (TestAttack15_CertificateRefusedByATransportOfItsOwn).
		return
	}
	st.unsure.Store(true)
}

// traced returns ctx with an HTTP client trace that marks the current
// attempt connected when net/http hands its request a connection, and
// notes a TLS handshake of it that failed. Another trace already in ctx
// keeps being called.
func (st *callState) traced(ctx context.Context) context.Context {
	return httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		GotConn: func(httptrace.GotConnInfo) { st.connected.Store(true) },
		TLSHandshakeDone: func(_ tls.ConnectionState, err error) {
			if err != nil {
				st.handshakeFailed.Store(true)
			}
		},
	})
}

// refusedCertificate reports whether err is the client's refusal of the
// server's certificate, or an answer in plain HTTP to the TLS handshake:
// both end a connection before it carries a request.
func refusedCertificate(err error) bool {
	var unknown x509.UnknownAuthorityError
	var host x509.HostnameError
	var invalid x509.CertificateInvalidError
	var verify *tls.CertificateVerificationError
	return errors.As(err, &unknown) || errors.As(err, &host) || errors.As(err, &invalid) ||
		errors.As(err, &verify) || errors.Is(err, http.ErrSchemeMismatch)
}

type callStateKey struct{}

func stateOf(ctx context.Context) *callState {
	st, _ := middleware.GetStackValue(ctx, callStateKey{}).(*callState)
	return st
}

// addCallState adds the two middlewares behind the retry bookkeeping: one
// around the whole operation that starts the clock and attaches the number
// of attempts to a failure, and one inside the retry loop that counts.
func addCallState(stack *middleware.Stack) error {
	if err := stack.Initialize.Add(middleware.InitializeMiddlewareFunc("s3kit.CallState",
		func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			st := &callState{start: time.Now()}
			out, md, err := next.HandleInitialize(middleware.WithStackValue(ctx, callStateKey{}, st), in)
			if err != nil {
				err = &attemptsError{n: int(st.attempts.Load()), unsure: st.unsure.Load(), err: err}
			}
			return out, md, err
		}), middleware.Before); err != nil {
		return err
	}
	// The retry middleware sits just before ResolveAuthScheme; inserting
	// there too puts the counter inside the retry loop. Presigning removes
	// the retry middleware, so nothing here may be placed relative to it.
	if _, ok := stack.Finalize.Get("ResolveAuthScheme"); !ok {
		return nil
	}
	if err := stack.Finalize.Insert(middleware.FinalizeMiddlewareFunc("s3kit.CountAttempts",
		func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
			st := stateOf(ctx)
			if st != nil {
				st.newAttempt()
			}
			out, md, err := next.HandleFinalize(ctx, in)
			if err != nil && st != nil {
				st.failed(err)
			}
			return out, md, err
		}), "ResolveAuthScheme", middleware.Before); err != nil {
		return err
	}
	// The last step before the HTTP client: an attempt that reaches it is
	// signed and about to be sent.
	return stack.Deserialize.Add(middleware.DeserializeMiddlewareFunc("s3kit.AttemptSent",
		func(ctx context.Context, in middleware.DeserializeInput, next middleware.DeserializeHandler) (middleware.DeserializeOutput, middleware.Metadata, error) {
			if st := stateOf(ctx); st != nil {
				st.sent.Store(true)
				ctx = st.traced(ctx)
			}
			return next.HandleDeserialize(ctx, in)
		}), middleware.After)
}

// attemptsError carries the number of attempts an operation made, and
// whether any of them may have been applied by the server without a
// definite answer reaching us. Its text is the cause's; [Attempts] and
// [OutcomeUnknown] read it.
type attemptsError struct {
	n      int
	unsure bool
	err    error
}

func (e *attemptsError) Error() string { return e.err.Error() }
func (e *attemptsError) Unwrap() error { return e.err }

// Cause returns the error that err, if it is the record of attempts this
// package adds to an operation's error, carries; nil otherwise.
func Cause(err error) error {
	if ae, ok := err.(*attemptsError); ok {
		return ae.err
	}
	return nil
}

// Attempts returns how many attempts err reports, or 0.
func Attempts(err error) int {
	var ae *attemptsError
	if errors.As(err, &ae) && ae.n > 0 {
		return ae.n
	}
	var me *awsretry.MaxAttemptsError
	if errors.As(err, &me) {
		return me.Attempt
	}
	return 0
}

// OutcomeUnknown reports whether err comes from an operation one of whose
// attempts may have been applied (see [mayHaveApplied]).
func OutcomeUnknown(err error) bool {
	var ae *attemptsError
	return errors.As(err, &ae) && ae.unsure
}

// mayHaveApplied reports whether a failed attempt may have been carried out
// by the server: everything except a definite refusal (an HTTP answer of
// 4xx, 501, or 503, which S3 sends to shed load before doing anything) and a
// connection that could not be opened. A lost or garbled answer, a reset
// after the request was sent, a 500 and a cancelled context all may hide a
// write that took effect.
func mayHaveApplied(err error) bool {
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) && re.Response != nil && re.HTTPStatusCode() != 0 {
		code := re.HTTPStatusCode()
		return (code < 400 || code >= 500) && code != http.StatusNotImplemented && code != http.StatusServiceUnavailable
	}
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return false
	}
	return true
}
