package s3kit_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/s3kit/s3kit"
	"github.com/s3kit/s3kit/internal/knobs"
)

// a14Config is how one attack of review 14 sets up the server and client
// both paths run against.
type a14Config struct {
	ipv6     bool                                 // listen on [::1]
	tls      bool                                 // an HTTPS server, its client given with WithHTTPClient
	endpoint func(u string) string                // changes the endpoint given to New
	wrap     func(next http.Handler) http.Handler // stands before the recorder
	creds    bool                                 // leave credentials to opts (FromEnv)
	opts     []s3kit.Option
	fresh    func() // runs before each client is built
}

// a14Paths runs call against a fresh server answering with a, once through
// the SDK and once with the direct path on, and returns both outcomes.
func a14Paths(t *testing.T, a answer, cfg a14Config, key string, call func(ctx context.Context, c *s3kit.Client, key string) (s3kit.Object, string, error)) (sdk, direct outcome) {
	t.Helper()
	run := func(on bool) outcome {
		rec := &wireRecorder{answer: a}
		var h http.Handler = rec
		if cfg.wrap != nil {
			h = cfg.wrap(rec)
		}
		srv := httptest.NewUnstartedServer(h)
		if cfg.ipv6 {
			l, err := net.Listen("tcp", "[::1]:0")
			if err != nil {
				t.Skip("no IPv6 loopback:", err)
			}
			srv.Listener = l
		}
		if cfg.tls {
			srv.StartTLS()
		} else {
			srv.Start()
		}
		t.Cleanup(srv.Close)
		u := srv.URL
		if cfg.fresh != nil {
			cfg.fresh()
		}
		if cfg.endpoint != nil {
			u = cfg.endpoint(u)
		}
		opts := []s3kit.Option{s3kit.WithEndpoint(u), s3kit.WithRegion("eu-west-1"), s3kit.WithMaxAttempts(3),
			s3kit.WithRetryDelays(time.Microsecond, time.Microsecond), knobs.WithDirectPath(on).(s3kit.Option)}
		if !cfg.creds {
			opts = append(opts, s3kit.WithCredentials("AKID", "SECRET"))
		}
		if cfg.tls {
			opts = append(opts, s3kit.WithHTTPClient(srv.Client()))
		}
		c, err := s3kit.New(t.Context(), append(opts, cfg.opts...)...)
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
		defer rec.mu.Unlock()
		o.Requests = rec.reqs
		for _, ua := range rec.agents {
			assert.Equal(t, on, strings.Contains(ua, "s3kit-direct"), "the path of %q", ua)
		}
		return o
	}
	return run(false), run(true)
}

// a14Ops are the operations the direct path carries, by name.
func a14Ops() map[string]func(ctx context.Context, c *s3kit.Client, key string) (s3kit.Object, string, error) {
	m := map[string]func(ctx context.Context, c *s3kit.Client, key string) (s3kit.Object, string, error){}
	for _, op := range directOps {
		m[op.name] = op.call
	}
	return m
}

// TestAttack14_RedirectedPutWithPlainClient checks that a write redirected
// by a 301, 302 or 303 is reported failed, alike on both paths.
func TestAttack14_RedirectedPutWithPlainClient(t *testing.T) {
	for _, status := range []int{301, 302, 303} {
		for _, name := range []string{"Put", "PutEmpty", "Delete"} {
			t.Run(fmt.Sprint(name, status), func(t *testing.T) {
				a := func(w http.ResponseWriter, r *http.Request, n int) {
					if r.Method == http.MethodGet || r.Method == http.MethodHead {
						w.Header().Set("ETag", `"not-stored"`)
						w.Header().Set("Content-Length", "0")
						return
					}
					w.Header().Set("Location", "/elsewhere/k")
					w.WriteHeader(status)
				}
				sdk, direct := a14Paths(t, a, a14Config{opts: []s3kit.Option{s3kit.WithHTTPClient(&http.Client{})}}, "k", a14Ops()[name])
				assert.Equal(t, sdk, direct)
				assert.NotEmpty(t, direct.ErrText, "a redirected %s reported done", name)
			})
		}
	}
}

func TestAttack14_RedirectKeepsTheTokenHome(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "AKID")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "SECRET")
	t.Setenv("AWS_SESSION_TOKEN", "TOKEN")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	for name, call := range a14Ops() {
		t.Run(name, func(t *testing.T) {
			var mu sync.Mutex
			var seen []string
			other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				_, _ = io.Copy(io.Discard, r.Body)
				mu.Lock()
				seen = append(seen, r.Header.Get("Authorization")+r.Header.Get("X-Amz-Security-Token"))
				mu.Unlock()
				objectAnswer(w, r, 1)
			}))
			t.Cleanup(other.Close)
			redirect := func(w http.ResponseWriter, r *http.Request, _ int) {
				w.Header().Set("Location", strings.Replace(other.URL, "127.0.0.1", "localhost", 1)+r.URL.RequestURI())
				w.WriteHeader(http.StatusTemporaryRedirect)
			}
			cfg := a14Config{creds: true, opts: []s3kit.Option{s3kit.FromEnv(), s3kit.WithHTTPClient(&http.Client{})}}
			sdk, direct := a14Paths(t, redirect, cfg, "k", call)
			assert.Equal(t, sdk, direct)
			mu.Lock()
			defer mu.Unlock()
			for _, s := range seen {
				assert.Empty(t, s)
			}
		})
	}
}
