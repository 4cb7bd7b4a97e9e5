package s3kit

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/s3kit/s3kit/internal/knobs"
	"github.com/s3kit/s3kit/internal/names"
	"github.com/s3kit/s3kit/internal/s3err"
)

// Copy copies srcBucket/srcKey to dstBucket/dstKey inside the provider,
// without the data passing through the client, and returns the new object's
// description. Objects up to 5 GiB are copied with one CopyObject request;
// larger ones with a multipart copy (UploadPartCopy, parts copied
// concurrently as [WithConcurrency] says), which is aborted if any part
// fails or ctx is cancelled.
//
// The copy keeps the source's Content-Type, Cache-Control and metadata,
// unless [WithContentType], [WithCacheControl] or [WithMetadata] is given:
// then those options replace all three, and what they do not set is dropped.
// [WithACL] sets the copy's ACL (default private; ACLs are not copied).
// [WithIfNoneMatch] and [WithIfMatch] apply to the destination: the copy
// fails with [ErrPreconditionFailed], leaving the destination as it was, if
// the condition does not hold. Other PutOptions are ignored. A missing
// source gives an error matching [ErrNotFound] that names the source.
//
// A source overwritten while it is copied gives [ErrObjectChanged]: every
// request is pinned to the ETag the copy started from, and the source is
// checked again before a multipart copy is completed, so the copy never
// mixes two versions. Otherwise errors mean what they mean for [Client.Put].
func (c *Client) Copy(ctx context.Context, srcBucket, srcKey, dstBucket, dstKey string, opts ...PutOption) (PutResult, error) {
	const op = "Copy"
	cfg := putConfig{size: -1, transfer: c.transfer}
	for _, o := range opts {
		if o == nil {
			return PutResult{}, invalidf(op, dstBucket, dstKey, "nil PutOption")
		}
		o.applyPut(&cfg)
	}
	if err := checkObject(op, srcBucket, srcKey, c.ext.relaxedNames); err != nil {
		return PutResult{}, err
	}
	if err := cfg.validate(op, dstBucket, dstKey, http.NoBody, c.ext.relaxedNames); err != nil {
		return PutResult{}, err
	}
	if err := c.checkProviderPut(op, dstBucket, dstKey, &cfg); err != nil {
		return PutResult{}, err
	}
	if err := c.checkConditional(op, dstBucket, dstKey, cfg.cond, condCopy|condMultipart); err != nil {
		return PutResult{}, err
	}
	src, err := c.s3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &srcBucket, Key: &srcKey})
	if err != nil {
		return PutResult{}, wrapErr(op, srcBucket, srcKey, s3err.Object, fmt.Errorf("source: %w", err))
	}
	cp := &copyRun{
		c: c, cfg: &cfg, size: aws.ToInt64(src.ContentLength), src: src, srcBucket: &srcBucket, srcKey: &srcKey,
		source: names.EscapePath(srcBucket) + "/" + names.EscapePath(srcKey),
		u:      &upload{c: c, op: op, bucket: dstBucket, key: dstKey, cfg: &cfg},
	}
	if cp.size <= knobs.CopyThreshold {
		return cp.single(ctx)
	}
	return cp.multipart(ctx)
}

// copyRun is the state of one Copy call.
type copyRun struct {
	c      *Client
	cfg    *putConfig
	u      *upload // the destination, for errors and abort
	source string  // URL-encoded "bucket/key", as x-amz-copy-source wants
	size   int64
	src    *s3.HeadObjectOutput

	srcBucket, srcKey *string
}

// replace reports whether the options replace the source's metadata.
func (cp *copyRun) replace() bool {
	return cp.cfg.contentType != "" || cp.cfg.cacheControl != "" || cp.cfg.metadata != nil
}

// single copies with one CopyObject request.
func (cp *copyRun) single(ctx context.Context) (PutResult, error) {
	u := cp.u
	in := &s3.CopyObjectInput{Bucket: &u.bucket, Key: &u.key, CopySource: &cp.source}
	if cp.replace() {
		in.MetadataDirective = types.MetadataDirectiveReplace
		in.Metadata = cp.cfg.metadata
		if cp.cfg.contentType != "" {
			in.ContentType = &cp.cfg.contentType
		}
		if cp.cfg.cacheControl != "" {
			in.CacheControl = &cp.cfg.cacheControl
		}
	}
	if cp.cfg.acl != "" {
		in.ACL = types.ObjectCannedACL(cp.cfg.acl)
	}
	in.CopySourceIfMatch = cp.src.ETag
	cp.cfg.cond.fill(&in.IfNoneMatch, &in.IfMatch)
	out, err := cp.c.s3.CopyObject(ctx, in)
	if err != nil {
		werr := wrapWrite(u.op, u.bucket, u.key, u.errKind(), err)
		if errors.Is(werr, ErrPreconditionFailed) {
			// The 412 may answer the source's If-Match rather than the
			// destination's condition.
			if serr := cp.sourceUnchanged(ctx); errors.Is(serr, ErrObjectChanged) {
				return PutResult{}, serr
			}
		}
		return PutResult{}, werr
	}
	res := PutResult{VersionID: aws.ToString(out.VersionId), Size: cp.size}
	if out.CopyObjectResult != nil {
		res.ETag = trimETag(out.CopyObjectResult.ETag)
	}
	return res, nil
}

// partSize returns the part size of a multipart copy: copyPartSize, raised
// so that the object fits in 10,000 parts.
func (cp *copyRun) partSize() int64 {
	ps := knobs.CopyPartSize
	if need := (cp.size + maxParts - 1) / maxParts; need > ps {
		ps = need
	}
	return min(ps, maxPartSize)
}

// multipart copies in parts with UploadPartCopy.
func (cp *copyRun) multipart(ctx context.Context) (PutResult, error) {
	u := cp.u
	in := &s3.CreateMultipartUploadInput{Bucket: &u.bucket, Key: &u.key}
	if cp.replace() {
		in.Metadata = cp.cfg.metadata
		if cp.cfg.contentType != "" {
			in.ContentType = &cp.cfg.contentType
		}
		if cp.cfg.cacheControl != "" {
			in.CacheControl = &cp.cfg.cacheControl
		}
	} else {
		// A multipart upload starts empty: carry the source's headers over.
		in.Metadata = cp.src.Metadata
		in.ContentType = cp.src.ContentType
		in.CacheControl = cp.src.CacheControl
		in.ContentDisposition = cp.src.ContentDisposition
		in.ContentEncoding = cp.src.ContentEncoding
		in.ContentLanguage = cp.src.ContentLanguage
	}
	if cp.cfg.acl != "" {
		in.ACL = types.ObjectCannedACL(cp.cfg.acl)
	}
	mp, err := u.create(ctx, in)
	if err != nil {
		return PutResult{}, err
	}
	if err := cp.copyParts(ctx, mp); err != nil {
		return PutResult{}, mp.abort(ctx, err)
	}
	if err := cp.sourceUnchanged(ctx); err != nil {
		return PutResult{}, mp.abort(ctx, err)
	}
	res, err := mp.complete(ctx, cp.size)
	if err != nil {
		return PutResult{}, mp.abort(ctx, err)
	}
	return res, nil
}

// copyParts copies every part, at most concurrency at a time, and stops at
// the first failure.
func (cp *copyRun) copyParts(ctx context.Context, mp *multipartRun) error {
	u := cp.u
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ps := cp.partSize()
	sem := make(chan struct{}, cp.cfg.transfer.concurrency)
	var wg sync.WaitGroup
	for n, off := 1, int64(0); off < cp.size; n, off = n+1, off+ps {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
		}
		if mp.firstErr(ctx) != nil {
			break
		}
		wg.Add(1)
		mp.sent++
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			rng := fmt.Sprintf("bytes=%d-%d", off, min(off+ps, cp.size)-1)
			out, err := cp.c.s3.UploadPartCopy(ctx, &s3.UploadPartCopyInput{
				Bucket: &u.bucket, Key: &u.key, UploadId: &mp.id,
				PartNumber: aws.Int32(int32(n)), CopySource: &cp.source, CopySourceRange: &rng,
				CopySourceIfMatch: cp.src.ETag, // every part from the version seen at the start
			})
			var etag *string
			if out != nil && out.CopyPartResult != nil {
				etag = out.CopyPartResult.ETag
			}
			mp.partDone(n, etag, err, cancel)
		}()
	}
	wg.Wait()
	if err := mp.firstErr(ctx); err != nil {
		return err
	}
	return nil
}

// sourceUnchanged checks, before a multipart copy is completed, that the
// source is still the version whose ETag, modification time and version ID
// the copy started from. Every part asks for that ETag with
// x-amz-copy-source-if-match, but some providers (Ceph RGW 16.2) ignore the
// header, and a part copied from a newer version would mix two versions in
// the destination. A change gives an error matching [ErrObjectChanged].
func (cp *copyRun) sourceUnchanged(ctx context.Context) error {
	u := cp.u
	now, err := cp.c.s3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: cp.srcBucket, Key: cp.srcKey})
	if err != nil {
		return wrapErr(u.op, u.bucket, u.key, s3err.Object, fmt.Errorf("source %s/%s: %w", *cp.srcBucket, *cp.srcKey, err))
	}
	if aws.ToString(now.ETag) != aws.ToString(cp.src.ETag) ||
		!aws.ToTime(now.LastModified).Equal(aws.ToTime(cp.src.LastModified)) ||
		aws.ToString(now.VersionId) != aws.ToString(cp.src.VersionId) {
		return &Error{Op: u.op, Bucket: u.bucket, Key: u.key, kind: ErrObjectChanged,
			Err: fmt.Errorf("source %s/%s was overwritten during the copy", *cp.srcBucket, *cp.srcKey)}
	}
	return nil
}
