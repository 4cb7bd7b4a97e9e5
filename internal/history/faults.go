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
// answers, XML cut short or garbled, and delays that widen the windows in
// which concurrent calls and cancels meet.
func Faults(seed uint64) (rules []*s3kittest.Rule, lostCreates func() int) {
	type spec struct {
		op     string
		chance float64
		fault  s3kittest.Fault
	}
	specs := []spec{
		{"PutObject", 0.03, s3kittest.DropResponse()},
		{"PutObject", 0.02, s3kittest.ResetRequest(1000)},
		{"PutObject", 0.03, s3kittest.ErrorResponse(500, "InternalError")},
		{"PutObject", 0.02, s3kittest.ErrorResponse(503, "SlowDown")},
		{"UploadPart", 0.03, s3kittest.DropResponse()},
		{"UploadPart", 0.02, s3kittest.ResetRequest(64 << 10)},
		{"UploadPart", 0.02, s3kittest.ErrorResponse(500, "InternalError")},
		{"UploadPart", 0.05, s3kittest.DelayHeaders(10 * time.Millisecond)},
		{"CreateMultipartUpload", 0.08, s3kittest.DropResponse()},
		{"CreateMultipartUpload", 0.04, s3kittest.InvalidXML()},
		{"CreateMultipartUpload", 0.10, s3kittest.DelayHeaders(15 * time.Millisecond)},
		{"CompleteMultipartUpload", 0.08, s3kittest.DropResponse()},
		{"CompleteMultipartUpload", 0.04, s3kittest.TruncateXML()},
		{"CompleteMultipartUpload", 0.04, s3kittest.ErrorResponse(500, "InternalError")},
		{"CompleteMultipartUpload", 0.10, s3kittest.DelayHeaders(15 * time.Millisecond)},
		{"AbortMultipartUpload", 0.10, s3kittest.DropResponse()},
		{"UploadPartCopy", 0.03, s3kittest.DropResponse()},
		{"UploadPartCopy", 0.03, s3kittest.ErrorResponse(500, "InternalError")},
		{"UploadPartCopy", 0.20, s3kittest.DelayHeaders(10 * time.Millisecond)},
		{"CopyObject", 0.05, s3kittest.DropResponse()},
		{"CopyObject", 0.03, s3kittest.ErrorResponse(500, "InternalError")},
		{"GetObject", 0.05, s3kittest.ResetResponse(1000)},
		{"GetObject", 0.03, s3kittest.DropResponse()},
		{"GetObject", 0.03, s3kittest.DelayHeaders(5 * time.Millisecond)},
		{"HeadObject", 0.03, s3kittest.DropResponse()},
		{"HeadObject", 0.03, s3kittest.ErrorResponse(500, "InternalError")},
		{"DeleteObject", 0.05, s3kittest.DropResponse()},
		{"DeleteObject", 0.03, s3kittest.ErrorResponse(500, "InternalError")},
		{"DeleteObjects", 0.05, s3kittest.DropResponse()},
		{"DeleteObjects", 0.03, s3kittest.TruncateXML()},
		{"ListObjectsV2", 0.04, s3kittest.TruncateXML()},
		{"ListObjectsV2", 0.03, s3kittest.InvalidXML()},
		{"ListObjectsV2", 0.03, s3kittest.ResetResponse(100)},
	}
	var lost []*s3kittest.Rule
	for i, s := range specs {
		r := &s3kittest.Rule{Op: s.op, Chance: s.chance, Seed: seed*1000 + uint64(i), Fault: s.fault}
		rules = append(rules, r)
		if s.op == "CreateMultipartUpload" {
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
