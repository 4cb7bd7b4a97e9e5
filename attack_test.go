package s3kit_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/s3kit/s3kit"
	"github.com/s3kit/s3kit/s3kittest"
)

// TestAttack_IfNoneMatchMultipartSucceedsOverExistingObject: a multipart Put
// WithIfNoneMatch("*") on a key that already holds the same bytes (a lock
// file, an idempotent "create once" marker written by another process). The
// first CompleteMultipartUpload attempt gets a 500 that never reached the
// store; the retry gets the store's honest 412 (the object exists). settle()
// then HEADs the key, finds the other writer's object with the ETag "these
// parts would produce", and reports SUCCESS: the caller believes it created
// the object although the condition failed and nothing of its own was
// stored. And since the call "succeeded", its upload is never aborted and
// stays behind holding its parts.
func TestAttack_IfNoneMatchMultipartSucceedsOverExistingObject(t *testing.T) {
	t.Parallel()
	data := randomBytes(twoParts)
	fe := newFrontEnd(t, []*s3kittest.Rule{
		{Op: "CompleteMultipartUpload", Nth: 1, Fault: s3kittest.ErrorResponse(500, "InternalError")},
	})
	// Another writer created the object first, with the same bytes and part size.
	_, err := fe.srv.Client(t).Put(t.Context(), bucket, "lock", bytes.NewReader(data), mpOpts...)
	require.NoError(t, err)

	_, err = fe.client.Put(t.Context(), bucket, "lock", bytes.NewReader(data),
		append(mpOpts[:len(mpOpts):len(mpOpts)], s3kit.WithIfNoneMatch("*"))...)
	assert.Error(t, err, "the object existed before: create-if-absent must not report success")
	if err != nil {
		assert.True(t, errors.Is(err, s3kit.ErrPreconditionFailed) || errors.Is(err, s3kit.ErrOutcomeUnknown), "%v", err)
	}
	withParts, _ := leftUploads(t, fe.srv.Client(t))
	assert.Zero(t, withParts, "the refused upload must be aborted, not left holding its parts")
}

// TestAttack_UnknownCompleteSettledByOlderIdenticalObjectLeavesParts: the
// same hole without a condition. Every CompleteMultipartUpload attempt gets a
// 500 (nothing applied). The key already holds an identical object from an
// earlier Put, so the HEAD check "proves" success and the upload, which was
// never completed, is left holding all its parts.
func TestAttack_UnknownCompleteSettledByOlderIdenticalObjectLeavesParts(t *testing.T) {
	t.Parallel()
	data := randomBytes(twoParts)
	fe := newFrontEnd(t, []*s3kittest.Rule{
		{Op: "CompleteMultipartUpload", Fault: s3kittest.ErrorResponse(500, "InternalError")},
	})
	_, err := fe.srv.Client(t).Put(t.Context(), bucket, "k", bytes.NewReader(data), mpOpts...)
	require.NoError(t, err)

	_, err = fe.client.Put(t.Context(), bucket, "k", bytes.NewReader(data), mpOpts...)
	t.Logf("Put: %v", err)
	withParts, _ := leftUploads(t, fe.srv.Client(t))
	assert.Zero(t, withParts, "no multipart upload may be left holding parts")
}

// TestAttack_CancelledBeforeCallIsNotOutcomeUnknown: a context that has
// already ended (cancelled, or a deadline in the past) sends nothing, so the
// error must be the context's and definite, not ErrOutcomeUnknown.
func TestAttack_CancelledBeforeCallIsNotOutcomeUnknown(t *testing.T) {
	t.Parallel()
	srv, c := setup(t)
	_, err := c.Put(t.Context(), bucket, "k", strings.NewReader("old"))
	require.NoError(t, err)
	before := srv.Requests()

	cancelled, cancel := context.WithCancel(t.Context())
	cancel()
	expired, cancel2 := context.WithDeadline(t.Context(), time.Now().Add(-time.Second))
	defer cancel2()

	for name, ctx := range map[string]context.Context{"cancelled": cancelled, "expired": expired} {
		t.Run(name, func(t *testing.T) {
			_, err := c.Put(ctx, bucket, "k", strings.NewReader("new"))
			require.Error(t, err)
			assert.True(t, errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded), "%v", err)
			assert.NotErrorIs(t, err, s3kit.ErrOutcomeUnknown, "Put: nothing was sent")

			err = c.Delete(ctx, bucket, "k")
			require.Error(t, err)
			assert.NotErrorIs(t, err, s3kit.ErrOutcomeUnknown, "Delete: nothing was sent")

			_, err = c.Copy(ctx, bucket, "k", bucket, "k2")
			require.Error(t, err)
			assert.NotErrorIs(t, err, s3kit.ErrOutcomeUnknown, "Copy: nothing was sent")
		})
	}
	assert.Equal(t, before, srv.Requests(), "no request reached the server")
	assertStored(t, srv, "k", []byte("old"))
}

// TestAttack_DeleteManyLostAnswerIsDefinite: DeleteObjects is carried out by
// the store but its answer is lost every time. DeleteMany returns an error
// that does not match ErrOutcomeUnknown — which, by ErrOutcomeUnknown's doc,
// means "the store was left as it was" — yet the keys are gone.
func TestAttack_DeleteManyLostAnswerIsDefinite(t *testing.T) {
	t.Parallel()
	fe := newFrontEnd(t, []*s3kittest.Rule{{Op: "DeleteObjects", Fault: s3kittest.DropResponse()}})
	fe.put(t, "a", []byte("A"))
	fe.put(t, "b", []byte("B"))
	err := fe.client.DeleteMany(t.Context(), bucket, func(yield func(string) bool) {
		_ = yield("a") && yield("b")
	})
	require.Error(t, err)
	_, herr := fe.srv.Client(t).Head(t.Context(), bucket, "a")
	if errors.Is(herr, s3kit.ErrNotFound) {
		assert.ErrorIs(t, err, s3kit.ErrOutcomeUnknown, "the keys were deleted, but the error says nothing about it: %v", err)
	}
}

// TestAttack_DeleteOneLostThenRefusedListedAsNotDeleted: a key with a control
// character is deleted with DeleteObject. The first attempt is carried out
// but its answer lost; later attempts get 500. DeleteMany reports the key in
// DeleteError.Failed ("keys that are not listed were deleted" implies listed
// ones were not) with code InternalError, although it is gone.
func TestAttack_DeleteOneLostThenRefusedListedAsNotDeleted(t *testing.T) {
	t.Parallel()
	key := "ctl\x01key"
	fe := newFrontEnd(t, []*s3kittest.Rule{
		{Op: "DeleteObject", Nth: 1, Fault: s3kittest.DropResponse()},
		{Op: "DeleteObject", Fault: s3kittest.ErrorResponse(500, "InternalError")},
	})
	fe.put(t, key, []byte("A"))
	err := fe.client.DeleteMany(t.Context(), bucket, func(yield func(string) bool) { yield(key) })
	t.Logf("DeleteMany: %v", err)
	_, herr := fe.srv.Client(t).Head(t.Context(), bucket, key)
	require.ErrorIs(t, herr, s3kit.ErrNotFound, "the first attempt deleted it")
	if err != nil {
		assert.ErrorIs(t, err, s3kit.ErrOutcomeUnknown, "a key whose delete may have worked is reported as a definite failure")
	}
}

// spinReader returns 0, nil until stop is set, then io.EOF.
type spinReader struct{ stop atomic.Bool }

func (r *spinReader) Read([]byte) (int, error) {
	if r.stop.Load() {
		return 0, io.EOF
	}
	return 0, nil
}

// TestAttack_ZeroReadsIgnoreCancel: a body that returns 0, nil forever
// (discouraged by io.Reader but legal) makes Put spin at 100% CPU and ignore
// its context: a cancelled (or expired) context never ends the call.
// bufio gives up with io.ErrNoProgress after 100 such reads.
func TestAttack_ZeroReadsIgnoreCancel(t *testing.T) {
	_, c := setup(t)
	for _, size := range []int64{-1, 100} {
		r := &spinReader{}
		ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
		done := make(chan error, 1)
		go func() {
			opts := []s3kit.PutOption{}
			if size >= 0 {
				opts = append(opts, s3kit.WithSize(size))
			}
			_, err := c.Put(ctx, bucket, "k", onlyReader{r}, opts...)
			done <- err
		}()
		select {
		case err := <-done:
			assert.Error(t, err)
		case <-time.After(3 * time.Second):
			t.Errorf("size %d: Put still spinning 3 s after its context ended", size)
			r.stop.Store(true)
			<-done
		}
		cancel()
	}
}

// TestAttack_ResumeTrustsIfMatch: when a ranged (or multipart-ETag) download
// is cut and resumed, the reader relies on the server honouring If-Match
// and never compares the resumed answer's ETag with the one it started
// from. A server or cache that ignores If-Match on GET (FACTS: RGW already
// ignores x-amz-copy-source-if-match) hands back bytes of a newer version,
// and the reader splices them onto the old ones without an error: a mix of
// two versions. The answer carries the new ETag, so one comparison would
// catch it.
func TestAttack_ResumeTrustsIfMatch(t *testing.T) {
	t.Parallel()
	srv, direct := setup(t)
	oldData, newData := randomBytes(1<<20), bytes.Repeat([]byte{'N'}, 1<<20)
	_, err := direct.Put(t.Context(), bucket, "k", bytes.NewReader(oldData))
	require.NoError(t, err)
	var gets atomic.Int32
	c := proxyWith(t, srv, func(next http.Handler) func(w http.ResponseWriter, r *http.Request) bool {
		return func(w http.ResponseWriter, r *http.Request) bool {
			if s3kittest.Operation(r) != "GetObject" {
				return false
			}
			switch gets.Add(1) {
			case 1: // the first answer is cut after 100 KiB; the object is replaced meanwhile
				rec := httptest.NewRecorder()
				next.ServeHTTP(rec, r)
				for k, v := range rec.Header() {
					w.Header()[k] = v
				}
				w.WriteHeader(rec.Code)
				_, _ = w.Write(rec.Body.Bytes()[:100<<10])
				w.(http.Flusher).Flush()
				_, err := direct.Put(context.Background(), bucket, "k", bytes.NewReader(newData))
				assert.NoError(t, err)
				panic(http.ErrAbortHandler)
			default: // a server that ignores If-Match: serve the range of what is there now
				var a, b int64
				_, err := fmt.Sscanf(r.Header.Get("Range"), "bytes=%d-%d", &a, &b)
				require.NoError(t, err)
				rd, err := direct.Get(context.Background(), bucket, "k", s3kit.WithRange(a, b-a+1))
				require.NoError(t, err)
				body, err := io.ReadAll(rd)
				require.NoError(t, err)
				_ = rd.Close()
				w.Header().Set("ETag", `"`+rd.ETag+`"`)
				w.Header().Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", a, b, rd.Size))
				w.Header().Set("Content-Length", strconv.Itoa(len(body)))
				w.WriteHeader(http.StatusPartialContent)
				_, _ = w.Write(body)
			}
			return true
		}
	})
	r, err := c.Get(t.Context(), bucket, "k", s3kit.WithRange(0, 1<<20-1)) // a range: no whole-object MD5
	require.NoError(t, err)
	defer r.Close()
	got, err := io.ReadAll(r)
	require.GreaterOrEqual(t, gets.Load(), int32(2), "the download was resumed")
	if err == nil {
		assert.True(t, bytes.Equal(got, oldData[:1<<20-1]), "Get returned %d bytes without error that are not the object's: a mix of two versions", len(got))
	} else {
		assert.ErrorIs(t, err, s3kit.ErrObjectChanged)
	}
}

// TestAttack_CopyPartWithEmptyAnswerIsDropped: a multipart copy records a
// part only `if out.CopyPartResult != nil`. An UploadPartCopy answered 200
// with an empty body (a proxy, a server bug, a body lost after the headers)
// gives no error and no CopyPartResult, so that part is silently left out
// of CompleteMultipartUpload. S3 accepts gaps in part numbers, and Copy
// reports success with Size = the source's size, while the destination is
// missing a whole part.
func TestAttack_CopyPartWithEmptyAnswerIsDropped(t *testing.T) {
	t.Parallel()
	lim := s3kit.WithCopyLimits(5<<10, 5<<10) // KiB, as in TestCopy
	srv, direct := setupClient(t, lim)
	data := randomBytes(6 << 10)
	_, err := direct.Put(t.Context(), bucket, "src", bytes.NewReader(data))
	require.NoError(t, err)
	c := proxyWith(t, srv, func(next http.Handler) func(w http.ResponseWriter, r *http.Request) bool {
		return func(w http.ResponseWriter, r *http.Request) bool {
			if s3kittest.Operation(r) != "UploadPartCopy" || r.URL.Query().Get("partNumber") != "2" {
				return false
			}
			next.ServeHTTP(httptest.NewRecorder(), r) // the part is copied...
			w.WriteHeader(http.StatusOK)              // ...but the answer has no body
			return true
		}
	}, lim)
	res, err := c.Copy(t.Context(), bucket, "src", bucket, "dst")
	if err != nil {
		t.Logf("Copy failed (fine): %v", err)
		_, herr := direct.Head(t.Context(), bucket, "dst")
		assert.ErrorIs(t, herr, s3kit.ErrNotFound)
		return
	}
	head, err := direct.Head(t.Context(), bucket, "dst")
	require.NoError(t, err)
	assert.Equal(t, int64(len(data)), head.Size, "Copy said it copied %d bytes (%d parts)", res.Size, res.Parts)
	assertStored(t, srv, "dst", data)
}

// TestAttack_UploadPartWithoutETag: an UploadPart answered 200 without an
// ETag header is recorded with a nil ETag and sent in
// CompleteMultipartUpload as such. Whatever the server then does, the
// object must be the body or nothing.
func TestAttack_UploadPartWithoutETag(t *testing.T) {
	t.Parallel()
	srv, _ := setup(t)
	data := randomBytes(twoParts)
	c := proxyWith(t, srv, func(next http.Handler) func(w http.ResponseWriter, r *http.Request) bool {
		return func(w http.ResponseWriter, r *http.Request) bool {
			if s3kittest.Operation(r) != "UploadPart" || r.URL.Query().Get("partNumber") != "2" {
				return false
			}
			next.ServeHTTP(httptest.NewRecorder(), r)
			w.WriteHeader(http.StatusOK)
			return true
		}
	})
	_, err := c.Put(t.Context(), bucket, "k", bytes.NewReader(data), mpOpts...)
	if err != nil {
		t.Logf("Put failed: %v", err)
		assertNothingStored(t, srv, "k")
		return
	}
	assertStored(t, srv, "k", data)
}

// writerAtBuf is an in-memory io.WriterAt.
type writerAtBuf struct {
	mu  sync.Mutex
	buf []byte
}

func (w *writerAtBuf) WriteAt(p []byte, off int64) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if end := off + int64(len(p)); end > int64(len(w.buf)) {
		w.buf = append(w.buf, make([]byte, end-int64(len(w.buf)))...)
	}
	copy(w.buf[off:], p)
	return len(p), nil
}

// TestAttack_DownloadWithoutETagSkipsRangeChecks: Download uses the first
// answer's ETag both for If-Match and, when empty, as the marker of "the
// first range, checked by run". An answer without an ETag header (a proxy
// or CDN that strips it) therefore turns off answerSpan for every later
// range: a server that ignores Range and sends the whole object from byte
// 0 has those bytes written at the range's offset, and Download reports
// success with a corrupt file.
func TestAttack_DownloadWithoutETagSkipsRangeChecks(t *testing.T) {
	t.Parallel()
	srv, direct := setup(t)
	data := randomBytes(twoParts)
	_, err := direct.Put(t.Context(), bucket, "k", bytes.NewReader(data), mpOpts...) // multipart: no MD5 to verify
	require.NoError(t, err)
	c := proxyWith(t, srv, func(next http.Handler) func(w http.ResponseWriter, r *http.Request) bool {
		return func(w http.ResponseWriter, r *http.Request) bool {
			if s3kittest.Operation(r) != "GetObject" {
				return false
			}
			rec := httptest.NewRecorder()
			rng := r.Header.Get("Range")
			if !strings.HasPrefix(rng, "bytes=0-") {
				// ignore Range from here on: drop the header the server sees
				// by answering with the whole object ourselves
				rd, err := direct.Get(context.Background(), bucket, "k")
				require.NoError(t, err)
				body, _ := io.ReadAll(rd)
				_ = rd.Close()
				w.Header().Set("Content-Length", strconv.Itoa(len(body)))
				w.WriteHeader(http.StatusOK)
				_, _ = w.Write(body)
				return true
			}
			next.ServeHTTP(rec, r)
			for k, v := range rec.Header() {
				if k != "Etag" {
					w.Header()[k] = v
				}
			}
			w.WriteHeader(rec.Code)
			_, _ = w.Write(rec.Body.Bytes())
			return true
		}
	})
	var w writerAtBuf
	_, err = c.Download(t.Context(), bucket, "k", &w, s3kit.WithPartSize(5<<20))
	if err == nil {
		assert.True(t, bytes.Equal(w.buf, data), "Download succeeded but wrote other bytes than the object's")
	}
}

// TestAttack_OddKeysRoundTrip puts, lists, copies (single and multipart),
// presigns and deletes keys with characters that URL and XML handling
// commonly get wrong.
func TestAttack_OddKeysRoundTrip(t *testing.T) {
	t.Parallel()
	// Copy limits of 64 KiB (as in TestCopy) make the 100 KiB object a
	// multipart copy of two parts: the keys are under test, not the sizes.
	lim := s3kit.WithCopyLimits(64<<10, 64<<10)
	keys := []string{"a+b", "a b", "a%2Fb", "a%b", "x/../y", "x/./y", "./z", "q?x=1#f", "ü/é", "tab\tkey", "nl\nkey", "del\x7f", "~!$&'()*,;=:@", strings.Repeat("é", 500)}
	small := []byte("small")
	big := randomBytes(100 << 10)
	for _, k := range keys {
		t.Run(fmt.Sprintf("%q", k), func(t *testing.T) {
			t.Parallel()
			srv, c := setupClient(t, lim)
			p := "odd/" + k
			_, err := c.Put(t.Context(), bucket, p, bytes.NewReader(small))
			require.NoError(t, err)
			_, err = c.Put(t.Context(), bucket, p+"-big", bytes.NewReader(big))
			require.NoError(t, err)
			_, err = c.Copy(t.Context(), bucket, p, bucket, p+"-c")
			require.NoError(t, err)
			_, err = c.Copy(t.Context(), bucket, p+"-big", bucket, p+"-bigc")
			require.NoError(t, err)
			assertStored(t, srv, p+"-c", small)
			assertStored(t, srv, p+"-bigc", big)
			var listed []string
			for o, err := range c.List(t.Context(), bucket, s3kit.WithPrefix(p)) {
				require.NoError(t, err)
				listed = append(listed, o.Key)
			}
			assert.ElementsMatch(t, []string{p, p + "-big", p + "-c", p + "-bigc"}, listed)
			ps, err := c.PresignGet(t.Context(), bucket, p, time.Minute)
			require.NoError(t, err)
			code, body := anonGet(t, srv, ps.URL)
			assert.Equal(t, 200, code, "presigned GET %s", ps.URL)
			assert.Equal(t, small, body)
			require.NoError(t, c.DeletePrefix(t.Context(), bucket, p))
			for o, err := range c.List(t.Context(), bucket, s3kit.WithPrefix(p)) {
				require.NoError(t, err)
				t.Errorf("left after DeletePrefix: %q", o.Key)
			}
		})
	}
}

// TestAttack_CancelAtEveryPoint cancels Put (single and multipart), Copy
// (single and multipart) and Delete at a spread of moments, with slow
// answers, and holds each result to the promise: success means the new
// value is stored; a definite error means the old value is intact; only
// ErrOutcomeUnknown allows either. No upload may be left holding parts.
func TestAttack_CancelAtEveryPoint(t *testing.T) {
	t.Parallel()
	// The multipart copy is of three 5 KiB parts (KiB, as in TestCopy): the
	// injected delays, not the sizes, spread its steps over the moments.
	lim := s3kit.WithCopyLimits(5<<10, 5<<10)
	oldSmall, newSmall := []byte("old value"), []byte("new value!")
	oldBig, newBig := randomBytes(twoParts), bytes.Repeat([]byte{7}, twoParts)
	oldCopy, newCopy := randomBytes(11<<10), bytes.Repeat([]byte{7}, 11<<10)
	check := func(t *testing.T, direct *s3kit.Client, name string, d time.Duration, err error, key string, oldV, newV []byte) {
		t.Helper()
		got := []byte(nil)
		if r, gerr := direct.Get(t.Context(), bucket, key); gerr == nil {
			got, _ = io.ReadAll(r)
			_ = r.Close()
		}
		switch {
		case err == nil:
			assert.True(t, bytes.Equal(got, newV), "%s after %v: success but new value not stored", name, d)
		case errors.Is(err, s3kit.ErrOutcomeUnknown):
			assert.True(t, bytes.Equal(got, newV) || bytes.Equal(got, oldV), "%s after %v: unknown, but store holds neither", name, d)
		default:
			assert.True(t, bytes.Equal(got, oldV), "%s after %v: definite error %v but the old value is gone (len %d)", name, d, err, len(got))
		}
		withParts, _ := leftUploads(t, direct)
		assert.Zero(t, withParts, "%s after %v: upload left with parts", name, d)
	}
	// Each moment is a parallel subtest with its own server, since check
	// counts the uploads left in the whole bucket.
	for _, d := range []time.Duration{0, time.Millisecond, 5 * time.Millisecond, 15 * time.Millisecond, 30 * time.Millisecond, 60 * time.Millisecond, 120 * time.Millisecond} {
		t.Run(d.String(), func(t *testing.T) {
			t.Parallel()
			fe := newFrontEnd(t, []*s3kittest.Rule{
				{Op: "CompleteMultipartUpload", Fault: s3kittest.DelayHeaders(40 * time.Millisecond)},
				{Op: "PutObject", Fault: s3kittest.DelayHeaders(20 * time.Millisecond)},
				{Op: "CopyObject", Fault: s3kittest.DelayHeaders(20 * time.Millisecond)},
				{Op: "DeleteObject", Fault: s3kittest.DelayHeaders(20 * time.Millisecond)},
				{Op: "UploadPartCopy", Fault: s3kittest.DelayHeaders(10 * time.Millisecond)},
			}, lim)
			direct := fe.srv.Client(t)
			run := func(name, key string, oldV, newV []byte, call func(ctx context.Context) error) {
				_, err := direct.Put(t.Context(), bucket, key, bytes.NewReader(oldV))
				require.NoError(t, err)
				ctx, cancel := context.WithCancel(t.Context())
				time.AfterFunc(d, cancel)
				err = call(ctx)
				cancel()
				check(t, direct, name, d, err, key, oldV, newV)
			}
			run("single Put", "s", oldSmall, newSmall, func(ctx context.Context) error {
				_, err := fe.client.Put(ctx, bucket, "s", bytes.NewReader(newSmall))
				return err
			})
			run("multipart Put", "m", oldBig, newBig, func(ctx context.Context) error {
				_, err := fe.client.Put(ctx, bucket, "m", onlyReader{bytes.NewReader(newBig)}, mpOpts...)
				return err
			})
			_, err := direct.Put(t.Context(), bucket, "srcS", bytes.NewReader(newSmall))
			require.NoError(t, err)
			_, err = direct.Put(t.Context(), bucket, "srcB", bytes.NewReader(newCopy))
			require.NoError(t, err)
			run("single Copy", "cs", oldSmall, newSmall, func(ctx context.Context) error {
				_, err := fe.client.Copy(ctx, bucket, "srcS", bucket, "cs")
				return err
			})
			run("multipart Copy", "cb", oldCopy, newCopy, func(ctx context.Context) error {
				_, err := fe.client.Copy(ctx, bucket, "srcB", bucket, "cb")
				return err
			})
			run("Delete", "d", oldSmall, nil, func(ctx context.Context) error {
				return fe.client.Delete(ctx, bucket, "d")
			})
		})
	}
}
