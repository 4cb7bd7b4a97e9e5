package s3kit

import (
	"context"
	"errors"
	"fmt"
	"iter"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/s3kit/s3kit/internal/names"
	"github.com/s3kit/s3kit/internal/payload"
	"github.com/s3kit/s3kit/internal/s3err"
)

// maxDeleteBatch is the most keys one DeleteObjects request may name.
const maxDeleteBatch = 1000

// DeleteError lists the keys a [Client.DeleteMany] or [Client.DeletePrefix]
// could not delete. It is found with errors.As inside the [*Error] those
// methods return; keys that are not listed were deleted.
type DeleteError struct {
	Failed []DeleteFailure // one entry per key, in the order the provider reported them
}

// DeleteFailure is one key that a batch delete could not remove.
type DeleteFailure struct {
	Key     string
	Code    string // S3 error code, such as "AccessDenied"
	Message string // the provider's message, if any
}

// Error summarises the failures: how many keys failed and the first of them.
func (e *DeleteError) Error() string {
	if len(e.Failed) == 0 {
		return "no keys failed"
	}
	f := e.Failed[0]
	msg := fmt.Sprintf("%d key(s) not deleted; first: %q: %s", len(e.Failed), f.Key, f.Code)
	if f.Message != "" {
		msg += ": " + f.Message
	}
	return msg
}

// DeleteMany deletes every key keys yields from bucket, in DeleteObjects
// requests of up to 1000 keys that carry a Content-MD5 header (which some
// providers require and the SDK does not send). A key that XML 1.0 cannot
// carry, such as one with a control character other than tab, newline and
// carriage return, is deleted on its own with DeleteObject
// (TestDeletePrefixRemovesURLEncodedKeys). Keys that do not exist count as
// deleted, as in S3.
//
// Keys are checked batch by batch: an invalid key gives an error matching
// [ErrInvalidInput] before its batch is sent, after earlier batches were
// deleted. Keys the provider refuses do not stop the other batches; they
// are reported at the end in a [*DeleteError] inside the returned [*Error],
// which also matches the sentinel of their error code when all share one
// (such as [ErrAccessDenied]). A failed request stops DeleteMany at once;
// if that request may have been carried out (its answer was lost, or a
// 500), the error matches [ErrOutcomeUnknown], and keys of earlier batches
// are deleted either way.
func (c *Client) DeleteMany(ctx context.Context, bucket string, keys iter.Seq[string]) (err error) {
	ctx, span := c.span(ctx, "DeleteMany", bucket, "")
	defer span.End(&err)
	return c.deleteMany(ctx, "DeleteMany", bucket, keys)
}

func (c *Client) deleteMany(ctx context.Context, op, bucket string, keys iter.Seq[string]) error {
	if err := c.checkBucketName(op, bucket); err != nil {
		return err
	}
	if keys == nil {
		return invalidf(op, bucket, "", "keys is nil")
	}
	var failed []DeleteFailure
	batch := make([]types.ObjectIdentifier, 0, maxDeleteBatch)
	var err error
	flush := func() bool {
		var f []DeleteFailure
		f, err = c.deleteBatch(ctx, op, bucket, batch)
		failed = append(failed, f...)
		batch = batch[:0]
		return err == nil
	}
	for key := range keys {
		if err = checkKey(op, bucket, key); err != nil {
			break
		}
		if !names.XMLSafe(key) {
			var f *DeleteFailure
			if f, err = c.deleteOne(ctx, op, bucket, key); err != nil {
				break
			}
			if f != nil {
				failed = append(failed, *f)
			}
			continue
		}
		batch = append(batch, types.ObjectIdentifier{Key: aws.String(key)})
		if len(batch) == maxDeleteBatch && !flush() {
			break
		}
	}
	if err == nil && len(batch) > 0 {
		flush()
	}
	if err != nil {
		return err
	}
	if len(failed) > 0 {
		return deleteFailed(op, bucket, failed)
	}
	return nil
}

// deleteBatch sends one DeleteObjects request in quiet mode, so that only
// failures come back.
func (c *Client) deleteBatch(ctx context.Context, op, bucket string, objs []types.ObjectIdentifier) ([]DeleteFailure, error) {
	if err := ctx.Err(); err != nil {
		return nil, &Error{Op: op, Bucket: bucket, Err: context.Cause(ctx)}
	}
	out, err := c.s3.DeleteObjects(ctx, &s3.DeleteObjectsInput{
		Bucket: &bucket,
		Delete: &types.Delete{Objects: objs, Quiet: aws.Bool(true)},
	}, payload.WithContentMD5)
	if err != nil {
		return nil, wrapWrite(op, bucket, "", s3err.Bucket, err)
	}
	failed := make([]DeleteFailure, 0, len(out.Errors))
	for _, e := range out.Errors {
		failed = append(failed, DeleteFailure{Key: aws.ToString(e.Key), Code: aws.ToString(e.Code), Message: aws.ToString(e.Message)})
	}
	return failed, nil
}

// deleteOne deletes one key with DeleteObject, whose URL carries any key. A
// refusal comes back as a failure, like a key DeleteObjects refused; a
// request that failed otherwise, or a missing bucket, as an error.
func (c *Client) deleteOne(ctx context.Context, op, bucket, key string) (*DeleteFailure, error) {
	if err := ctx.Err(); err != nil {
		return nil, &Error{Op: op, Bucket: bucket, Err: context.Cause(ctx)}
	}
	_, err := c.s3.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &bucket, Key: &key})
	if err == nil {
		return nil, nil
	}
	werr := wrapWrite(op, bucket, "", s3err.Bucket, err)
	var e *Error
	// Only a refusal (4xx) means the key was not deleted; anything else may
	// have deleted it.
	if !errors.As(werr, &e) || e.Code == "" || e.StatusCode/100 != 4 || errors.Is(werr, ErrBucketNotFound) || errors.Is(werr, ErrOutcomeUnknown) {
		return nil, werr
	}
	return &DeleteFailure{Key: key, Code: e.Code, Message: e.message}, nil
}

// deleteFailed builds the error for keys a provider refused to delete.
func deleteFailed(op, bucket string, failed []DeleteFailure) error {
	cat := s3err.Classify(failed[0].Code, 0, s3err.Object)
	for _, f := range failed[1:] {
		if s3err.Classify(f.Code, 0, s3err.Object) != cat {
			cat = s3err.Other
			break
		}
	}
	var code string
	if cat == s3err.Other {
		code = failed[0].Code
	}
	return &Error{Op: op, Bucket: bucket, Code: code, Err: &DeleteError{Failed: failed}, kind: sentinelOf(cat)}
}

// DeletePrefix deletes every object whose key starts with prefix, listing
// them with [Client.List] and deleting them with [Client.DeleteMany]. prefix
// must not be empty, so that a missing argument cannot empty a bucket; to do
// that on purpose, pass the keys of List to DeleteMany. Keys with control
// characters are deleted wherever List lists them exactly
// (TestDeletePrefixRemovesURLEncodedKeys). Errors are those of List and
// DeleteMany.
func (c *Client) DeletePrefix(ctx context.Context, bucket, prefix string) (err error) {
	const op = "DeletePrefix"
	ctx, span := c.span(ctx, op, bucket, "")
	defer span.End(&err)
	if err := c.checkBucketName(op, bucket); err != nil {
		return err
	}
	if prefix == "" {
		return invalidf(op, bucket, "", "prefix is empty; DeletePrefix refuses to empty a whole bucket")
	}
	var listErr error
	keys := func(yield func(string) bool) {
		for obj, err := range c.listing(ctx, op, bucket, []ListOption{WithPrefix(prefix)}) {
			if err != nil {
				listErr = err
				return
			}
			if !yield(obj.Key) {
				return
			}
		}
	}
	err = c.deleteMany(ctx, op, bucket, keys)
	if listErr != nil {
		return listErr
	}
	return err
}
