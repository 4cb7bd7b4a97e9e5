package s3kit

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// isNoSuchUpload reports whether err says the multipart upload is gone.
func isNoSuchUpload(err error) bool {
	var apiErr smithy.APIError
	return errors.As(err, &apiErr) && apiErr.ErrorCode() == "NoSuchUpload"
}

// multipartETag computes the ETag S3 gives a completed multipart upload:
// the MD5 of the parts' binary MD5s, then "-" and the number of parts. It
// returns "" if a part's ETag is not an MD5.
func multipartETag(partETags []string) string {
	h := md5.New()
	for _, e := range partETags {
		b, err := hex.DecodeString(strings.Trim(e, `"`))
		if err != nil || len(b) != md5.Size {
			return ""
		}
		h.Write(b)
	}
	return fmt.Sprintf("%s-%d", hex.EncodeToString(h.Sum(nil)), len(partETags))
}

// completedAnyway handles a failed CompleteMultipartUpload that may have
// worked: its answer was lost or garbled and a retry got NoSuchUpload, or
// the answer could not be parsed. It reports success only if the object now
// under the key carries the ETag that exactly these parts produce, so a
// stored object is never reported as a failure and then left behind.
func (mp *multipartRun) completedAnyway(ctx context.Context, err error, total int64) (PutResult, bool) {
	var apiErr smithy.APIError
	if ctx.Err() != nil || (errors.As(err, &apiErr) && !isNoSuchUpload(err) && apiErr.ErrorCode() != "InternalError") {
		return PutResult{}, false // the provider refused the completion
	}
	etags := make([]string, len(mp.parts))
	for i, p := range mp.parts {
		etags[i] = aws.ToString(p.ETag)
	}
	want := multipartETag(etags)
	if want == "" {
		return PutResult{}, false
	}
	u := mp.u
	head, herr := u.c.s3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &u.bucket, Key: &u.key})
	if herr != nil || trimETag(head.ETag) != want || aws.ToInt64(head.ContentLength) != total {
		return PutResult{}, false
	}
	return PutResult{ETag: want, VersionID: aws.ToString(head.VersionId), Size: total, Parts: len(mp.parts)}, true
}

// abortOrphans cleans up after a CreateMultipartUpload that needed more than
// one attempt: an attempt whose answer was lost or garbled may have started
// an upload that nobody knows the ID of, which would hold storage until a
// lifecycle rule removes it. It aborts the uploads of the same key that the
// server started while this call was being retried, measured on the
// server's clock (the Date of the final answer), and nothing else. It is
// best effort: failures are ignored.
func (u *upload) abortOrphans(ctx context.Context, created *s3.CreateMultipartUploadOutput, took time.Duration) {
	if res, ok := retry.GetAttemptResults(created.ResultMetadata); !ok || len(res.Results) < 2 {
		return
	}
	raw, ok := awsmiddleware.GetRawResponse(created.ResultMetadata).(*smithyhttp.Response)
	if !ok || raw.Response == nil {
		return
	}
	serverNow, err := http.ParseTime(raw.Header.Get("Date"))
	if err != nil {
		return
	}
	// Initiated has a resolution of one second.
	from, to := serverNow.Add(-took-2*time.Second), serverNow.Add(time.Second)
	actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), abortTimeout)
	defer cancel()
	out, err := u.c.s3.ListMultipartUploads(actx, &s3.ListMultipartUploadsInput{Bucket: &u.bucket, Prefix: &u.key})
	if err != nil {
		return
	}
	for _, up := range out.Uploads {
		at := aws.ToTime(up.Initiated)
		if aws.ToString(up.Key) != u.key || aws.ToString(up.UploadId) == aws.ToString(created.UploadId) || at.Before(from) || at.After(to) {
			continue
		}
		_, _ = u.c.s3.AbortMultipartUpload(actx, &s3.AbortMultipartUploadInput{Bucket: &u.bucket, Key: &u.key, UploadId: up.UploadId})
	}
}
