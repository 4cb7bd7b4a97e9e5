package s3kit_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/smithy-go/metrics"
	"github.com/aws/smithy-go/tracing"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/s3kit/s3kit"
	"github.com/s3kit/s3kit/internal/knobs"
	"github.com/s3kit/s3kit/s3kittest"
)

// sentRequest is what a request carried that both paths must agree on: method,
// path and query as sent, and the signed headers with their values, except
// the date, the signature and the SDK's random invocation ID.
type sentRequest struct {
	Method, URI string
	Signed      []string // "name: value", sorted
}

// answer is how the recording server answers attempt n (1-based) of a call.
type answer func(w http.ResponseWriter, r *http.Request, n int)

// wireRecorder is a server that records each request and answers it with a
// scripted answer.
type wireRecorder struct {
	mu     sync.Mutex
	reqs   []sentRequest
	agents []string // User-Agent of each request, which tells the paths apart
	answer answer
}

var signedHeaders = regexp.MustCompile(`SignedHeaders=([^,]+)`)

func (rec *wireRecorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// Read the whole body first, as a store does: an answer before the
	// body is read races with the client's sending it.
	_, _ = io.Copy(io.Discard, r.Body)
	s := sentRequest{Method: r.Method, URI: r.RequestURI}
	if m := signedHeaders.FindStringSubmatch(r.Header.Get("Authorization")); m != nil {
		for _, name := range strings.Split(m[1], ";") {
			v := strings.Join(r.Header.Values(name), ",")
			switch name {
			case "x-amz-date", "amz-sdk-invocation-id":
				v = fmt.Sprintf("<%d bytes>", len(v))
			case "host":
				v = "<server>"
			}
			s.Signed = append(s.Signed, name+": "+v)
		}
	}
	slices.Sort(s.Signed)
	rec.mu.Lock()
	rec.reqs = append(rec.reqs, s)
	rec.agents = append(rec.agents, r.Header.Get("User-Agent"))
	n := len(rec.reqs)
	rec.mu.Unlock()
	rec.answer(w, r, n)
}

// outcome is what a call gave, in a form both paths must agree on.
type outcome struct {
	Object    s3kit.Object
	Body      string
	ErrText   string
	Sentinels []string
	Code      string
	Status    int
	RequestID string
	Attempts  int
	Requests  []sentRequest
}

// sentinelNames names the sentinels err matches.
func sentinelNames(err error) []string {
	all := map[string]error{"NotFound": s3kit.ErrNotFound, "BucketNotFound": s3kit.ErrBucketNotFound,
		"AccessDenied": s3kit.ErrAccessDenied, "OutcomeUnknown": s3kit.ErrOutcomeUnknown,
		"WrongRegion": s3kit.ErrWrongRegion, "DataCorrupted": s3kit.ErrDataCorrupted,
		"ObjectChanged": s3kit.ErrObjectChanged, "Canceled": context.Canceled}
	var names []string
	for name, s := range all {
		if errors.Is(err, s) {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	return names
}

// directOp is one operation both paths carry.
type directOp struct {
	name string
	call func(ctx context.Context, c *s3kit.Client, key string) (s3kit.Object, string, error)
}

// opOptions are the client options an operation of directOps needs.
var opOptions = map[string][]s3kit.Option{"ListV1": {s3kit.WithListV1()}}

var directOps = []directOp{
	{"Head", func(ctx context.Context, c *s3kit.Client, key string) (s3kit.Object, string, error) {
		obj, err := c.Head(ctx, "bkt", key)
		return obj, "", err
	}},
	{"Get", func(ctx context.Context, c *s3kit.Client, key string) (s3kit.Object, string, error) {
		r, err := c.Get(ctx, "bkt", key)
		if err != nil {
			return s3kit.Object{}, "", err
		}
		defer r.Close()
		b, err := io.ReadAll(r)
		return r.Object, string(b), err
	}},
	{"GetRange", func(ctx context.Context, c *s3kit.Client, key string) (s3kit.Object, string, error) {
		r, err := c.Get(ctx, "bkt", key, s3kit.WithRange(2, 3))
		if err != nil {
			return s3kit.Object{}, "", err
		}
		defer r.Close()
		b, err := io.ReadAll(r)
		return r.Object, string(b), err
	}},
	{"Delete", func(ctx context.Context, c *s3kit.Client, key string) (s3kit.Object, string, error) {
		return s3kit.Object{}, "", c.Delete(ctx, "bkt", key)
	}},
	{"Put", putOp("0123456789", s3kit.WithContentType("text/plain"), s3kit.WithMetadata(map[string]string{"colour": "blue", "Two-Words": "x y"}),
		s3kit.WithCacheControl("no-cache"), s3kit.WithContentDisposition("inline"), s3kit.WithContentEncoding("identity"),
		s3kit.WithContentLanguage("fr"), s3kit.WithACL(s3kit.ACLPublicRead))},
	{"PutEmpty", putOp("")},
	{"Put3MiB", putOp(strings.Repeat("x", 3<<20))},
	{"PutIfNoneMatch", putOp("data", s3kit.WithIfNoneMatch("*"))},
	{"PutIfMatchMD5", putOp("data", s3kit.WithIfMatch("abc"), s3kit.WithContentMD5(true))},
	{"List", listOp},
	{"ListV1", listOp},
}

// listOp lists with key as prefix and start-after, two keys a page,
// reporting every entry as the body.
func listOp(ctx context.Context, c *s3kit.Client, key string) (s3kit.Object, string, error) {
	var b strings.Builder
	for obj, err := range c.List(ctx, "bkt", s3kit.WithPrefix(key), s3kit.WithStartAfter(key+"~"), s3kit.WithDelimiter("/"), s3kit.WithPageSize(2)) {
		if err != nil {
			return s3kit.Object{}, b.String(), err
		}
		fmt.Fprintf(&b, "%q %d %s %s %s %t\n", obj.Key, obj.Size, obj.ETag, obj.LastModified, obj.StorageClass, obj.IsPrefix)
	}
	return s3kit.Object{}, b.String(), nil
}

// listToken is the continuation token of listAnswer's first page.
const listToken = "1/tok+en= &amp;é%41"

// listAnswer answers a listing, of either version, with two pages: the
// second when the request names a continuation token or marker.
func listAnswer(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	second := q.Get("continuation-token") != "" || q.Get("marker") != ""
	w.Header().Set("Content-Type", "application/xml")
	w.Header().Set("X-Amz-Request-Charged", " requester ")
	fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?>`+"\n"+`<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">`+
		`<Name>bkt</Name><Prefix>%s</Prefix><MaxKeys>2</MaxKeys><KeyCount>2</KeyCount><Delimiter>%%2F</Delimiter><EncodingType>url</EncodingType><IsTruncated>%t</IsTruncated>`,
		url.QueryEscape(q.Get("prefix")), !second)
	obj := func(key string) {
		fmt.Fprintf(w, `<Contents><Key>%s</Key><LastModified>2026-11-25T10:00:00.000Z</LastModified><ETag>&quot;0f343b0931126a20f133d67c2b018a3b&quot;</ETag>`+
			`<Size>1024</Size><Owner><ID>x</ID></Owner><StorageClass>STANDARD</StorageClass></Contents>`, key)
	}
	if second {
		obj("z%26y%0D")
		io.WriteString(w, `<Contents><Key><![CDATA[zz%2B]]></Key><Size>3</Size></Contents>`)
	} else {
		fmt.Fprintf(w, `<NextContinuationToken>%s</NextContinuationToken>`, listToken)
		obj("a%2Fb+c%01")
		io.WriteString(w, `<CommonPrefixes><Prefix>dir%2F</Prefix></CommonPrefixes><!-- a comment -->`)
	}
	io.WriteString(w, `</ListBucketResult>`)
}

// putOp is a Put of body with opts, reporting its progress as the body.
func putOp(body string, opts ...s3kit.PutOption) func(ctx context.Context, c *s3kit.Client, key string) (s3kit.Object, string, error) {
	return func(ctx context.Context, c *s3kit.Client, key string) (s3kit.Object, string, error) {
		var reports []string
		opts := append(slices.Clip(opts), s3kit.WithProgress(func(p s3kit.Progress) {
			reports = append(reports, fmt.Sprintf("%d/%d", p.Bytes, p.Total))
		}))
		res, err := c.Put(ctx, "bkt", key, strings.NewReader(body), opts...)
		if err != nil {
			// How much of a failed attempt's body the transport read
			// depends on when the answer came, not on the path.
			return s3kit.Object{}, "", err
		}
		return s3kit.Object{ETag: res.ETag, VersionID: res.VersionID, Size: res.Size}, strings.Join(compact(reports), " "), nil
	}
}

// compact drops repeated reports: how often the same count is reported
// depends on the reads, not on the path.
func compact(r []string) []string { return slices.Compact(r) }

// xmlError answers with an S3 error document.
func xmlError(status int, code, msg string, hdr ...string) answer {
	return func(w http.ResponseWriter, r *http.Request, _ int) {
		for i := 0; i+1 < len(hdr); i += 2 {
			w.Header().Set(hdr[i], hdr[i+1])
		}
		w.Header().Set("X-Amz-Request-Id", "req-1")
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(status)
		if r.Method != http.MethodHead {
			fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>%s</Code><Message>%s</Message><RequestId>req-1</RequestId></Error>`, code, msg)
		}
	}
}

// objectAnswer answers as a store holding "0123456789" would, and a
// listing with listAnswer.
func objectAnswer(w http.ResponseWriter, r *http.Request, _ int) {
	if r.Method == http.MethodGet && strings.TrimSuffix(r.URL.Path, "/") == "/bkt" {
		listAnswer(w, r)
		return
	}
	const body = "0123456789"
	h := w.Header()
	h.Set("ETag", `"781e5e245d69b566979b86e28d23f2c7"`)
	h.Set("Last-Modified", "Wed, 25 Nov 2026 10:00:00 GMT")
	h.Set("Content-Type", "text/plain")
	h.Set("Cache-Control", " no-cache ")
	h.Set("X-Amz-Meta-Colour", "blue")
	h.Set("X-Amz-Version-Id", "v1")
	h.Set("X-Amz-Storage-Class", "STANDARD")
	switch {
	case r.Method == http.MethodDelete:
		w.WriteHeader(http.StatusNoContent)
	case r.Header.Get("Range") == "bytes=2-4":
		h.Set("Content-Range", "bytes 2-4/10")
		h.Set("Content-Length", "3")
		w.WriteHeader(http.StatusPartialContent)
		io.WriteString(w, body[2:5])
	default:
		h.Set("Content-Length", "10")
		if r.Method == http.MethodGet {
			io.WriteString(w, body)
		}
	}
}

// then answers attempts up to n with first and later ones with rest.
func then(n int, first, rest answer) answer {
	return func(w http.ResponseWriter, r *http.Request, i int) {
		if i <= n {
			first(w, r, i)
			return
		}
		rest(w, r, i)
	}
}

// cutShort answers with a status and a body shorter than its Content-Length.
func cutShort(status int) answer {
	return func(w http.ResponseWriter, r *http.Request, _ int) {
		conn, buf, err := w.(http.Hijacker).Hijack()
		if err != nil {
			return
		}
		defer conn.Close()
		// Connection: close, and no body bytes after a HEAD's headers:
		// bytes the client did not ask for, or a connection closed under a
		// client that would reuse it, make the client's transport drop a
		// later attempt before it reaches the server, at random.
		fmt.Fprintf(buf, "HTTP/1.1 %d %s\r\nContent-Type: application/xml\r\nContent-Length: 200\r\nConnection: close\r\n\r\n", status, http.StatusText(status))
		if r.Method != http.MethodHead {
			_, _ = buf.WriteString(`<?xml version="1.0"?><Err`)
		}
		_ = buf.Flush()
	}
}

// empty answers with a status and no body.
func empty(status int) answer {
	return func(w http.ResponseWriter, _ *http.Request, _ int) {
		w.Header().Set("Content-Length", "0")
		w.WriteHeader(status)
	}
}

// directAnswers are the server answers both paths must map alike.
var directAnswers = []struct {
	name   string
	answer answer
}{
	{"200", objectAnswer},
	{"404 NoSuchKey", xmlError(404, "NoSuchKey", "The specified key does not exist.")},
	{"404 NoSuchBucket", xmlError(404, "NoSuchBucket", "The specified bucket does not exist")},
	{"404 empty", empty(404)},
	{"403 AccessDenied", xmlError(403, "AccessDenied", "Access Denied")},
	{"403 SignatureDoesNotMatch", xmlError(403, "SignatureDoesNotMatch", "")},
	{"403 InvalidAccessKeyId", xmlError(403, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.")},
	{"301 region", xmlError(301, "PermanentRedirect", "wrong endpoint", "X-Amz-Bucket-Region", "us-west-2")},
	{"400 region", xmlError(400, "AuthorizationHeaderMalformed", "the region 'eu-west-1' is wrong; expecting 'us-east-2'")},
	{"400 empty", empty(400)},
	{"500 then 200", then(1, xmlError(500, "InternalError", "We encountered an internal error."), objectAnswer)},
	{"503 always", xmlError(503, "SlowDown", "Please reduce your request rate.")},
	{"500 empty always", empty(500)},
	{"500 cut short always", cutShort(500)},
	{"200 cut short", cutShort(200)},
	{"403 cut short", cutShort(403)},
	{"garbled XML", func(w http.ResponseWriter, _ *http.Request, _ int) {
		w.WriteHeader(http.StatusConflict)
		io.WriteString(w, "<Error><Code>Oops</Code>")
	}},
	{"200 bad Last-Modified then 200", then(1, func(w http.ResponseWriter, r *http.Request, n int) {
		w.Header().Set("Last-Modified", "yesterday")
		objectAnswer(w, r, n)
	}, objectAnswer)},
	{"200 bad Content-Length header field", func(w http.ResponseWriter, r *http.Request, n int) {
		w.Header().Set("X-Amz-Mp-Parts-Count", "many")
		objectAnswer(w, r, n)
	}},
}

// directKeys are keys whose escaping both paths must agree on.
var directKeys = []string{"dir/key", "a b+c%d/ü?x#y", "x//y/", "../up/./here", "~_-.=&;:@$,", "(!*')[]{}|\\^`\"<>", "%2F%zz"}

// runBoth runs call against a fresh wireRecorder answering with a, once
// through the SDK and once on the direct path, and returns both outcomes.
func runBoth(t *testing.T, a answer, key string, call func(ctx context.Context, c *s3kit.Client, key string) (s3kit.Object, string, error), opts ...s3kit.Option) (sdk, direct outcome) {
	t.Helper()
	return runPaths(t, true, a, key, call, opts...)
}

// runPaths is runBoth; directTaken says whether the client with the direct
// path on must take it.
func runPaths(t *testing.T, directTaken bool, a answer, key string, call func(ctx context.Context, c *s3kit.Client, key string) (s3kit.Object, string, error), opts ...s3kit.Option) (sdk, direct outcome) {
	t.Helper()
	run := func(on bool) outcome {
		rec := &wireRecorder{answer: a}
		srv := httptest.NewServer(rec)
		t.Cleanup(srv.Close)
		c, err := s3kit.New(t.Context(), append([]s3kit.Option{s3kit.WithEndpoint(srv.URL), s3kit.WithRegion("eu-west-1"),
			s3kit.WithCredentials("AKID", "SECRET"), s3kit.WithMaxAttempts(3),
			s3kit.WithRetryDelays(time.Microsecond, time.Microsecond),
			knobs.WithDirectPath(on).(s3kit.Option)}, opts...)...)
		require.NoError(t, err)
		obj, body, err := call(t.Context(), c, key)
		o := outcome{Object: obj, Body: body}
		if err != nil {
			o.ErrText, o.Sentinels = err.Error(), sentinelNames(err)
			var e *s3kit.Error
			if errors.As(err, &e) {
				o.Code, o.Status, o.RequestID, o.Attempts = e.Code, e.StatusCode, e.RequestID, e.Attempts
			}
		}
		rec.mu.Lock()
		o.Requests = rec.reqs
		for _, ua := range rec.agents {
			assert.Equal(t, on && directTaken, strings.Contains(ua, "s3kit-direct"), "the path of %q", ua)
		}
		rec.mu.Unlock()
		return o
	}
	return run(false), run(true)
}

// TestDirectPathSendsAndMapsAsTheSDK runs every operation the direct path
// carries against every scripted answer, through the SDK and on the direct
// path, and checks that both send the same requests (method, path, query,
// signed headers and their values) and give the same result or error.
func TestDirectPathSendsAndMapsAsTheSDK(t *testing.T) {
	for _, op := range directOps {
		for _, a := range directAnswers {
			t.Run(op.name+"/"+a.name, func(t *testing.T) {
				sdk, direct := runBoth(t, a.answer, "dir/key", op.call, opOptions[op.name]...)
				require.NotEmpty(t, sdk.Requests)
				assert.Equal(t, sdk, direct)
			})
		}
	}
}

// TestDirectPathEscapesAsTheSDK checks the path of keys with characters
// that need escaping, and SigV2 signing, on both paths.
func TestDirectPathEscapesAsTheSDK(t *testing.T) {
	for _, op := range directOps {
		for _, key := range directKeys {
			t.Run(op.name+"/"+key, func(t *testing.T) {
				sdk, direct := runBoth(t, objectAnswer, key, op.call, opOptions[op.name]...)
				assert.Equal(t, sdk, direct)
			})
		}
		t.Run(op.name+"/SigV2", func(t *testing.T) {
			sdk, direct := runBoth(t, func(w http.ResponseWriter, r *http.Request, n int) {
				w.Header().Set("X-Auth", r.Header.Get("Authorization")[:min(len(r.Header.Get("Authorization")), 9)])
				objectAnswer(w, r, n)
			}, "a b/c", op.call, append(slices.Clip(opOptions[op.name]), s3kit.WithSignatureV2())...)
			assert.Equal(t, sdk, direct)
		})
	}
}

// TestDirectPathCancelled checks a call whose context ends while the
// request is in flight.
func TestDirectPathCancelled(t *testing.T) {
	for _, op := range directOps {
		t.Run(op.name, func(t *testing.T) {
			var mu sync.Mutex
			var current context.CancelFunc
			block := func(_ http.ResponseWriter, r *http.Request, _ int) {
				mu.Lock()
				current()
				mu.Unlock()
				<-r.Context().Done()
			}
			call := func(ctx context.Context, c *s3kit.Client, key string) (s3kit.Object, string, error) {
				ctx, cancel := context.WithCancel(ctx)
				defer cancel()
				mu.Lock()
				current = cancel
				mu.Unlock()
				return op.call(ctx, c, key)
			}
			sdk, direct := runBoth(t, block, "k", call)
			assert.Equal(t, sdk, direct)
			assert.Contains(t, direct.Sentinels, "Canceled")
		})
	}
}

// agentTransport records the User-Agent of each request it carries.
type agentTransport struct {
	next   http.RoundTripper
	mu     sync.Mutex
	agents []string
}

func (a *agentTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	a.mu.Lock()
	a.agents = append(a.agents, r.Header.Get("User-Agent"))
	a.mu.Unlock()
	return a.next.RoundTrip(r)
}

// TestDirectPathTakenOnS3kittest checks that a client built as the
// conformance suite builds it takes the direct path when the knob is on,
// and the SDK's otherwise, on every operation it carries (Put of a small
// body, Head, a List page, Get, Delete).
func TestDirectPathTakenOnS3kittest(t *testing.T) {
	for _, on := range []bool{false, true} {
		srv := s3kittest.NewServer(t, s3kittest.WithTLS())
		srv.CreateBucket(t, "bkt")
		hc := srv.HTTPClient()
		rt := &agentTransport{next: hc.Transport}
		c, err := s3kit.New(t.Context(), append(srv.Options(), s3kit.WithHTTPClient(&http.Client{Transport: rt}),
			knobs.WithDirectPath(on).(s3kit.Option))...)
		require.NoError(t, err)
		_, err = c.Put(t.Context(), "bkt", "k", strings.NewReader("data"))
		require.NoError(t, err)
		_, err = c.Head(t.Context(), "bkt", "k")
		require.NoError(t, err)
		var keys []string
		for obj, err := range c.List(t.Context(), "bkt") {
			require.NoError(t, err)
			keys = append(keys, obj.Key)
		}
		assert.Equal(t, []string{"k"}, keys)
		r, err := c.Get(t.Context(), "bkt", "k")
		require.NoError(t, err)
		_, err = io.ReadAll(r)
		require.NoError(t, err)
		require.NoError(t, r.Close())
		require.NoError(t, c.Delete(t.Context(), "bkt", "k"))
		_, err = c.Head(t.Context(), "bkt", "k")
		require.ErrorIs(t, err, s3kit.ErrNotFound)
		require.Len(t, rt.agents, 6)
		for _, ua := range rt.agents {
			assert.Equal(t, on, strings.Contains(ua, "s3kit-direct"), ua)
		}
	}
}

// TestDirectPathOffWhenObserved checks that a client with a logger, a
// tracer provider or a meter provider sends every call through the SDK
// even with the direct path on: their records and spans come from SDK
// middlewares, which the direct path does not run.
func TestDirectPathOffWhenObserved(t *testing.T) {
	for name, opt := range map[string]s3kit.Option{
		"logger": s3kit.WithLogger(slog.New(slog.DiscardHandler)),
		"tracer": s3kit.WithTracerProvider(tracing.NopTracerProvider{}),
		"meter":  s3kit.WithMeterProvider(metrics.NopMeterProvider{}),
	} {
		t.Run(name, func(t *testing.T) {
			sdk, direct := runPaths(t, false, objectAnswer, "k", directOps[0].call, opt)
			assert.Equal(t, sdk, direct)
		})
	}
}

// TestDirectPathCorrectsTheClock checks that both paths learn a server's
// clock, an hour ahead of this machine's, from the Date of its refusal,
// retry with the corrected clock, and keep the correction for the next
// call of the same client.
func TestDirectPathCorrectsTheClock(t *testing.T) {
	ahead := func(w http.ResponseWriter, r *http.Request, n int) {
		now := time.Now().Add(time.Hour)
		w.Header().Set("Date", now.UTC().Format(http.TimeFormat))
		signed, err := time.Parse("20060102T150405Z", r.Header.Get("X-Amz-Date"))
		if err != nil || signed.Sub(now).Abs() > 15*time.Minute {
			xmlError(http.StatusForbidden, "RequestTimeTooSkewed", "The difference between the request time and the current time is too large.")(w, r, n)
			return
		}
		objectAnswer(w, r, n)
	}
	get := directOps[1].call // a GET, whose refusal names its code; a HEAD's cannot
	twice := func(ctx context.Context, c *s3kit.Client, key string) (s3kit.Object, string, error) {
		if _, _, err := get(ctx, c, key); err != nil {
			return s3kit.Object{}, "", err
		}
		return get(ctx, c, key)
	}
	sdk, direct := runBoth(t, ahead, "k", twice)
	assert.Equal(t, sdk, direct)
	assert.Empty(t, direct.ErrText)
	assert.Len(t, direct.Requests, 3, "one refusal, then two GETs with the corrected clock")
}
