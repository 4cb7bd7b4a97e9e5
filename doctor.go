package s3kit

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/s3kit/s3kit/internal/names"
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

// doctorTimeout bounds each probe, and the cleanup at the end.
const doctorTimeout = 30 * time.Second

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
// provider gets wrong is in the Report, whose String method prints it with
// the options it suggests.
func (c *Client) Doctor(ctx context.Context, bucket string) (Report, error) {
	if err := checkBucket("Doctor", bucket, c.cfg.relaxedNames); err != nil {
		return Report{}, err
	}
	d := &doctor{c: c, bucket: bucket, prefix: ".s3kit-doctor/" + randomHex(6) + "/"}
	d.r = Report{Endpoint: redactURL(d.base()), Bucket: bucket}
	d.run(ctx)
	d.cleanup(ctx)
	return d.r, nil
}

type doctor struct {
	c       *Client
	bucket  string
	prefix  string
	r       Report
	written []string
}

func (d *doctor) add(check string, s Status, format string, args ...any) {
	d.r.Findings = append(d.r.Findings, Finding{Check: check, Status: s, Detail: fmt.Sprintf(format, args...)})
}

func (d *doctor) suggest(opt string) {
	for _, s := range d.r.Suggestions {
		if s == opt {
			return
		}
	}
	d.r.Suggestions = append(d.r.Suggestions, opt)
}

// base returns the endpoint URL the client talks to.
func (d *doctor) base() string {
	if d.c.endpoint != nil {
		return d.c.endpoint.String()
	}
	return "https://s3." + d.c.region + ".amazonaws.com"
}

func (d *doctor) run(ctx context.Context) {
	if !d.reach(ctx) || !d.auth(ctx) {
		for _, check := range []string{CheckPathStyle, CheckVirtualHost, CheckListV2, CheckChecksums, CheckDeleteMD5, CheckACLs, CheckAnonymous, CheckConditional, CheckLifecycle} {
			d.add(check, StatusSkipped, "skipped")
		}
		return
	}
	d.addressing(ctx)
	d.listV2(ctx)
	d.checksums(ctx)
	d.deleteMD5(ctx)
	d.acls(ctx)
	d.conditional(ctx)
	d.lifecycle(ctx)
}

// lifecycle looks for a lifecycle rule that aborts incomplete multipart
// uploads in the whole bucket. s3kit leaves alone an upload whose
// CreateMultipartUpload answer was lost, since it cannot be told from
// another writer's; such a rule removes it.
func (d *doctor) lifecycle(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, doctorTimeout)
	defer cancel()
	out, err := d.c.s3.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: &d.bucket})
	const why = "an upload whose CreateMultipartUpload answer was lost stays until one does"
	var apiErr smithy.APIError
	switch {
	case errors.As(err, &apiErr) && apiErr.ErrorCode() == "NoSuchLifecycleConfiguration":
		d.add(CheckLifecycle, StatusWarning, "no lifecycle rule aborts incomplete multipart uploads; %s", why)
		return
	case err != nil:
		d.add(CheckLifecycle, StatusInfo, "lifecycle rules could not be read (%s); %s unless a rule aborts it", shortErr(err), why)
		return
	}
	for _, r := range out.Rules {
		if r.Status == types.ExpirationStatusEnabled && r.AbortIncompleteMultipartUpload != nil && wholeBucket(r) {
			d.r.AbortsIncompleteUploads = true
			d.add(CheckLifecycle, StatusOK, "rule %q aborts incomplete multipart uploads after %d days",
				aws.ToString(r.ID), aws.ToInt32(r.AbortIncompleteMultipartUpload.DaysAfterInitiation))
			return
		}
	}
	d.add(CheckLifecycle, StatusWarning, "%d lifecycle rules, none aborts incomplete multipart uploads in the whole bucket; %s", len(out.Rules), why)
}

// wholeBucket reports whether a lifecycle rule applies to every key.
func wholeBucket(r types.LifecycleRule) bool {
	//lint:ignore SA1019 older servers and rules still use the rule-level Prefix
	if aws.ToString(r.Prefix) != "" {
		return false
	}
	f := r.Filter
	return f == nil || (aws.ToString(f.Prefix) == "" && f.Tag == nil && f.And == nil &&
		f.ObjectSizeGreaterThan == nil && f.ObjectSizeLessThan == nil)
}

// reach sends an anonymous GET to the bucket and reads the server's clock.
func (d *doctor) reach(ctx context.Context) bool {
	ctx, cancel := context.WithTimeout(ctx, doctorTimeout)
	defer cancel()
	u := d.base() + "/" + names.EscapePath(d.bucket)
	if !d.c.pathStyle {
		u = strings.Replace(d.base(), "://", "://"+d.bucket+".", 1) + "/"
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodHead, u, nil)
	if err != nil {
		d.add(CheckReachability, StatusFailed, "%v", err)
		return false
	}
	start := time.Now()
	resp, err := d.c.s3.Options().HTTPClient.Do(req)
	if err != nil {
		d.add(CheckReachability, StatusFailed, "%v", err)
		d.add(CheckClock, StatusSkipped, "skipped")
		return false
	}
	_ = resp.Body.Close()
	d.r.Reachable = true
	d.add(CheckReachability, StatusOK, "HTTP %d to an anonymous request in %v", resp.StatusCode, time.Since(start).Round(time.Millisecond))
	date, err := http.ParseTime(resp.Header.Get("Date"))
	if err != nil {
		d.add(CheckClock, StatusSkipped, "the server sent no Date header")
		return true
	}
	skew := date.Sub(start).Round(time.Second)
	d.r.ClockSkew = skew
	switch abs := max(skew, -skew); {
	case abs >= 15*time.Minute:
		d.add(CheckClock, StatusFailed, "server clock is %v off; SigV4 refuses requests beyond 15 minutes: fix the local clock (NTP)", skew)
	case abs >= time.Minute:
		d.add(CheckClock, StatusWarning, "server clock is %v off; fix the local clock (NTP)", skew)
	default:
		d.add(CheckClock, StatusOK, "%v", skew)
	}
	return true
}

// auth checks the credentials with HeadBucket.
func (d *doctor) auth(ctx context.Context) bool {
	ctx, cancel := context.WithTimeout(ctx, doctorTimeout)
	defer cancel()
	_, err := d.c.s3.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: &d.bucket})
	err = wrapErr("Doctor", d.bucket, "", s3err.Bucket, err)
	switch {
	case err == nil:
		d.r.Authenticated = true
		d.add(CheckAuth, StatusOK, "credentials accepted (%s)", d.signature())
		return true
	case errors.Is(err, ErrBucketNotFound), errors.Is(err, ErrNotFound): // HeadBucket says NotFound
		d.add(CheckAuth, StatusFailed, "bucket %q does not exist: create it first", d.bucket)
	case errors.Is(err, ErrAccessDenied):
		d.add(CheckAuth, StatusFailed, "credentials refused: %v", err)
	default:
		d.add(CheckAuth, StatusFailed, "%v", err)
	}
	return false
}

func (d *doctor) signature() string {
	if d.c.cfg.sigV2 {
		return "SigV2"
	}
	return "SigV4, region " + d.c.region
}

// addressing tries the addressing style the client does not use.
func (d *doctor) addressing(ctx context.Context) {
	d.r.PathStyle, d.r.VirtualHost = d.c.pathStyle, !d.c.pathStyle
	used, other := CheckPathStyle, CheckVirtualHost
	if !d.c.pathStyle {
		used, other = other, used
	}
	d.add(used, StatusOK, "works (the client uses it)")
	if host := d.c.endpoint; d.c.pathStyle && host != nil && net.ParseIP(host.Hostname()) != nil {
		d.add(other, StatusInfo, "not possible: the endpoint is an IP address")
		d.suggest("s3kit.WithPathStyle(true)")
		return
	}
	if d.c.pathStyle && names.StrictBucketProblem(d.bucket) != "" {
		// The SDK would quietly fall back to path-style for such a name,
		// and the check would "succeed" without testing anything.
		d.add(other, StatusSkipped, "not tried: the bucket name is not a valid host name")
		return
	}
	if d.c.pathStyle && strings.Contains(d.bucket, ".") {
		d.add(other, StatusSkipped, "not tried: a bucket name with dots breaks TLS host names")
		return
	}
	ctx, cancel := context.WithTimeout(ctx, doctorTimeout)
	defer cancel()
	_, err := d.c.s3.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: &d.bucket}, func(o *s3.Options) {
		o.UsePathStyle = !d.c.pathStyle
	})
	if err == nil {
		if d.c.pathStyle {
			d.r.VirtualHost = true
		} else {
			d.r.PathStyle = true
		}
		d.add(other, StatusOK, "works too")
		return
	}
	d.add(other, StatusInfo, "does not work: %v", shortErr(err))
	d.suggest(fmt.Sprintf("s3kit.WithPathStyle(%t)", d.c.pathStyle))
}

// listV2 checks ListObjectsV2 and, if it fails, ListObjects v1.
func (d *doctor) listV2(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, doctorTimeout)
	defer cancel()
	_, err := d.c.s3.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: &d.bucket, MaxKeys: aws.Int32(1)})
	if err == nil {
		d.r.ListV2 = true
		d.add(CheckListV2, StatusOK, "supported")
		return
	}
	if _, err1 := d.c.s3.ListObjects(ctx, &s3.ListObjectsInput{Bucket: &d.bucket, MaxKeys: aws.Int32(1)}); err1 == nil {
		d.add(CheckListV2, StatusWarning, "not supported (%v); ListObjects v1 works", shortErr(err))
		d.suggest("s3kit.WithListV1()")
		return
	}
	d.add(CheckListV2, StatusFailed, "listing fails: %v", shortErr(err))
}

// put stores a small object under the doctor's prefix with the client's own
// settings and records it for cleanup.
func (d *doctor) put(ctx context.Context, name string, body []byte) (string, error) {
	key := d.prefix + name
	d.written = append(d.written, key)
	_, err := d.c.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: &d.bucket, Key: &key, Body: bytes.NewReader(body), ContentLength: aws.Int64(int64(len(body)))})
	return key, err
}

// checksums uploads with the SDK's default checksum mode, which streams
// aws-chunked bodies over HTTPS, and reads the object back.
func (d *doctor) checksums(ctx context.Context) {
	if !strings.HasPrefix(d.base(), "https://") {
		d.add(CheckChecksums, StatusSkipped, "not applicable over plain HTTP: the SDK streams checksums only over HTTPS")
		return
	}
	d.r.StreamingChecksumsTested = true
	ctx, cancel := context.WithTimeout(ctx, doctorTimeout)
	defer cancel()
	key := d.prefix + "checksums"
	d.written = append(d.written, key)
	want := bytes.Repeat([]byte("s3kit doctor "), 100)
	sdkDefaults := func(o *s3.Options) {
		o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenSupported
		o.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenSupported
	}
	_, err := d.c.s3.PutObject(ctx, &s3.PutObjectInput{
		Bucket: &d.bucket, Key: &key, ContentLength: aws.Int64(int64(len(want))),
		Body: io.MultiReader(bytes.NewReader(want)), // unseekable, as a stream is
	}, sdkDefaults)
	if err != nil {
		d.add(CheckChecksums, StatusInfo, "rejected (%s): keep s3kit's compatible checksum mode, never the SDK defaults", shortErr(err))
		d.suggestCompat()
		return
	}
	out, err := d.c.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: &d.bucket, Key: &key})
	if err != nil {
		d.add(CheckChecksums, StatusWarning, "upload accepted but reading it back failed: %v", shortErr(err))
		return
	}
	got, err := io.ReadAll(io.LimitReader(out.Body, 1<<20))
	_ = out.Body.Close()
	if err != nil || !bytes.Equal(got, want) {
		d.add(CheckChecksums, StatusInfo, "accepted but the data came back corrupted (%d bytes stored, %d sent): keep s3kit's compatible checksum mode", len(got), len(want))
		d.suggestCompat()
		return
	}
	d.r.StreamingChecksums = true
	d.add(CheckChecksums, StatusOK, "accepted and stored intact")
}

// suggestCompat suggests a non-AWS profile when the client would use the
// SDK's default checksums that this provider does not take.
func (d *doctor) suggestCompat() {
	if d.c.s3.Options().RequestChecksumCalculation != aws.RequestChecksumCalculationWhenRequired {
		d.suggest(fmt.Sprintf("s3kit.WithProvider(s3kit.CephRGW(%q)) // or any non-AWS profile: checksums only when required", d.base()))
	}
}

// deleteMD5 sends DeleteObjects without Content-MD5, as the SDK does.
func (d *doctor) deleteMD5(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, doctorTimeout)
	defer cancel()
	key, err := d.put(ctx, "delete-md5", []byte("x"))
	if err != nil {
		d.add(CheckDeleteMD5, StatusFailed, "could not write a test object: %v", shortErr(err))
		return
	}
	_, err = d.c.s3.DeleteObjects(ctx, &s3.DeleteObjectsInput{
		Bucket: &d.bucket,
		Delete: &types.Delete{Objects: []types.ObjectIdentifier{{Key: &key}}, Quiet: aws.Bool(true)},
	})
	if err == nil {
		d.add(CheckDeleteMD5, StatusOK, "not needed (s3kit sends it anyway)")
		return
	}
	var api smithy.APIError
	if errors.As(err, &api) && (api.ErrorCode() == "MissingContentMD5" || strings.Contains(api.ErrorMessage(), "Content-MD5")) {
		d.r.DeleteNeedsMD5 = true
		d.add(CheckDeleteMD5, StatusInfo, "required (%s); DeleteMany sends it, the raw SDK does not", api.ErrorCode())
		return
	}
	d.add(CheckDeleteMD5, StatusWarning, "DeleteObjects failed: %v", shortErr(err))
}

// acls makes a test object public and reads it anonymously; a private one
// must be refused first.
func (d *doctor) acls(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, doctorTimeout)
	defer cancel()
	body := []byte("s3kit doctor public object")
	key, err := d.put(ctx, "acl", body)
	if err != nil {
		d.add(CheckACLs, StatusFailed, "could not write a test object: %v", shortErr(err))
		d.add(CheckAnonymous, StatusSkipped, "skipped")
		return
	}
	u := d.c.PublicURL(d.bucket, key)
	if d.c.cfg.publicBase != "" {
		u = (&Client{endpoint: d.c.endpoint, region: d.c.region, pathStyle: d.c.pathStyle}).PublicURL(d.bucket, key)
	}
	privStatus, _ := d.anonGet(ctx, u)
	_, err = d.c.s3.PutObjectAcl(ctx, &s3.PutObjectAclInput{Bucket: &d.bucket, Key: &key, ACL: types.ObjectCannedACLPublicRead})
	if err != nil {
		if errors.Is(wrapErr("Doctor", d.bucket, key, s3err.ACL, err), ErrACLNotSupported) {
			d.add(CheckACLs, StatusInfo, "not supported (%s): use a bucket policy for public objects", shortErr(err))
			if !d.c.cfg.noObjectACLs() {
				d.suggest("s3kit.WithProvider(...) // a profile without object ACLs, such as s3kit.MinIO or s3kit.Versitygw, refuses ACL calls up front")
			}
		} else {
			d.add(CheckACLs, StatusWarning, "PutObjectAcl failed: %v", shortErr(err))
		}
		if privStatus == http.StatusOK {
			d.r.AnonymousPublicRead = true
			d.add(CheckAnonymous, StatusWarning, "a private object was readable anonymously: the bucket is public")
		} else {
			d.add(CheckAnonymous, StatusSkipped, "no object could be made public with an ACL (private objects refused: HTTP %d)", privStatus)
		}
		return
	}
	d.r.ObjectACLs = true
	d.add(CheckACLs, StatusOK, "supported (public-read set)")
	status, got := d.anonGet(ctx, u)
	switch {
	case status == http.StatusOK && bytes.Equal(got, body) && privStatus != http.StatusOK:
		d.r.AnonymousPublicRead = true
		d.add(CheckAnonymous, StatusOK, "public-read object served at %s; private objects refused (HTTP %d)", u, privStatus)
	case status == http.StatusOK:
		d.r.AnonymousPublicRead = true
		d.add(CheckAnonymous, StatusWarning, "public object served, but so was a private one (HTTP %d): the bucket is public", privStatus)
	default:
		d.add(CheckAnonymous, StatusWarning, "the ACL was accepted but an anonymous GET got HTTP %d: a bucket policy, IP allow-list or public access block is in the way", status)
	}
}

// anonGet fetches u without credentials; the status is 0 on a transport
// error.
func (d *doctor) anonGet(ctx context.Context, u string) (int, []byte) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0, nil
	}
	resp, err := d.c.s3.Options().HTTPClient.Do(req)
	if err != nil {
		return 0, nil
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, b
}

// cleanup deletes every object the doctor wrote, one by one so that it
// works whatever the provider thinks of DeleteObjects, on a context that
// survives the caller's cancellation.
func (d *doctor) cleanup(ctx context.Context) {
	if len(d.written) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), doctorTimeout)
	defer cancel()
	var failed []string
	for _, key := range d.written {
		if _, err := d.c.s3.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &d.bucket, Key: &key}); err != nil {
			failed = append(failed, fmt.Sprintf("%s (%s)", key, shortErr(err)))
		}
	}
	if len(failed) > 0 {
		d.add(CheckCleanup, StatusFailed, "could not delete: %s", strings.Join(failed, ", "))
		return
	}
	d.r.CleanedUp = true
	d.add(CheckCleanup, StatusOK, "deleted the %d test object(s) under %s", len(d.written), d.prefix)
}

// shortErr is the S3 error code if there is one, else the error text.
func shortErr(err error) string {
	var api smithy.APIError
	if errors.As(err, &api) && api.ErrorCode() != "" {
		return api.ErrorCode()
	}
	return err.Error()
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// conditional checks that If-None-Match: * is enforced on PutObject,
// CompleteMultipartUpload and CopyObject: each writes onto an existing
// test object and must get 412. If-Match goes through the same check on
// the servers tried, so it is not probed separately.
func (d *doctor) conditional(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, doctorTimeout)
	defer cancel()
	key, err := d.put(ctx, "conditional", []byte("existing"))
	if err == nil {
		_, err = d.put(ctx, "conditional-source", []byte("copy source"))
	}
	if err != nil {
		d.add(CheckConditional, StatusFailed, "could not write a test object: %v", shortErr(err))
		return
	}
	var ignored condWrites
	var problems []string
	refused := func(w condWrites, err error) bool {
		switch {
		case err == nil:
			ignored |= w
		case errors.Is(wrapErr("Doctor", d.bucket, key, s3err.Object|s3err.CondWrite, err), ErrPreconditionFailed):
			return true
		default:
			problems = append(problems, fmt.Sprintf("%s failed: %s", w, shortErr(err)))
		}
		return false
	}
	star := aws.String("*")
	body := []byte("overwritten")
	_, err = d.c.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: &d.bucket, Key: &key, IfNoneMatch: star,
		Body: bytes.NewReader(body), ContentLength: aws.Int64(int64(len(body)))})
	d.r.ConditionalPut = refused(condPut, err)
	d.r.ConditionalMultipart = refused(condMultipart, d.conditionalMultipart(ctx, key, body))
	src := names.EscapePath(d.bucket) + "/" + names.EscapePath(d.prefix+"conditional-source")
	_, err = d.c.s3.CopyObject(ctx, &s3.CopyObjectInput{Bucket: &d.bucket, Key: &key, CopySource: &src, IfNoneMatch: star})
	d.r.ConditionalCopy = refused(condCopy, err)

	switch {
	case ignored == 0 && len(problems) == 0:
		d.add(CheckConditional, StatusOK, "If-None-Match enforced on PutObject, CompleteMultipartUpload and CopyObject")
	case ignored == 0:
		d.add(CheckConditional, StatusWarning, "%s", strings.Join(problems, "; "))
	case d.c.cfg.provider.condIgnored&ignored == ignored:
		d.add(CheckConditional, StatusInfo, "ignored on %s (a create-only write onto an existing object went through); the client's provider profile refuses conditional writes there", ignored)
	default:
		d.add(CheckConditional, StatusWarning, "ignored on %s (a create-only write onto an existing object went through): WithIfNoneMatch and WithIfMatch do not protect those writes here%s",
			ignored, strings.TrimSuffix("; "+strings.Join(problems, "; "), "; "))
	}
}

// conditionalMultipart completes a one-part upload onto key with
// If-None-Match: * and aborts it if that fails. It returns the error of
// the first step that failed.
func (d *doctor) conditionalMultipart(ctx context.Context, key string, body []byte) error {
	created, err := d.c.s3.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: &d.bucket, Key: &key})
	if err != nil {
		return err
	}
	part, err := d.c.s3.UploadPart(ctx, &s3.UploadPartInput{Bucket: &d.bucket, Key: &key, UploadId: created.UploadId,
		PartNumber: aws.Int32(1), Body: bytes.NewReader(body), ContentLength: aws.Int64(int64(len(body)))})
	if err == nil {
		_, err = d.c.s3.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: &d.bucket, Key: &key,
			UploadId: created.UploadId, IfNoneMatch: aws.String("*"),
			MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{ETag: part.ETag, PartNumber: aws.Int32(1)}}}})
	}
	if err != nil {
		actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), doctorTimeout)
		defer cancel()
		_, _ = d.c.s3.AbortMultipartUpload(actx, &s3.AbortMultipartUploadInput{Bucket: &d.bucket, Key: &key, UploadId: created.UploadId})
	}
	return err
}
