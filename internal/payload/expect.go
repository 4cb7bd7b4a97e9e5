package payload

import (
	"context"

	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// WaitForContinue is an SDK API option that makes the SDK's
// "Expect: 100-continue" work: the transport then waits for the server's
// "100 Continue" before it sends the body, as it does for the direct path's
// requests (internal/direct).
//
// The SDK's S3100Continue step sets the header on a PUT body of 2 MiB or
// more (PutObject, UploadPart), so that a store can refuse the request
// before the body travels. But smithy-go builds its requests on a bare
// http.Request (transport/http NewStackRequest), whose ProtoMajor and
// ProtoMinor are 0, and net/http's Transport waits for "100 Continue" only
// for a request that says it is HTTP/1.1 or later (persistConn.roundTrip:
// req.ProtoAtLeast(1, 1) && req.Body != nil && req.expectsContinue()). It
// writes HTTP/1.1 on the wire either way, so the SDK sent the whole body
// right behind the header. A store that refuses such a request answers and
// closes the connection without reading the body; the body then meets a
// reset connection, and depending on timing the client saw the refusal or
// a failed send, which may have been applied (ErrOutcomeUnknown) and is
// retried. Marking the request HTTP/1.1, as http.NewRequest does, changes
// nothing else: net/http reads the version of an outgoing request only for
// this check.
func WaitForContinue(stack *middleware.Stack) error {
	return stack.Build.Add(middleware.BuildMiddlewareFunc("s3kitWaitForContinue",
		func(ctx context.Context, in middleware.BuildInput, next middleware.BuildHandler) (middleware.BuildOutput, middleware.Metadata, error) {
			if req, ok := in.Request.(*smithyhttp.Request); ok && req.ProtoMajor == 0 && req.ProtoMinor == 0 {
				req.Proto, req.ProtoMajor, req.ProtoMinor = "HTTP/1.1", 1, 1
			}
			return next.HandleBuild(ctx, in)
		}), middleware.After)
}
