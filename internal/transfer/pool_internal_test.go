package transfer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// drainS3 is an [API] that reads every part's body to the end, as an HTTP
// client sending it would, and keeps nothing: a stand-in server for
// measuring what the engine itself costs.
type drainS3 struct {
	API // calls the engine should not make panic

	mu    sync.Mutex
	parts int
	bytes int64
}

func (d *drainS3) CreateMultipartUpload(context.Context, *s3.CreateMultipartUploadInput, ...func(*s3.Options)) (*s3.CreateMultipartUploadOutput, error) {
	return &s3.CreateMultipartUploadOutput{UploadId: aws.String("id")}, nil
}

func (d *drainS3) UploadPart(_ context.Context, in *s3.UploadPartInput, _ ...func(*s3.Options)) (*s3.UploadPartOutput, error) {
	n, err := io.Copy(io.Discard, in.Body)
	if err != nil {
		return nil, err
	}
	d.mu.Lock()
	d.parts++
	d.bytes += n
	d.mu.Unlock()
	return &s3.UploadPartOutput{ETag: aws.String(`"part-` + strconv.Itoa(int(*in.PartNumber)) + `"`)}, nil
}

func (d *drainS3) CompleteMultipartUpload(_ context.Context, in *s3.CompleteMultipartUploadInput, _ ...func(*s3.Options)) (*s3.CompleteMultipartUploadOutput, error) {
	return &s3.CompleteMultipartUploadOutput{ETag: aws.String(`"x-` + strconv.Itoa(len(in.MultipartUpload.Parts)) + `"`)}, nil
}

func (d *drainS3) AbortMultipartUpload(context.Context, *s3.AbortMultipartUploadInput, ...func(*s3.Options)) (*s3.AbortMultipartUploadOutput, error) {
	return &s3.AbortMultipartUploadOutput{}, nil
}

func (d *drainS3) PutObject(_ context.Context, in *s3.PutObjectInput, _ ...func(*s3.Options)) (*s3.PutObjectOutput, error) {
	if _, err := io.Copy(io.Discard, in.Body); err != nil {
		return nil, err
	}
	return &s3.PutObjectOutput{ETag: aws.String(`"x"`)}, nil
}

// plainErrors is an [Errors] that builds plain wrapped errors.
type plainErrors struct{}

func (plainErrors) Wrap(at Site, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s %s: %w", at.Op, at.Step, err)
}
func (plainErrors) New(op, _, _ string, _ Kind, err error) error {
	return fmt.Errorf("%s: %w", op, err)
}
func (plainErrors) Is(error, Kind) bool                        { return false }
func (plainErrors) HasSentinel(error) bool                     { return false }
func (plainErrors) Code(error) (string, bool)                  { return "", false }
func (plainErrors) JoinAbort(_ string, cause, err error) error { return errors.Join(cause, err) }

// pattern is an endless reader of a repeating 64 KiB block, hidden behind
// Read only so that its size is unknown.
type pattern struct {
	block []byte
	off   int
}

func newPattern() *pattern {
	p := &pattern{block: make([]byte, 64<<10)}
	for i := range p.block {
		p.block[i] = byte(i*7 + i>>8)
	}
	return p
}

func (p *pattern) Read(b []byte) (int, error) {
	n := copy(b, p.block[p.off:])
	p.off = (p.off + n) % len(p.block)
	return n, nil
}

// BenchmarkUploadUnknownSize64MiB sends a 64 MiB body of unknown size in
// 8 MiB parts, four at a time, to a stand-in server that reads and drops
// every part: its B/op and allocs/op are the engine's own cost per upload.
func BenchmarkUploadUnknownSize64MiB(b *testing.B) {
	const size = 64 << 20
	s := &drainS3{}
	t := &Target{S3: s, Errs: plainErrors{}, Op: "Put", Bucket: "b", Key: "k"}
	set := &Settings{PartSize: 8 << 20, Concurrency: 4}
	ctx := context.Background()
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		u := NewUpload(t, set, io.LimitReader(newPattern(), size), -1, nil, 0)
		res, err := u.Multipart(ctx)
		if err != nil {
			b.Fatal(err)
		}
		if res.Size != size || res.Parts != 8 {
			b.Fatalf("stored %+v", res)
		}
	}
}
