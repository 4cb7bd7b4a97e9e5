package doctor

import (
	"bytes"
	"context"
	"crypto/x509"
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

// reach sends an anonymous HEAD to the bucket and reads the server's clock.
func (d *doctor) reach(ctx context.Context) bool {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	u := d.cfg.Base() + "/" + names.EscapePath(d.bucket)
	if !d.cfg.PathStyle {
		u = strings.Replace(d.cfg.Base(), "://", "://"+d.bucket+".", 1) + "/"
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodHead, u, nil)
	if err != nil {
		d.add(Reachability, Failed, "%v", err)
		return false
	}
	start := time.Now()
	resp, err := d.cfg.S3.Options().HTTPClient.Do(req)
	if err != nil {
		d.add(Reachability, Failed, "%s", s3err.Cause(err))
		if unknown := (x509.UnknownAuthorityError{}); errors.As(err, &unknown) {
			d.suggest("s3kit.WithRootCAs(pem), or S3_CA_BUNDLE=ca.pem with s3kit.FromEnv()")
		}
		d.add(Clock, Skipped, "skipped")
		return false
	}
	_ = resp.Body.Close()
	d.r.Reachable = true
	d.add(Reachability, OK, "HTTP %d to an anonymous request in %v", resp.StatusCode, time.Since(start).Round(time.Millisecond))
	date, err := http.ParseTime(resp.Header.Get("Date"))
	if err != nil {
		d.add(Clock, Skipped, "the server sent no Date header")
		return true
	}
	skew := date.Sub(start).Round(time.Second)
	d.r.ClockSkew = skew
	switch abs := max(skew, -skew); {
	case abs >= 15*time.Minute:
		d.add(Clock, Failed, "server clock is %v off; SigV4 refuses requests beyond 15 minutes: fix the local clock (NTP)", skew)
	case abs >= time.Minute:
		d.add(Clock, Warning, "server clock is %v off; fix the local clock (NTP)", skew)
	default:
		d.add(Clock, OK, "%v", skew)
	}
	return true
}

// auth checks the credentials with HeadBucket.
func (d *doctor) auth(ctx context.Context) bool {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	_, err := d.cfg.S3.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: &d.bucket})
	if region := d.wrongRegion(ctx, err); region != "" {
		d.add(Auth, Failed, "the server expects requests signed for region %q, not %q", region, d.cfg.Region)
		d.suggest(fmt.Sprintf("s3kit.WithRegion(%q)", region))
		return false
	}
	err = d.cfg.Wrap("", s3err.Bucket, err)
	switch {
	case err == nil:
		d.r.Authenticated = true
		d.add(Auth, OK, "credentials accepted (%s)", d.signature())
		return true
	case d.cfg.Is(err, s3err.BucketNotFound), d.cfg.Is(err, s3err.NotFound): // HeadBucket says NotFound
		d.add(Auth, Failed, "bucket %q does not exist: create it first", d.bucket)
	case d.cfg.Is(err, s3err.AccessDenied):
		d.add(Auth, Failed, "credentials refused: %v", err)
	default:
		d.add(Auth, Failed, "%v", err)
	}
	return false
}

// wrongRegion returns the region the server expects when err, from a
// HEAD, says the client signs for another one. A HEAD answer has no body to
// say it in, so a bare 400 is asked again with a request that has one.
func (d *doctor) wrongRegion(ctx context.Context, err error) string {
	if err == nil {
		return ""
	}
	p := s3err.Split(err)
	if p.Region != "" || p.StatusCode != http.StatusBadRequest {
		return p.Region
	}
	_, err = d.cfg.S3.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: &d.bucket, MaxKeys: aws.Int32(1)})
	if err == nil {
		return ""
	}
	return s3err.Split(err).Region
}

func (d *doctor) signature() string {
	if d.cfg.SigV2 {
		return "SigV2"
	}
	return "SigV4, region " + d.cfg.Region
}

// addressing tries the addressing style the client does not use.
func (d *doctor) addressing(ctx context.Context) {
	d.r.PathStyle, d.r.VirtualHost = d.cfg.PathStyle, !d.cfg.PathStyle
	used, other := PathStyle, VirtualHost
	if !d.cfg.PathStyle {
		used, other = other, used
	}
	d.add(used, OK, "works (the client uses it)")
	if host := d.cfg.Endpoint; d.cfg.PathStyle && host != nil && net.ParseIP(host.Hostname()) != nil {
		d.add(other, Info, "not possible: the endpoint is an IP address")
		d.suggestPathStyle()
		return
	}
	if d.cfg.PathStyle && names.StrictBucketProblem(d.bucket) != "" {
		// The SDK would quietly fall back to path-style for such a name,
		// and the check would "succeed" without testing anything.
		d.add(other, Skipped, "not tried: the bucket name is not a valid host name")
		return
	}
	if d.cfg.PathStyle && strings.Contains(d.bucket, ".") {
		d.add(other, Skipped, "not tried: a bucket name with dots breaks TLS host names")
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	_, err := d.cfg.S3.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: &d.bucket}, func(o *s3.Options) {
		o.UsePathStyle = !d.cfg.PathStyle
	})
	if err == nil {
		if d.cfg.PathStyle {
			d.r.VirtualHost = true
		} else {
			d.r.PathStyle = true
		}
		d.add(other, OK, "works too")
		return
	}
	d.add(other, Info, "does not work: %v", shortErr(err))
	d.suggestPathStyle()
}

// suggestPathStyle suggests keeping the addressing style that works, unless
// it is already what New chooses for this endpoint.
func (d *doctor) suggestPathStyle() {
	if !d.cfg.PathStyleIsDefault {
		d.suggest(fmt.Sprintf("s3kit.WithPathStyle(%t)", d.cfg.PathStyle))
	}
}

// listV2 checks ListObjectsV2 and, if it fails, ListObjects v1.
func (d *doctor) listV2(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	_, err := d.cfg.S3.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: &d.bucket, MaxKeys: aws.Int32(1)})
	if err == nil {
		d.r.ListV2 = true
		d.add(ListV2, OK, "supported")
		return
	}
	if _, err1 := d.cfg.S3.ListObjects(ctx, &s3.ListObjectsInput{Bucket: &d.bucket, MaxKeys: aws.Int32(1)}); err1 == nil {
		d.add(ListV2, Warning, "not supported (%v); ListObjects v1 works", shortErr(err))
		d.suggest("s3kit.WithListV1()")
		return
	}
	d.add(ListV2, Failed, "listing fails: %v", shortErr(err))
}

// put stores a small object under the doctor's prefix with the client's own
// settings and records it for cleanup.
func (d *doctor) put(ctx context.Context, name string, body []byte) (string, error) {
	key := d.prefix + name
	d.written = append(d.written, key)
	_, err := d.cfg.S3.PutObject(ctx, &s3.PutObjectInput{Bucket: &d.bucket, Key: &key, Body: bytes.NewReader(body), ContentLength: aws.Int64(int64(len(body)))})
	return key, err
}

// checksums uploads with the SDK's default checksum mode, which streams
// aws-chunked bodies over HTTPS, and reads the object back.
func (d *doctor) checksums(ctx context.Context) {
	if !strings.HasPrefix(d.cfg.Base(), "https://") {
		d.add(Checksums, Skipped, "not applicable over plain HTTP: the SDK streams checksums only over HTTPS")
		return
	}
	d.r.StreamingChecksumsTested = true
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	key := d.prefix + "checksums"
	d.written = append(d.written, key)
	want := bytes.Repeat([]byte("s3kit doctor "), 100)
	sdkDefaults := func(o *s3.Options) {
		o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenSupported
		o.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenSupported
	}
	_, err := d.cfg.S3.PutObject(ctx, &s3.PutObjectInput{
		Bucket: &d.bucket, Key: &key, ContentLength: aws.Int64(int64(len(want))),
		Body: io.MultiReader(bytes.NewReader(want)), // unseekable, as a stream is
	}, sdkDefaults)
	if err != nil {
		d.add(Checksums, Info, "rejected (%s): keep s3kit's compatible checksum mode, never the SDK defaults", shortErr(err))
		d.suggestCompat()
		return
	}
	out, err := d.cfg.S3.GetObject(ctx, &s3.GetObjectInput{Bucket: &d.bucket, Key: &key})
	if err != nil {
		d.add(Checksums, Warning, "upload accepted but reading it back failed: %v", shortErr(err))
		return
	}
	got, err := io.ReadAll(io.LimitReader(out.Body, 1<<20))
	_ = out.Body.Close()
	if err != nil || !bytes.Equal(got, want) {
		d.add(Checksums, Info, "accepted but the data came back corrupted (%d bytes stored, %d sent): keep s3kit's compatible checksum mode", len(got), len(want))
		d.suggestCompat()
		return
	}
	d.r.StreamingChecksums = true
	d.add(Checksums, OK, "accepted and stored intact")
}

// suggestCompat suggests a non-AWS profile when the client would use the
// SDK's default checksums that this provider does not take.
func (d *doctor) suggestCompat() {
	if d.cfg.S3.Options().RequestChecksumCalculation != aws.RequestChecksumCalculationWhenRequired {
		d.suggest(fmt.Sprintf("s3kit.WithProvider(s3kit.CephRGW(%q)) // or any non-AWS profile: checksums only when required", d.cfg.Base()))
	}
}

// deleteMD5 sends DeleteObjects without Content-MD5, as the SDK does.
func (d *doctor) deleteMD5(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	key, err := d.put(ctx, "delete-md5", []byte("x"))
	if err != nil {
		d.add(DeleteMD5, Failed, "could not write a test object: %v", shortErr(err))
		return
	}
	_, err = d.cfg.S3.DeleteObjects(ctx, &s3.DeleteObjectsInput{
		Bucket: &d.bucket,
		Delete: &types.Delete{Objects: []types.ObjectIdentifier{{Key: &key}}, Quiet: aws.Bool(true)},
	})
	if err == nil {
		d.add(DeleteMD5, OK, "not needed (s3kit sends it anyway)")
		return
	}
	var api smithy.APIError
	if errors.As(err, &api) && (api.ErrorCode() == "MissingContentMD5" || strings.Contains(api.ErrorMessage(), "Content-MD5")) {
		d.r.DeleteNeedsMD5 = true
		d.add(DeleteMD5, Info, "required (%s); DeleteMany sends it, the raw SDK does not", api.ErrorCode())
		return
	}
	d.add(DeleteMD5, Warning, "DeleteObjects failed: %v", shortErr(err))
}

// acls makes a test object public and reads it anonymously; a private one
// must be refused first.
func (d *doctor) acls(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	body := []byte("s3kit doctor public object")
	key, err := d.put(ctx, "acl", body)
	if err != nil {
		d.add(ACLs, Failed, "could not write a test object: %v", shortErr(err))
		d.add(Anonymous, Skipped, "skipped")
		return
	}
	u := d.cfg.PublicURL(d.bucket, key)
	privStatus, _ := d.anonGet(ctx, u)
	_, err = d.cfg.S3.PutObjectAcl(ctx, &s3.PutObjectAclInput{Bucket: &d.bucket, Key: &key, ACL: types.ObjectCannedACLPublicRead})
	if err != nil {
		if d.is(key, s3err.ACL, err, s3err.ACLNotSupported) {
			d.add(ACLs, Info, "not supported (%s): use a bucket policy for public objects", shortErr(err))
			if !d.cfg.NoObjectACLs {
				d.suggest("s3kit.WithProvider(...) // a profile without object ACLs, such as s3kit.MinIO or s3kit.Versitygw, refuses ACL calls up front")
			}
		} else {
			d.add(ACLs, Warning, "PutObjectAcl failed: %v", shortErr(err))
		}
		if privStatus == http.StatusOK {
			d.r.AnonymousPublicRead = true
			d.add(Anonymous, Warning, "a private object was readable anonymously: the bucket is public")
		} else {
			d.add(Anonymous, Skipped, "no object could be made public with an ACL (private objects refused: HTTP %d)", privStatus)
		}
		return
	}
	d.r.ObjectACLs = true
	d.add(ACLs, OK, "supported (public-read set)")
	status, got := d.anonGet(ctx, u)
	switch {
	case status == http.StatusOK && bytes.Equal(got, body) && privStatus != http.StatusOK:
		d.r.AnonymousPublicRead = true
		d.add(Anonymous, OK, "public-read object served at %s; private objects refused (HTTP %d)", u, privStatus)
	case status == http.StatusOK:
		d.r.AnonymousPublicRead = true
		d.add(Anonymous, Warning, "public object served, but so was a private one (HTTP %d): the bucket is public", privStatus)
	default:
		d.add(Anonymous, Warning, "the ACL was accepted but an anonymous GET got HTTP %d: a bucket policy, IP allow-list or public access block is in the way", status)
	}
}

// anonGet fetches u without credentials; the status is 0 on a transport
// error.
func (d *doctor) anonGet(ctx context.Context, u string) (int, []byte) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0, nil
	}
	resp, err := d.cfg.S3.Options().HTTPClient.Do(req)
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
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), timeout)
	defer cancel()
	var failed []string
	for _, key := range d.written {
		if _, err := d.cfg.S3.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &d.bucket, Key: &key}); err != nil {
			failed = append(failed, fmt.Sprintf("%s (%s)", key, shortErr(err)))
		}
	}
	if len(failed) > 0 {
		d.add(Cleanup, Failed, "could not delete: %s", strings.Join(failed, ", "))
		return
	}
	d.r.CleanedUp = true
	d.add(Cleanup, OK, "deleted the %d test object(s) under %s", len(d.written), d.prefix)
}

// lifecycle looks for a lifecycle rule that aborts incomplete multipart
// uploads in the whole bucket. s3kit leaves alone an upload whose
// CreateMultipartUpload answer was lost, since it cannot be told from
// another writer's; such a rule removes it.
func (d *doctor) lifecycle(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	out, err := d.cfg.S3.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: &d.bucket})
	const why = "an upload whose CreateMultipartUpload answer was lost stays until one does"
	var apiErr smithy.APIError
	switch {
	case errors.As(err, &apiErr) && apiErr.ErrorCode() == "NoSuchLifecycleConfiguration":
		d.add(Lifecycle, Warning, "no lifecycle rule aborts incomplete multipart uploads; %s", why)
		return
	case err != nil:
		d.add(Lifecycle, Info, "lifecycle rules could not be read (%s); %s unless a rule aborts it", shortErr(err), why)
		return
	}
	for _, r := range out.Rules {
		if r.Status == types.ExpirationStatusEnabled && r.AbortIncompleteMultipartUpload != nil && wholeBucket(r) {
			d.r.AbortsIncompleteUploads = true
			d.add(Lifecycle, OK, "rule %q aborts incomplete multipart uploads after %d days",
				aws.ToString(r.ID), aws.ToInt32(r.AbortIncompleteMultipartUpload.DaysAfterInitiation))
			return
		}
	}
	d.add(Lifecycle, Warning, "%d lifecycle rules, none aborts incomplete multipart uploads in the whole bucket; %s", len(out.Rules), why)
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
