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
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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
// every part: its B/op and allocs/op are the engine's own cost per upload,
// after a first upload that the loop does not count.
func BenchmarkUploadUnknownSize64MiB(b *testing.B) {
	const size = 64 << 20
	s := &drainS3{}
	t := &Target{S3: s, Errs: plainErrors{}, Op: "Put", Bucket: "b", Key: "k"}
	set := &Settings{PartSize: 8 << 20, Concurrency: 4}
	ctx := context.Background()
	upload := func() {
		u := NewUpload(t, set, io.LimitReader(newPattern(), size), -1, nil, 0)
		res, err := u.Multipart(ctx)
		if err != nil {
			b.Fatal(err)
		}
		if res.Size != size || res.Parts != 8 {
			b.Fatalf("stored %+v", res)
		}
	}
	upload()
	b.SetBytes(size)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		upload()
	}
}

// heldS3 is a [drainS3] that holds part n until part n+hold-1 has arrived
// (or, near the end, until the last of parts parts has), so that hold parts
// are in flight at once. It fails the parts listed in fail.
type heldS3 struct {
	drainS3
	hold, parts int
	fail        map[int]bool

	arrivedMu sync.Mutex
	arrived   int
	changed   *sync.Cond
}

func newHeldS3(hold, parts int) *heldS3 {
	h := &heldS3{hold: hold, parts: parts}
	h.changed = sync.NewCond(&h.arrivedMu)
	return h
}

func (h *heldS3) UploadPart(ctx context.Context, in *s3.UploadPartInput, opts ...func(*s3.Options)) (*s3.UploadPartOutput, error) {
	n := int(*in.PartNumber)
	h.arrivedMu.Lock()
	h.arrived++
	h.changed.Broadcast()
	for h.arrived < min(n+h.hold-1, h.parts) {
		h.changed.Wait()
	}
	h.arrivedMu.Unlock()
	if h.fail[n] {
		return nil, errors.New("injected part failure")
	}
	return h.drainS3.UploadPart(ctx, in, opts...)
}

// failingBody fails its Read once it has given failAt bytes.
type failingBody struct {
	r      io.Reader
	given  int64
	failAt int64
}

func (f *failingBody) Read(p []byte) (int, error) {
	if f.given >= f.failAt {
		return 0, errors.New("injected read failure")
	}
	p = p[:min(int64(len(p)), f.failAt-f.given)]
	n, err := f.r.Read(p)
	f.given += int64(n)
	return n, err
}

// poolUpload returns an upload of body, of unknown size, in parts of 5 MiB,
// concurrency at a time, that takes its buffers from pool.
func poolUpload(s API, pool *bufferPool, concurrency int, body io.Reader) *Upload {
	t := &Target{S3: s, Errs: plainErrors{}, Op: "Put", Bucket: "b", Key: "k"}
	u := NewUpload(t, &Settings{PartSize: 5 << 20, Concurrency: concurrency}, body, -1, nil, 0)
	u.pool = pool
	return u
}

func TestUploadHoldsAtMostConcurrencyBuffers(t *testing.T) {
	const concurrency, parts = 3, 10
	pool := newBufferPool(maxIdleBuffers)
	for round := 1; round <= 2; round++ {
		s := newHeldS3(concurrency, parts)
		u := poolUpload(s, pool, concurrency, io.LimitReader(newPattern(), parts*5<<20))
		res, err := u.Multipart(t.Context())
		require.NoError(t, err)
		assert.Equal(t, parts, res.Parts)
		assert.Equal(t, int64(parts*5<<20), s.bytes)

		st := pool.snapshot()
		assert.Equal(t, concurrency, st.PeakLent, "round %d: %d parts in flight hold one buffer each, and no more", round, concurrency)
		assert.Equal(t, concurrency, st.Made, "round %d: the second upload reuses the first one's buffers", round)
		assert.Zero(t, st.Lent, "round %d: every buffer is back in the pool", round)
	}
}

func TestUploadReturnsBuffersWhenItFails(t *testing.T) {
	const concurrency, parts = 3, 10
	for name, c := range map[string]struct {
		fail   map[int]bool
		failAt int64 // bytes the body gives before its Read fails; 0: never
	}{
		"a part fails":             {fail: map[int]bool{4: true}},
		"the first part fails":     {fail: map[int]bool{1: true}},
		"the body fails in part 6": {failAt: 5*5<<20 + 1234},
		"the body fails in part 1": {failAt: 1234},
	} {
		t.Run(name, func(t *testing.T) {
			pool := newBufferPool(maxIdleBuffers)
			s := newHeldS3(1, parts)
			s.fail = c.fail
			var body io.Reader = io.LimitReader(newPattern(), parts*5<<20)
			if c.failAt > 0 {
				body = &failingBody{r: body, failAt: c.failAt}
			}
			_, err := poolUpload(s, pool, concurrency, body).Multipart(t.Context())
			require.Error(t, err)

			st := pool.snapshot()
			assert.Zero(t, st.Lent, "every buffer is back in the pool")
			assert.LessOrEqual(t, st.PeakLent, concurrency)
		})
	}
}

func TestUploadOfOnePartReturnsItsBuffer(t *testing.T) {
	pool := newBufferPool(maxIdleBuffers)
	for range 2 {
		res, err := poolUpload(&drainS3{}, pool, 4, io.LimitReader(newPattern(), 1000)).Multipart(t.Context())
		require.NoError(t, err)
		assert.Equal(t, int64(1000), res.Size)
		assert.Zero(t, res.Parts, "a body that fits in the first part goes in one PUT")
	}
	assert.Equal(t, poolStats{Made: 1, Lent: 0, PeakLent: 1}, pool.snapshot())
}

func TestBufferPoolKeepsAtMostMaxIdle(t *testing.T) {
	pool := newBufferPool(3 << 20)
	bufs := [][]byte{pool.get(1 << 20), pool.get(1 << 20), pool.get(1 << 20), pool.get(1 << 20)}
	for _, b := range bufs {
		pool.put(b)
	}
	assert.Equal(t, int64(3<<20), pool.idleBytes, "the fourth buffer is dropped")
	assert.Len(t, pool.get(2<<20), 2<<20, "a buffer of another size is made")
	pool.put(pool.get(2 << 20))
	assert.LessOrEqual(t, pool.idleBytes, int64(3<<20))
	pool.put(make([]byte, 4<<20))
	assert.LessOrEqual(t, pool.idleBytes, int64(3<<20), "a buffer larger than the bound is not kept")
}

func TestBufferPoolLetsIdleBuffersGo(t *testing.T) {
	pool := newBufferPool(maxIdleBuffers)
	a, b := pool.get(1<<20), pool.get(1<<20)
	pool.put(a)
	assert.Nil(t, pool.timer, "no countdown while a buffer is lent")
	pool.put(b)
	require.NotNil(t, pool.timer, "the countdown starts once no buffer is lent")
	assert.Equal(t, int64(2<<20), pool.idleBytes)

	pool.put(pool.get(1 << 20)) // reused: the countdown starts again
	assert.Equal(t, 2, pool.snapshot().Made, "the buffer was reused, not made")

	c := pool.get(1 << 20)
	pool.drop() // the countdown fired while c was lent: nothing is dropped
	assert.Equal(t, int64(1<<20), pool.idleBytes)
	pool.put(c)
	pool.drop() // the countdown fired with nothing lent
	assert.Zero(t, pool.idleBytes)
	assert.Empty(t, pool.idle)
	assert.Len(t, pool.get(1<<20), 1<<20, "a pool that let its buffers go makes new ones")
}

// cancellingS3 is a [drainS3] that, once parts parts are in flight, ends
// the upload's context, and holds every part until the context has ended.
type cancellingS3 struct {
	drainS3
	parts  int
	cancel context.CancelFunc

	mu      sync.Mutex
	arrived int
}

func (c *cancellingS3) UploadPart(ctx context.Context, _ *s3.UploadPartInput, _ ...func(*s3.Options)) (*s3.UploadPartOutput, error) {
	c.mu.Lock()
	c.arrived++
	if c.arrived == c.parts {
		c.cancel()
	}
	c.mu.Unlock()
	<-ctx.Done()
	return nil, ctx.Err()
}

// TestUploadCancelledWhileEveryPartIsInFlight ends the context while every
// buffer is held by a part in flight and the reader waits for one: the
// reader then stops without a buffer, and must not hand back one it never
// took, which would fill the buffers' channel and leave the last part
// blocked for ever.
func TestUploadCancelledWhileEveryPartIsInFlight(t *testing.T) {
	const concurrency = 3
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	pool := newBufferPool(maxIdleBuffers)
	s := &cancellingS3{parts: concurrency, cancel: cancel}
	_, err := poolUpload(s, pool, concurrency, io.LimitReader(newPattern(), 10*5<<20)).Multipart(ctx)
	require.ErrorIs(t, err, context.Canceled)
	st := pool.snapshot()
	assert.Zero(t, st.Lent, "every buffer is back in the pool")
	assert.Equal(t, concurrency, st.PeakLent)
}
