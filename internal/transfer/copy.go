package transfer

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/s3kit/s3kit/internal/s3err"
)

// Copy is the state of one Copy call.
type Copy struct {
	set    *Settings
	u      *Upload // the destination, for errors and abort
	source string  // URL-encoded "bucket/key", as x-amz-copy-source wants
	size   int64
	src    *s3.HeadObjectOutput

	srcBucket, srcKey *string
	minPart           int64 // the smallest part of a multipart copy
}

// NewCopy prepares to copy srcBucket/srcKey, which src describes and whose
// URL-encoded "bucket/key" is source, to dst with settings set. A multipart
// copy uses parts of at least partSize.
func NewCopy(dst *Target, set *Settings, srcBucket, srcKey, source string, src *s3.HeadObjectOutput, partSize int64) *Copy {
	return &Copy{
		set: set, size: aws.ToInt64(src.ContentLength), src: src, srcBucket: &srcBucket, srcKey: &srcKey,
		source: source, u: &Upload{t: dst, set: set, pool: partBuffers}, minPart: partSize,
	}
}

// replace reports whether the options replace the source's headers and
// metadata: any header or metadata given replaces them all.
func (cp *Copy) replace() bool {
	return cp.set.Headers.Any() || cp.set.Metadata != nil
}

// Single copies with one CopyObject request.
func (cp *Copy) Single(ctx context.Context) (Result, error) {
	u := cp.u
	out, err := u.t.S3.CopyObject(ctx, cp.copyObjectInput())
	if err != nil {
		werr := u.t.wrapWrite(u.set.WriteKind, err)
		if u.t.Errs.Is(werr, PreconditionFailed) {
			// The 412 may answer the source's If-Match rather than the
			// destination's condition.
			if serr := cp.sourceUnchanged(ctx); u.t.Errs.Is(serr, ObjectChanged) {
				return Result{}, serr
			}
		}
		return Result{}, werr
	}
	res := Result{VersionID: aws.ToString(out.VersionId), Size: cp.size}
	if out.CopyObjectResult != nil {
		res.ETag = TrimETag(out.CopyObjectResult.ETag)
	}
	return res, nil
}

// partSize returns the part size of a multipart copy: copyPartSize, raised
// so that the object fits in 10,000 parts.
func (cp *Copy) partSize() int64 {
	ps := cp.minPart
	if need := (cp.size + maxParts - 1) / maxParts; need > ps {
		ps = need
	}
	return min(ps, maxPartSize)
}

// Multipart copies in parts with UploadPartCopy.
func (cp *Copy) Multipart(ctx context.Context) (Result, error) {
	u := cp.u
	mp, err := u.create(ctx, cp.createMultipartUploadInput())
	if err != nil {
		return Result{}, err
	}
	ended := false
	defer func() {
		// Only a panic (in the caller's HTTP transport, say) gets here
		// with ended false; the upload is aborted before it goes on, as
		// in Upload.Multipart (TestAttack15_TransportThatPanicsInAPart).
		if !ended {
			_ = mp.abort(ctx, nil)
		}
	}()
	res, err := cp.runAndComplete(ctx, mp)
	ended = true
	if err != nil {
		return Result{}, mp.abort(ctx, err)
	}
	return res, nil
}

// runAndComplete copies the parts of mp, checks that the source is
// unchanged, and completes the upload.
func (cp *Copy) runAndComplete(ctx context.Context, mp *multipartRun) (Result, error) {
	_, err := mp.runParts(ctx, copyParts{cp}, nil)
	cp.u.rethrow()
	if err != nil {
		return Result{}, err
	}
	if err := cp.sourceUnchanged(ctx); err != nil {
		return Result{}, err
	}
	return mp.complete(ctx, cp.size)
}

// copyParts names the parts of a multipart copy: ranges of the source.
type copyParts struct{ cp *Copy }

// next returns part n, the range of the source that starts at offset.
func (s copyParts) next(_ int, _ []byte, offset int64) (part, error) {
	cp := s.cp
	end := min(offset+cp.partSize(), cp.size)
	return part{size: end - offset, rng: fmt.Sprintf("bytes=%d-%d", offset, end-1), last: end >= cp.size}, nil
}

// send copies part n with UploadPartCopy.
func (s copyParts) send(ctx context.Context, id string, n int, p part) (*string, error) {
	cp := s.cp
	out, err := cp.u.t.S3.UploadPartCopy(ctx, cp.uploadPartCopyInput(id, n, p.rng))
	var etag *string
	if out != nil && out.CopyPartResult != nil {
		etag = out.CopyPartResult.ETag
	}
	return etag, err
}

// sourceUnchanged checks, before a multipart copy is completed, that the
// source is still the version whose ETag, modification time and version ID
// the copy started from. Every part asks for that ETag with
// x-amz-copy-source-if-match, but some providers (Ceph RGW 16.2) ignore the
// header, and a part copied from a newer version would mix two versions in
// the destination. A change gives an error matching ErrObjectChanged.
func (cp *Copy) sourceUnchanged(ctx context.Context) error {
	u := cp.u
	now, err := u.t.S3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: cp.srcBucket, Key: cp.srcKey})
	if err != nil {
		// The step names the source in the text too, where a bare
		// status (a HEAD has no body) gives no message to carry it.
		return u.t.Errs.Wrap(Site{Op: u.t.Op, Bucket: u.t.Bucket, Key: u.t.Key, Kind: s3err.Object,
			Step: fmt.Sprintf("source %s/%s", *cp.srcBucket, *cp.srcKey)}, err)
	}
	if aws.ToString(now.ETag) != aws.ToString(cp.src.ETag) ||
		!aws.ToTime(now.LastModified).Equal(aws.ToTime(cp.src.LastModified)) ||
		aws.ToString(now.VersionId) != aws.ToString(cp.src.VersionId) {
		return u.t.err(ObjectChanged, fmt.Errorf("source %s/%s was overwritten during the copy", *cp.srcBucket, *cp.srcKey))
	}
	return nil
}
