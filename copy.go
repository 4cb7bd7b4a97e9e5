package s3kit

import (
	"context"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/s3kit/s3kit/internal/names"
	"github.com/s3kit/s3kit/internal/s3err"
	"github.com/s3kit/s3kit/internal/transfer"
)

// Copy copies srcBucket/srcKey to dstBucket/dstKey inside the provider,
// without the data passing through the client, and returns the new object's
// description. Objects up to 5 GiB are copied with one CopyObject request;
// larger ones with a multipart copy (UploadPartCopy, parts copied
// concurrently as [WithConcurrency] says), which is aborted if any part
// fails or ctx is cancelled.
//
// The copy keeps the source's Content-Type, Cache-Control,
// Content-Disposition, Content-Encoding, Content-Language and metadata,
// unless any of [WithContentType], [WithCacheControl],
// [WithContentDisposition], [WithContentEncoding], [WithContentLanguage] or
// [WithMetadata] is given: then those options replace all six, and what they
// do not set is dropped.
// [WithACL] sets the copy's ACL (default private; ACLs are not copied).
// [WithIfNoneMatch] and [WithIfMatch] apply to the destination: the copy
// fails with [ErrPreconditionFailed], leaving the destination as it was, if
// the condition does not hold. [WithConcurrency] sets how many parts are
// copied at once; the other PutOptions ([WithSize], [WithProgress],
// [WithMultipartThreshold], [WithPartSize], [WithContentMD5]) do nothing: a
// copy refuses them with [ErrInvalidInput] (TestMistakesUsersMake). A missing
// source gives an error matching [ErrNotFound] that names the source.
//
// A source overwritten while it is copied gives [ErrObjectChanged]: every
// request is pinned to the ETag the copy started from, and the source is
// checked again before a multipart copy is completed, so the copy never
// mixes two versions. Otherwise errors mean what they mean for [Client.Put]:
// [ErrInvalidInput] before any request, [ErrBucketNotFound] for a missing
// destination bucket (a missing source bucket gives [ErrNotFound], as the
// source is looked up with HEAD), [ErrAccessDenied], and
// [ErrOutcomeUnknown] when the copy may or may not have taken effect.
func (c *Client) Copy(ctx context.Context, srcBucket, srcKey, dstBucket, dstKey string, opts ...PutOption) (_ PutResult, err error) {
	const op = "Copy"
	ctx, span := c.span(ctx, op, dstBucket, dstKey)
	defer span.End(&err)
	cfg := putConfig{size: -1, transfer: c.conf().transfer}
	for _, o := range opts {
		if o == nil {
			return PutResult{}, invalidf(op, dstBucket, dstKey, "nil PutOption")
		}
		o.applyPut(&cfg)
	}
	if err := refuseUnused(op, dstBucket, dstKey, cfg.given, givenConcurrency); err != nil {
		return PutResult{}, err
	}
	if err := c.checkNames(op, srcBucket, srcKey); err != nil {
		return PutResult{}, err
	}
	if err := cfg.validate(op, dstBucket, dstKey, http.NoBody, c.conf().relaxedNames); err != nil {
		return PutResult{}, err
	}
	if err := c.checkProviderPut(op, dstBucket, dstKey, &cfg); err != nil {
		return PutResult{}, err
	}
	if err := c.checkConditional(op, dstBucket, dstKey, cfg.cond, transfer.CondCopy|transfer.CondMultipart); err != nil {
		return PutResult{}, err
	}
	src, err := c.s3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &srcBucket, Key: &srcKey})
	if err != nil {
		err = wrap(errSite{op: op, bucket: srcBucket, key: srcKey, kind: s3err.Object, step: "source"}, err)
		return PutResult{}, c.explainBareStatus(ctx, op, srcBucket, srcKey, err)
	}
	source := names.EscapePath(srcBucket) + "/" + names.EscapePath(srcKey)
	cp := transfer.NewCopy(c.target(op, dstBucket, dstKey), c.putSettings(&cfg), srcBucket, srcKey, source, src, c.conf().copy.partSize)
	var res transfer.Result
	if aws.ToInt64(src.ContentLength) <= c.conf().copy.threshold {
		res, err = cp.Single(ctx)
	} else {
		res, err = cp.Multipart(ctx)
	}
	return PutResult(res), err
}
