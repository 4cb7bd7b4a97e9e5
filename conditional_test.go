package s3kit_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/s3kit/s3kit"
	"github.com/s3kit/s3kit/s3kittest"
)

// condWriter stores data under key with a conditional-write option, one way
// (Put or Copy, single or multipart).
type condWriter func(t *testing.T, c *s3kit.Client, key string, data []byte, opt s3kit.PutOption) (s3kit.PutResult, error)

// condWriters returns the four ways to write that carry a condition:
// PutObject, CompleteMultipartUpload of a Put, CopyObject, and the
// CompleteMultipartUpload of a multipart copy. A multipart Put is forced
// with a 5 MiB threshold and part size, so 6 MiB and 1 KiB is two parts; the
// caller sets copy limits of 6 KiB and 5 KiB parts with WithCopyLimits (KiB,
// as in TestCopy), so 7 KiB is a multipart copy of two parts.
func condWriters() []struct {
	name      string
	size      int
	multipart bool
	write     condWriter
} {
	const mib = 1 << 20
	put := func(extra ...s3kit.PutOption) condWriter {
		return func(t *testing.T, c *s3kit.Client, key string, data []byte, opt s3kit.PutOption) (s3kit.PutResult, error) {
			return c.Put(t.Context(), bucket, key, bytes.NewReader(data), append(extra, opt)...)
		}
	}
	cp := func(t *testing.T, c *s3kit.Client, key string, data []byte, opt s3kit.PutOption) (s3kit.PutResult, error) {
		src := "src/" + key
		_, err := c.Put(t.Context(), bucket, src, bytes.NewReader(data))
		require.NoError(t, err)
		return c.Copy(t.Context(), bucket, src, bucket, key, opt)
	}
	small := []s3kit.PutOption{s3kit.WithMultipartThreshold(5 * mib), s3kit.WithPartSize(5 * mib)}
	return []struct {
		name      string
		size      int
		multipart bool
		write     condWriter
	}{
		{"put single", 3000, false, put()},
		{"put multipart", 6*mib + 1024, true, put(small...)},
		{"copy single", 3000, false, cp},
		{"copy multipart", 7 << 10, true, cp},
	}
}

// stored returns the SHA-256 of the object under key, or "missing".
func stored(t *testing.T, c *s3kit.Client, key string) string {
	t.Helper()
	if _, err := c.Head(t.Context(), bucket, key); errors.Is(err, s3kit.ErrNotFound) {
		return "missing"
	}
	got, _ := getAll(t, c, key)
	return got
}

// TestConditionalWrites checks WithIfNoneMatch and WithIfMatch on each kind
// of write: the write happens when the condition holds, and when it does not
// the error matches ErrPreconditionFailed (not ErrObjectChanged), the stored
// bytes are unchanged, and no multipart upload is left behind.
func TestConditionalWrites(t *testing.T) {
	t.Parallel()
	for _, w := range condWriters() {
		t.Run(w.name, func(t *testing.T) {
			t.Parallel()
			lim := s3kit.WithCopyLimits(6<<10, 5<<10)
			_, c := setupClient(t, lim)
			v1, v2, v3 := randomBytes(w.size), bytes.Repeat([]byte("2"), w.size), bytes.Repeat([]byte("3"), w.size)
			const key = "cond/k"

			res, err := w.write(t, c, key, v1, s3kit.WithIfNoneMatch("*"))
			require.NoError(t, err, "create-only on an absent key")
			assert.Equal(t, w.multipart, res.Parts > 0)
			require.Equal(t, sum(v1), stored(t, c, key))
			first, err := c.Head(t.Context(), bucket, key)
			require.NoError(t, err)

			_, err = w.write(t, c, key, v2, s3kit.WithIfNoneMatch("*"))
			require.ErrorIs(t, err, s3kit.ErrPreconditionFailed, "create-only on an existing key")
			assert.NotErrorIs(t, err, s3kit.ErrObjectChanged)
			var e *s3kit.Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, http.StatusPreconditionFailed, e.StatusCode)
			assert.Equal(t, "PreconditionFailed", e.Code)
			assert.Equal(t, key, e.Key)
			assert.Equal(t, sum(v1), stored(t, c, key), "the existing object is intact")

			_, err = w.write(t, c, key, v2, s3kit.WithIfMatch("0123456789abcdef0123456789abcdef"))
			require.ErrorIs(t, err, s3kit.ErrPreconditionFailed, "If-Match with a stale ETag")
			assert.Equal(t, sum(v1), stored(t, c, key), "the existing object is intact")

			res, err = w.write(t, c, key, v2, s3kit.WithIfMatch(first.ETag))
			require.NoError(t, err, "If-Match with the current ETag %s", first.ETag)
			assert.Equal(t, sum(v2), stored(t, c, key))

			_, err = w.write(t, c, key, v3, s3kit.WithIfMatch(first.ETag))
			require.ErrorIs(t, err, s3kit.ErrPreconditionFailed, "If-Match with the ETag replaced just before")
			assert.Equal(t, sum(v2), stored(t, c, key))

			_, err = w.write(t, c, key, v3, s3kit.WithIfMatch(`"`+res.ETag+`"`))
			require.NoError(t, err, "If-Match with a quoted current ETag")
			assert.Equal(t, sum(v3), stored(t, c, key))

			_, err = w.write(t, c, "cond/missing", v1, s3kit.WithIfMatch(first.ETag))
			require.ErrorIs(t, err, s3kit.ErrNotFound, "If-Match on a missing key: 404 NoSuchKey, as on AWS")
			assert.Equal(t, "missing", stored(t, c, "cond/missing"))

			assert.Zero(t, pendingUploads(t, c), "failed conditional uploads are aborted")
		})
	}
}

// TestConditionalCreateRace starts several create-only writes of one key at
// once: exactly one succeeds, the others fail with ErrPreconditionFailed, and
// the stored object is the winner's.
func TestConditionalCreateRace(t *testing.T) {
	t.Parallel()
	for _, w := range condWriters() {
		t.Run(w.name, func(t *testing.T) {
			t.Parallel()
			lim := s3kit.WithCopyLimits(6<<10, 5<<10)
			_, c := setupClient(t, lim)
			writers := 6
			if w.multipart {
				writers = 3
			}
			var wg sync.WaitGroup
			errs := make([]error, writers)
			bodies := make([][]byte, writers)
			for i := range writers {
				bodies[i] = bytes.Repeat([]byte{byte('a' + i)}, w.size)
				if strings.HasPrefix(w.name, "copy") {
					// Sources first, so that only the copies race.
					_, err := c.Put(t.Context(), bucket, fmt.Sprintf("src/race/%d", i), bytes.NewReader(bodies[i]))
					require.NoError(t, err)
				}
			}
			for i := range writers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					if strings.HasPrefix(w.name, "copy") {
						_, errs[i] = c.Copy(t.Context(), bucket, fmt.Sprintf("src/race/%d", i), bucket, "race", s3kit.WithIfNoneMatch("*"))
						return
					}
					_, errs[i] = w.write(t, c, "race", bodies[i], s3kit.WithIfNoneMatch("*"))
				}()
			}
			wg.Wait()
			winner := -1
			for i, err := range errs {
				if err == nil {
					require.Equal(t, -1, winner, "two create-only writes succeeded")
					winner = i
					continue
				}
				assert.ErrorIs(t, err, s3kit.ErrPreconditionFailed)
			}
			require.NotEqual(t, -1, winner, "no write succeeded: %v", errs)
			assert.Equal(t, sum(bodies[winner]), stored(t, c, "race"))
			assert.Zero(t, pendingUploads(t, c))
		})
	}
}

// TestConditionalInvalid checks that bad condition values are refused with
// ErrInvalidInput before any request, by Put, Copy and PresignPut.
func TestConditionalInvalid(t *testing.T) {
	t.Parallel()
	srv, c := setup(t)
	_, err := c.Put(t.Context(), bucket, "src", strings.NewReader("x"))
	require.NoError(t, err)
	tests := []struct {
		name string
		opts []s3kit.PutOption
	}{
		{"If-None-Match with an ETag", []s3kit.PutOption{s3kit.WithIfNoneMatch(`"abc"`)}},
		{"empty If-None-Match", []s3kit.PutOption{s3kit.WithIfNoneMatch("")}},
		{"empty If-Match", []s3kit.PutOption{s3kit.WithIfMatch("")}},
		{"If-Match of two quotes", []s3kit.PutOption{s3kit.WithIfMatch(`""`)}},
		{"If-Match with a space", []s3kit.PutOption{s3kit.WithIfMatch("ab cd")}},
		{"If-Match with a quote inside", []s3kit.PutOption{s3kit.WithIfMatch(`ab"cd`)}},
		{"If-Match with a list", []s3kit.PutOption{s3kit.WithIfMatch(`"ab","cd"`)}},
		{"If-Match with a newline", []s3kit.PutOption{s3kit.WithIfMatch("ab\ncd")}},
		{"both conditions", []s3kit.PutOption{s3kit.WithIfNoneMatch("*"), s3kit.WithIfMatch("abc")}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := srv.Requests()
			_, err := c.Put(t.Context(), bucket, "k", strings.NewReader("data"), tc.opts...)
			assert.ErrorIs(t, err, s3kit.ErrInvalidInput, "Put")
			_, err = c.Copy(t.Context(), bucket, "src", bucket, "k", tc.opts...)
			assert.ErrorIs(t, err, s3kit.ErrInvalidInput, "Copy")
			_, err = c.PresignPut(t.Context(), bucket, "k", time.Minute, tc.opts...)
			assert.ErrorIs(t, err, s3kit.ErrInvalidInput, "PresignPut")
			assert.Equal(t, before, srv.Requests(), "no request sent")
		})
	}
}

// TestConditionalProfileRefuses checks that a provider profile known to
// ignore conditions on some requests refuses a conditional write that
// would go through them, before any request, and lets the others through.
func TestConditionalProfileRefuses(t *testing.T) {
	t.Parallel()
	const mib = 1 << 20
	big := bytes.Repeat([]byte("b"), 6*mib)
	tests := []struct {
		name    string
		profile func(endpoint string) s3kit.Provider
		write   func(ctx context.Context, c *s3kit.Client, opts ...s3kit.PutOption) error
		refused bool
	}{
		{"RGW: small put", s3kit.CephRGW, func(ctx context.Context, c *s3kit.Client, opts ...s3kit.PutOption) error {
			_, err := c.Put(ctx, bucket, "p", strings.NewReader("x"), opts...)
			return err
		}, false},
		{"RGW: put above the multipart threshold", s3kit.CephRGW, func(ctx context.Context, c *s3kit.Client, opts ...s3kit.PutOption) error {
			_, err := c.Put(ctx, bucket, "p", bytes.NewReader(big), append(opts, s3kit.WithMultipartThreshold(5*mib))...)
			return err
		}, true},
		{"RGW: put of unknown size", s3kit.CephRGW, func(ctx context.Context, c *s3kit.Client, opts ...s3kit.PutOption) error {
			_, err := c.Put(ctx, bucket, "p", onlyReader{strings.NewReader("x")}, opts...)
			return err
		}, true},
		{"RGW: put of declared size", s3kit.CephRGW, func(ctx context.Context, c *s3kit.Client, opts ...s3kit.PutOption) error {
			_, err := c.Put(ctx, bucket, "p", onlyReader{strings.NewReader("x")}, append(opts, s3kit.WithSize(1))...)
			return err
		}, false},
		{"RGW: copy", s3kit.CephRGW, func(ctx context.Context, c *s3kit.Client, opts ...s3kit.PutOption) error {
			_, err := c.Copy(ctx, bucket, "src", bucket, "p", opts...)
			return err
		}, true},
		{"RGW: presigned put", s3kit.CephRGW, func(ctx context.Context, c *s3kit.Client, opts ...s3kit.PutOption) error {
			_, err := c.PresignPut(ctx, bucket, "p", time.Minute, opts...)
			return err
		}, false},
		{"versitygw: multipart put", s3kit.Versitygw, func(ctx context.Context, c *s3kit.Client, opts ...s3kit.PutOption) error {
			_, err := c.Put(ctx, bucket, "p", bytes.NewReader(big), append(opts, s3kit.WithMultipartThreshold(5*mib))...)
			return err
		}, false},
		{"versitygw: copy", s3kit.Versitygw, func(ctx context.Context, c *s3kit.Client, opts ...s3kit.PutOption) error {
			_, err := c.Copy(ctx, bucket, "src", bucket, "p", opts...)
			return err
		}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := s3kittest.NewServer(t)
			srv.CreateBucket(t, bucket)
			c := srv.Client(t, s3kit.WithProvider(tc.profile(srv.URL)), s3kit.WithRegion(s3kittest.Region))
			_, err := c.Put(t.Context(), bucket, "src", strings.NewReader("source"))
			require.NoError(t, err)
			before := srv.Requests()
			err = tc.write(t.Context(), c, s3kit.WithIfNoneMatch("*"))
			if tc.refused {
				require.ErrorIs(t, err, s3kit.ErrInvalidInput)
				assert.Contains(t, err.Error(), "ignores If-None-Match and If-Match")
				assert.Equal(t, before, srv.Requests(), "no request sent")
			} else {
				require.NoError(t, err)
			}
			assert.NoError(t, tc.write(t.Context(), c), "without a condition the write goes through")
		})
	}
}

// TestPresignPutConditional checks that PresignPut signs If-None-Match, so
// the upload must carry it, and that the server then enforces it.
func TestPresignPutConditional(t *testing.T) {
	t.Parallel()
	srv, c := setup(t)
	p, err := c.PresignPut(t.Context(), bucket, "pre", time.Hour, s3kit.WithIfNoneMatch("*"))
	require.NoError(t, err)
	assert.Equal(t, "*", p.Header.Get("If-None-Match"))
	assert.Contains(t, p.URL, "if-none-match", "If-None-Match is a signed header")

	status, body := send(t, srv.HTTPClient(), p, "", []byte("first"), nil)
	assert.Equal(t, http.StatusForbidden, status, "without the condition the signature fails: %s", body)
	status, body = send(t, srv.HTTPClient(), p, "", []byte("first"), p.Header)
	require.Equal(t, http.StatusOK, status, string(body))
	status, body = send(t, srv.HTTPClient(), p, "", []byte("second"), p.Header)
	assert.Equal(t, http.StatusPreconditionFailed, status, string(body))
	assert.Contains(t, string(body), "PreconditionFailed")

	r, err := c.Get(t.Context(), bucket, "pre")
	require.NoError(t, err)
	defer r.Close()
	var got bytes.Buffer
	_, err = got.ReadFrom(r)
	require.NoError(t, err)
	assert.Equal(t, "first", got.String())

	p, err = c.PresignPut(t.Context(), bucket, "pre", time.Hour, s3kit.WithIfMatch(`"`+r.ETag+`"`))
	require.NoError(t, err)
	assert.Equal(t, r.ETag, p.Header.Get("If-Match"), "sent without quotes")
	status, body = send(t, srv.HTTPClient(), p, "", []byte("third"), p.Header)
	assert.Equal(t, http.StatusOK, status, string(body))
}

// TestConditionalPutLostAnswer shows why ErrPreconditionFailed after a
// retried request proves nothing: the first attempt stored the object and
// its answer was lost, and the retry failed the condition against it.
func TestConditionalPutLostAnswer(t *testing.T) {
	t.Parallel()
	drop := &s3kittest.Rule{Op: "PutObject", Key: "lost", Nth: 1, Fault: s3kittest.DropResponse()}
	srv := s3kittest.NewServer(t, s3kittest.WithFaults(drop))
	srv.CreateBucket(t, bucket)
	c := srv.Client(t, s3kit.WithRetryDelays(time.Millisecond, time.Millisecond))
	_, err := c.Put(t.Context(), bucket, "lost", strings.NewReader("mine"), s3kit.WithIfNoneMatch("*"))
	require.ErrorIs(t, err, s3kit.ErrOutcomeUnknown, "a 412 after a lost answer does not prove the write failed")
	assert.NotErrorIs(t, err, s3kit.ErrPreconditionFailed)
	var e *s3kit.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, 2, e.Attempts, "the 412 came from the retry")
	assert.Equal(t, "PreconditionFailed", e.Code)
	assert.Equal(t, 1, drop.Fired())
	assert.Equal(t, sum([]byte("mine")), stored(t, c, "lost"), "yet the object is the one this Put wrote")
}

// TestConditionalMultipartLostAnswer: a conditional multipart Put whose
// CompleteMultipartUpload answer is lost gets 412 on the retry (its own
// object now exists); the ETag check settles it as the success it was.
func TestConditionalMultipartLostAnswer(t *testing.T) {
	t.Parallel()
	drop := &s3kittest.Rule{Op: "CompleteMultipartUpload", Nth: 1, Fault: s3kittest.DropResponse()}
	srv := s3kittest.NewServer(t, s3kittest.WithFaults(drop))
	srv.CreateBucket(t, bucket)
	c := srv.Client(t, s3kit.WithRetryDelays(time.Millisecond, time.Millisecond))
	data := randomBytes(twoParts)
	res, err := c.Put(t.Context(), bucket, "lost", bytes.NewReader(data), append([]s3kit.PutOption{s3kit.WithIfNoneMatch("*")}, mpOpts...)...)
	require.NoError(t, err)
	assert.Equal(t, 1, drop.Fired())
	assert.Equal(t, int64(len(data)), res.Size)
	assert.Equal(t, sum(data), stored(t, c, "lost"))
}
