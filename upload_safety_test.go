package s3kit_test

import (
	"bytes"
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/s3kit/s3kit"
	"github.com/s3kit/s3kit/s3kittest"
)

// assertNothingStored checks, past the faults, that key does not exist and
// that no multipart upload is left in the bucket.
func assertNothingStored(t *testing.T, srv *s3kittest.Server, key string) {
	t.Helper()
	c := srv.Client(t)
	_, err := c.Head(t.Context(), bucket, key)
	assert.ErrorIs(t, err, s3kit.ErrNotFound, "nothing visible under the key")
	assert.Zero(t, pendingUploads(t, c), "no multipart upload left")
}

// assertStored checks, past the faults, that key holds exactly data.
func assertStored(t *testing.T, srv *s3kittest.Server, key string, data []byte) {
	t.Helper()
	got, _ := getAll(t, srv.Client(t), key)
	assert.Equal(t, sum(data), got)
	assert.Zero(t, pendingUploads(t, srv.Client(t)), "no multipart upload left")
}

func TestInterruptedUploadsLeaveNothing(t *testing.T) {
	t.Parallel()
	small, big := randomBytes(200<<10), randomBytes(twoParts)
	mp := []s3kit.PutOption{s3kit.WithMultipartThreshold(5 << 20), s3kit.WithPartSize(5 << 20)}
	tests := []struct {
		name  string
		data  []byte
		sized bool // body of known size
		rule  *s3kittest.Rule
	}{
		{"single PUT reset at start", small, true, &s3kittest.Rule{Op: "PutObject", Fault: s3kittest.ResetRequest(0)}},
		{"single PUT reset mid-body", small, true, &s3kittest.Rule{Op: "PutObject", Fault: s3kittest.ResetRequest(100 << 10)}},
		{"single PUT 503", small, true, &s3kittest.Rule{Op: "PutObject", Fault: s3kittest.ErrorResponse(503, "SlowDown")}},
		{"part reset mid-body", big, true, &s3kittest.Rule{Op: "UploadPart", Fault: s3kittest.ResetRequest(1 << 20)}},
		{"part reset mid-body, unknown size", big, false, &s3kittest.Rule{Op: "UploadPart", Fault: s3kittest.ResetRequest(1 << 20)}},
		{"second part fails", big, true, &s3kittest.Rule{Op: "UploadPart", Key: "k", Nth: 2, Fault: s3kittest.ErrorResponse(400, "InvalidArgument")}},
		{"complete fails", big, true, &s3kittest.Rule{Op: "CompleteMultipartUpload", Fault: s3kittest.ErrorResponse(500, "InternalError")}},
		{"complete refused", big, true, &s3kittest.Rule{Op: "CompleteMultipartUpload", Fault: s3kittest.ErrorResponse(400, "MalformedXML")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			abortLost := &s3kittest.Rule{Op: "AbortMultipartUpload", Nth: 1, Fault: s3kittest.DropResponse()}
			fe := newFrontEnd(t, []*s3kittest.Rule{tt.rule, abortLost})
			var body io.Reader = bytes.NewReader(tt.data)
			if !tt.sized {
				body = onlyReader{body}
			}
			_, err := fe.client.Put(t.Context(), bucket, "k", body, mp...)
			require.Error(t, err)
			assert.NotContains(t, err.Error(), "abort", "a lost answer to a successful abort is not an error")
			assertNothingStored(t, fe.srv, "k")
		})
	}
}

// TestLostAnswersAreRecovered drops the answer to a request the server
// carried out; the retry must not turn that into a failure or a
// duplicate.
func TestLostAnswersAreRecovered(t *testing.T) {
	t.Parallel()
	small, big := randomBytes(200<<10), randomBytes(twoParts)
	mp := []s3kit.PutOption{s3kit.WithMultipartThreshold(5 << 20), s3kit.WithPartSize(5 << 20)}
	tests := []struct {
		name   string
		data   []byte
		op     string
		fault  s3kittest.Fault
		orphan bool // the lost answer leaves an empty upload nobody knows the ID of
	}{
		{"PutObject dropped", small, "PutObject", s3kittest.DropResponse(), false},
		{"UploadPart dropped", big, "UploadPart", s3kittest.DropResponse(), false},
		{"CreateMultipartUpload dropped", big, "CreateMultipartUpload", s3kittest.DropResponse(), true},
		{"CreateMultipartUpload invalid XML", big, "CreateMultipartUpload", s3kittest.InvalidXML(), true},
		{"CompleteMultipartUpload dropped", big, "CompleteMultipartUpload", s3kittest.DropResponse(), false},
		{"CompleteMultipartUpload truncated XML", big, "CompleteMultipartUpload", s3kittest.TruncateXML(), false},
		{"CompleteMultipartUpload invalid XML", big, "CompleteMultipartUpload", s3kittest.InvalidXML(), false},
		{"CompleteMultipartUpload reset in body", big, "CompleteMultipartUpload", s3kittest.ResetResponse(20), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rule := &s3kittest.Rule{Op: tt.op, Nth: 1, Fault: tt.fault}
			fe := newFrontEnd(t, []*s3kittest.Rule{rule})
			res, err := fe.client.Put(t.Context(), bucket, "k", bytes.NewReader(tt.data), mp...)
			require.NoError(t, err)
			assert.Equal(t, int64(len(tt.data)), res.Size)
			assert.Equal(t, 1, rule.Fired())
			got, _ := getAll(t, fe.srv.Client(t), "k")
			assert.Equal(t, sum(tt.data), got)
			withParts, empty := leftUploads(t, fe.srv.Client(t))
			assert.Zero(t, withParts, "no upload holding parts is left")
			if tt.orphan {
				assert.Equal(t, 1, empty, "the upload whose answer was lost is left, empty")
			} else {
				assert.Zero(t, empty)
			}
		})
	}
}
