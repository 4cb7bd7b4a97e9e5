package transfer

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/s3kit/s3kit/internal/retry"
)

// Time limits of the requests that must finish even when the caller's
// context ends: starting an upload (so that its ID is not lost), completing
// it (so that the answer says what happened), aborting it, and checking the
// outcome of a completion whose answer was lost.
const (
	// abortTimeout bounds an AbortMultipartUpload, and the outcome check of
	// a completion, each on a context detached from the caller's.
	abortTimeout = 30 * time.Second
	// graceAfterCancel is how long a CreateMultipartUpload or
	// CompleteMultipartUpload already sent may still run once the caller's
	// context has ended.
	graceAfterCancel = 30 * time.Second
	// completeTimeout bounds a CompleteMultipartUpload in all; large
	// uploads can take the provider minutes to assemble.
	completeTimeout = 10 * time.Minute
)

// detached returns a context that carries ctx's values but not its
// cancellation: it ends grace after ctx ends, or limit after now, whichever
// comes first. The returned cancel must be called.
func detached(ctx context.Context, grace, limit time.Duration) (context.Context, context.CancelFunc) {
	dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), limit)
	var (
		mu    sync.Mutex
		timer *time.Timer
	)
	stop := context.AfterFunc(ctx, func() {
		mu.Lock()
		defer mu.Unlock()
		timer = time.AfterFunc(grace, cancel)
	})
	return dctx, func() {
		stop()
		mu.Lock()
		if timer != nil {
			timer.Stop()
		}
		mu.Unlock()
		cancel()
	}
}

// isNoSuchUpload reports whether err says the multipart upload is gone.
func isNoSuchUpload(err error) bool {
	var apiErr smithy.APIError
	return errors.As(err, &apiErr) && apiErr.ErrorCode() == "NoSuchUpload"
}

// multipartETag computes the ETag S3 gives a completed multipart upload:
// the MD5 of the parts' binary MD5s, then "-" and the number of parts. It
// returns "" if a part's ETag is not an MD5.
func multipartETag(parts []string) string {
	h := md5.New()
	for _, e := range parts {
		b, err := hex.DecodeString(strings.Trim(e, `"`))
		if err != nil || len(b) != md5.Size {
			return ""
		}
		h.Write(b)
	}
	return fmt.Sprintf("%s-%d", hex.EncodeToString(h.Sum(nil)), len(parts))
}

// etag returns the ETag the completed upload should have, or "" if the parts'
// ETags are not MD5s.
func (mp *multipartRun) etag() string {
	etags := make([]string, len(mp.parts))
	for i, p := range mp.parts {
		etags[i] = aws.ToString(p.ETag)
	}
	return multipartETag(etags)
}

// create starts the multipart upload described by in. The request runs on a
// context detached from ctx (see [detached]), so that a cancel while it is
// in flight cannot lose the ID of an upload the provider created; if ctx has
// ended by the time the answer arrives, the new upload is aborted at once.
//
// An attempt whose answer was lost may still have created an upload that
// nobody knows the ID of. It holds no parts, so no storage, and it is left
// alone: ListMultipartUploads cannot tell it from another writer's live
// upload of the same key, and aborting that would fail the other writer.
// A lifecycle rule (AbortIncompleteMultipartUpload) removes such uploads.
func (u *Upload) create(ctx context.Context, in *s3.CreateMultipartUploadInput) (*multipartRun, error) {
	if err := ctx.Err(); err != nil {
		return nil, u.t.err(None, context.Cause(ctx))
	}
	dctx, cancel := detached(ctx, graceAfterCancel, graceAfterCancel+abortTimeout)
	defer cancel()
	created, err := u.t.S3.CreateMultipartUpload(dctx, in)
	if err != nil {
		return nil, u.t.wrap(u.set.WriteKind, err)
	}
	mp := &multipartRun{u: u, id: aws.ToString(created.UploadId)}
	if ctx.Err() != nil {
		return nil, mp.abort(ctx, u.t.err(None, context.Cause(ctx)))
	}
	return mp, nil
}

// complete asks the provider to assemble the parts into an object of total
// bytes, after checking that every part sent was recorded. Once sent, the request is not cut short by
// the end of ctx (it gets [graceAfterCancel]), so that its answer can say
// what was stored. If ctx has already ended, nothing is sent.
//
// A completion that fails without a definite refusal may have worked; see
// [multipartRun.settle]. On any error the caller aborts the upload, which
// is harmless after a completion that worked.
func (mp *multipartRun) complete(ctx context.Context, total int64) (Result, error) {
	u := mp.u
	if err := ctx.Err(); err != nil {
		return Result{}, u.t.err(None, context.Cause(ctx))
	}
	slices.SortFunc(mp.parts, func(a, b types.CompletedPart) int { return int(*a.PartNumber - *b.PartNumber) })
	complete := len(mp.parts) == mp.sent
	for i, p := range mp.parts {
		complete = complete && int(*p.PartNumber) == i+1
	}
	if !complete {
		return Result{}, u.t.err(None, fmt.Errorf("%d parts sent but %d recorded; not completing", mp.sent, len(mp.parts)))
	}
	dctx, cancel := detached(ctx, graceAfterCancel, completeTimeout)
	defer cancel()
	out, err := u.t.S3.CompleteMultipartUpload(dctx, u.t.completeMultipartUploadInput(mp.id, mp.parts, u.set))
	if err != nil {
		return mp.settle(ctx, err, total)
	}
	u.progress.SetTotal(total, len(mp.parts))
	etag := TrimETag(out.ETag)
	if etag == "" {
		// Ceph RGW answers <ETag></ETag>; HEAD shows the usual one.
		etag = mp.etag()
	}
	return Result{ETag: etag, VersionID: aws.ToString(out.VersionId), Size: total, Parts: len(mp.parts)}, nil
}

// settle decides what a failed CompleteMultipartUpload did. A definite
// refusal (an answer of 4xx or 503 to every attempt) is returned as it is.
// Otherwise the completion may have worked: the answer was lost or garbled,
// a retry got NoSuchUpload or 412 because the first attempt worked, or ctx
// ended while waiting. Then settle aborts the upload, on a detached
// context, so that no parts are left whatever happened. If the provider
// says the upload is already gone (NoSuchUpload), the completion happened
// unless someone else aborted the upload, and a HEAD showing the ETag and
// size exactly these parts produce settles it as a success; a HEAD alone
// proves nothing, since an object with the same bytes may have been there
// before. An abort that works proves nothing either: AWS accepts the abort
// of a completed upload for hours after the completion. Anything but a
// proven success gives an error matching ErrOutcomeUnknown.
func (mp *multipartRun) settle(ctx context.Context, err error, total int64) (Result, error) {
	u := mp.u
	kind := u.set.CompleteKind
	if !retry.OutcomeUnknown(err) {
		return Result{}, u.t.wrap(kind, err)
	}
	if found, _ := mp.abortUpload(ctx); found == abortGone {
		if want := mp.etag(); want != "" {
			hctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), abortTimeout)
			defer cancel()
			head, herr := u.t.S3.HeadObject(hctx, u.t.headObjectInput())
			if herr == nil && TrimETag(head.ETag) == want && aws.ToInt64(head.ContentLength) == total {
				u.progress.SetTotal(total, len(mp.parts))
				return Result{ETag: want, VersionID: aws.ToString(head.VersionId), Size: total, Parts: len(mp.parts)}, nil
			}
		}
	}
	return Result{}, u.t.wrapWrite(kind, err)
}
