package history

import (
	"time"

	"github.com/s3kit/s3kit/s3kittest"
)

// Faults returns the fault rules of a run, drawn from seed, and a function
// that counts the CreateMultipartUpload answers they lost so far (each may
// leave an empty upload behind; see [LeftUploads]). The mix covers what a
// network and a struggling server do: answers dropped after the work was
// done, connections reset while a body is sent or received, 500 and 503
// answers, XML cut short or garbled, and delays before the work or between
// the work and its answer, which widen the windows in which concurrent
// calls and cancels meet.
func Faults(seed uint64) (rules []*s3kittest.Rule, lostCreates func() int) {
	type spec struct {
		op          string
		chance      float64
		fault       s3kittest.Fault
		losesAnswer bool // the server does the work and the client never learns its result
	}
	specs := []spec{
		{"PutObject", 0.03, s3kittest.DropResponse(), false},
		{"PutObject", 0.02, s3kittest.ResetRequest(1000), false},
		{"PutObject", 0.03, s3kittest.ErrorResponse(500, "InternalError"), false},
		{"PutObject", 0.02, s3kittest.ErrorResponse(503, "SlowDown"), false},
		{"UploadPart", 0.03, s3kittest.DropResponse(), false},
		{"UploadPart", 0.02, s3kittest.ResetRequest(64 << 10), false},
		{"UploadPart", 0.02, s3kittest.ErrorResponse(500, "InternalError"), false},
		{"UploadPart", 0.05, s3kittest.DelayHeaders(10 * time.Millisecond), false},
		{"CreateMultipartUpload", 0.08, s3kittest.DropResponse(), true},
		{"CreateMultipartUpload", 0.04, s3kittest.InvalidXML(), true},
		{"CreateMultipartUpload", 0.10, s3kittest.DelayHeaders(15 * time.Millisecond), false},
		{"CreateMultipartUpload", 0.20, s3kittest.DelayBody(30 * time.Millisecond), false},
		{"CompleteMultipartUpload", 0.08, s3kittest.DropResponse(), false},
		{"CompleteMultipartUpload", 0.04, s3kittest.TruncateXML(), false},
		{"CompleteMultipartUpload", 0.04, s3kittest.ErrorResponse(500, "InternalError"), false},
		{"CompleteMultipartUpload", 0.10, s3kittest.DelayHeaders(15 * time.Millisecond), false},
		{"CompleteMultipartUpload", 0.20, s3kittest.DelayBody(30 * time.Millisecond), false},
		{"AbortMultipartUpload", 0.10, s3kittest.DropResponse(), false},
		{"UploadPartCopy", 0.03, s3kittest.DropResponse(), false},
		{"UploadPartCopy", 0.03, s3kittest.ErrorResponse(500, "InternalError"), false},
		{"UploadPartCopy", 0.20, s3kittest.DelayHeaders(10 * time.Millisecond), false},
		{"CopyObject", 0.05, s3kittest.DropResponse(), false},
		{"CopyObject", 0.03, s3kittest.ErrorResponse(500, "InternalError"), false},
		{"GetObject", 0.05, s3kittest.ResetResponse(1000), false},
		{"GetObject", 0.03, s3kittest.DropResponse(), false},
		{"GetObject", 0.03, s3kittest.DelayHeaders(5 * time.Millisecond), false},
		{"HeadObject", 0.03, s3kittest.DropResponse(), false},
		{"HeadObject", 0.03, s3kittest.ErrorResponse(500, "InternalError"), false},
		{"DeleteObject", 0.05, s3kittest.DropResponse(), false},
		{"DeleteObject", 0.03, s3kittest.ErrorResponse(500, "InternalError"), false},
		{"DeleteObjects", 0.05, s3kittest.DropResponse(), false},
		{"DeleteObjects", 0.03, s3kittest.TruncateXML(), false},
		{"ListObjectsV2", 0.04, s3kittest.TruncateXML(), false},
		{"ListObjectsV2", 0.03, s3kittest.InvalidXML(), false},
		{"ListObjectsV2", 0.03, s3kittest.ResetResponse(100), false},
	}
	var lost []*s3kittest.Rule
	for i, s := range specs {
		r := &s3kittest.Rule{Op: s.op, Chance: s.chance, Seed: seed*1000 + uint64(i), Fault: s.fault}
		rules = append(rules, r)
		if s.op == "CreateMultipartUpload" && s.losesAnswer {
			lost = append(lost, r)
		}
	}
	return rules, func() int {
		n := 0
		for _, r := range lost {
			n += r.Fired()
		}
		return n
	}
}
