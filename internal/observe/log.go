package observe

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"reflect"
	"time"

	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// Messages of the records the middleware writes.
const (
	MsgRequest = "s3 request"       // one per attempt, at debug level
	MsgRetry   = "s3 request retry" // one per retry, at warning level
	MsgPresign = "s3 presign"       // one per presigned URL, at debug level
)

// LogRequests returns the SDK API option that logs to l: a debug record
// for each HTTP request attempt, a warning before each retry, and a debug
// record for each presigned URL. A presigned request has no retry
// middleware (the SDK removes it), and nothing is sent.
//
// The records carry the operation, bucket, key, part number, attempt,
// HTTP status, duration, bytes sent and received where known, the request
// ID and the S3 error code; never a header, a body, credentials or the
// query of a URL (TestLogRecordsNeverShowSecrets in the root package).
func LogRequests(l *slog.Logger) func(*middleware.Stack) error {
	return func(stack *middleware.Stack) error {
		if err := stack.Initialize.Add(&callLog{}, middleware.Before); err != nil {
			return err
		}
		// The SDK's retry loop is the Finalize middleware "Retry"; a
		// middleware right after it runs once per attempt.
		if _, ok := stack.Finalize.Get("Retry"); ok {
			return stack.Finalize.Insert(&attemptLog{l}, "Retry", middleware.After)
		}
		return stack.Finalize.Add(&presignLog{l}, middleware.Before)
	}
}

// call follows one SDK operation across its attempts. The attempts of one
// operation run one after the other, so it needs no lock.
type call struct {
	bucket, key string
	part        int64
	attempts    int
	lastErr     error
	lastStatus  int
	lastEnd     time.Time
}

type callKey struct{}

// callLog records the operation's bucket, key and part number.
type callLog struct{}

// ID names the middleware.
func (*callLog) ID() string { return "s3kit.LogCall" }

// HandleInitialize attaches a [call] to the operation's context.
func (*callLog) HandleInitialize(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
	c := &call{}
	c.bucket, c.key, c.part = names(in.Parameters)
	return next.HandleInitialize(middleware.WithStackValue(ctx, callKey{}, c), in)
}

// names reads the Bucket, Key and PartNumber fields of an SDK input.
func names(params any) (bucket, key string, part int64) {
	v := reflect.ValueOf(params)
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		return "", "", 0
	}
	v = v.Elem()
	if f := v.FieldByName("Bucket"); f.Kind() == reflect.Pointer && !f.IsNil() && f.Elem().Kind() == reflect.String {
		bucket = f.Elem().String()
	}
	if f := v.FieldByName("Key"); f.Kind() == reflect.Pointer && !f.IsNil() && f.Elem().Kind() == reflect.String {
		key = f.Elem().String()
	}
	if f := v.FieldByName("PartNumber"); f.Kind() == reflect.Pointer && !f.IsNil() && f.Elem().CanInt() {
		part = f.Elem().Int()
	}
	return bucket, key, part
}

// attemptLog writes the records of one attempt.
type attemptLog struct{ l *slog.Logger }

// ID names the middleware.
func (*attemptLog) ID() string { return "s3kit.LogAttempt" }

// HandleFinalize runs one attempt, logs it, and first warns of the retry
// if this is not the first attempt.
func (m *attemptLog) HandleFinalize(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
	c, _ := middleware.GetStackValue(ctx, callKey{}).(*call)
	if c == nil {
		return next.HandleFinalize(ctx, in)
	}
	op := awsmiddleware.GetOperationName(ctx)
	c.attempts++
	start := time.Now()
	if c.attempts > 1 {
		m.retry(ctx, op, c, start)
	}
	out, md, err := next.HandleFinalize(ctx, in)
	resp := response(md, err)
	c.lastErr, c.lastStatus, c.lastEnd = err, status(resp), time.Now()
	if m.l.Enabled(ctx, slog.LevelDebug) {
		attrs := append(c.attrs(op, c.attempts),
			slog.Int("status", c.lastStatus),
			slog.Duration("duration", c.lastEnd.Sub(start)))
		if req, ok := in.Request.(*smithyhttp.Request); ok && req.ContentLength >= 0 {
			attrs = append(attrs, slog.Int64("sent", req.ContentLength))
		}
		attrs = appendResponse(attrs, resp)
		m.l.LogAttrs(ctx, slog.LevelDebug, MsgRequest, appendError(attrs, err)...)
	}
	return out, md, err
}

// retry warns that the previous attempt failed and attempt c.attempts
// follows, after the backoff that ends at now.
func (m *attemptLog) retry(ctx context.Context, op string, c *call, now time.Time) {
	if !m.l.Enabled(ctx, slog.LevelWarn) {
		return
	}
	attrs := append(c.attrs(op, c.attempts-1), slog.Int("next_attempt", c.attempts))
	if c.lastStatus != 0 {
		attrs = append(attrs, slog.Int("status", c.lastStatus))
	}
	attrs = append(appendError(attrs, c.lastErr), slog.Duration("backoff", now.Sub(c.lastEnd)))
	m.l.LogAttrs(ctx, slog.LevelWarn, MsgRetry, attrs...)
}

// attrs are the attributes every record of the call starts with.
func (c *call) attrs(op string, attempt int) []slog.Attr {
	attrs := make([]slog.Attr, 0, 12)
	attrs = append(attrs, slog.String("op", op), slog.String("bucket", c.bucket))
	if c.key != "" {
		attrs = append(attrs, slog.String("key", c.key))
	}
	if c.part != 0 {
		attrs = append(attrs, slog.Int64("part", c.part))
	}
	return append(attrs, slog.Int("attempt", attempt))
}

// response returns the HTTP answer of an attempt, or nil if none came.
func response(md middleware.Metadata, err error) *smithyhttp.Response {
	if r, ok := awsmiddleware.GetRawResponse(md).(*smithyhttp.Response); ok && r != nil && r.Response != nil {
		return r
	}
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) && re.Response != nil && re.Response.Response != nil {
		return re.Response
	}
	return nil
}

// status is resp's HTTP status, or 0.
func status(resp *smithyhttp.Response) int {
	if resp == nil {
		return 0
	}
	return resp.StatusCode
}

// appendResponse adds the answer's length and request ID.
func appendResponse(attrs []slog.Attr, resp *smithyhttp.Response) []slog.Attr {
	if resp == nil {
		return attrs
	}
	if resp.ContentLength >= 0 && resp.Request != nil && resp.Request.Method != http.MethodHead {
		attrs = append(attrs, slog.Int64("received", resp.ContentLength))
	}
	if id := resp.Header.Get("X-Amz-Request-Id"); id != "" {
		attrs = append(attrs, slog.String("request_id", id))
	}
	return attrs
}

// appendError adds err's S3 error code and text, if err is not nil.
func appendError(attrs []slog.Attr, err error) []slog.Attr {
	if err == nil {
		return attrs
	}
	var api smithy.APIError
	if errors.As(err, &api) && api.ErrorCode() != "" {
		attrs = append(attrs, slog.String("code", api.ErrorCode()))
		if msg := api.ErrorMessage(); msg != "" {
			return append(attrs, slog.String("error", StripQueries(msg)))
		}
	}
	// A request that got no answer: the SDK wraps net/http's error, which
	// says it all, in text that says nothing more.
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue
	}
	return append(attrs, slog.String("error", ErrorText(err)))
}

// presignLog writes the record of one presigned URL.
type presignLog struct{ l *slog.Logger }

// ID names the middleware.
func (*presignLog) ID() string { return "s3kit.LogPresign" }

// HandleFinalize logs the method and the URL without its query, which
// holds the signature.
func (m *presignLog) HandleFinalize(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
	out, md, err := next.HandleFinalize(ctx, in)
	p, ok := out.Result.(*v4.PresignedHTTPRequest)
	c, _ := middleware.GetStackValue(ctx, callKey{}).(*call)
	if !ok || p == nil || c == nil || !m.l.Enabled(ctx, slog.LevelDebug) {
		return out, md, err
	}
	attrs := []slog.Attr{slog.String("op", awsmiddleware.GetOperationName(ctx)), slog.String("bucket", c.bucket),
		slog.String("key", c.key), slog.String("method", p.Method), slog.String("url", StripQueries(p.URL))}
	m.l.LogAttrs(ctx, slog.LevelDebug, MsgPresign, attrs...)
	return out, md, err
}
