package s3kit

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/s3kit/s3kit/internal/doctor"
	"github.com/s3kit/s3kit/internal/names"
	"github.com/s3kit/s3kit/internal/publicurl"
	"github.com/s3kit/s3kit/internal/s3err"
)

// Status is the outcome of one [Client.Doctor] check.
type Status int

// The outcomes of a check.
const (
	StatusOK      Status = iota // works as s3kit expects
	StatusInfo                  // a fact about the provider that s3kit handles
	StatusWarning               // works, but needs an option or care
	StatusFailed                // does not work
	StatusSkipped               // not checked, because an earlier check failed or it does not apply
)

// String returns "ok", "info", "warn", "FAIL" or "skip".
func (s Status) String() string {
	switch s {
	case StatusOK:
		return "ok"
	case StatusInfo:
		return "info"
	case StatusWarning:
		return "warn"
	case StatusFailed:
		return "FAIL"
	}
	return "skip"
}

// Finding is the result of one check.
type Finding struct {
	Check  string // such as "object ACLs"
	Status Status
	Detail string // what was seen
}

// Report is what [Client.Doctor] found out about an endpoint. The boolean
// fields are valid only when the matching finding is not skipped.
type Report struct {
	Endpoint string
	Bucket   string
	Findings []Finding
	// Suggestions are options to give [New] for this endpoint, as Go code.
	Suggestions []string

	Reachable                bool
	ClockSkew                time.Duration // server time minus local time, to the second
	Authenticated            bool
	PathStyle                bool // path-style requests work
	VirtualHost              bool // virtual-host requests work
	ListV2                   bool // ListObjectsV2 works
	StreamingChecksumsTested bool // false over plain HTTP, where the SDK never streams
	StreamingChecksums       bool // the SDK's default aws-chunked uploads store the right bytes
	DeleteNeedsMD5           bool // DeleteObjects without Content-MD5 is refused
	ObjectACLs               bool // PutObjectAcl works
	AnonymousPublicRead      bool // an object with the public-read ACL can be fetched without credentials
	CleanedUp                bool // every object the doctor wrote was deleted

	// Whether a create-only write (If-None-Match: *) onto an existing key
	// is refused with 412, as [WithIfNoneMatch] needs, on each request
	// that carries the condition.
	ConditionalPut       bool // PutObject
	ConditionalMultipart bool // CompleteMultipartUpload
	ConditionalCopy      bool // CopyObject

	// AbortsIncompleteUploads reports a lifecycle rule on the whole bucket
	// that aborts incomplete multipart uploads (AbortIncompleteMultipartUpload),
	// which removes the empty upload a lost CreateMultipartUpload answer
	// leaves behind (see [ErrOutcomeUnknown] and the package doc).
	AbortsIncompleteUploads bool
}

// Finding returns the finding for check, if any.
func (r *Report) Finding(check string) (Finding, bool) {
	for _, f := range r.Findings {
		if f.Check == check {
			return f, true
		}
	}
	return Finding{}, false
}

// String prints the findings one a line, then the suggested options.
func (r Report) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "s3kit doctor: %s, bucket %s\n", r.Endpoint, r.Bucket)
	for _, f := range r.Findings {
		fmt.Fprintf(&b, "  [%-4s] %-22s %s\n", f.Status, f.Check+":", f.Detail)
	}
	if len(r.Suggestions) == 0 {
		b.WriteString("suggested options: none beyond the defaults\n")
		return b.String()
	}
	b.WriteString("suggested options:\n")
	for _, s := range r.Suggestions {
		fmt.Fprintf(&b, "  %s\n", s)
	}
	return b.String()
}

// The checks Doctor runs, by name.
const (
	CheckReachability = "reachability"
	CheckClock        = "clock skew"
	CheckAuth         = "authentication"
	CheckPathStyle    = "path-style"
	CheckVirtualHost  = "virtual-host"
	CheckListV2       = "ListObjectsV2"
	CheckChecksums    = "streaming checksums"
	CheckDeleteMD5    = "DeleteObjects MD5"
	CheckACLs         = "object ACLs"
	CheckAnonymous    = "anonymous public read"
	CheckCleanup      = "cleanup"
	CheckConditional  = "conditional writes"
	CheckLifecycle    = "incomplete-upload lifecycle rule"
)

// Doctor probes the client's endpoint with bucket, which must exist and
// should be a scratch bucket: reachability, clock skew, authentication,
// path-style and virtual-host addressing, ListObjectsV2, the SDK's default
// streaming checksums, whether DeleteObjects needs Content-MD5, object ACLs,
// anonymous reads of public objects, and whether conditional writes
// ([WithIfNoneMatch], [WithIfMatch]) are enforced on PutObject,
// CompleteMultipartUpload and CopyObject: each probe writes onto a key that
// exists with If-None-Match: * and must be refused. It writes a few small objects
// under ".s3kit-doctor/" and deletes every one of them before it returns,
// even when ctx is cancelled (the deletions get their own timeout). Doctor
// may take a few seconds; each probe has a 30-second timeout.
//
// The error is non-nil only for bad arguments ([ErrInvalidInput]); what the
// provider gets wrong, a missing bucket and refused credentials included, is
// in the Report, whose String method prints it with the options it
// suggests.
func (c *Client) Doctor(ctx context.Context, bucket string) (_ Report, err error) {
	ctx, span := c.span(ctx, "Doctor", bucket, "")
	defer span.End(&err)
	cfg, err := c.doctorConfig(bucket)
	if err != nil {
		return Report{}, err
	}
	return newReport(names.RedactURL(cfg.Base()), bucket, doctor.Run(ctx, cfg)), nil
}

// doctorConfig checks bucket and describes the client to the doctor. It is
// the one place where the doctor reads the client's fields.
func (c *Client) doctorConfig(bucket string) (doctor.Config, error) {
	if err := c.checkBucketName("Doctor", bucket); err != nil {
		return doctor.Config{}, err
	}
	publicURL := c.PublicURL
	if c.conf().publicBase != "" {
		// The doctor reads its object from the endpoint, not the public base.
		publicURL = publicurl.Client{Endpoint: c.endpoint, Region: c.region, PathStyle: c.pathStyle}.URL
	}
	return doctor.Config{
		S3: c.s3, Bucket: bucket, Endpoint: c.endpoint, Region: c.region, PathStyle: c.pathStyle,
		PathStyleIsDefault: c.pathStyle == !c.conf().isAWS(),
		SigV2:              c.conf().sigV2, NoObjectACLs: c.conf().noObjectACLs(), CondIgnored: c.conf().provider.condIgnored,
		PublicURL: publicURL,
		Wrap: func(key string, k s3err.Kind, err error) error {
			return wrapErr("Doctor", bucket, key, k, err)
		},
		Is: func(err error, cat s3err.Category) bool {
			s := sentinelOf(cat)
			return s != nil && errors.Is(err, s)
		},
	}, nil
}

// checkNames and statuses are the doctor's checks and outcomes as the
// Report shows them.
var (
	checkNames = [...]string{
		doctor.Reachability: CheckReachability, doctor.Clock: CheckClock, doctor.Auth: CheckAuth,
		doctor.PathStyle: CheckPathStyle, doctor.VirtualHost: CheckVirtualHost, doctor.ListV2: CheckListV2,
		doctor.Checksums: CheckChecksums, doctor.DeleteMD5: CheckDeleteMD5, doctor.ACLs: CheckACLs,
		doctor.Anonymous: CheckAnonymous, doctor.Cleanup: CheckCleanup, doctor.Conditional: CheckConditional,
		doctor.Lifecycle: CheckLifecycle,
	}
	statuses = [...]Status{doctor.OK: StatusOK, doctor.Info: StatusInfo, doctor.Warning: StatusWarning,
		doctor.Failed: StatusFailed, doctor.Skipped: StatusSkipped}
)

// newReport converts what the doctor found, field by field.
func newReport(endpoint, bucket string, res doctor.Result) Report {
	r := Report{Endpoint: endpoint, Bucket: bucket, Suggestions: res.Suggestions,
		Reachable: res.Reachable, ClockSkew: res.ClockSkew, Authenticated: res.Authenticated,
		PathStyle: res.PathStyle, VirtualHost: res.VirtualHost, ListV2: res.ListV2,
		StreamingChecksumsTested: res.StreamingChecksumsTested, StreamingChecksums: res.StreamingChecksums,
		DeleteNeedsMD5: res.DeleteNeedsMD5, ObjectACLs: res.ObjectACLs, AnonymousPublicRead: res.AnonymousPublicRead,
		CleanedUp: res.CleanedUp, ConditionalPut: res.ConditionalPut, ConditionalMultipart: res.ConditionalMultipart,
		ConditionalCopy: res.ConditionalCopy, AbortsIncompleteUploads: res.AbortsIncompleteUploads}
	for _, f := range res.Findings {
		r.Findings = append(r.Findings, Finding{Check: checkNames[f.Check], Status: statuses[f.Status], Detail: f.Detail})
	}
	return r
}
