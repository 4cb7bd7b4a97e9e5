package direct

import (
	"context"
	"errors"
	"net/http"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/s3kit/s3kit/internal/retry"
)

// sdkOp runs one SDK operation with extra per-call options.
type sdkOp[T any] func(ctx context.Context, opt func(*s3.Options)) (T, error)

// replay hands one attempt's outcome (an answer, or the error of sending)
// to the SDK's own operation, through an HTTP client that returns it
// instead of sending anything, with retries off. It returns what the SDK
// makes of it: the output, or the error its retry loop would have seen
// for that attempt.
//
// The replay neither signs nor asks the credentials provider again: the
// attempt was signed with cl.creds, and a provider that fails now must not
// turn the answer the attempt got into another error. When the SDK's
// operation fails before it takes the answer, the answer's body is read a
// little and closed here, so that its connection is not lost.
func replay[T any](ctx context.Context, cl *call, resp *http.Response, sendErr error, op sdkOp[T]) (T, error) {
	rc := newReplayContext(ctx)
	r := &replayer{resp: resp, err: sendErr, ctx: rc}
	creds := cl.creds
	out, err := op(rc, func(o *s3.Options) {
		o.HTTPClient = r
		o.Retryer = aws.NopRetryer{}
		o.Credentials = aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) { return creds, nil })
		o.APIOptions = append(o.APIOptions, unsigned)
	})
	if !r.taken && resp != nil && resp.Body != nil {
		discard(resp.Body)
	}
	if err == nil {
		return out, nil
	}
	return out, attemptError(err)
}

// unsigned takes the signing step out of a replay's stack: its request is
// never sent.
func unsigned(st *middleware.Stack) error {
	if _, ok := st.Finalize.Get("Signing"); !ok {
		return nil
	}
	_, err := st.Finalize.Swap("Signing", middleware.FinalizeMiddlewareFunc("Signing",
		func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
			return next.HandleFinalize(ctx, in)
		}))
	return err
}

// attemptError takes off what the SDK's stack adds around an attempt's
// error: the operation error and the record of attempts.
func attemptError(err error) error {
	var oe *smithy.OperationError
	if !errors.As(err, &oe) {
		return err
	}
	if cause := retry.Cause(oe.Err); cause != nil {
		return cause
	}
	return oe.Err
}

// replayer is the HTTP client of a replay: it returns the recorded answer.
type replayer struct {
	resp  *http.Response
	err   error
	ctx   *replayContext
	taken bool // Do ran: the SDK owns the answer
}

// Do returns the recorded answer. When the recorded send failed because
// the call's context ended, the replay's context ends now, so that the SDK
// sees, as it would have, a context that ended during the send.
func (r *replayer) Do(*http.Request) (*http.Response, error) {
	r.taken = true
	if r.err != nil {
		r.ctx.end()
	}
	return r.resp, r.err
}

// replayContext is the context of a replay: the call's values, and a Done
// that stays open until the replayed send, so that the SDK's check of the
// context before the attempt does not stop a replay whose attempt was
// sent, and closes there if the call's context had ended.
type replayContext struct {
	context.Context // the call's values, without its cancellation
	parent          context.Context
	done            chan struct{}
	once            sync.Once
	mu              sync.Mutex
	err             error
}

func newReplayContext(parent context.Context) *replayContext {
	return &replayContext{Context: context.WithoutCancel(parent), parent: parent, done: make(chan struct{})}
}

// Done is closed once the replayed send has found the call's context ended.
func (c *replayContext) Done() <-chan struct{} { return c.done }

// Err is the call's context's error, once Done is closed.
func (c *replayContext) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

// end closes Done if the call's context has ended.
func (c *replayContext) end() {
	err := c.parent.Err()
	if err == nil {
		return
	}
	c.once.Do(func() {
		c.mu.Lock()
		c.err = err
		c.mu.Unlock()
		close(c.done)
	})
}

// responseHeader is the header of the answer err carries, or nil.
func responseHeader(err error) http.Header {
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) && re.Response != nil && re.Response.Response != nil {
		return re.Response.Header
	}
	return nil
}
