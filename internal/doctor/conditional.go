package doctor

import (
	"bytes"
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/s3kit/s3kit/internal/names"
	"github.com/s3kit/s3kit/internal/s3err"
	"github.com/s3kit/s3kit/internal/transfer"
)

// conditional checks that If-None-Match: * is enforced on PutObject,
// CompleteMultipartUpload and CopyObject: each writes onto an existing
// test object and must get 412. If-Match goes through the same check on
// the servers tried, so it is not probed separately.
func (d *doctor) conditional(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	key, err := d.put(ctx, "conditional", []byte("existing"))
	if err == nil {
		_, err = d.put(ctx, "conditional-source", []byte("copy source"))
	}
	if err != nil {
		d.add(Conditional, Failed, "could not write a test object: %v", shortErr(err))
		return
	}
	var ignored transfer.CondWrites
	var problems []string
	refused := func(w transfer.CondWrites, err error) bool {
		switch {
		case err == nil:
			ignored |= w
		case d.is(key, s3err.Object|s3err.CondWrite, err, s3err.PreconditionFailed):
			return true
		default:
			problems = append(problems, fmt.Sprintf("%s failed: %s", w, shortErr(err)))
		}
		return false
	}
	star := aws.String("*")
	body := []byte("overwritten")
	_, err = d.cfg.S3.PutObject(ctx, &s3.PutObjectInput{Bucket: &d.bucket, Key: &key, IfNoneMatch: star,
		Body: bytes.NewReader(body), ContentLength: aws.Int64(int64(len(body)))})
	d.r.ConditionalPut = refused(transfer.CondPut, err)
	d.r.ConditionalMultipart = refused(transfer.CondMultipart, d.conditionalMultipart(ctx, key, body))
	src := names.EscapePath(d.bucket) + "/" + names.EscapePath(d.prefix+"conditional-source")
	_, err = d.cfg.S3.CopyObject(ctx, &s3.CopyObjectInput{Bucket: &d.bucket, Key: &key, CopySource: &src, IfNoneMatch: star})
	d.r.ConditionalCopy = refused(transfer.CondCopy, err)

	switch {
	case ignored == 0 && len(problems) == 0:
		d.add(Conditional, OK, "If-None-Match enforced on PutObject, CompleteMultipartUpload and CopyObject")
	case ignored == 0:
		d.add(Conditional, Warning, "%s", strings.Join(problems, "; "))
	case d.cfg.CondIgnored&ignored == ignored:
		d.add(Conditional, Info, "ignored on %s (a create-only write onto an existing object went through); the client's provider profile refuses conditional writes there", ignored)
	default:
		d.add(Conditional, Warning, "ignored on %s (a create-only write onto an existing object went through): WithIfNoneMatch and WithIfMatch do not protect those writes here%s",
			ignored, strings.TrimSuffix("; "+strings.Join(problems, "; "), "; "))
	}
}

// conditionalMultipart completes a one-part upload onto key with
// If-None-Match: * and aborts it if that fails. It returns the error of
// the first step that failed.
func (d *doctor) conditionalMultipart(ctx context.Context, key string, body []byte) error {
	created, err := d.cfg.S3.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: &d.bucket, Key: &key})
	if err != nil {
		return err
	}
	part, err := d.cfg.S3.UploadPart(ctx, &s3.UploadPartInput{Bucket: &d.bucket, Key: &key, UploadId: created.UploadId,
		PartNumber: aws.Int32(1), Body: bytes.NewReader(body), ContentLength: aws.Int64(int64(len(body)))})
	if err == nil {
		_, err = d.cfg.S3.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: &d.bucket, Key: &key,
			UploadId: created.UploadId, IfNoneMatch: aws.String("*"),
			MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{ETag: part.ETag, PartNumber: aws.Int32(1)}}}})
	}
	if err != nil {
		actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), timeout)
		defer cancel()
		_, _ = d.cfg.S3.AbortMultipartUpload(actx, &s3.AbortMultipartUploadInput{Bucket: &d.bucket, Key: &key, UploadId: created.UploadId})
	}
	return err
}
