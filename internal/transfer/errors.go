package transfer

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/s3kit/s3kit/internal/s3err"
)

// API is the part of the S3 client the engine calls; *s3.Client satisfies it.
type API interface {
	GetObject(context.Context, *s3.GetObjectInput, ...func(*s3.Options)) (*s3.GetObjectOutput, error)
	HeadObject(context.Context, *s3.HeadObjectInput, ...func(*s3.Options)) (*s3.HeadObjectOutput, error)
	PutObject(context.Context, *s3.PutObjectInput, ...func(*s3.Options)) (*s3.PutObjectOutput, error)
	CopyObject(context.Context, *s3.CopyObjectInput, ...func(*s3.Options)) (*s3.CopyObjectOutput, error)
	CreateMultipartUpload(context.Context, *s3.CreateMultipartUploadInput, ...func(*s3.Options)) (*s3.CreateMultipartUploadOutput, error)
	UploadPart(context.Context, *s3.UploadPartInput, ...func(*s3.Options)) (*s3.UploadPartOutput, error)
	UploadPartCopy(context.Context, *s3.UploadPartCopyInput, ...func(*s3.Options)) (*s3.UploadPartCopyOutput, error)
	CompleteMultipartUpload(context.Context, *s3.CompleteMultipartUploadInput, ...func(*s3.Options)) (*s3.CompleteMultipartUploadOutput, error)
	AbortMultipartUpload(context.Context, *s3.AbortMultipartUploadInput, ...func(*s3.Options)) (*s3.AbortMultipartUploadOutput, error)
}

var _ API = (*s3.Client)(nil)

// Kind is the sentinel category of an error the engine builds itself.
type Kind int

// The categories; each maps to one sentinel of the root package.
const (
	None               Kind = iota // no sentinel
	Invalid                        // ErrInvalidInput
	ObjectChanged                  // ErrObjectChanged
	DataCorrupted                  // ErrDataCorrupted
	PreconditionFailed             // ErrPreconditionFailed
)

// Site says where a request failed, for [Errors.Wrap].
type Site struct {
	Op, Bucket, Key string
	Kind            s3err.Kind
	// Write marks the request that commits a write (PutObject,
	// CompleteMultipartUpload, CopyObject): if any of its attempts may
	// have been applied, the error matches ErrOutcomeUnknown.
	Write bool
	// Step names the step of Op that failed, such as "part 3".
	Step string
}

// Errors builds and inspects the errors the engine returns. The root package
// implements it with its public error type, so that errors are built in one
// place.
type Errors interface {
	// Wrap turns an SDK error from the request at site into an error; it
	// returns nil for nil.
	Wrap(at Site, err error) error
	// New returns the error of op on bucket/key with category k and cause err.
	New(op, bucket, key string, k Kind, err error) error
	// Is reports whether err matches category k.
	Is(err error, k Kind) bool
	// HasSentinel reports whether err matches any sentinel.
	HasSentinel(err error) bool
	// Code returns the provider's error code that err holds, and whether
	// err holds an error built by this Errors at all.
	Code(err error) (code string, ok bool)
	// JoinAbort attaches the failure err of aborting upload id to cause,
	// without changing cause.
	JoinAbort(id string, cause, err error) error
}

// Target is the object a transfer works on: the operation it serves, its
// bucket and key, and how the engine reaches S3 and builds errors.
type Target struct {
	S3     API
	Errs   Errors
	Op     string
	Bucket string
	Key    string
}

// err returns the error of t's operation with category k and cause err.
func (t *Target) err(k Kind, err error) error {
	return t.Errs.New(t.Op, t.Bucket, t.Key, k, err)
}

// wrap turns an SDK error from a request of kind k into an error.
func (t *Target) wrap(k s3err.Kind, err error) error {
	return t.Errs.Wrap(Site{Op: t.Op, Bucket: t.Bucket, Key: t.Key, Kind: k}, err)
}

// wrapWrite is [Target.wrap] for the request that commits a write; see
// [Site.Write].
func (t *Target) wrapWrite(k s3err.Kind, err error) error {
	return t.Errs.Wrap(Site{Op: t.Op, Bucket: t.Bucket, Key: t.Key, Kind: k, Write: true}, err)
}
