package retry

import (
	"context"
	"time"

	"github.com/aws/smithy-go/middleware"
)

// Call is the bookkeeping of one operation whose attempts are run outside
// the SDK's middleware stack (internal/direct), kept exactly as the
// middlewares of [addCallState] keep it for the SDK: the same clock for the
// time budget of the client's retryer, the same count of attempts and the
// same record of an attempt that may have been applied.
type Call struct{ st *callState }

// Begin starts the bookkeeping of one operation. The retryer of the client
// (its GetRetryToken) reads the budget's clock from the returned context,
// and the requests of the attempts must be made with it, for the trace
// that notes when an attempt gets a connection.
func Begin(ctx context.Context) (context.Context, *Call) {
	st := &callState{start: time.Now()}
	return st.traced(middleware.WithStackValue(ctx, callStateKey{}, st)), &Call{st: st}
}

// Attempt counts one attempt about to be built.
func (c *Call) Attempt() { c.st.newAttempt() }

// Sending notes that the current attempt is signed and handed to the HTTP
// client; an attempt that fails before cannot have been applied.
func (c *Call) Sending() { c.st.sent.Store(true) }

// Failed records the error of one attempt, as it came out of the attempt
// (before the retry loop decided anything).
func (c *Call) Failed(err error) { c.st.failed(err) }

// Wrap attaches the count of attempts and the unsure record to the error
// the retry loop ended with, as the SDK path's Initialize middleware does.
func (c *Call) Wrap(err error) error {
	return &attemptsError{n: int(c.st.attempts.Load()), unsure: c.st.unsure.Load(), err: err}
}
