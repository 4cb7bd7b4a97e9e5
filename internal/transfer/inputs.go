package transfer

import (
	"io"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// getObjectInput asks for range rng ("bytes=a-b") of the target, with
// If-Match when etag is set.
func (t *Target) getObjectInput(rng, etag string) *s3.GetObjectInput {
	in := &s3.GetObjectInput{Bucket: &t.Bucket, Key: &t.Key, Range: &rng}
	if etag != "" {
		in.IfMatch = &etag
	}
	return in
}

// headObjectInput asks for the target's description.
func (t *Target) headObjectInput() *s3.HeadObjectInput {
	return &s3.HeadObjectInput{Bucket: &t.Bucket, Key: &t.Key}
}

// putObjectInput stores body, of n bytes with Content-MD5 md5 (nil: none),
// in one PutObject.
func (t *Target) putObjectInput(body io.Reader, n int64, md5 *string, set *Settings) *s3.PutObjectInput {
	in := &s3.PutObjectInput{
		Bucket:        &t.Bucket,
		Key:           &t.Key,
		Body:          body,
		ContentLength: aws.Int64(n),
		Metadata:      set.Metadata,
	}
	set.fill(&in.ContentType, &in.CacheControl, &in.ContentDisposition, &in.ContentEncoding, &in.ContentLanguage)
	in.ACL = types.ObjectCannedACL(set.ACL)
	in.IfNoneMatch, in.IfMatch = set.IfNoneMatch, set.IfMatch
	in.ContentMD5 = md5
	return in
}

// PresignPutInput is the PutObject a presigned PUT signs: the headers, ACL
// and condition of set, as a Put sends them, without a body or a length.
func (t *Target) PresignPutInput(set *Settings) *s3.PutObjectInput {
	in := t.putObjectInput(nil, 0, nil, set)
	in.ContentLength = nil
	return in
}

// createMultipartUploadInput starts the multipart upload of a Put.
func (t *Target) createMultipartUploadInput(set *Settings) *s3.CreateMultipartUploadInput {
	in := &s3.CreateMultipartUploadInput{Bucket: &t.Bucket, Key: &t.Key, Metadata: set.Metadata}
	set.fill(&in.ContentType, &in.CacheControl, &in.ContentDisposition, &in.ContentEncoding, &in.ContentLanguage)
	in.ACL = types.ObjectCannedACL(set.ACL)
	return in
}

// uploadPartInput sends part n of upload id, with Content-MD5 md5 (nil: none).
func (t *Target) uploadPartInput(id string, n int, p part, md5 *string) *s3.UploadPartInput {
	return &s3.UploadPartInput{
		Bucket:        &t.Bucket,
		Key:           &t.Key,
		UploadId:      &id,
		PartNumber:    aws.Int32(int32(n)),
		Body:          p.body,
		ContentLength: aws.Int64(p.size),
		ContentMD5:    md5,
	}
}

// completeMultipartUploadInput assembles parts into the object, under the
// write's condition.
func (t *Target) completeMultipartUploadInput(id string, parts []types.CompletedPart, set *Settings) *s3.CompleteMultipartUploadInput {
	in := &s3.CompleteMultipartUploadInput{
		Bucket:          &t.Bucket,
		Key:             &t.Key,
		UploadId:        &id,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: parts},
	}
	in.IfNoneMatch, in.IfMatch = set.IfNoneMatch, set.IfMatch
	return in
}

// abortMultipartUploadInput cancels upload id.
func (t *Target) abortMultipartUploadInput(id string) *s3.AbortMultipartUploadInput {
	return &s3.AbortMultipartUploadInput{Bucket: &t.Bucket, Key: &t.Key, UploadId: &id}
}

// copyObjectInput copies the source with one CopyObject, pinned to the
// source's ETag.
func (cp *Copy) copyObjectInput() *s3.CopyObjectInput {
	u, set := cp.u, cp.set
	in := &s3.CopyObjectInput{Bucket: &u.t.Bucket, Key: &u.t.Key, CopySource: &cp.source}
	if cp.replace() {
		in.MetadataDirective = types.MetadataDirectiveReplace
		in.Metadata = set.Metadata
		set.fill(&in.ContentType, &in.CacheControl, &in.ContentDisposition, &in.ContentEncoding, &in.ContentLanguage)
	}
	in.ACL = types.ObjectCannedACL(set.ACL)
	in.CopySourceIfMatch = cp.src.ETag
	in.IfNoneMatch, in.IfMatch = set.IfNoneMatch, set.IfMatch
	return in
}

// createMultipartUploadInput starts the multipart upload of a Copy. A
// multipart upload starts empty: unless the settings replace them, the
// source's headers are carried over.
func (cp *Copy) createMultipartUploadInput() *s3.CreateMultipartUploadInput {
	u, set := cp.u, cp.set
	in := &s3.CreateMultipartUploadInput{Bucket: &u.t.Bucket, Key: &u.t.Key}
	if cp.replace() {
		in.Metadata = set.Metadata
		set.fill(&in.ContentType, &in.CacheControl, &in.ContentDisposition, &in.ContentEncoding, &in.ContentLanguage)
	} else {
		in.Metadata = cp.src.Metadata
		in.ContentType = cp.src.ContentType
		in.CacheControl = cp.src.CacheControl
		in.ContentDisposition = cp.src.ContentDisposition
		in.ContentEncoding = cp.src.ContentEncoding
		in.ContentLanguage = cp.src.ContentLanguage
	}
	in.ACL = types.ObjectCannedACL(set.ACL)
	return in
}

// uploadPartCopyInput copies bytes rng of the source as part n of upload id,
// pinned to the version seen at the start.
func (cp *Copy) uploadPartCopyInput(id string, n int, rng string) *s3.UploadPartCopyInput {
	u := cp.u
	return &s3.UploadPartCopyInput{
		Bucket: &u.t.Bucket, Key: &u.t.Key, UploadId: &id,
		PartNumber: aws.Int32(int32(n)), CopySource: &cp.source, CopySourceRange: &rng,
		CopySourceIfMatch: cp.src.ETag, // every part from the version seen at the start
	}
}

// optional returns v as the SDK's optional string: nil when empty, so that
// the header is not sent.
func optional(v string) *string {
	if v == "" {
		return nil
	}
	return &v
}
