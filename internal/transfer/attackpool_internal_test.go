package transfer

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// panickingBody panics in its Read once it has given panicAt bytes, as a
// caller's reader with a bug would.
type panickingBody struct {
	r       io.Reader
	given   int64
	panicAt int64
}

func (b *panickingBody) Read(p []byte) (int, error) {
	if b.given >= b.panicAt {
		panic("body panics")
	}
	p = p[:min(int64(len(p)), b.panicAt-b.given)]
	n, err := b.r.Read(p)
	b.given += int64(n)
	return n, err
}

// TestAttackPool_BodyThatPanicsReturnsItsBuffer makes the caller's body panic
// while a part is read into a buffer from the pool. The panic reaches the
// caller, but the buffer must come back: a buffer counted as lent for ever
// keeps the pool from ever letting its idle buffers go.
func TestAttackPool_BodyThatPanicsReturnsItsBuffer(t *testing.T) {
	for name, c := range map[string]struct {
		panicAt int64
		size    int64
	}{
		"in the first part":                {panicAt: 1234, size: -1},
		"in the third part":                {panicAt: 2*5<<20 + 1234, size: -1},
		"in the third part, size given":    {panicAt: 2*5<<20 + 1234, size: 4 * 5 << 20},
		"after the size given, at the end": {panicAt: 2 * 5 << 20, size: 2 * 5 << 20},
	} {
		t.Run(name, func(t *testing.T) {
			pool := newBufferPool(maxIdleBuffers)
			body := &panickingBody{r: io.LimitReader(newPattern(), 10*5<<20), panicAt: c.panicAt}
			u := poolUpload(&drainS3{}, pool, 2, body)
			u.size = c.size
			require.PanicsWithValue(t, "body panics", func() { _, _ = u.Multipart(t.Context()) })
			st := pool.snapshot()
			assert.Zero(t, st.Lent, "every buffer is back in the pool")
			assert.LessOrEqual(t, st.PeakLent, 2)
		})
	}
}

// cancelAtS3 is a [drainS3] that ends the upload's context at its step-th
// call (CreateMultipartUpload, each UploadPart or PutObject, then
// CompleteMultipartUpload), before or after doing the call, and checks
// that every part body it reads is the source's bytes at the part's offset.
type cancelAtS3 struct {
	drainS3
	step   int
	after  bool
	cancel context.CancelFunc
	src    []byte

	callsMu sync.Mutex
	calls   int
	wrong   []int
}

func (c *cancelAtS3) at(ctx context.Context) error {
	c.callsMu.Lock()
	c.calls++
	now := c.calls == c.step
	c.callsMu.Unlock()
	if now && !c.after {
		c.cancel()
	}
	if now && c.after {
		defer c.cancel()
	}
	return ctx.Err()
}

func (c *cancelAtS3) CreateMultipartUpload(ctx context.Context, in *s3.CreateMultipartUploadInput, opts ...func(*s3.Options)) (*s3.CreateMultipartUploadOutput, error) {
	if err := c.at(ctx); err != nil {
		return nil, err
	}
	return c.drainS3.CreateMultipartUpload(ctx, in, opts...)
}

func (c *cancelAtS3) check(n int, body io.Reader) error {
	got, err := io.ReadAll(body)
	if err != nil {
		return err
	}
	off := (n - 1) * 5 << 20
	if off+len(got) > len(c.src) || !bytes.Equal(got, c.src[off:off+len(got)]) {
		c.callsMu.Lock()
		c.wrong = append(c.wrong, n)
		c.callsMu.Unlock()
	}
	return nil
}

func (c *cancelAtS3) UploadPart(ctx context.Context, in *s3.UploadPartInput, _ ...func(*s3.Options)) (*s3.UploadPartOutput, error) {
	if err := c.at(ctx); err != nil {
		return nil, err
	}
	if err := c.check(int(*in.PartNumber), in.Body); err != nil {
		return nil, err
	}
	return &s3.UploadPartOutput{ETag: aws.String(`"p"`)}, nil
}

func (c *cancelAtS3) PutObject(ctx context.Context, in *s3.PutObjectInput, _ ...func(*s3.Options)) (*s3.PutObjectOutput, error) {
	if err := c.at(ctx); err != nil {
		return nil, err
	}
	if err := c.check(1, in.Body); err != nil {
		return nil, err
	}
	return &s3.PutObjectOutput{ETag: aws.String(`"x"`)}, nil
}

func (c *cancelAtS3) CompleteMultipartUpload(ctx context.Context, in *s3.CompleteMultipartUploadInput, opts ...func(*s3.Options)) (*s3.CompleteMultipartUploadOutput, error) {
	if err := c.at(ctx); err != nil {
		return nil, err
	}
	return c.drainS3.CompleteMultipartUpload(ctx, in, opts...)
}

// TestAttackPool_CancelAtEveryStepReturnsEveryBuffer ends the context at
// every request of uploads of one part and of several (before the request
// and once it is done), with sizes known and unknown: every buffer comes
// back, none is lent twice at once (the pool's count never exceeds the
// concurrency), and every part sent is the source's bytes.
func TestAttackPool_CancelAtEveryStepReturnsEveryBuffer(t *testing.T) {
	const concurrency = 2
	src := make([]byte, 4*5<<20+777)
	_, _ = rand.NewChaCha8([32]byte{9}).Read(src)
	for _, size := range []int{1000, len(src)} {
		for _, known := range []bool{false, true} {
			for step := 1; step <= 7; step++ {
				for _, after := range []bool{false, true} {
					t.Run(fmt.Sprintf("size %d known %v step %d after %v", size, known, step, after), func(t *testing.T) {
						ctx, cancel := context.WithCancel(t.Context())
						defer cancel()
						pool := newBufferPool(maxIdleBuffers)
						s := &cancelAtS3{step: step, after: after, cancel: cancel, src: src}
						u := poolUpload(s, pool, concurrency, bytes.NewBuffer(src[:size]))
						if known {
							u.size = int64(size)
						}
						_, _ = u.Multipart(ctx)
						st := pool.snapshot()
						assert.Zero(t, st.Lent, "every buffer is back in the pool")
						assert.LessOrEqual(t, st.PeakLent, concurrency)
						assert.Empty(t, s.wrong, "parts whose body differs from the source")
					})
				}
			}
		}
	}
}

// TestAttackPool_ReleaseRacesGetAndPut lets the pool's release fire at once,
// again and again, while goroutines borrow and return buffers: under -race
// the drop must not race get or put, no buffer may be lent twice at once
// (each borrower writes its own mark and finds it intact), and the pool's
// books must balance at the end.
func TestAttackPool_ReleaseRacesGetAndPut(t *testing.T) {
	pool := newBufferPool(4 << 10)
	pool.release = time.Nanosecond
	var wg sync.WaitGroup
	var clash atomic.Int64
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 2000 {
				size := int64(1<<10) << (i % 3)
				b := pool.get(size)
				mark := byte(g + 1)
				b[0], b[len(b)-1] = mark, mark
				runtime.Gosched()
				if b[0] != mark || b[len(b)-1] != mark {
					clash.Add(1)
				}
				pool.put(b)
			}
		}()
	}
	wg.Wait()
	assert.Zero(t, clash.Load(), "a buffer was lent to two borrowers at once")
	pool.mu.Lock()
	defer pool.mu.Unlock()
	assert.Zero(t, pool.stats.Lent)
	var idle int64
	for _, b := range pool.idle {
		idle += int64(len(b))
	}
	assert.Equal(t, idle, pool.idleBytes)
	assert.LessOrEqual(t, pool.idleBytes, pool.maxIdle)
}
