package s3kit_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"slices"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/s3kit/s3kit"
	"github.com/s3kit/s3kit/s3kittest"
)

func TestListV1(t *testing.T) {
	t.Parallel()
	srv := setupV1(t)
	c := srv.c
	fill(t, c, "a/", 1200)
	fill(t, c, "b/", 300)
	all := collect(t, c.List(t.Context(), bucket))
	require.Len(t, all, 1500)
	assert.True(t, slices.IsSorted(all))

	tests := []struct {
		name     string
		opts     []s3kit.ListOption
		want     []string
		requests int64
	}{
		{"page size 1000", []s3kit.ListOption{s3kit.WithPageSize(1000)}, all, 2},
		{"page size 7 with prefix", []s3kit.ListOption{s3kit.WithPageSize(7), s3kit.WithPrefix("b/")}, all[1200:], 43},
		{"start after", []s3kit.ListOption{s3kit.WithStartAfter(all[1299])}, all[1300:], 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv.v1Requests()
			before := srv.requests()
			assert.Equal(t, tc.want, collect(t, c.List(t.Context(), bucket, tc.opts...)))
			assert.Equal(t, tc.requests, srv.requests()-before)
			assert.Equal(t, tc.requests, srv.v1Requests(), "every page used ListObjects v1")
		})
	}
}

// v1Server wraps an s3kittest server and counts ListObjects v1 requests.
type v1Server struct {
	c   *s3kit.Client
	mu  sync.Mutex
	all int64
	v1  int64
}

func (s *v1Server) requests() int64 { s.mu.Lock(); defer s.mu.Unlock(); return s.all }

// v1Requests returns and resets the number of v1 listings.
func (s *v1Server) v1Requests() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := s.v1
	s.v1 = 0
	return n
}

// proxyEndpoint starts a reverse proxy to srv that calls observe with
// every request, and returns its URL.
func proxyEndpoint(t *testing.T, srv *s3kittest.Server, observe func(*http.Request)) string {
	t.Helper()
	target, err := url.Parse(srv.URL)
	require.NoError(t, err)
	rp := httputil.NewSingleHostReverseProxy(target)
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		observe(r)
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(front.Close)
	return front.URL
}

func setupV1(t *testing.T) *v1Server {
	srv, _ := setup(t)
	s := &v1Server{}
	front := proxyEndpoint(t, srv, func(r *http.Request) {
		if r.Method == http.MethodGet && r.URL.Path == "/"+bucket {
			s.mu.Lock()
			s.all++
			if !r.URL.Query().Has("list-type") {
				s.v1++
			}
			s.mu.Unlock()
		}
	})
	var err error
	s.c, err = s3kit.New(t.Context(), s3kit.WithEndpoint(front),
		s3kit.WithCredentials(s3kittest.AccessKey, s3kittest.SecretKey), s3kit.WithListV1())
	require.NoError(t, err)
	return s
}

func TestListWithDelimiter(t *testing.T) {
	t.Parallel()
	for _, v1 := range []bool{false, true} {
		t.Run(fmt.Sprintf("v1=%t", v1), func(t *testing.T) {
			srv, c := setup(t)
			if v1 {
				c = srv.Client(t, s3kit.WithListV1())
			}
			putKeys(t, c, []string{"p/a/1", "p/a/2", "p/b", "p/c/d/e", "p/d", "p/e/x", "q/z"})
			want := []s3kit.Object{
				{Key: "p/a/", IsPrefix: true},
				{Key: "p/b"},
				{Key: "p/c/", IsPrefix: true},
				{Key: "p/d"},
				{Key: "p/e/", IsPrefix: true},
			}
			for _, ps := range []int{1000, 2, 1} {
				t.Run(fmt.Sprint("page size ", ps), func(t *testing.T) {
					var got []s3kit.Object
					for o, err := range c.List(t.Context(), bucket, s3kit.WithPrefix("p/"), s3kit.WithDelimiter("/"), s3kit.WithPageSize(ps)) {
						require.NoError(t, err)
						got = append(got, s3kit.Object{Key: o.Key, IsPrefix: o.IsPrefix})
					}
					assert.Equal(t, want, got)
				})
			}
		})
	}
}

// v1Lister answers ListObjects v1 requests from a fixed list of pages and
// records the markers it was asked for.
func v1Lister(t *testing.T, page func(marker string) string) (*s3kit.Client, *[]string) {
	t.Helper()
	var mu sync.Mutex
	var markers []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m := r.URL.Query().Get("marker")
		mu.Lock()
		markers = append(markers, m)
		mu.Unlock()
		w.Header().Set("Content-Type", "application/xml")
		fmt.Fprint(w, `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>bkt</Name>`+page(m)+`</ListBucketResult>`)
	}))
	t.Cleanup(srv.Close)
	c, err := s3kit.New(t.Context(), s3kit.WithEndpoint(srv.URL), s3kit.WithCredentials("ak", "sk"), s3kit.WithListV1())
	require.NoError(t, err)
	return c, &markers
}

func TestListV1Markers(t *testing.T) {
	t.Parallel()
	contents := func(keys ...string) string {
		var s string
		for _, k := range keys {
			s += "<Contents><Key>" + k + "</Key><Size>1</Size></Contents>"
		}
		return s
	}
	tests := []struct {
		name        string
		page        func(marker string) string
		wantKeys    []string
		wantMarkers []string
		wantErr     string
	}{
		{"no NextMarker: the last key is the marker", func(m string) string {
			if m == "" {
				return "<IsTruncated>true</IsTruncated>" + contents("a", "b")
			}
			return "<IsTruncated>false</IsTruncated>" + contents("c")
		}, []string{"a", "b", "c"}, []string{"", "b"}, ""},
		{"NextMarker wins", func(m string) string {
			if m == "" {
				return "<IsTruncated>true</IsTruncated><NextMarker>b0</NextMarker>" + contents("a", "b")
			}
			return "<IsTruncated>false</IsTruncated>" + contents("c")
		}, []string{"a", "b", "c"}, []string{"", "b0"}, ""},
		{"same page again", func(string) string {
			return "<IsTruncated>true</IsTruncated>" + contents("a")
		}, []string{"a", "a"}, []string{"", "a"}, "repeated continuation token"},
		{"truncated empty page", func(string) string {
			return "<IsTruncated>true</IsTruncated>"
		}, nil, []string{""}, "no continuation token"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, markers := v1Lister(t, tc.page)
			var keys []string
			var errs []error
			for o, err := range c.List(t.Context(), "bkt") {
				if err != nil {
					errs = append(errs, err)
					continue
				}
				keys = append(keys, o.Key)
			}
			assert.Equal(t, tc.wantKeys, keys)
			assert.Equal(t, tc.wantMarkers, *markers)
			if tc.wantErr == "" {
				assert.Empty(t, errs)
			} else {
				require.Len(t, errs, 1)
				assert.Contains(t, errs[0].Error(), tc.wantErr)
			}
		})
	}
}
