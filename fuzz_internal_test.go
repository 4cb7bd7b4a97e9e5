package s3kit

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/s3kit/s3kit/internal/names"
	"github.com/s3kit/s3kit/internal/s3err"
)

// FuzzCheckKey checks that key validation accepts exactly the non-empty,
// valid UTF-8 keys of at most 1024 bytes, and fails with a well-formed
// ErrInvalidInput otherwise.
func FuzzCheckKey(f *testing.F) {
	for _, k := range []string{"a", "", "dir/file.txt", "a b+c", "../x", "\xff", "é", strings.Repeat("x", 1025)} {
		f.Add(k)
	}
	f.Fuzz(func(t *testing.T, key string) {
		err := checkKey("Put", "bkt", key)
		valid := key != "" && len(key) <= names.MaxKeyLen && utf8.ValidString(key)
		if valid != (err == nil) {
			t.Fatalf("checkKey(%q) = %v, want valid=%t", key, err, valid)
		}
		if err == nil {
			return
		}
		var e *Error
		if !errors.As(err, &e) || !errors.Is(err, ErrInvalidInput) || e.Op != "Put" || e.Bucket != "bkt" {
			t.Fatalf("checkKey(%q) error is not a well-formed ErrInvalidInput: %#v", key, err)
		}
		_ = err.Error()
	})
}

// FuzzPublicURL checks that a public URL's path decodes back to exactly the
// bucket and key, uses only S3's unreserved characters and escapes, and
// stays inside the bucket even after dot segments are resolved.
func FuzzPublicURL(f *testing.F) {
	for _, k := range []string{"a", "a b+c", "../../etc/passwd", "./x", "a/./b/../c", "%2e%2E/x", "é/ü", "a//b", "/lead", "trail/", "?q=1#f", "..", "."} {
		f.Add("bkt", k, true)
		f.Add("my.bucket", k, false)
		f.Add("Old_Bucket-1", k, true)
	}
	endpoint, _ := url.Parse("https://s3.fr1.example.com:8443")
	f.Fuzz(func(t *testing.T, bucket, key string, pathStyle bool) {
		// Path-style URLs also take legacy (relaxed) bucket names, a
		// superset of S3's rules; virtual-host ones only S3's.
		if checkObject("PublicURL", bucket, key, pathStyle) != nil {
			return
		}
		c := &Client{endpoint: endpoint, region: "fr1", pathStyle: pathStyle, cfg: &config{}}
		raw := c.PublicURL(bucket, key)
		u, err := url.Parse(raw)
		if err != nil {
			t.Fatalf("PublicURL(%q, %q) = %q does not parse: %v", bucket, key, raw, err)
		}
		wantHost, wantPath := endpoint.Host, "/"+bucket+"/"+key
		// Over https a bucket name with dots cannot be a host label under
		// a wildcard certificate; the SDK, and so PublicURL, go path-style.
		if !pathStyle && !strings.Contains(bucket, ".") {
			wantHost, wantPath = bucket+"."+endpoint.Host, "/"+key
		}
		if u.Host != wantHost || u.Path != wantPath || u.RawQuery != "" || u.Fragment != "" {
			t.Fatalf("PublicURL(%q, %q) = %q: host %q path %q query %q fragment %q", bucket, key, raw, u.Host, u.Path, u.RawQuery, u.Fragment)
		}
		for _, c := range []byte(u.EscapedPath()) {
			if !names.IsUnreserved(c) && c != '/' && c != '%' {
				t.Fatalf("PublicURL(%q, %q) = %q leaves %q unescaped", bucket, key, raw, c)
			}
		}
		// A client or proxy that removes dot segments must not leave the
		// bucket: they are escaped, so resolution keeps them.
		base, _ := url.Parse(endpoint.String() + "/")
		if res := base.ResolveReference(u); res.Path != wantPath {
			t.Fatalf("PublicURL(%q, %q) = %q resolves to %q", bucket, key, raw, res.Path)
		}
	})
}

// FuzzErrorXML serves arbitrary error bodies and statuses to a real Get and
// checks that every answer becomes a well-formed *Error whose sentinel
// agrees with s3err.Classify, and that the secret never shows.
func FuzzErrorXML(f *testing.F) {
	f.Add(404, []byte(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchKey</Code><Message>m</Message><RequestId>R</RequestId></Error>`))
	f.Add(404, []byte(`<Error><Code>NoSuchBucket</Code></Error>`))
	f.Add(403, []byte(`<Error><Code>SignatureDoesNotMatch</Code><StringToSign>x</StringToSign></Error>`))
	f.Add(501, []byte(`<Error><Code>NotImplemented</Code></Error>`))
	f.Add(500, []byte(`<Error><Code>InternalError</Code><Message>`))
	f.Add(503, []byte(`<?xml version="1.0"?><Error><Code>SlowDown</Code><Message>&bogus;</Message></Error>`))
	f.Add(400, []byte(``))
	f.Add(409, []byte(`not xml at all`))
	f.Add(400, []byte(`<Error><Code><![CDATA[Weird]]></Code><Code>Second</Code></Error>`))
	f.Add(416, []byte(`<ErrorResponse><Error><Code>InvalidRange</Code></Error></ErrorResponse>`))

	const secret = "fuzz-secret-key-do-not-print"
	var state struct {
		sync.Mutex
		status int
		body   []byte
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		state.Lock()
		status, body := state.status, state.body
		state.Unlock()
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(status)
		_, _ = w.Write(body)
	}))
	f.Cleanup(srv.Close)
	hc := srv.Client()
	f.Cleanup(hc.CloseIdleConnections)
	c, err := New(context.Background(), WithEndpoint(srv.URL), WithCredentials("AKFUZZ", secret), WithHTTPClient(hc), WithMaxAttempts(1))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		if status < 400 || status > 599 {
			status = 400 + (status%200+200)%200
		}
		state.Lock()
		state.status, state.body = status, body
		state.Unlock()
		r, err := c.Get(context.Background(), "bkt", "dir/key")
		if err == nil {
			r.Close()
			t.Fatalf("status %d gave no error", status)
		}
		var e *Error
		if !errors.As(err, &e) {
			t.Fatalf("not an *Error: %#v", err)
		}
		if e.Op != "Get" || e.Bucket != "bkt" || e.Key != "dir/key" || e.StatusCode != status {
			t.Fatalf("error lost its context: %+v", e)
		}
		if want := sentinelOf(s3err.Classify(e.Code, e.StatusCode, s3err.Object)); e.kind != want {
			t.Fatalf("kind %v, s3err.Classify says %v", e.kind, want)
		}
		msg := err.Error()
		if !strings.HasPrefix(msg, "s3kit: Get bkt/dir/key: ") || strings.Contains(msg, secret) {
			t.Fatalf("bad message %q", msg)
		}
	})
}
