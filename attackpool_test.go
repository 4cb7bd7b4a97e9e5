package s3kit_test

import (
	"bytes"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash/fnv"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/s3kit/s3kit"
	"github.com/s3kit/s3kit/internal/knobs"
	"github.com/s3kit/s3kit/s3kittest"
)

// poolPartSize is the part size of the pool attack: the smallest S3 allows.
const poolPartSize = 5 << 20

// poolServer is a minimal S3 multipart endpoint that checks every byte of
// every request body it receives, from every attempt, against the source the
// key names: uploads share part buffers through a process-wide pool, and a
// buffer handed to another part while a request still sends it would put
// another upload's bytes on the wire. A complete body must also hash to the
// x-amz-content-sha256 the request signed.
//
// Some attempts are answered before their body is read (500, which the
// client retries, or 403, which fails the upload), and the handler then
// keeps reading what the client still sends, in small reads, while other
// uploads reuse the buffers.
type poolServer struct {
	t    *testing.T
	srcs [][]byte

	mu       sync.Mutex
	attempts map[string]int
	bad      []string
	early    int // attempts answered before their body was read
	bodies   int // complete bodies checked
}

func (s *poolServer) fail(format string, args ...any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.bad = append(s.bad, fmt.Sprintf(format, args...))
}

// source returns the source bytes key names ("o-<src>-<n>-<mode>").
func (s *poolServer) source(key string) ([]byte, string) {
	f := strings.Split(key, "-")
	i, _ := strconv.Atoi(f[1])
	return s.srcs[i], f[3]
}

func (s *poolServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	key := strings.TrimPrefix(r.URL.Path, "/bkt/")
	switch {
	case r.Method == http.MethodPost && q.Has("uploads"):
		fmt.Fprintf(w, `<InitiateMultipartUploadResult><Bucket>bkt</Bucket><Key>%s</Key><UploadId>up-%s</UploadId></InitiateMultipartUploadResult>`, key, key)
	case r.Method == http.MethodPost && q.Has("uploadId"):
		_, _ = io.Copy(io.Discard, r.Body)
		fmt.Fprintf(w, `<CompleteMultipartUploadResult><Bucket>bkt</Bucket><Key>%s</Key><ETag>"x"</ETag></CompleteMultipartUploadResult>`, key)
	case r.Method == http.MethodDelete:
		w.WriteHeader(http.StatusNoContent)
	case r.Method == http.MethodPut:
		pn := 1
		if q.Has("partNumber") {
			pn, _ = strconv.Atoi(q.Get("partNumber"))
		}
		s.put(w, r, key, pn)
	default:
		s3Error(w, http.StatusNotImplemented, "NotImplemented")
	}
}

// put checks one attempt of a PutObject or UploadPart body: part pn of key.
func (s *poolServer) put(w http.ResponseWriter, r *http.Request, key string, pn int) {
	src, mode := s.source(key)
	off := int64(pn-1) * poolPartSize
	if r.ContentLength < 0 || off+r.ContentLength > int64(len(src)) {
		s.fail("%s part %d: length %d past the source", key, pn, r.ContentLength)
		s3Error(w, http.StatusBadRequest, "BadLength")
		return
	}
	want := src[off : off+r.ContentLength]
	id := key + "/" + strconv.Itoa(pn)
	s.mu.Lock()
	attempt := s.attempts[id]
	s.attempts[id]++
	s.mu.Unlock()
	h := fnv.New32a()
	_, _ = fmt.Fprint(h, id)
	early := ""
	switch {
	case mode == "deny" && pn == 2: // every attempt: the answer may be lost and retried
		early = "AccessDenied"
	case attempt == 0 && h.Sum32()%3 == 0:
		early = "InternalError"
	}
	if early != "" {
		s.answerEarly(w, r, id, want, early)
		return
	}
	got, err := io.ReadAll(r.Body)
	if err != nil {
		// The client gave up on the part (its upload failed or was
		// cancelled): what did arrive must still be the source's.
		if !bytes.HasPrefix(want, got) {
			s.fail("%s attempt %d: the %d bytes of a cut body differ from the source", id, attempt, len(got))
		}
		return
	}
	if !bytes.Equal(got, want) {
		s.fail("%s attempt %d: the body differs from the source", id, attempt)
	}
	if sum := sha256.Sum256(got); hex.EncodeToString(sum[:]) != r.Header.Get("X-Amz-Content-Sha256") {
		s.fail("%s attempt %d: the body differs from the SHA-256 it was signed with", id, attempt)
	}
	s.mu.Lock()
	s.bodies++
	s.mu.Unlock()
	m := md5.Sum(got)
	w.Header().Set("ETag", `"`+hex.EncodeToString(m[:])+`"`)
}

// answerEarly answers with code before reading the body (past its first
// byte, which makes net/http send 100 Continue if asked), then reads on, in
// small reads, whatever the client still sends, and checks every byte.
func (s *poolServer) answerEarly(w http.ResponseWriter, r *http.Request, id string, want []byte, code string) {
	rc := http.NewResponseController(w)
	_ = rc.EnableFullDuplex()
	var one [1]byte
	n, _ := io.ReadFull(r.Body, one[:])
	status := http.StatusInternalServerError
	if code == "AccessDenied" {
		status = http.StatusForbidden
	}
	s3Error(w, status, code)
	_ = rc.Flush()
	s.mu.Lock()
	s.early++
	s.mu.Unlock()
	got := one[:n]
	buf := make([]byte, 512)
	for {
		k, err := r.Body.Read(buf)
		got = append(got, buf[:k]...)
		if err != nil {
			break
		}
	}
	if !bytes.HasPrefix(want, got) {
		s.fail("%s: the %d bytes sent after an early answer differ from the source", id, len(got))
	}
}

// TestAttackPool_ConcurrentUploadsSendWhatTheySigned runs uploads of bodies
// that are not io.ReaderAt from many goroutines on several clients (SDK path,
// direct path, with progress) that share the part buffer pool, against a
// server that checks every byte of every attempt, early-answered ones
// included. No body may ever differ from its source or from the SHA-256 it
// was signed with.
func TestAttackPool_ConcurrentUploadsSendWhatTheySigned(t *testing.T) {
	srcs := make([][]byte, 3)
	for i := range srcs {
		srcs[i] = make([]byte, 3*poolPartSize+12345)
		_, _ = rand.NewChaCha8([32]byte{byte(i + 1)}).Read(srcs[i])
	}
	s := &poolServer{t: t, srcs: srcs, attempts: map[string]int{}}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)

	base := []s3kit.Option{s3kit.WithEndpoint(srv.URL), s3kit.WithCredentials(s3kittest.AccessKey, s3kittest.SecretKey),
		s3kit.WithRetryDelays(time.Microsecond, time.Microsecond), s3kit.WithMaxAttempts(3)}
	var clients []*s3kit.Client
	for _, direct := range []bool{false, true} {
		c, err := s3kit.New(t.Context(), append(base, knobs.WithDirectPath(direct).(s3kit.Option))...)
		require.NoError(t, err)
		clients = append(clients, c)
	}

	const workers, rounds = 3, 3
	var wg sync.WaitGroup
	for ci, c := range clients {
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				rng := rand.New(rand.NewPCG(uint64(ci), uint64(w)))
				for round := range rounds {
					si := rng.IntN(len(srcs))
					size := []int{1 + rng.IntN(poolPartSize-1), poolPartSize + rng.IntN(2*poolPartSize+12345)}[round%2]
					mode := []string{"ok", "deny"}[rng.IntN(3)/2]
					key := fmt.Sprintf("o-%d-%d.%d.%d-%s", si, ci, w, round, mode)
					opts := []s3kit.PutOption{s3kit.WithPartSize(poolPartSize), s3kit.WithConcurrency(2)}
					if rng.IntN(2) == 0 {
						opts = append(opts, s3kit.WithSize(int64(size)), s3kit.WithMultipartThreshold(poolPartSize))
					}
					if rng.IntN(2) == 0 {
						opts = append(opts, s3kit.WithProgress(func(s3kit.Progress) {}))
					}
					_, err := c.Put(t.Context(), "bkt", key, onlyReader{bytes.NewReader(srcs[si][:size])}, opts...)
					if mode == "ok" || size <= poolPartSize {
						assert.NoError(t, err, key)
					} else {
						assert.Error(t, err, key)
					}
				}
			}()
		}
	}
	wg.Wait()
	s.mu.Lock()
	defer s.mu.Unlock()
	assert.Empty(t, s.bad)
	assert.Positive(t, s.early, "some attempts were answered before their body was read")
	assert.Positive(t, s.bodies)
}
