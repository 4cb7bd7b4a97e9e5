package s3err

import (
	"errors"
	"fmt"
	"net/http"
	"testing"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/stretchr/testify/assert"
)

func TestClassify(t *testing.T) {
	tests := []struct {
		name   string
		status int
		code   string
		kind   Kind
		want   Category
	}{
		{"get NoSuchKey", 404, "NoSuchKey", Object, NotFound},
		{"get NoSuchVersion", 404, "NoSuchVersion", Object, NotFound},
		{"head NotFound", 404, "NotFound", Object, NotFound},
		{"head 404 without code", 404, "", Object, NotFound},
		{"HeadBucket NotFound", 404, "NotFound", Bucket, BucketNotFound},
		{"NoSuchBucket on object", 404, "NoSuchBucket", Object, BucketNotFound},
		{"NoSuchBucket as a code only", 0, "NoSuchBucket", Object, BucketNotFound},
		{"NoSuchBucket on list", 404, "NoSuchBucket", Bucket, BucketNotFound},
		{"404 without code on bucket", 404, "", Bucket, BucketNotFound},
		{"AccessDenied", 403, "AccessDenied", Object, AccessDenied},
		{"SignatureDoesNotMatch", 403, "SignatureDoesNotMatch", Object, AccessDenied},
		{"InvalidAccessKeyId", 403, "InvalidAccessKeyId", Bucket, AccessDenied},
		{"ExpiredToken", 400, "ExpiredToken", Object, AccessDenied},
		{"403 without code", 403, "", Object, AccessDenied},
		{"401 without code", 401, "", Object, AccessDenied},
		{"ACL NotImplemented", 501, "NotImplemented", ACL, ACLNotSupported},
		{"ACL XNotImplemented", 501, "XNotImplemented", ACL, ACLNotSupported},
		{"ACL AccessControlListNotSupported", 400, "AccessControlListNotSupported", ACL, ACLNotSupported},
		{"AccessControlListNotSupported on an object", 400, "AccessControlListNotSupported", Object, ACLNotSupported},
		{"ACL 501 without code", 501, "", ACL, ACLNotSupported},
		{"NotImplemented elsewhere", 501, "NotImplemented", Object, Other},
		{"NotImplemented with 404 is decided by the code", 404, "NotImplemented", Object, Other},
		{"501 without code elsewhere", 501, "", Object, Other},
		{"InternalError", 500, "InternalError", Object, Other},
		{"SlowDown", 503, "SlowDown", Object, Other},
		{"unknown code falls back to the status", 404, "Weird", Object, NotFound},
		{"download If-Match PreconditionFailed", 412, "PreconditionFailed", Object, ObjectChanged},
		{"download 412 without code", 412, "", Object, Other},
		{"conditional write PreconditionFailed", 412, "PreconditionFailed", Object | CondWrite, PreconditionFailed},
		{"conditional write 412 without code", 412, "", Object | CondWrite, PreconditionFailed},
		{"conditional write ConditionalRequestConflict", 409, "ConditionalRequestConflict", Object | CondWrite, PreconditionFailed},
		{"ConditionalRequestConflict without a condition", 409, "ConditionalRequestConflict", Object, Other},
		{"conditional write with ACL PreconditionFailed", 412, "PreconditionFailed", ACL | CondWrite, PreconditionFailed},
		{"conditional write with ACL NotImplemented", 501, "NotImplemented", ACL | CondWrite, ACLNotSupported},
		{"conditional write If-Match on a missing key", 404, "NoSuchKey", Object | CondWrite, NotFound},
		{"conditional write AccessDenied", 403, "AccessDenied", Object | CondWrite, AccessDenied},
		{"conditional write other 409", 409, "OperationAborted", Object | CondWrite, Other},
		{"nothing", 0, "", Object, Other},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, Classify(tt.code, tt.status, tt.kind))
		})
	}
}

func TestSplit(t *testing.T) {
	sdkErr := &smithy.OperationError{
		ServiceID:     "S3",
		OperationName: "GetObject",
		Err: &awshttp.ResponseError{
			ResponseError: &smithyhttp.ResponseError{
				Response: &smithyhttp.Response{Response: &http.Response{StatusCode: 404}},
				Err:      &smithy.GenericAPIError{Code: "NoSuchKey", Message: "The specified key does not exist."},
			},
			RequestID: "RID1",
		},
	}
	assert.Equal(t, Parts{Code: "NoSuchKey", Message: "The specified key does not exist.", StatusCode: 404, RequestID: "RID1"},
		Split(fmt.Errorf("part 2: %w", sdkErr)))

	bare := &smithy.OperationError{Err: &smithyhttp.ResponseError{
		Response: &smithyhttp.Response{Response: &http.Response{StatusCode: 500}},
		Err:      errors.New("XML syntax error"),
	}}
	assert.Equal(t, Parts{StatusCode: 500}, Split(bare), "a status without a code")
	assert.Equal(t, Parts{}, Split(errors.New("dial tcp: connection refused")))
	assert.Equal(t, Parts{}, Split(nil))
}
