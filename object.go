package s3kit

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/s3kit/s3kit/internal/payload"
	"github.com/s3kit/s3kit/internal/s3err"
	"github.com/s3kit/s3kit/internal/transfer"
)

// Object describes a stored object. [Client.List] fills Key, Size, ETag,
// LastModified and StorageClass; [Client.Head] and [Client.Get] fill
// everything the provider returns.
type Object struct {
	Key                string
	Size               int64             // size of the whole object in bytes
	ETag               string            // entity tag without the surrounding quotes
	LastModified       time.Time         // zero if the provider did not say
	ContentType        string            // Content-Type given when the object was put
	CacheControl       string            // Cache-Control given when the object was put
	ContentDisposition string            // Content-Disposition given when the object was put
	ContentEncoding    string            // Content-Encoding given when the object was put
	ContentLanguage    string            // Content-Language given when the object was put
	Metadata           map[string]string // user metadata, keys in lower case
	StorageClass       string            // such as "STANDARD"; empty if not reported
	VersionID          string            // version ID on versioned buckets
	IsPrefix           bool              // a common prefix from a listing with WithDelimiter; only Key is set
}

// PutResult describes an object that [Client.Put] stored.
type PutResult struct {
	ETag      string // entity tag without quotes; for multipart uploads it is not an MD5
	VersionID string // version ID on versioned buckets
	Size      int64  // number of bytes stored
	Parts     int    // number of parts; 0 for a single PUT
}

// Progress reports how far a transfer has got. [WithProgress] delivers it.
//
// Bytes count as they go onto the wire and come off it: for a [Client.Put],
// as the HTTP client reads them from the body of the PUT or of each part,
// so a single PUT reports while it is sent and a multipart upload within
// each part (TestProgressSinglePutCountsOnTheWire,
// TestProgressMultipartCountsWithinParts); for a [Client.Download], as each
// range is written into the destination, while it streams
// (TestProgressDownloadCountsAsItStreams). When a request fails and is sent
// again, the bytes of the failed attempt are taken back, so Bytes may go
// down but never counts a byte twice
// (TestProgressRetryTakesBackTheFailedAttempt). Counting changes nothing in
// what is sent and costs no copy (TestProgressKeepsTheRequestsAsTheyWere).
//
// Nothing shows as done before it is: Bytes == Total and Parts == TotalParts
// only in the last report of a transfer that succeeded, made once the
// provider has answered the PUT or CompleteMultipartUpload (for a Download,
// once every range is written and checked). Until then Bytes stays below
// Total and Parts below TotalParts, even when every byte has been sent;
// Finishing then says the transfer is waiting for that answer. A transfer
// that fails never reports Bytes == Total (TestProgressNeverDoneBeforeStored).
// An empty object has no byte to hold back: it shows 0 of 0 with Finishing
// until it is stored, and without it only in the last report
// (TestProgressOfAnEmptyPutIsFinishingUntilStored).
type Progress struct {
	Bytes      int64 // bytes sent or written so far; below Total until the transfer has succeeded
	Total      int64 // bytes in all, or -1 while unknown (a Put of unknown size until its body ends, a Download until the first answer)
	Parts      int   // parts or ranges completed; below TotalParts until the transfer has succeeded
	TotalParts int   // parts or ranges in all, or 0 while unknown; a single PUT has none: both stay 0
	Finishing  bool  // every byte is sent or written; the provider's answer (or a Download's check) is awaited
}

// Put stores body as bucket/key and returns once the whole object is stored.
//
// Put streams: a body of known size up to the multipart threshold (16 MiB by
// default) is sent in one PUT, reading it in place when it is an
// io.ReaderAt such as *os.File or *bytes.Reader; anything larger, and any
// body of unknown size longer than one part, is sent as a multipart upload
// that holds at most concurrency × part size bytes in memory. A multipart
// upload that fails or is cancelled is aborted, so no parts are left behind
// and nothing is visible under key.
//
// A nil error means the whole object is stored. An error that does not match
// [ErrOutcomeUnknown] means the key holds what it held before; one that does
// means s3kit could not learn whether the object was stored (see
// [ErrOutcomeUnknown]). A body whose Read fails with any error other than
// io.EOF, io.ErrUnexpectedEOF included, fails the Put. A body whose Read or
// ReadAt panics makes Put panic with the same value, in the caller's
// goroutine, once the multipart upload it fed is aborted, even when the
// panic happened while a part or net/http read the body on a goroutine of
// its own (TestAttack15_BodyReadInPlaceThatPanics).
//
// [WithIfNoneMatch] and [WithIfMatch] make the write conditional: it fails
// with [ErrPreconditionFailed], leaving the stored object as it was, if the
// condition does not hold when the object is stored (at the end of a
// multipart upload).
//
// Errors: [ErrInvalidInput], before any request, for a bad bucket name or
// key, a bad option, a nil body, a size from [WithSize] that the body
// contradicts (found while reading, for a body Put cannot measure), and what
// the provider profile rules out (a key too long, a condition the provider
// would ignore); [ErrACLNotSupported], before any request, for a public
// [WithACL] with a profile that has no object ACLs; [ErrBucketNotFound];
// [ErrAccessDenied]; [ErrPreconditionFailed] as above, and [ErrNotFound]
// for [WithIfMatch] on a key that holds no object (AWS and s3kittest; some
// servers answer 412 instead); [ErrOutcomeUnknown] as above. A body whose
// Read fails gives an error that wraps the Read error and matches no
// sentinel; a cancelled ctx, one that matches [context.Canceled].
//
// body must not be nil. Put reads it to the end but does not close it.
func (c *Client) Put(ctx context.Context, bucket, key string, body io.Reader, opts ...PutOption) (_ PutResult, err error) {
	const op = "Put"
	ctx, span := c.span(ctx, op, bucket, key)
	defer span.End(&err)
	cfg := putConfig{size: -1, transfer: c.conf().transfer}
	for _, o := range opts {
		if o == nil {
			return PutResult{}, invalidf(op, bucket, key, "nil PutOption")
		}
		o.applyPut(&cfg)
	}
	if err := cfg.validate(op, bucket, key, body, c.conf().relaxedNames); err != nil {
		return PutResult{}, err
	}
	if err := c.checkProviderPut(op, bucket, key, &cfg); err != nil {
		return PutResult{}, err
	}
	b, err := payload.Measure(body, cfg.size)
	if err != nil {
		return PutResult{}, invalid(op, bucket, key, err)
	}
	size := b.Size
	if err := c.checkConditional(op, bucket, key, cfg.cond, putRequests(size, cfg.transfer.threshold)); err != nil {
		return PutResult{}, err
	}
	u := transfer.NewUpload(c.target(op, bucket, key), c.putSettings(&cfg), body, size, b.ReaderAt, b.Base)
	returned := false
	if size >= 0 && size <= cfg.transfer.threshold {
		p := startProgress(cfg.progress, size, 0)
		defer endProgress(p, &returned)
		u.Report(p)
		res, err := u.Single(ctx)
		returned = true
		return PutResult(res), err
	}
	parts := 0
	if size >= 0 {
		ps := u.PartSizeFor(0)
		parts = int((size + ps - 1) / ps)
	}
	p := startProgress(cfg.progress, size, parts)
	defer endProgress(p, &returned)
	u.Report(p)
	res, err := u.Multipart(ctx)
	returned = true
	return PutResult(res), err
}

// endProgress ends p's reporting as its call ends. Once the call has
// returned (returned is true), a panic of the progress function is raised
// again (see [transfer.Progress.Finish]); otherwise a panic is unwinding
// the call, from the body's Read say, and goes on unchanged.
func endProgress(p *transfer.Progress, returned *bool) {
	if *returned {
		p.Finish()
	} else {
		p.Abandon()
	}
}

// putSettings maps a Put's or a Copy's options onto the engine's settings.
func (c *Client) putSettings(cfg *putConfig) *transfer.Settings {
	set := &transfer.Settings{
		Headers:      cfg.headers,
		ACL:          string(cfg.acl),
		Metadata:     cfg.metadata,
		WriteKind:    cfg.cond.Kind(s3err.Object),
		CompleteKind: cfg.cond.Kind(s3err.Object),
		PartSize:     cfg.transfer.partSize,
		Concurrency:  cfg.transfer.concurrency,
		ContentMD5:   cfg.transfer.contentMD5,
		EqualParts:   c.conf().provider.equalParts,
	}
	if cfg.acl != "" {
		// The kind of a failed request that stores the object.
		set.WriteKind = cfg.cond.Kind(s3err.ACL)
	}
	cfg.cond.Fill(&set.IfNoneMatch, &set.IfMatch)
	return set
}

// validate checks a Put's arguments and options.
func (cfg *putConfig) validate(op, bucket, key string, body io.Reader, relaxedNames bool) error {
	if err := checkObject(op, bucket, key, relaxedNames); err != nil {
		return err
	}
	if body == nil {
		return invalidf(op, bucket, key, "body is nil")
	}
	if cfg.acl != "" {
		if err := checkACL(op, bucket, key, cfg.acl); err != nil {
			return err
		}
	}
	if err := checkMetadata(op, bucket, key, cfg.metadata); err != nil {
		return err
	}
	if err := cfg.headers.Check(); err != nil {
		return invalid(op, bucket, key, err)
	}
	if err := cfg.cond.Check(); err != nil {
		return invalid(op, bucket, key, err)
	}
	if cfg.size < -1 || cfg.size > maxObjectSize {
		return invalidf(op, bucket, key, "size %d out of range [0, 5 TiB]", cfg.size)
	}
	return cfg.transfer.validate(op, bucket, key)
}

// checkConditional refuses a conditional write that would go through
// requests on which the provider profile says the server ignores the
// condition, before any request is sent.
func (c *Client) checkConditional(op, bucket, key string, cond transfer.Condition, uses transfer.CondWrites) error {
	if !cond.Any() {
		return nil
	}
	if ignored := c.conf().provider.condIgnored & uses; ignored != 0 {
		hint := ""
		if ignored&transfer.CondMultipart != 0 && op == "Put" {
			hint = "; give a body of known size up to the multipart threshold, which goes in one PutObject"
		}
		return invalidf(op, bucket, key, "%s ignores If-None-Match and If-Match on %s, so the condition would not be enforced%s",
			c.conf().provider.name, ignored, hint)
	}
	return nil
}

// putRequests returns the requests a Put of size bytes (-1: unknown) sends
// its condition with.
func putRequests(size, threshold int64) transfer.CondWrites {
	if size >= 0 && size <= threshold {
		return transfer.CondPut
	}
	// A body of unknown size may turn out to fit in one PUT, or not.
	return transfer.CondPut | transfer.CondMultipart
}

// startProgress starts reporting fn's progress; it returns nil (a reporter
// that does nothing) if fn is nil.
func startProgress(fn func(Progress), total int64, totalParts int) *transfer.Progress {
	if fn == nil {
		return nil
	}
	return transfer.StartProgress(func(s transfer.Snapshot) { fn(Progress(s)) }, total, totalParts)
}

// Get opens bucket/key for reading. The returned reader streams the body from
// the network and must be closed. It returns an error matching [ErrNotFound]
// if the object does not exist, [ErrBucketNotFound] if the bucket does not,
// [ErrAccessDenied] if the provider refuses the request, and
// [ErrInvalidInput], before any request, for a bad name or option. Errors
// while reading are those of [ObjectReader.Read].
//
// Get checks that the answer is what it asked for: status 200 or 206, a
// Content-Range that starts at the range's first byte, does not go past its
// last and agrees with Content-Length. An answer that does not is an error.
// A server that ignores Range and sends the whole object is accepted for a
// range that starts at byte 0, of which the reader returns the range only.
// An answer without Content-Length (a chunked 200) is measured against the
// object's size from HEAD, so that a body cut short fails with
// [ErrDataCorrupted] instead of ending early (TestGetChecksTheAnswer).
func (c *Client) Get(ctx context.Context, bucket, key string, opts ...GetOption) (_ *ObjectReader, err error) {
	const op = "Get"
	ctx, span := c.span(ctx, op, bucket, key)
	defer span.End(&err)
	var cfg getConfig
	for _, o := range opts {
		if o == nil {
			return nil, invalidf(op, bucket, key, "nil GetOption")
		}
		o.applyGet(&cfg)
	}
	if err := c.checkNames(op, bucket, key); err != nil {
		return nil, err
	}
	if cfg.offset < 0 || cfg.length < 0 {
		return nil, invalidf(op, bucket, key, "range offset %d and length %d must not be negative", cfg.offset, cfg.length)
	}
	in := &s3.GetObjectInput{Bucket: &bucket, Key: &key, Range: cfg.rangeHeader()}
	first, last := cfg.offset, int64(-1)
	if cfg.length > 0 {
		last = cfg.offset + cfg.length - 1
	}
	// The request lives as long as the reader; Close cancels it so that an
	// early Close never waits on a slow body (see [transfer.RangeReader.CloseDrain]).
	rctx, cancel := context.WithCancel(ctx)
	out, err := c.objects().GetObject(rctx, in)
	if err != nil {
		cancel()
		return nil, wrapErr(op, bucket, key, s3err.Object, err)
	}
	t := c.target(op, bucket, key)
	sp, err := t.GetSpan(rctx, out, first, last, cfg.hasRange)
	if err != nil {
		_ = out.Body.Close()
		cancel()
		return nil, err
	}
	obj := objectFromGet(key, out)
	if sp.Size >= 0 {
		obj.Size = sp.Size
	}
	end := sp.Last
	if last >= 0 && end > last {
		end = last // the whole object came for a range from byte 0: read the range only
	}
	rr := transfer.NewRangeReader(rctx, t, aws.ToString(out.ETag), sp.First, end, out.Body)
	if sp.First == 0 && end == obj.Size-1 && !encrypted(out) {
		rr.CheckMD5(!cfg.noMD5, obj.ETag)
	}
	return &ObjectReader{Object: obj, ContentLength: end - sp.First + 1, body: rr, cancel: cancel}, nil
}

// rangeHeader is the Range header of a Get with [WithRange], or nil.
func (cfg *getConfig) rangeHeader() *string {
	if !cfg.hasRange {
		return nil
	}
	r := "bytes=" + strconv.FormatInt(cfg.offset, 10) + "-"
	if cfg.length > 0 {
		r += strconv.FormatInt(cfg.offset+cfg.length-1, 10)
	}
	return &r
}

// ObjectReader streams an object's body and carries its description. It must
// be closed. It is not safe for concurrent use.
//
// If the connection drops in the middle of the body, the reader asks for the
// rest of the object (with If-Match on its ETag) and goes on, so the caller
// does not see the interruption; if the object changed meanwhile, Read fails
// with an error matching [ErrObjectChanged]. Read never ends with io.EOF
// before ContentLength bytes have arrived. The context given to
// [Client.Get] governs these requests too.
type ObjectReader struct {
	Object              // the object's description; Size is the whole object's size
	ContentLength int64 // number of bytes this reader returns (less than Size for a range)

	body   *transfer.RangeReader
	cancel context.CancelFunc // ends the request, and with it the connection
	closed bool
}

// Read reads the object's body. It checks the body's length, and its MD5
// when the ETag gives one (see [WithMD5Check]): a body that ends early or
// differs fails with [ErrDataCorrupted] instead of io.EOF, so a short or
// damaged download never looks complete.
func (r *ObjectReader) Read(p []byte) (int, error) {
	if r.closed {
		return 0, errors.New("s3kit: read from closed ObjectReader")
	}
	return r.body.Read(p)
}

// Close releases the connection. Closing before the end is fine: a rest of
// up to 64 KiB is discarded so the connection can be reused, and beyond that,
// or if the rest is slow to come, the connection is dropped. Close returns
// promptly and is idempotent.
func (r *ObjectReader) Close() error {
	if r.closed {
		return nil
	}
	r.closed = true
	return r.body.CloseDrain(r.cancel)
}

// objectFromGet describes an object from a GetObject response.
func objectFromGet(key string, out *s3.GetObjectOutput) Object {
	obj := Object{
		Key:          key,
		Size:         aws.ToInt64(out.ContentLength),
		ETag:         trimETag(out.ETag),
		LastModified: aws.ToTime(out.LastModified),
		ContentType:  aws.ToString(out.ContentType),
		CacheControl: aws.ToString(out.CacheControl),
		Metadata:     out.Metadata,
		StorageClass: string(out.StorageClass),
		VersionID:    aws.ToString(out.VersionId),
	}
	obj.ContentDisposition, obj.ContentEncoding = aws.ToString(out.ContentDisposition), aws.ToString(out.ContentEncoding)
	obj.ContentLanguage = aws.ToString(out.ContentLanguage)
	if _, _, total, ok := transfer.ParseContentRange(aws.ToString(out.ContentRange)); ok && total >= 0 {
		obj.Size = total
	}
	return obj
}

// encrypted reports whether the object is stored with SSE-KMS or SSE-C, whose
// ETags are not the MD5 of the data.
func encrypted(out *s3.GetObjectOutput) bool {
	return out.ServerSideEncryption == "aws:kms" || out.ServerSideEncryption == "aws:kms:dsse" || out.SSECustomerAlgorithm != nil
}

// Head returns the description of bucket/key without its body, or an error
// matching [ErrNotFound]. A HEAD answer has no body to name its error, so a
// missing bucket gives [ErrNotFound] too (use [Client.List] or
// [Client.Get] to tell them apart). It also returns [ErrAccessDenied] if the
// provider refuses the request and [ErrInvalidInput], before any request,
// for a bad bucket name or key.
func (c *Client) Head(ctx context.Context, bucket, key string) (_ Object, err error) {
	const op = "Head"
	ctx, span := c.span(ctx, op, bucket, key)
	defer span.End(&err)
	if err := c.checkNames(op, bucket, key); err != nil {
		return Object{}, err
	}
	out, err := c.objects().HeadObject(ctx, &s3.HeadObjectInput{Bucket: &bucket, Key: &key})
	if err != nil {
		return Object{}, c.explainBareStatus(ctx, op, bucket, key, wrapErr(op, bucket, key, s3err.Object, err))
	}
	return objectFromGet(key, transfer.AsGetOutput(out)), nil
}

// explainBareStatus asks again, with a GET of the first byte, when a HEAD
// was refused with a bare 400: a HEAD answer has no body to give a reason
// in, and the usual reason is a region other than the server's, which the
// GET's answer names. It returns the GET's error when that says more (an S3
// error code, such as AuthorizationHeaderMalformed or the InvalidRequest of
// an object encrypted with SSE-C, or a 400 that is not S3's at all, as an
// HTTPS server answers a plain HTTP request); if the GET works, err with a
// text that says so; otherwise err.
func (c *Client) explainBareStatus(ctx context.Context, op, bucket, key string, err error) error {
	var e *Error
	if !errors.As(err, &e) || e.StatusCode != http.StatusBadRequest || e.Code != "BadRequest" {
		return err
	}
	out, gerr := c.objects().GetObject(ctx, &s3.GetObjectInput{Bucket: &bucket, Key: &key, Range: aws.String("bytes=0-0")})
	if gerr == nil {
		_ = out.Body.Close()
		works := *e
		works.message = "the server refused the HEAD without saying why, though a GET of the same object works: the region and credentials are right"
		return &works
	}
	werr := wrapErr(op, bucket, key, s3err.Object, gerr)
	var ge *Error
	if errors.As(werr, &ge) && ge.StatusCode != 0 && ge.Code != "BadRequest" {
		return werr
	}
	return err
}

// Delete removes bucket/key. Deleting a key that does not exist succeeds, as
// in S3; a missing bucket gives an error matching [ErrBucketNotFound].
// Other errors: [ErrInvalidInput], before any request, for a bad bucket
// name or key; [ErrAccessDenied]; [ErrOutcomeUnknown] when the request may
// have been carried out without its answer arriving. Any other error means
// the key was left as it was.
func (c *Client) Delete(ctx context.Context, bucket, key string) (err error) {
	const op = "Delete"
	ctx, span := c.span(ctx, op, bucket, key)
	defer span.End(&err)
	if err := c.checkNames(op, bucket, key); err != nil {
		return err
	}
	_, err = c.objects().DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &bucket, Key: &key})
	return wrapWrite(op, bucket, key, s3err.Object, err)
}

// trimETag removes the quotes S3 puts around entity tags.
func trimETag(p *string) string { return transfer.TrimETag(p) }
