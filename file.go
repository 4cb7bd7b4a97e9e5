package s3kit

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"os"
	"path/filepath"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/s3kit/s3kit/internal/s3err"
	"github.com/s3kit/s3kit/internal/tree"
)

// shaMetadata is the metadata key under which [Client.UploadDir] with
// [WithSkipUnchanged] stores the hex SHA-256 of each file.
const shaMetadata = "s3kit-sha256"

// UploadFile stores the file at path as bucket/key with [Client.Put],
// reading it in place (an *os.File is an io.ReaderAt), so that its size is
// known and a file up to the multipart threshold goes in one PUT. The
// Content-Type is taken from the file's extension with
// mime.TypeByExtension (".json" gives "application/json"), unless opts hold
// a [WithContentType]; an extension the system does not know gives none
// (TestUploadFile). The file's mode, owner and times are not stored.
//
// Errors: those of [Client.Put]; a path that cannot be opened, or that is
// not a regular file, gives an error matching [ErrInvalidInput] that also
// wraps the system's error (such as fs.ErrNotExist), before any request.
// A file that changes size while it is read makes the upload fail without
// storing anything.
func (c *Client) UploadFile(ctx context.Context, bucket, key, path string, opts ...PutOption) (_ PutResult, err error) {
	const op = "UploadFile"
	ctx, span := c.span(ctx, op, bucket, key)
	defer span.End(&err)
	f, err := openRegular(path)
	if err != nil {
		return PutResult{}, invalid(op, bucket, key, err)
	}
	defer f.Close()
	return c.Put(ctx, bucket, key, f, withTypeOf(path, opts)...)
}

// openRegular opens path for reading if it is a regular file. It looks
// before it opens: opening a named pipe blocks until a writer comes, so a
// FIFO is refused without being opened (TestAttack13UploadFileFIFODoesNotHang).
func openRegular(path string) (*os.File, error) {
	before, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !before.Mode().IsRegular() {
		return nil, errors.New(path + " is not a regular file")
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err == nil && (!fi.Mode().IsRegular() || !os.SameFile(before, fi)) {
		err = errors.New(path + " was replaced while it was opened")
	}
	if err != nil {
		_ = f.Close()
		return nil, err
	}
	return f, nil
}

// withTypeOf puts the Content-Type of path's extension before opts, so
// that a WithContentType in opts wins.
func withTypeOf(path string, opts []PutOption) []PutOption {
	ct := mime.TypeByExtension(filepath.Ext(path))
	if ct == "" {
		return opts
	}
	return append([]PutOption{WithContentType(ct)}, opts...)
}

// DownloadFile writes the object bucket/key to the file at path with
// [Client.Download] (ranges fetched concurrently, each resumed with
// If-Match on the object's ETag if its connection drops:
// TestDownloadFileResumes), through a
// temporary file in path's directory. Once the object is written,
// DownloadFile checks the file's length and content, syncs it to stable
// storage and renames it to path, replacing any file there. So a download
// that fails or is cancelled never leaves a partial file under path nor
// changes a file that was there, and the temporary file is removed
// (TestDownloadFileLeavesNothingOnFailure,
// TestDownloadFileCancelledMidway). The directory must exist. The file
// gets the mode os.Create gives (0666 less the umask); modes, owners and
// times are never taken from the store. A [WithProgress] function sees
// Bytes == Total only once the file is checked and in place, and never if
// DownloadFile fails (TestAttack13DownloadFileProgressNotDoneOnFailure).
//
// The content check compares the file with the object's ETag where that is
// an MD5 (an object stored in one PUT), or with the ETag of a multipart
// upload, recomputed from the parts' sizes, which a HEAD with PartNumber
// gives where the server tells them (otherwise the usual uniform part
// sizes are tried), or with the SHA-256 that [Client.UploadDir] stores as
// metadata. An object whose ETag cannot be recomputed (SSE-KMS, SSE-C, a
// server's own ETag form) is checked for length only
// (TestDownloadFileChecksContent). [WithMD5Check](false) turns the content
// check off; the length is checked either way.
//
// Errors: those of [Client.Download]; [ErrDataCorrupted] if the file does
// not match the object; [ErrObjectChanged] if the object changed before
// the check could be made; [ErrInvalidInput], before any request, for an
// empty path. An error of the file system (a missing directory, a full
// disk) is wrapped and matches no sentinel.
func (c *Client) DownloadFile(ctx context.Context, bucket, key, path string, opts ...DownloadOption) (_ Object, err error) {
	const op = "DownloadFile"
	ctx, span := c.span(ctx, op, bucket, key)
	defer span.End(&err)
	cfg := downloadConfig{verify: true}
	for _, o := range opts {
		if o == nil {
			return Object{}, invalidf(op, bucket, key, "nil DownloadOption")
		}
		o.applyDownload(&cfg)
	}
	if err := c.checkNames(op, bucket, key); err != nil {
		return Object{}, err
	}
	if path == "" {
		return Object{}, invalidf(op, bucket, key, "path is empty")
	}
	if cfg.progress == nil {
		return c.downloadTo(ctx, op, bucket, key, path, cfg.verify, opts)
	}
	// Download reports done once every byte is written; the file is done
	// only once checked and renamed, so that report waits until then and
	// is never made if the check fails
	// (TestAttack13DownloadFileProgressNotDoneOnFailure).
	var done *Progress
	hold := WithProgress(func(p Progress) {
		if p.Total >= 0 && p.Bytes == p.Total {
			done = &p
			return
		}
		cfg.progress(p)
	})
	obj, err := c.downloadTo(ctx, op, bucket, key, path, cfg.verify, append(opts[:len(opts):len(opts)], hold))
	if err == nil && done != nil {
		cfg.progress(*done)
	}
	return obj, err
}

// downloadTo downloads bucket/key into a temporary file beside target,
// checks it, and renames it to target; on any failure it removes the
// temporary file and leaves target as it was.
func (c *Client) downloadTo(ctx context.Context, op, bucket, key, target string, verify bool, opts []DownloadOption) (Object, error) {
	f, err := tree.CreateTemp(target)
	if err != nil {
		return Object{}, &Error{Op: op, Bucket: bucket, Key: key, Err: err}
	}
	// The engine's own check would read the file back a second time.
	opts = append(opts[:len(opts):len(opts)], WithMD5Check(false))
	obj, err := c.Download(ctx, bucket, key, f, opts...)
	if err == nil {
		err = c.checkDownloaded(ctx, op, bucket, f, obj, verify)
	}
	if err != nil {
		tree.Discard(f)
		return Object{}, err
	}
	if err := tree.Commit(f, target); err != nil {
		return Object{}, &Error{Op: op, Bucket: bucket, Key: key, Err: err}
	}
	return obj, nil
}

// checkDownloaded checks the length of the downloaded file f and, with
// verify, its content.
func (c *Client) checkDownloaded(ctx context.Context, op, bucket string, f *os.File, obj Object, verify bool) error {
	key := obj.Key
	fi, err := f.Stat()
	if err != nil {
		return &Error{Op: op, Bucket: bucket, Key: key, Err: err}
	}
	if fi.Size() != obj.Size {
		return &Error{Op: op, Bucket: bucket, Key: key, kind: ErrDataCorrupted,
			Err: fmt.Errorf("the file holds %d bytes, the object %d", fi.Size(), obj.Size)}
	}
	if !verify || obj.Size == 0 {
		return nil
	}
	s, err := c.compareFile(ctx, op, bucket, key, f, obj.Size, obj.ETag, false)
	if err != nil {
		return err
	}
	if s == differs {
		return &Error{Op: op, Bucket: bucket, Key: key, kind: ErrDataCorrupted,
			Err: fmt.Errorf("the data written does not match the object's ETag %s", obj.ETag)}
	}
	return nil
}

// sameness is what a comparison of a local file with an object found.
type sameness int

const (
	unknownSame sameness = iota // no way to tell
	same                        // proved equal
	differs                     // proved different
)

// compareFile compares the first size bytes of f with the object
// bucket/key whose size and ETag a download or a listing gave. It returns
// [ErrObjectChanged] if the object no longer has that ETag.
//
// local says f is a file of the caller's (skip-unchanged) rather than the
// bytes just downloaded. Then an ETag that is an MD5 and differs from f's,
// on an object without SSE-KMS or SSE-C, proves a difference whatever the
// SHA-256 metadata says: that metadata may have come with the object from
// elsewhere (a Put that carried over another object's metadata), and a
// local file that matches it is then not what the object holds
// (TestAttack13SkipUnchangedTrustsStaleSHA). For downloaded bytes the
// metadata is kept as the better proof: bytes that match it were stored.
func (c *Client) compareFile(ctx context.Context, op, bucket, key string, f io.ReaderAt, size int64, etag string, local bool) (sameness, error) {
	if tree.IsMD5(etag) {
		sum, err := tree.HashFile(f, size, false)
		if err != nil {
			return unknownSame, &Error{Op: op, Bucket: bucket, Key: key, Err: err}
		}
		if sum == etag {
			return same, nil
		}
	}
	// The ETag is not the data's MD5, or looks like one and differs: ask
	// for the object's metadata and, for a multipart ETag, its first part.
	parts := tree.MultipartCount(etag)
	h, err := c.headCheck(ctx, op, bucket, key, etag, parts > 0)
	if err != nil || h == nil {
		return unknownSame, err
	}
	if local && tree.IsMD5(etag) && !encryptedHead(h) {
		return differs, nil
	}
	if want := h.Metadata[shaMetadata]; want != "" {
		sum, err := tree.HashFile(f, size, true)
		if err != nil {
			return unknownSame, &Error{Op: op, Bucket: bucket, Key: key, Err: err}
		}
		return verdict(sum == want), nil
	}
	switch {
	case encryptedHead(h):
		return unknownSame, nil // SSE-KMS and SSE-C ETags are not MD5s
	case tree.IsMD5(etag):
		return differs, nil
	case parts > 0:
		return c.compareParts(ctx, op, bucket, key, f, size, etag, h)
	}
	return unknownSame, nil
}

// verdict turns an equality into a sameness.
func verdict(eq bool) sameness {
	if eq {
		return same
	}
	return differs
}

// headCheck sends a HEAD for bucket/key with If-Match on etag, asking for
// part 1 if part is true. It returns [ErrObjectChanged] if the object is
// gone or has another ETag. With part, a nil answer without error if the
// server refuses the question otherwise (a server that knows no
// PartNumber); without it, the HEAD's error: a plain HEAD every server
// answers, and one that fails leaves the check undone, which is not a
// pass (TestAttack13DownloadFileMD5MismatchHeadFails).
func (c *Client) headCheck(ctx context.Context, op, bucket, key, etag string, part bool) (*s3.HeadObjectOutput, error) {
	in := &s3.HeadObjectInput{Bucket: &bucket, Key: &key, IfMatch: aws.String(`"` + etag + `"`)}
	if part {
		in.PartNumber = aws.Int32(1)
	}
	h, err := c.s3.HeadObject(ctx, in)
	if err == nil {
		return h, nil
	}
	werr := wrapErr(op, bucket, key, s3err.Object, err)
	switch {
	case errors.Is(werr, ErrPreconditionFailed), errors.Is(werr, ErrObjectChanged), errors.Is(werr, ErrNotFound):
		return nil, &Error{Op: op, Bucket: bucket, Key: key, kind: ErrObjectChanged, Err: errors.New("the object changed before its content could be checked")}
	case ctx.Err() != nil, !part:
		return nil, werr
	}
	return nil, nil
}

// encryptedHead reports whether a HEAD answer is for an object stored with
// SSE-KMS or SSE-C, whose ETag is not the MD5 of its data.
func encryptedHead(h *s3.HeadObjectOutput) bool {
	return h.ServerSideEncryption == "aws:kms" || h.ServerSideEncryption == "aws:kms:dsse" || h.SSECustomerAlgorithm != nil
}

// compareParts compares f with a multipart ETag of n parts. h answers a
// HEAD for part 1: where it gives the parts count, the parts are taken as
// uniform of part 1's size, and if that does not give the ETag, each
// part's size is asked for. Where it does not, the usual uniform part
// sizes are tried, and no match proves nothing.
func (c *Client) compareParts(ctx context.Context, op, bucket, key string, f io.ReaderAt, size int64, etag string, h *s3.HeadObjectOutput) (sameness, error) {
	n := tree.MultipartCount(etag)
	try := func(sizes []int64) (bool, error) {
		got, err := tree.PartsETag(f, sizes)
		if err != nil {
			return false, &Error{Op: op, Bucket: bucket, Key: key, Err: err}
		}
		return got == etag, nil
	}
	if int(aws.ToInt32(h.PartsCount)) != n {
		for _, ps := range tree.GuessPartSizes(size, n, c.conf().transfer.partSize) {
			if ok, err := try(tree.UniformParts(size, ps)); ok || err != nil {
				return verdict(ok), err
			}
		}
		return unknownSame, nil
	}
	sizes := tree.UniformParts(size, aws.ToInt64(h.ContentLength))
	if len(sizes) == n {
		if ok, err := try(sizes); ok || err != nil {
			return verdict(ok), err
		}
	}
	sizes, err := c.partSizes(ctx, op, bucket, key, etag, n, aws.ToInt64(h.ContentLength))
	if err != nil || sizes == nil {
		return unknownSame, err
	}
	if sum(sizes) != size {
		return differs, nil
	}
	ok, err := try(sizes)
	return verdict(ok), err
}

// partSizes asks for the size of each of the n parts of bucket/key, part 1
// being first bytes long. It returns nil without error if the server does
// not tell.
func (c *Client) partSizes(ctx context.Context, op, bucket, key, etag string, n int, first int64) ([]int64, error) {
	sizes := []int64{first}
	for i := 2; i <= n; i++ {
		h, err := c.s3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &bucket, Key: &key,
			IfMatch: aws.String(`"` + etag + `"`), PartNumber: aws.Int32(int32(i))})
		if err != nil {
			if werr := wrapErr(op, bucket, key, s3err.Object, err); errors.Is(werr, ErrPreconditionFailed) || ctx.Err() != nil {
				return nil, werr
			}
			return nil, nil
		}
		sizes = append(sizes, aws.ToInt64(h.ContentLength))
	}
	return sizes, nil
}

// sum adds sizes.
func sum(sizes []int64) int64 {
	var t int64
	for _, s := range sizes {
		t += s
	}
	return t
}
