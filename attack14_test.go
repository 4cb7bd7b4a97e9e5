package s3kit_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/s3kit/s3kit"
	"github.com/s3kit/s3kit/internal/knobs"
	"github.com/s3kit/s3kit/s3kittest"
)

// a14Creds makes FromEnv find a credential_process that gives already
// expired credentials (so that every signing runs it again) ok times, then
// fails with a message that says how to fix it. It returns fresh, which
// starts the count again, for a14Config.fresh.
func a14Creds(t *testing.T, ok int) (fresh func()) {
	t.Helper()
	dir := t.TempDir()
	count := filepath.Join(dir, "count")
	script := filepath.Join(dir, "creds.sh")
	require.NoError(t, os.WriteFile(script, []byte(fmt.Sprintf(`#!/bin/sh
n=$(cat %[1]s 2>/dev/null || echo 0); n=$((n+1)); echo $n > %[1]s
if [ $n -gt %[2]d ]; then echo "the SSO session expired: run aws sso login" >&2; exit 1; fi
echo '{"Version":1,"AccessKeyId":"AKID","SecretAccessKey":"SECRET","Expiration":"2000-01-01T00:00:00Z"}'
`, count, ok)), 0o700))
	cfgFile := filepath.Join(dir, "config")
	require.NoError(t, os.WriteFile(cfgFile, []byte("[default]\ncredential_process = "+script+"\n"), 0o600))
	for _, v := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "S3_ACCESS_KEY", "S3_SECRET_KEY", "AWS_PROFILE"} {
		t.Setenv(v, "")
	}
	t.Setenv("AWS_CONFIG_FILE", cfgFile)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "none"))
	return func() { _ = os.Remove(count) }
}

// bodyTracker is a transport that counts the answer bodies it gave and
// that were not closed yet.
type bodyTracker struct {
	next http.RoundTripper
	mu   sync.Mutex
	open int
}

func (b *bodyTracker) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := b.next.RoundTrip(r)
	if err == nil && resp.Body != nil {
		b.mu.Lock()
		b.open++
		b.mu.Unlock()
		resp.Body = &trackedBody{ReadCloser: resp.Body, b: b}
	}
	return resp, err
}

// openBodies is how many answer bodies are still open.
func (b *bodyTracker) openBodies() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.open
}

type trackedBody struct {
	io.ReadCloser
	b    *bodyTracker
	once sync.Once
}

func (t *trackedBody) Close() error {
	t.once.Do(func() {
		t.b.mu.Lock()
		t.b.open--
		t.b.mu.Unlock()
	})
	return t.ReadCloser.Close()
}

// TestAttack14_FailingCredentials checks that a credentials provider that
// fails gives the same error on both paths (kind, text that says how to fix
// it, outcome-unknown decision), whether it fails on the first attempt or
// on the second, after an answer of 500, with SigV4 and SigV2. The direct
// path worded it "failed to resolve identity", and its replay of the 500
// asked the provider again, so that it failed one attempt early.
func TestAttack14_FailingCredentials(t *testing.T) {
	for _, sig := range []string{"v4", "v2"} {
		for _, tc := range []struct {
			name string
			ok   int // Retrieve calls that succeed, New's included
			a    answer
		}{
			{"first attempt", 1, objectAnswer},
			{"after a 500", 2, then(1, xmlError(500, "InternalError", "boom"), objectAnswer)},
		} {
			for name, call := range a14Ops() {
				t.Run(sig+"/"+tc.name+"/"+name, func(t *testing.T) {
					if sig == "v2" && tc.ok > 1 {
						// The SDK's SigV2 asks for the credentials twice per
						// attempt (its GetIdentity step, then the SigV2
						// signer), the direct path once: a provider that
						// fails at its n-th call fails another attempt.
						t.Skip("depends on how often the provider is called")
					}
					fresh := a14Creds(t, tc.ok)
					cfg := a14Config{creds: true, fresh: fresh, opts: []s3kit.Option{s3kit.FromEnv()}}
					if sig == "v2" {
						cfg.opts = append(cfg.opts, s3kit.WithSignatureV2())
					}
					sdk, direct := a14Paths(t, tc.a, cfg, "k", call)
					assert.Equal(t, sdk, direct)
					assert.Contains(t, direct.ErrText, "credential_process")
				})
			}
		}
	}
}

// TestAttack14_ReplayThatFailsClosesTheAnswer checks that an answer the
// direct path hands to the SDK's operation is closed even when that
// operation fails before it reads it (here: the credentials fail when the
// replay signs), so that no connection leaks.
func TestAttack14_ReplayThatFailsClosesTheAnswer(t *testing.T) {
	for name, call := range a14Ops() {
		t.Run(name, func(t *testing.T) {
			tr := &bodyTracker{next: &http.Transport{}}
			cfg := a14Config{creds: true, fresh: a14Creds(t, 2),
				opts: []s3kit.Option{s3kit.FromEnv(), s3kit.WithHTTPClient(&http.Client{Transport: tr})}}
			sdk, direct := a14Paths(t, xmlError(500, "InternalError", "boom"), cfg, "k", call)
			assert.Equal(t, sdk, direct)
			assert.Zero(t, tr.openBodies(), "answers left open")
		})
	}
}

// rawAnswer writes text as the whole answer on the connection and closes
// it; "{len}" is replaced by nothing: the text says what it says.
func rawAnswer(text string) answer {
	return func(w http.ResponseWriter, _ *http.Request, _ int) {
		conn, buf, err := w.(http.Hijacker).Hijack()
		if err != nil {
			return
		}
		defer conn.Close()
		_, _ = buf.WriteString(strings.ReplaceAll(text, "\n", "\r\n"))
		_ = buf.Flush()
	}
}

// withHeaders answers as objectAnswer, with the headers kv set (or, for
// an empty value, taken away) first.
func withHeaders(kv ...string) answer {
	return func(w http.ResponseWriter, r *http.Request, n int) {
		rec := httptest.NewRecorder()
		objectAnswer(rec, r, n)
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		for i := 0; i+1 < len(kv); i += 2 {
			if kv[i+1] == "" {
				w.Header().Del(kv[i])
				continue
			}
			w.Header()[kv[i]] = append(w.Header()[kv[i]], kv[i+1])
		}
		w.WriteHeader(rec.Code)
		_, _ = w.Write(rec.Body.Bytes())
	}
}

// a14Answers are answers of review 14 that both paths must map alike.
var a14Answers = []struct {
	name   string
	answer answer
}{
	{"204", empty(http.StatusNoContent)},
	{"204 with headers", func(w http.ResponseWriter, r *http.Request, n int) {
		w.Header().Set("ETag", `"e"`)
		w.Header().Set("Last-Modified", "Wed, 25 Nov 2026 10:00:00 GMT")
		w.WriteHeader(http.StatusNoContent)
	}},
	{"206 without Content-Range", func(w http.ResponseWriter, r *http.Request, n int) {
		w.Header().Set("Content-Length", "3")
		w.Header().Set("ETag", `"e"`)
		w.WriteHeader(http.StatusPartialContent)
		if r.Method == http.MethodGet {
			io.WriteString(w, "234")
		}
	}},
	{"206 whole object", func(w http.ResponseWriter, r *http.Request, n int) {
		w.Header().Set("Content-Range", "bytes 0-9/10")
		w.Header().Set("Content-Length", "10")
		w.WriteHeader(http.StatusPartialContent)
		if r.Method == http.MethodGet {
			io.WriteString(w, "0123456789")
		}
	}},
	{"304", empty(http.StatusNotModified)},
	{"412", xmlError(http.StatusPreconditionFailed, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold")},
	{"416", xmlError(http.StatusRequestedRangeNotSatisfiable, "InvalidRange", "The requested range is not satisfiable", "Content-Range", "bytes */10")},
	{"409 empty", empty(http.StatusConflict)},
	{"400 RequestTimeout then 200", then(1, xmlError(400, "RequestTimeout", "Your socket connection to the server was not read from or written to within the timeout period."), objectAnswer)},
	{"503 HTML", func(w http.ResponseWriter, _ *http.Request, _ int) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusServiceUnavailable)
		io.WriteString(w, "<html><body>Service Unavailable</body></html>")
	}},
	{"500 XML with retry-after then 200", then(1, xmlError(500, "InternalError", "x", "X-Amz-Retry-After", "1"), objectAnswer)},
	{"200 with XML error body", func(w http.ResponseWriter, r *http.Request, n int) {
		w.Header().Set("Content-Type", "application/xml")
		io.WriteString(w, `<?xml version="1.0"?><Error><Code>InternalError</Code><Message>x</Message></Error>`)
	}},
	{"200 Expires garbage", withHeaders("Expires", "soon")},
	{"200 Content-Type twice", withHeaders("Content-Type", "text/html")},
	{"200 metadata odd", withHeaders("X-Amz-Meta-", "empty name", "X-Amz-Meta-Sp", "  a  b  ", "x-amz-meta-Mixed_Case", "v", "X-Amz-Meta-Colour", "red")},
	{"200 no ETag no Last-Modified", withHeaders("Etag", "", "Last-Modified", "")},
	{"200 Last-Modified other format", withHeaders("Last-Modified", "", "Last-Modified", "Wednesday, 25-Nov-26 10:00:00 GMT")},
	{"200 Date a day off", withHeaders("Date", "Tue, 24 Nov 2026 10:00:00 GMT")},
	{"200 Age", withHeaders("Age", "100", "Date", "Tue, 24 Nov 2026 10:00:00 GMT")},
	{"200 gzip", withHeaders("Content-Encoding", "gzip")},
	{"200 checksum headers", withHeaders("X-Amz-Checksum-Crc32", "AAAAAA==", "X-Amz-Checksum-Type", "FULL_OBJECT")},
	{"200 bucket key enabled", withHeaders("X-Amz-Server-Side-Encryption-Bucket-Key-Enabled", "maybe")},
	{"200 object size", withHeaders("X-Amz-Object-Size", "ten")},
	{"200 sse", withHeaders("X-Amz-Server-Side-Encryption", "aws:kms", "X-Amz-Server-Side-Encryption-Aws-Kms-Key-Id", "k")},
	{"200 HEAD with a body, raw", rawAnswer("HTTP/1.1 200 OK\nContent-Length: 10\nETag: \"e\"\n\n0123456789")},
	{"200 Content-Length 010, raw", rawAnswer("HTTP/1.1 200 OK\nContent-Length: 010\nETag: \"e\"\nConnection: close\n\n0123456789")},
	{"200 two Content-Length, raw", rawAnswer("HTTP/1.1 200 OK\nContent-Length: 10\nContent-Length: 11\n\n0123456789")},
	{"200 chunked cut, raw", rawAnswer("HTTP/1.1 200 OK\nTransfer-Encoding: chunked\nETag: \"e\"\n\n5\n01234\n")},
	{"103 then 200, raw", rawAnswer("HTTP/1.1 103 Early Hints\nLink: </x>\n\nHTTP/1.1 200 OK\nContent-Length: 0\nETag: \"e\"\nConnection: close\n\n")},
	{"closed without answer", rawAnswer("")},
	{"garbage status line", rawAnswer("HTTP/1.1 abc\n\n")},
	{"HTTP/1.0 200 no length, raw", rawAnswer("HTTP/1.0 200 OK\nETag: \"e\"\n\n0123")},
	{"500 XML without Code", func(w http.ResponseWriter, _ *http.Request, _ int) {
		w.WriteHeader(500)
		io.WriteString(w, `<?xml version="1.0"?><Error><Message>no code</Message></Error>`)
	}},
	{"404 JSON", func(w http.ResponseWriter, _ *http.Request, _ int) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(404)
		io.WriteString(w, `{"code":"NoSuchKey"}`)
	}},
	{"403 RequestTimeTooSkewed with Date", xmlError(403, "RequestTimeTooSkewed", "skewed", "Date", "Tue, 24 Nov 2026 10:00:00 GMT")},
}

// a14NoProgress drops the progress reports a Put gives as its body: how
// much of the body a transport read before an answer that did not wait
// for it depends on timing, not on the path.
func a14NoProgress(op string, sdk, direct *outcome) {
	if strings.HasPrefix(op, "Put") {
		sdk.Body, direct.Body = "", ""
	}
}

// TestAttack14_Answers runs every operation against every answer of
// a14Answers on both paths and compares requests, results and errors.
func TestAttack14_Answers(t *testing.T) {
	for _, a := range a14Answers {
		for name, call := range a14Ops() {
			t.Run(a.name+"/"+name, func(t *testing.T) {
				sdk, direct := a14Paths(t, a.answer, a14Config{}, "k", call)
				a14NoProgress(name, &sdk, &direct)
				assert.Equal(t, sdk, direct)
			})
		}
	}
}

// a14Keys are odd keys both paths must send alike.
var a14Keys = []string{"sp ace", "plus+plus", "per%25cent%", "ünï/cödé", "e\u0301", "//double//", "trail/", "/lead", "q?x=1&y", "h#frag",
	"a/./b/../c", ".", "..", "~tilde*star'quote", "tab\there", "semi;colon=eq", "\u00a0nbsp", "emoji😀", "%00", strings.Repeat("k", 1024)}

// a14Configs are client settings both paths must honour alike.
var a14Configs = map[string]a14Config{
	"plain":           {},
	"SigV2":           {opts: []s3kit.Option{s3kit.WithSignatureV2()}},
	"endpoint with /": {endpoint: func(u string) string { return u + "/" }},
	"localhost":       {endpoint: func(u string) string { return strings.Replace(u, "127.0.0.1", "LocalHost", 1) }},
	"custom client":   {opts: []s3kit.Option{s3kit.WithHTTPClient(&http.Client{Transport: &http.Transport{DisableKeepAlives: true}})}},
	"TLS":             {tls: true},
	"IPv6":            {ipv6: true},
	"one attempt":     {opts: []s3kit.Option{s3kit.WithMaxAttempts(1)}},
}

// TestAttack14_OddKeys runs every operation on odd keys, with every
// client setting of a14Configs, on both paths.
func TestAttack14_OddKeys(t *testing.T) {
	for cname, cfg := range a14Configs {
		for _, key := range a14Keys {
			for name, call := range a14Ops() {
				t.Run(cname+"/"+name+"/"+key[:min(len(key), 20)], func(t *testing.T) {
					sdk, direct := a14Paths(t, objectAnswer, cfg, key, call)
					assert.Equal(t, sdk, direct)
				})
			}
		}
	}
}

// TestAttack14_ConfigsAndAnswers runs every operation against a few
// answers with every client setting of a14Configs on both paths.
func TestAttack14_ConfigsAndAnswers(t *testing.T) {
	answers := map[string]answer{
		"404":         xmlError(404, "NoSuchKey", "The specified key does not exist."),
		"500 then ok": then(1, xmlError(500, "InternalError", "x"), objectAnswer),
		"503 always":  empty(503),
		"403 skewed":  xmlError(403, "RequestTimeTooSkewed", "skewed", "Date", "Tue, 24 Nov 2026 10:00:00 GMT"),
		"cut":         cutShort(200),
	}
	for cname, cfg := range a14Configs {
		for aname, a := range answers {
			for name, call := range a14Ops() {
				t.Run(cname+"/"+aname+"/"+name, func(t *testing.T) {
					sdk, direct := a14Paths(t, a, cfg, "a b/c", call)
					assert.Equal(t, sdk, direct)
				})
			}
		}
	}
}

// cancelKey is the context key of the CancelFunc cancelTransport calls.
type cancelKey struct{}

// cancelTransport cancels the call whose request it carries at one step:
// "before send", "during upload" (after the body's first read), or
// "after headers" (once the answer's headers came).
type cancelTransport struct {
	next http.RoundTripper
	at   string
}

func (c *cancelTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	cancel, _ := r.Context().Value(cancelKey{}).(context.CancelFunc)
	if cancel == nil {
		return c.next.RoundTrip(r)
	}
	switch c.at {
	case "before send":
		cancel()
	case "during upload":
		if r.Body != nil && r.ContentLength > 0 {
			r.Body = &cancelOnRead{ReadCloser: r.Body, cancel: cancel, done: r.Context().Done()}
		}
	}
	resp, err := c.next.RoundTrip(r)
	if c.at == "after headers" {
		cancel()
	}
	return resp, err
}

// cancelOnRead gives one byte, cancels, and gives no more: the server
// never gets the whole body.
type cancelOnRead struct {
	io.ReadCloser
	cancel context.CancelFunc
	done   <-chan struct{}
	read   bool
}

func (c *cancelOnRead) Read(p []byte) (int, error) {
	if c.read {
		<-c.done
		return 0, context.Canceled
	}
	c.read = true
	n, err := c.ReadCloser.Read(p[:min(len(p), 1)])
	c.cancel()
	return n, err
}

// TestAttack14_CancelAtEveryStep cancels each operation before the send,
// during the upload of its body, and once the answer's headers came (for a
// 500, during the backoff that follows), on both paths.
func TestAttack14_CancelAtEveryStep(t *testing.T) {
	answers := map[string]answer{
		"ok": func(w http.ResponseWriter, r *http.Request, n int) {
			if r.Method == http.MethodPut {
				w.Header().Set("ETag", `"e"`)
				return
			}
			objectAnswer(w, r, n)
		},
		"500 empty": empty(500),
		"503 XML":   xmlError(503, "SlowDown", "slow"),
	}
	for _, at := range []string{"before send", "during upload", "after headers"} {
		for aname, a := range answers {
			for name, call := range a14Ops() {
				t.Run(at+"/"+aname+"/"+name, func(t *testing.T) {
					if at == "during upload" && (!strings.HasPrefix(name, "Put") || name == "PutEmpty") {
						t.Skip("no body to upload") // and nothing would end a backoff of an hour
					}
					cfg := a14Config{opts: []s3kit.Option{
						s3kit.WithHTTPClient(&http.Client{Transport: &cancelTransport{next: &http.Transport{}, at: at}}),
						s3kit.WithRetryDelays(time.Hour, time.Hour)}}
					cancelled := func(ctx context.Context, c *s3kit.Client, key string) (s3kit.Object, string, error) {
						ctx, cancel := context.WithCancel(ctx)
						defer cancel()
						obj, body, err := call(context.WithValue(ctx, cancelKey{}, context.CancelFunc(cancel)), c, key)
						if err != nil {
							body = "" // how much a cut body gave depends on timing
						}
						return obj, body, err
					}
					sdk, direct := a14Paths(t, a, cfg, "k", cancelled)
					if at == "during upload" {
						// Whether the request's head reached the server
						// before the connection closed depends on timing.
						sdk.Requests, direct.Requests = nil, nil
					}
					assert.Equal(t, sdk, direct)
					if at != "after headers" || aname != "ok" {
						assert.NotEmpty(t, direct.ErrText)
					}
				})
			}
		}
	}
}

// a14FaultOps are public calls on the key "k" (and "k2" for Copy), as run
// against s3kittest, holding "0123456789" at "k" and "src".
var a14FaultOps = map[string]func(ctx context.Context, c *s3kit.Client, dir string) (string, error){
	"Put": func(ctx context.Context, c *s3kit.Client, _ string) (string, error) {
		res, err := c.Put(ctx, "bkt", "k", strings.NewReader("new data"))
		return res.ETag, err
	},
	"PutIfNoneMatch": func(ctx context.Context, c *s3kit.Client, _ string) (string, error) {
		res, err := c.Put(ctx, "bkt", "k", strings.NewReader("new data"), s3kit.WithIfNoneMatch("*"))
		return res.ETag, err
	},
	"Get": func(ctx context.Context, c *s3kit.Client, _ string) (string, error) {
		r, err := c.Get(ctx, "bkt", "k")
		if err != nil {
			return "", err
		}
		defer r.Close()
		b, err := io.ReadAll(r)
		if err != nil {
			return "", err
		}
		return string(b), nil
	},
	"Head": func(ctx context.Context, c *s3kit.Client, _ string) (string, error) {
		o, err := c.Head(ctx, "bkt", "k")
		return fmt.Sprint(o.Size, o.ETag), err
	},
	"Delete": func(ctx context.Context, c *s3kit.Client, _ string) (string, error) {
		return "", c.Delete(ctx, "bkt", "k")
	},
	"DownloadFile": func(ctx context.Context, c *s3kit.Client, dir string) (string, error) {
		p := filepath.Join(dir, "f")
		if _, err := c.DownloadFile(ctx, "bkt", "k", p); err != nil {
			return "", err
		}
		b, err := os.ReadFile(p)
		return string(b), err
	},
	"Copy": func(ctx context.Context, c *s3kit.Client, _ string) (string, error) {
		res, err := c.Copy(ctx, "bkt", "k", "bkt", "k2")
		return res.ETag, err
	},
	"UploadFile": func(ctx context.Context, c *s3kit.Client, dir string) (string, error) {
		p := filepath.Join(dir, "up")
		if err := os.WriteFile(p, []byte("file data"), 0o600); err != nil {
			return "", err
		}
		res, err := c.UploadFile(ctx, "bkt", "k", p)
		return res.ETag, err
	},
}

// a14Addr matches the addresses in a network error, which differ per run.
var a14Addr = regexp.MustCompile(`127\.0\.0\.1:[0-9]+`)

// TestAttack14_FaultsOnS3kittest runs public calls against s3kittest with
// faults injected on the first request for the key, or on every one, on
// both paths, and compares results, errors and what the store holds after.
func TestAttack14_FaultsOnS3kittest(t *testing.T) {
	faults := map[string]func() s3kittest.Fault{
		"500":            func() s3kittest.Fault { return s3kittest.ErrorResponse(500, "InternalError") },
		"503 SlowDown":   func() s3kittest.Fault { return s3kittest.ErrorResponse(503, "SlowDown") },
		"403":            func() s3kittest.Fault { return s3kittest.ErrorResponse(403, "AccessDenied") },
		"reset request":  func() s3kittest.Fault { return s3kittest.ResetRequest(2) },
		"reset response": func() s3kittest.Fault { return s3kittest.ResetResponse(3) },
		"drop response":  s3kittest.DropResponse,
		"truncate XML":   s3kittest.TruncateXML,
		"invalid XML":    s3kittest.InvalidXML,
	}
	type result struct {
		Value, Err string
		Sentinels  []string
		Stored     []string
	}
	for fname, fault := range faults {
		for _, times := range []int{1, 0} {
			for name, call := range a14FaultOps {
				t.Run(fmt.Sprint(fname, "/times=", times, "/", name), func(t *testing.T) {
					run := func(on bool) result {
						rules := []*s3kittest.Rule{{Key: "k", Nth: 1, Times: times, Fault: fault()}}
						if times == 0 {
							rules[0].Nth = 0
						}
						srv := s3kittest.NewServer(t)
						srv.CreateBucket(t, "bkt")
						plain := srv.Client(t)
						for _, k := range []string{"k", "src"} {
							_, err := plain.Put(t.Context(), "bkt", k, strings.NewReader("0123456789"))
							require.NoError(t, err)
						}
						u, err := url.Parse(srv.URL)
						require.NoError(t, err)
						rp := httputil.NewSingleHostReverseProxy(u)
						rp.Transport = srv.HTTPClient().Transport
						h := s3kittest.NewFaultHandler(rp, rules...)
						front := httptest.NewServer(h)
						t.Cleanup(front.Close)
						c, err := s3kit.New(t.Context(), append(srv.Options(), s3kit.WithEndpoint(front.URL),
							s3kit.WithRetryDelays(time.Microsecond, time.Microsecond), knobs.WithDirectPath(on).(s3kit.Option))...)
						require.NoError(t, err)
						v, err := call(t.Context(), c, t.TempDir())
						r := result{Value: v}
						if err != nil {
							r.Err, r.Sentinels = a14Addr.ReplaceAllString(err.Error(), "ADDR"), sentinelNames(err)
						}
						for o, err := range plain.List(t.Context(), "bkt") {
							require.NoError(t, err)
							r.Stored = append(r.Stored, fmt.Sprint(o.Key, " ", o.Size, " ", o.ETag))
						}
						return r
					}
					assert.Equal(t, run(false), run(true))
				})
			}
		}
	}
}

// switchTransport sends through the transport of the path now running.
type switchTransport struct {
	mu  sync.Mutex
	cur *bodyTracker
}

func (s *switchTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	s.mu.Lock()
	cur := s.cur
	s.mu.Unlock()
	return cur.RoundTrip(r)
}

// TestAttack14_NoAnswerLeftOpen runs every operation against every
// scripted answer with an HTTP client that counts open answer bodies, and
// checks that neither path leaves one open.
func TestAttack14_NoAnswerLeftOpen(t *testing.T) {
	all := append(slices.Clone(directAnswers), a14Answers...)
	for _, a := range all {
		for name, call := range a14Ops() {
			t.Run(a.name+"/"+name, func(t *testing.T) {
				sw := &switchTransport{}
				var trackers []*bodyTracker
				cfg := a14Config{opts: []s3kit.Option{s3kit.WithHTTPClient(&http.Client{Transport: sw})}, fresh: func() {
					tr := &bodyTracker{next: &http.Transport{}}
					trackers = append(trackers, tr)
					sw.mu.Lock()
					sw.cur = tr
					sw.mu.Unlock()
				}}
				sdk, direct := a14Paths(t, a.answer, cfg, "k", call)
				a14NoProgress(name, &sdk, &direct)
				assert.Equal(t, sdk, direct)
				require.Len(t, trackers, 2)
				assert.Zero(t, trackers[0].openBodies(), "the SDK path left answers open")
				assert.Zero(t, trackers[1].openBodies(), "the direct path left answers open")
			})
		}
	}
}

// TestAttack14_UnseekableBodiesRetried puts bodies that cannot seek, with
// and without a declared size, against answers that make it retry, on both
// paths.
func TestAttack14_UnseekableBodiesRetried(t *testing.T) {
	ops := map[string]func(ctx context.Context, c *s3kit.Client, key string) (s3kit.Object, string, error){
		"reader": func(ctx context.Context, c *s3kit.Client, key string) (s3kit.Object, string, error) {
			res, err := c.Put(ctx, "bkt", key, struct{ io.Reader }{strings.NewReader("unseekable")})
			return s3kit.Object{ETag: res.ETag, Size: res.Size}, "", err
		},
		"reader with size": func(ctx context.Context, c *s3kit.Client, key string) (s3kit.Object, string, error) {
			res, err := c.Put(ctx, "bkt", key, struct{ io.Reader }{strings.NewReader("unseekable")}, s3kit.WithSize(10))
			return s3kit.Object{ETag: res.ETag, Size: res.Size}, "", err
		},
		"reader shorter than size": func(ctx context.Context, c *s3kit.Client, key string) (s3kit.Object, string, error) {
			res, err := c.Put(ctx, "bkt", key, struct{ io.Reader }{strings.NewReader("short")}, s3kit.WithSize(10))
			return s3kit.Object{ETag: res.ETag, Size: res.Size}, "", err
		},
		"reader longer than size": func(ctx context.Context, c *s3kit.Client, key string) (s3kit.Object, string, error) {
			res, err := c.Put(ctx, "bkt", key, struct{ io.Reader }{strings.NewReader("much longer body")}, s3kit.WithSize(10))
			return s3kit.Object{ETag: res.ETag, Size: res.Size}, "", err
		},
		"seeker not at 0": func(ctx context.Context, c *s3kit.Client, key string) (s3kit.Object, string, error) {
			r := strings.NewReader("skipped:body")
			_, _ = r.Seek(8, io.SeekStart)
			res, err := c.Put(ctx, "bkt", key, r)
			return s3kit.Object{ETag: res.ETag, Size: res.Size}, "", err
		},
	}
	ok := func(w http.ResponseWriter, _ *http.Request, _ int) { w.Header().Set("ETag", `"e"`) }
	answers := map[string]answer{
		"ok":              ok,
		"500 then ok":     then(1, xmlError(500, "InternalError", "x"), ok),
		"reset then ok":   then(1, rawAnswer(""), ok),
		"cut 500 then ok": then(2, cutShort(500), ok),
	}
	for aname, a := range answers {
		for name, call := range ops {
			t.Run(aname+"/"+name, func(t *testing.T) {
				sdk, direct := a14Paths(t, a, a14Config{}, "k", call)
				assert.Equal(t, sdk, direct)
			})
		}
	}
}

// TestAttack14_ConcurrentUse shares one client with the direct path on
// between goroutines that put, get, head and delete, some on the same
// keys, against s3kittest with random 500s, under the race detector in
// the -race run; every Get must give one of the bodies written.
func TestAttack14_ConcurrentUse(t *testing.T) {
	srv := s3kittest.NewServer(t, s3kittest.WithFaults(&s3kittest.Rule{Chance: 0.2, Seed: 14, Fault: s3kittest.ErrorResponse(500, "InternalError")}))
	srv.CreateBucket(t, "bkt")
	c := srv.Client(t, knobs.WithDirectPath(true).(s3kit.Option), s3kit.WithMaxAttempts(10),
		s3kit.WithRetryDelays(time.Microsecond, time.Microsecond))
	var wg sync.WaitGroup
	for g := range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 15 {
				key := fmt.Sprint("k", i%3)
				body := fmt.Sprintf("body-%d-%d", g, i)
				_, err := c.Put(t.Context(), "bkt", key, strings.NewReader(body))
				assert.NoError(t, err)
				if r, err := c.Get(t.Context(), "bkt", key); err == nil {
					b, rerr := io.ReadAll(r)
					assert.NoError(t, rerr)
					assert.Regexp(t, `^body-\d+-\d+$`, string(b))
					assert.NoError(t, r.Close())
				} else {
					assert.ErrorIs(t, err, s3kit.ErrNotFound)
				}
				if _, err := c.Head(t.Context(), "bkt", key); err != nil {
					assert.ErrorIs(t, err, s3kit.ErrNotFound)
				}
				if i%5 == 4 {
					assert.NoError(t, c.Delete(t.Context(), "bkt", key))
				}
			}
		}()
	}
	wg.Wait()
}

// TestAttack14_RetryTimeSpent checks that the retry time budget ends the
// retries alike on both paths: every answer comes later than the budget,
// so no second attempt may start.
func TestAttack14_RetryTimeSpent(t *testing.T) {
	slow := func(w http.ResponseWriter, r *http.Request, n int) {
		<-time.After(5 * time.Millisecond) // slower than the budget; not a synchronisation
		xmlError(500, "InternalError", "x")(w, r, n)
	}
	for name, call := range a14Ops() {
		t.Run(name, func(t *testing.T) {
			cfg := a14Config{opts: []s3kit.Option{s3kit.WithRetryTimeout(time.Millisecond)}}
			sdk, direct := a14Paths(t, slow, cfg, "k", call)
			assert.Equal(t, sdk, direct)
			assert.Len(t, direct.Requests, 1, "a retry started after the budget was spent")
		})
	}
}

// continueProbe is a transport that tells, for each request with a body,
// when the transport is about to send it: it puts one token on ready when
// the transport starts to wait for "100 Continue" (httptrace's
// Wait100Continue) or first reads the body, whichever comes first. It
// counts the body's reads in the counter of the client that sent it.
type continueProbe struct {
	next  http.RoundTripper
	ready chan struct{} // buffered: the transport never waits on it
	mu    sync.Mutex
	reads []*atomic.Int64 // one per client, the last the current one's
}

// fresh starts the count of the next client's body reads.
func (p *continueProbe) fresh() {
	p.mu.Lock()
	p.reads = append(p.reads, new(atomic.Int64))
	p.mu.Unlock()
}

// counts returns the body reads of each client.
func (p *continueProbe) counts() []int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	var n []int64
	for _, r := range p.reads {
		n = append(n, r.Load())
	}
	return n
}

func (p *continueProbe) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body == nil || r.ContentLength == 0 {
		return p.next.RoundTrip(r)
	}
	p.mu.Lock()
	reads := p.reads[len(p.reads)-1]
	p.mu.Unlock()
	var once sync.Once
	signal := func() { once.Do(func() { p.ready <- struct{}{} }) }
	r = r.WithContext(httptrace.WithClientTrace(r.Context(), &httptrace.ClientTrace{Wait100Continue: signal}))
	r.Body = &probedBody{ReadCloser: r.Body, reads: reads, signal: signal}
	return p.next.RoundTrip(r)
}

// probedBody is a request body whose reads continueProbe counts.
type probedBody struct {
	io.ReadCloser
	reads  *atomic.Int64
	signal func()
}

func (b *probedBody) Read(p []byte) (int, error) {
	b.signal()
	b.reads.Add(1)
	return b.ReadCloser.Read(p)
}

// TestAttack14_RefusedBeforeTheBody answers a PUT that asks for
// "100-continue" with an error and Connection: close, without reading its
// body, on both paths. The server answers once the client's transport
// either waits for "100 Continue" or starts sending the body, whichever it
// does, and the client would wait an hour for "100 Continue": no timing
// decides the outcome. Neither path may send the body: the SDK path sent
// it behind the header (smithy-go's requests said HTTP/0.0, for which
// net/http does not wait), and the server's close then reset the connection
// under it, so that it saw the refusal or, under load, a failed send of
// unknown outcome, which it retried.
func TestAttack14_RefusedBeforeTheBody(t *testing.T) {
	for _, tc := range []struct {
		status   int
		attempts int
		unknown  bool // a 500 may have been applied
	}{{403, 1, false}, {417, 1, false}, {500, 3, true}, {503, 3, false}} {
		t.Run(fmt.Sprint(tc.status), func(t *testing.T) {
			tr := &http.Transport{ExpectContinueTimeout: time.Hour}
			t.Cleanup(tr.CloseIdleConnections)
			probe := &continueProbe{next: tr, ready: make(chan struct{}, 16)}
			cfg := a14Config{
				opts:  []s3kit.Option{s3kit.WithHTTPClient(&http.Client{Transport: probe})},
				fresh: probe.fresh,
				wrap: func(next http.Handler) http.Handler {
					return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
						if r.Header.Get("Expect") == "" {
							next.ServeHTTP(w, r)
							return
						}
						select {
						case <-probe.ready:
						case <-r.Context().Done():
							return
						}
						w.Header().Set("Connection", "close")
						xmlError(tc.status, "Refused", "no")(w, r, 1)
					})
				}}
			sdk, direct := a14Paths(t, objectAnswer, cfg, "k", a14Ops()["Put3MiB"])
			assert.Equal(t, []int64{0, 0}, probe.counts(), "body reads before the refusal: SDK path, direct path")
			assert.Equal(t, sdk, direct)
			assert.Equal(t, tc.status, direct.Status, direct.ErrText)
			assert.Equal(t, "Refused", direct.Code)
			assert.Equal(t, tc.attempts, direct.Attempts)
			assert.Equal(t, tc.unknown, slices.Contains(direct.Sentinels, "OutcomeUnknown"), direct.Sentinels)
			assert.Empty(t, direct.Requests, "a request got past the refusal")
		})
	}
}

// TestAttemptNeverSentIsNoUnknownOutcome checks that a write whose only
// attempt failed before it was sent (the credentials could not be had) is
// reported as failed, not as of unknown outcome, on both paths; and that a
// write one of whose attempts was answered 500 before the credentials
// failed stays of unknown outcome.
func TestAttemptNeverSentIsNoUnknownOutcome(t *testing.T) {
	for _, tc := range []struct {
		name    string
		ok      int // Retrieve calls that succeed, New's included
		a       answer
		unknown bool
	}{
		{"first attempt", 1, objectAnswer, false},
		{"after a 500", 2, then(1, xmlError(500, "InternalError", "boom"), objectAnswer), true},
	} {
		for _, name := range []string{"Put", "Delete"} {
			t.Run(tc.name+"/"+name, func(t *testing.T) {
				cfg := a14Config{creds: true, fresh: a14Creds(t, tc.ok), opts: []s3kit.Option{s3kit.FromEnv()}}
				sdk, direct := a14Paths(t, tc.a, cfg, "k", a14Ops()[name])
				assert.Equal(t, sdk, direct)
				require.NotEmpty(t, direct.ErrText)
				assert.Equal(t, tc.unknown, slices.Contains(direct.Sentinels, "OutcomeUnknown"), direct.ErrText)
			})
		}
	}
}
