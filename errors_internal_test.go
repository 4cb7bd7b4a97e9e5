package s3kit

import (
	"context"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"net/http"
	"strings"
	"testing"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/s3kit/s3kit/internal/s3err"
)

// sdkError builds an error shaped like the SDK's: an OperationError around a
// ResponseError around a GenericAPIError.
func sdkError(status int, code, requestID string) error {
	var inner error = &smithy.GenericAPIError{Code: code, Message: "msg " + code}
	if code == "" {
		inner = errors.New("no body")
	}
	return &smithy.OperationError{
		ServiceID:     "S3",
		OperationName: "Op",
		Err: &awshttp.ResponseError{
			ResponseError: &smithyhttp.ResponseError{Response: &smithyhttp.Response{Response: &http.Response{StatusCode: status}}, Err: inner},
			RequestID:     requestID,
		},
	}
}

func TestClassify(t *testing.T) {
	tests := []struct {
		name   string
		status int
		code   string
		kind   s3err.Kind
		want   error
	}{
		{"get NoSuchKey", 404, "NoSuchKey", s3err.Object, ErrNotFound},
		{"head NotFound", 404, "NotFound", s3err.Object, ErrNotFound},
		{"head 404 without code", 404, "", s3err.Object, ErrNotFound},
		{"HeadBucket NotFound", 404, "NotFound", s3err.Bucket, ErrBucketNotFound},
		{"NoSuchBucket on object", 404, "NoSuchBucket", s3err.Object, ErrBucketNotFound},
		{"NoSuchBucket on list", 404, "NoSuchBucket", s3err.Bucket, ErrBucketNotFound},
		{"404 without code on bucket", 404, "", s3err.Bucket, ErrBucketNotFound},
		{"AccessDenied", 403, "AccessDenied", s3err.Object, ErrAccessDenied},
		{"SignatureDoesNotMatch", 403, "SignatureDoesNotMatch", s3err.Object, ErrAccessDenied},
		{"InvalidAccessKeyId", 403, "InvalidAccessKeyId", s3err.Bucket, ErrAccessDenied},
		{"403 without code", 403, "", s3err.Object, ErrAccessDenied},
		{"ACL NotImplemented", 501, "NotImplemented", s3err.ACL, ErrACLNotSupported},
		{"ACL AccessControlListNotSupported", 400, "AccessControlListNotSupported", s3err.ACL, ErrACLNotSupported},
		{"ACL 501 without code", 501, "", s3err.ACL, ErrACLNotSupported},
		{"NotImplemented elsewhere", 501, "NotImplemented", s3err.Object, nil},
		{"InternalError", 500, "InternalError", s3err.Object, nil},
		{"SlowDown", 503, "SlowDown", s3err.Object, nil},
		{"download If-Match PreconditionFailed", 412, "PreconditionFailed", s3err.Object, ErrObjectChanged},
		{"conditional write PreconditionFailed", 412, "PreconditionFailed", s3err.Object | s3err.CondWrite, ErrPreconditionFailed},
		{"conditional write 412 without code", 412, "", s3err.Object | s3err.CondWrite, ErrPreconditionFailed},
		{"conditional write ConditionalRequestConflict", 409, "ConditionalRequestConflict", s3err.Object | s3err.CondWrite, ErrPreconditionFailed},
		{"conditional write with ACL PreconditionFailed", 412, "PreconditionFailed", s3err.ACL | s3err.CondWrite, ErrPreconditionFailed},
		{"conditional write with ACL NotImplemented", 501, "NotImplemented", s3err.ACL | s3err.CondWrite, ErrACLNotSupported},
		{"conditional write If-Match on a missing key", 404, "NoSuchKey", s3err.Object | s3err.CondWrite, ErrNotFound},
		{"conditional write AccessDenied", 403, "AccessDenied", s3err.Object | s3err.CondWrite, ErrAccessDenied},
		{"conditional write other 409", 409, "OperationAborted", s3err.Object | s3err.CondWrite, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := wrapErr("Op", "bkt", "key", tt.kind, sdkError(tt.status, tt.code, "RID1"))
			var e *Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, tt.code, e.Code)
			assert.Equal(t, tt.status, e.StatusCode)
			assert.Equal(t, "RID1", e.RequestID)
			for _, s := range sentinels {
				assert.Equal(t, s == tt.want, errors.Is(err, s), "errors.Is(err, %v)", s)
			}
			// The SDK's own error types stay reachable.
			var api smithy.APIError
			if tt.code != "" {
				assert.ErrorAs(t, err, &api)
			}
			var op *smithy.OperationError
			assert.ErrorAs(t, err, &op)
		})
	}
}

func TestErrorMessage(t *testing.T) {
	err := wrapErr("Get", "bkt", "dir/key", s3err.Object, sdkError(404, "NoSuchKey", "RID7"))
	assert.Equal(t, "s3kit: Get bkt/dir/key: NoSuchKey (HTTP 404) [request RID7]: msg NoSuchKey", err.Error())

	err = invalidf("Put", "bkt", "", "object key is empty")
	assert.Equal(t, "s3kit: Put bkt: invalid input: object key is empty", err.Error())

	netErr := fmt.Errorf("dial tcp 127.0.0.1:1: connection refused")
	err = wrapErr("Head", "bkt", "k", s3err.Object, netErr)
	assert.Equal(t, "s3kit: Head bkt/k: dial tcp 127.0.0.1:1: connection refused", err.Error())
	assert.ErrorIs(t, err, netErr)

	assert.NoError(t, wrapErr("Head", "b", "k", s3err.Object, nil))
}

func TestWrapErrKeepsContextErrors(t *testing.T) {
	err := wrapErr("Get", "bkt", "k", s3err.Object, &smithy.OperationError{Err: context.Canceled})
	assert.ErrorIs(t, err, context.Canceled)
	err = wrapErr("Get", "bkt", "k", s3err.Object, &smithy.OperationError{Err: context.DeadlineExceeded})
	assert.ErrorIs(t, err, context.DeadlineExceeded)
}

func TestWrapErrDoesNotDoubleWrap(t *testing.T) {
	inner := invalidf("Put", "b", "k", "x")
	assert.Same(t, inner, wrapErr("Put", "b", "k", s3err.Object, inner).(*Error))
}

func TestWrapStepLeadsCauseAndMessage(t *testing.T) {
	cause := sdkError(500, "InternalError", "RID2")
	err := wrap(errSite{op: "Put", bucket: "bkt", key: "k", kind: s3err.Object, step: "part 3"}, cause)
	assert.Equal(t, "s3kit: Put bkt/k: InternalError (HTTP 500) [request RID2]: part 3: msg InternalError", err.Error())
	var e *Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, "part 3: "+cause.Error(), e.Err.Error())
	assert.ErrorIs(t, err, cause)

	// A bare status shows the reason the answer was refused, after the step.
	err = wrap(errSite{op: "Put", bucket: "bkt", key: "k", kind: s3err.Object, step: "part 1"}, sdkError(500, "", ""))
	assert.Equal(t, "s3kit: Put bkt/k: HTTP 500: part 1: no body", err.Error())

	// An *Error inside is returned as it is, behind the step.
	inner := invalidf("Put", "b", "k", "x")
	err = wrap(errSite{op: "Put", bucket: "b", key: "k", step: "part 2"}, inner)
	assert.Equal(t, "part 2: "+inner.Error(), err.Error())
	assert.ErrorIs(t, err, ErrInvalidInput)
}

func TestJoinAbortErrLeavesTheCauseAlone(t *testing.T) {
	cause := wrapErr("Put", "bkt", "k", s3err.Object, sdkError(403, "AccessDenied", "RID3"))
	before := cause.Error()
	abortErr := errors.New("connection refused")
	err := joinAbortErr("UPID", cause, abortErr)
	assert.Equal(t, before, cause.Error(), "the cause is not changed")
	assert.Equal(t, before, err.Error(), "the provider's message stands for the cause")
	assert.ErrorIs(t, err, ErrAccessDenied)
	assert.ErrorIs(t, err, abortErr)
	var e *Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, "AccessDenied", e.Code)

	cancelled := &Error{Op: "Put", Bucket: "bkt", Key: "k", Err: context.Canceled}
	err = joinAbortErr("UPID", cancelled, abortErr)
	assert.Equal(t, "s3kit: Put bkt/k: context canceled\nabort of multipart upload UPID failed: connection refused", err.Error())
	assert.Equal(t, "s3kit: Put bkt/k: context canceled", cancelled.Error(), "the cause is not changed")
	assert.ErrorIs(t, err, context.Canceled)

	plain := errors.New("plain")
	err = joinAbortErr("UPID", plain, abortErr)
	assert.Equal(t, "plain\nconnection refused", err.Error())
}

// TestSentinelsListComplete checks that the sentinels list names every
// exported Err variable declared in the package, so hasSentinel (and the
// rule that an error matches at most one sentinel) keeps up with new ones.
func TestSentinelsListComplete(t *testing.T) {
	fset := token.NewFileSet()
	pkgs, err := parser.ParseDir(fset, ".", func(fi fs.FileInfo) bool { return !strings.HasSuffix(fi.Name(), "_test.go") }, 0)
	require.NoError(t, err)
	var declared []string
	for _, f := range pkgs["s3kit"].Files {
		for _, d := range f.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok || g.Tok != token.VAR {
				continue
			}
			for _, s := range g.Specs {
				for _, n := range s.(*ast.ValueSpec).Names {
					if strings.HasPrefix(n.Name, "Err") && n.IsExported() {
						declared = append(declared, n.Name)
					}
				}
			}
		}
	}
	require.NotEmpty(t, declared)
	assert.Len(t, sentinels, len(declared), "declared: %v", declared)
	for i, s := range sentinels {
		for j, o := range sentinels {
			if i != j {
				assert.NotErrorIs(t, s, o, "sentinels must be distinct")
			}
		}
	}
}
