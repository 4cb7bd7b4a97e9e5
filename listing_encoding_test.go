package s3kit_test

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/s3kit/s3kit"
)

// awkwardKeys are keys that XML 1.0 cannot carry (control characters) or
// that URL decoding can get wrong ('%', '+', space).
var awkwardKeys = []string{
	"ctl/\x01one", "ctl/tab\tx", "ctl/nl\nx", "ctl/del\x7f", "ctl/cr\rx",
	"ctl/100%", "ctl/%41", "ctl/%2B", "ctl/a+b", "ctl/a b", "ctl/sub/x+y z", "ctl/sub\x01/k", "ctl/é",
}

// xmlSafeKeys are the awkward keys that XML 1.0 can carry.
var xmlSafeKeys = []string{"ctl/100%", "ctl/%41", "ctl/%2B", "ctl/a+b", "ctl/a b", "ctl/sub/x+y z", "ctl/é"}

// listStub is a small S3 server that holds keys and answers ListObjects
// (v1 and v2), with URL-encoded keys when asked, DeleteObjects and
// DeleteObject.
type listStub struct {
	// style is how keys are URL-encoded when a listing asks for it: "aws"
	// (space as '+', like AWS S3 and MinIO), "rgw" (space as "%20", and
	// NextMarker raw, as Ceph RGW 16 does, when XML can carry it),
	// "ignore" (raw keys, no EncodingType element, like gofakes3) or
	// "broken" (EncodingType url with a key that does not decode).
	style string

	mu      sync.Mutex
	keys    []string
	markers []string // v1 markers and v2 start-after values received, decoded
	noEnc   int      // listings that did not ask for encoding-type=url
}

func newListStub(t *testing.T, style string, keys []string) (*listStub, string) {
	t.Helper()
	s := &listStub{style: style, keys: slices.Sorted(slices.Values(keys))}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return s, srv.URL
}

func (s *listStub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q := r.URL.Query()
	switch {
	case r.Method == http.MethodPost && q.Has("delete"):
		s.delete(w, r)
	case r.Method == http.MethodDelete:
		key := strings.TrimPrefix(r.URL.Path, "/"+bucket+"/")
		s.keys = slices.DeleteFunc(s.keys, func(k string) bool { return k == key })
		w.WriteHeader(http.StatusNoContent)
	case r.Method == http.MethodGet:
		s.list(w, q)
	default:
		s3Error(w, http.StatusNotImplemented, "NotImplemented")
	}
}

func (s *listStub) delete(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Objects []struct{ Key string } `xml:"Object"`
	}
	b, _ := io.ReadAll(r.Body)
	if err := xml.Unmarshal(b, &req); err != nil {
		s3Error(w, http.StatusBadRequest, "MalformedXML")
		return
	}
	for _, o := range req.Objects {
		s.keys = slices.DeleteFunc(s.keys, func(k string) bool { return k == o.Key })
	}
	_, _ = io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><DeleteResult></DeleteResult>`)
}

// list answers one page. Entries are keys and common prefixes in order;
// a v2 token is the last entry of the page, base64-encoded.
func (s *listStub) list(w http.ResponseWriter, q url.Values) {
	v2 := q.Get("list-type") == "2"
	prefix, delim := q.Get("prefix"), q.Get("delimiter")
	after := q.Get("marker")
	if v2 {
		after = q.Get("start-after")
		if tok := q.Get("continuation-token"); tok != "" {
			b, _ := base64.StdEncoding.DecodeString(tok)
			after = string(b)
		}
	}
	if after != "" && !q.Has("continuation-token") {
		s.markers = append(s.markers, after)
	}
	maxKeys, _ := strconv.Atoi(q.Get("max-keys"))
	encode := q.Get("encoding-type") == "url"
	if !encode {
		s.noEnc++
	}
	var keys, prefixes []string
	var last string
	truncated := false
	for _, k := range s.keys {
		if !strings.HasPrefix(k, prefix) {
			continue
		}
		entry, isPrefix := k, false
		if i := strings.Index(k[len(prefix):], delim); delim != "" && i >= 0 {
			entry, isPrefix = k[:len(prefix)+i+len(delim)], true
		}
		if entry <= after || entry == last {
			continue
		}
		if len(keys)+len(prefixes) == maxKeys {
			truncated = true
			break
		}
		if isPrefix {
			prefixes = append(prefixes, entry)
		} else {
			keys = append(keys, entry)
		}
		last = entry
	}
	enc := func(k string) string { return k }
	encoded := encode && s.style != "ignore"
	if encoded {
		enc = s.encode
	}
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><ListBucketResult>`)
	if encoded {
		b.WriteString(`<EncodingType>url</EncodingType>`)
	}
	fmt.Fprintf(&b, `<IsTruncated>%t</IsTruncated>`, truncated)
	if truncated && v2 {
		fmt.Fprintf(&b, `<NextContinuationToken>%s</NextContinuationToken>`, base64.StdEncoding.EncodeToString([]byte(last)))
	}
	if truncated && !v2 {
		next := enc(last)
		if s.style == "rgw" && !strings.ContainsFunc(last, func(r rune) bool { return r < 0x20 }) {
			next = last // RGW sends NextMarker raw (and breaks its XML on control characters)
		}
		writeElem(&b, "NextMarker", next)
	}
	for _, k := range keys {
		b.WriteString(`<Contents>`)
		writeElem(&b, "Key", enc(k))
		b.WriteString(`<Size>1</Size><ETag>"e"</ETag></Contents>`)
	}
	for _, p := range prefixes {
		b.WriteString(`<CommonPrefixes>`)
		writeElem(&b, "Prefix", enc(p))
		b.WriteString(`</CommonPrefixes>`)
	}
	b.WriteString(`</ListBucketResult>`)
	w.Header().Set("Content-Type", "application/xml")
	_, _ = w.Write(b.Bytes())
}

// encode URL-encodes a key in the stub's style.
func (s *listStub) encode(k string) string {
	switch s.style {
	case "aws":
		return url.QueryEscape(k)
	case "broken":
		return "%zz" + k
	}
	var b strings.Builder // rgw: every byte but unreserved ones and '/' as %XX
	for i := 0; i < len(k); i++ {
		c := k[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-._~/", c) >= 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// writeElem writes <name>v</name> with v escaped as encoding/xml does, which
// turns characters XML 1.0 cannot carry into U+FFFD, as Go servers do.
func writeElem(b *bytes.Buffer, name, v string) {
	fmt.Fprintf(b, "<%s>", name)
	_ = xml.EscapeText(b, []byte(v))
	fmt.Fprintf(b, "</%s>", name)
}

// TestListDecodesURLEncodedKeys lists keys that XML cannot carry from a
// stub that URL-encodes them on request, in both styles providers use, with
// both ListObjects versions, flat and with a delimiter, a page at a time.
func TestListDecodesURLEncodedKeys(t *testing.T) {
	t.Parallel()
	keys := append(slices.Clone(awkwardKeys), "keep/x")
	flat := slices.Sorted(slices.Values(awkwardKeys))
	grouped := []string{}
	for _, k := range flat {
		if strings.HasPrefix(k, "ctl/sub") {
			k = k[:strings.Index(k[4:], "/")+5]
		}
		if !slices.Contains(grouped, k) {
			grouped = append(grouped, k)
		}
	}
	for _, style := range []string{"aws", "rgw"} {
		for _, v1 := range []bool{false, true} {
			for _, delim := range []string{"", "/"} {
				name := fmt.Sprintf("%s/v1=%t/delimiter=%q", style, v1, delim)
				t.Run(name, func(t *testing.T) {
					stub, endpoint := newListStub(t, style, keys)
					opts := []s3kit.Option{s3kit.WithEndpoint(endpoint), s3kit.WithCredentials("ak", "sk")}
					if v1 {
						opts = append(opts, s3kit.WithListV1())
					}
					c, err := s3kit.New(t.Context(), opts...)
					require.NoError(t, err)
					lo := []s3kit.ListOption{s3kit.WithPrefix("ctl/"), s3kit.WithPageSize(2)}
					want := flat
					if delim != "" {
						lo, want = append(lo, s3kit.WithDelimiter(delim)), grouped
					}
					assert.Equal(t, want, collect(t, c.List(t.Context(), bucket, lo...)))
					assert.Zero(t, stub.noEnc, "every listing asked for encoding-type=url")

					// A start-after key goes out raw and comes back decoded.
					got := collect(t, c.List(t.Context(), bucket, s3kit.WithPrefix("ctl/"), s3kit.WithStartAfter("ctl/a b")))
					i := slices.Index(flat, "ctl/a b")
					assert.Equal(t, flat[i+1:], got)
					assert.Contains(t, stub.markers, "ctl/a b")
				})
			}
		}
	}
}

// TestListKeepsKeysOfProvidersThatDoNotEncode checks that keys from a
// provider that ignores EncodingType (no EncodingType element in the
// answer) are not decoded: '%' and '+' stay as they are.
func TestListKeepsKeysOfProvidersThatDoNotEncode(t *testing.T) {
	t.Parallel()
	for _, v1 := range []bool{false, true} {
		t.Run(fmt.Sprintf("v1=%t", v1), func(t *testing.T) {
			_, endpoint := newListStub(t, "ignore", xmlSafeKeys)
			opts := []s3kit.Option{s3kit.WithEndpoint(endpoint), s3kit.WithCredentials("ak", "sk")}
			if v1 {
				opts = append(opts, s3kit.WithListV1())
			}
			c, err := s3kit.New(t.Context(), opts...)
			require.NoError(t, err)
			got := collect(t, c.List(t.Context(), bucket, s3kit.WithPageSize(2)))
			assert.Equal(t, slices.Sorted(slices.Values(xmlSafeKeys)), got)
		})
	}
}

// TestListRejectsKeysThatDoNotDecode checks that a key the provider claims
// to have URL-encoded but that does not decode ends the listing with an
// error instead of yielding a wrong key.
func TestListRejectsKeysThatDoNotDecode(t *testing.T) {
	t.Parallel()
	_, endpoint := newListStub(t, "broken", []string{"k"})
	c, err := s3kit.New(t.Context(), s3kit.WithEndpoint(endpoint), s3kit.WithCredentials("ak", "sk"))
	require.NoError(t, err)
	var n int
	for obj, err := range c.List(t.Context(), bucket) {
		n++
		require.Error(t, err, "yielded %q", obj.Key)
		assert.Contains(t, err.Error(), "does not decode")
	}
	assert.Equal(t, 1, n)
}

// TestDeletePrefixRemovesURLEncodedKeys checks that DeletePrefix deletes
// keys XML cannot carry, listed URL-encoded, and nothing else.
func TestDeletePrefixRemovesURLEncodedKeys(t *testing.T) {
	t.Parallel()
	for _, style := range []string{"aws", "rgw"} {
		t.Run(style, func(t *testing.T) {
			stub, endpoint := newListStub(t, style, append(slices.Clone(awkwardKeys), "keep/x", "ctm"))
			c, err := s3kit.New(t.Context(), s3kit.WithEndpoint(endpoint), s3kit.WithCredentials("ak", "sk"))
			require.NoError(t, err)
			require.NoError(t, c.DeletePrefix(t.Context(), bucket, "ctl/"))
			assert.Equal(t, []string{"ctm", "keep/x"}, stub.keys)
		})
	}
}

// TestAwkwardKeysRoundTrip writes keys with control characters, '%', '+'
// and spaces to s3kittest, lists them back and deletes them by prefix.
func TestAwkwardKeysRoundTrip(t *testing.T) {
	t.Parallel()
	srv, c := setup(t)
	for _, k := range append(slices.Clone(awkwardKeys), "keep/x") {
		_, err := c.Put(t.Context(), bucket, k, strings.NewReader("x"))
		require.NoError(t, err)
	}
	assert.Equal(t, slices.Sorted(slices.Values(awkwardKeys)), collect(t, c.List(t.Context(), bucket, s3kit.WithPrefix("ctl/"), s3kit.WithPageSize(3))))
	require.NoError(t, c.DeletePrefix(t.Context(), bucket, "ctl/"))
	assert.Equal(t, []string{"keep/x"}, collect(t, srv.Client(t).List(t.Context(), bucket)))
}

// TestDeleteManyKeepsTheReplacementCharacterKey checks that deleting a key
// with a control character never deletes the key the SDK's XML encoder
// would turn it into, with U+FFFD in place of the control character.
func TestDeleteManyKeepsTheReplacementCharacterKey(t *testing.T) {
	t.Parallel()
	stub, endpoint := newListStub(t, "rgw", []string{"a\x01b", "a\uFFFDb"})
	c, err := s3kit.New(t.Context(), s3kit.WithEndpoint(endpoint), s3kit.WithCredentials("ak", "sk"))
	require.NoError(t, err)
	require.NoError(t, c.DeleteMany(t.Context(), bucket, slices.Values([]string{"a\x01b"})))
	assert.Equal(t, []string{"a\uFFFDb"}, stub.keys)
}
