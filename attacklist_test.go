package s3kit_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/s3kit/s3kit"
)

// The tests of this file attack List on the direct path (internal/direct's
// list decoder): every scripted answer is listed once through the SDK and
// once on the direct path, and both must give the same entries, requests
// and error.

// listAll lists bkt with opts, reporting every entry as the body.
func listAll(opts ...s3kit.ListOption) func(ctx context.Context, c *s3kit.Client, key string) (s3kit.Object, string, error) {
	return func(ctx context.Context, c *s3kit.Client, _ string) (s3kit.Object, string, error) {
		var b strings.Builder
		for obj, err := range c.List(ctx, "bkt", opts...) {
			if err != nil {
				return s3kit.Object{}, b.String(), err
			}
			fmt.Fprintf(&b, "%q %d %q %s %q %t\n", obj.Key, obj.Size, obj.ETag, obj.LastModified, obj.StorageClass, obj.IsPrefix)
		}
		return s3kit.Object{}, b.String(), nil
	}
}

// attackListPage is a ListBucketResult with inner inside, as AWS sends it.
func attackListPage(inner string) string {
	return `<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>bkt</Name>` +
		inner + `</ListBucketResult>`
}

// attackEntry is a Contents element for key (as it goes in the XML).
func attackEntry(key string, size int) string {
	return fmt.Sprintf(`<Contents><Key>%s</Key><LastModified>2026-11-25T10:00:0%d.000Z</LastModified><ETag>&quot;e%d&quot;</ETag>`+
		`<Size>%d</Size><StorageClass>STANDARD</StorageClass></Contents>`, key, size%10, size, size)
}

// pageOf answers request n of a listing with pages[n-1], or the last page.
func pageOf(pages ...string) answer {
	return func(w http.ResponseWriter, _ *http.Request, n int) {
		w.Header().Set("Content-Type", "application/xml")
		_, _ = w.Write([]byte(pages[min(n, len(pages))-1]))
	}
}

// attackPages is a listing of two pages whose keys and prefixes carry
// entities, URL escapes with '+' and '%', and a CDATA section.
var attackPages = []string{
	attackListPage(`<EncodingType>url</EncodingType><Delimiter>%2F</Delimiter><IsTruncated>true</IsTruncated>` +
		`<NextContinuationToken>tok+1/&amp;=</NextContinuationToken><NextMarker>b%2Bc%25</NextMarker>` +
		attackEntry("a%26b+%2B%25", 1) + attackEntry("b%2Bc%25", 2) + `<CommonPrefixes><Prefix>a%2F</Prefix></CommonPrefixes>`),
	attackListPage(`<EncodingType>url</EncodingType><IsTruncated>false</IsTruncated>` +
		attackEntry("c%C3%A9%0D%0A", 3) + `<Contents><Key><![CDATA[d%3C&]]></Key><Size>4</Size></Contents>` +
		`<CommonPrefixes><Prefix>a%2F</Prefix></CommonPrefixes><CommonPrefixes><Prefix>e%2F</Prefix></CommonPrefixes>`),
}

// hijacked answers with raw bytes on the connection, then closes it.
func hijacked(w http.ResponseWriter, raw string) {
	conn, buf, err := w.(http.Hijacker).Hijack()
	if err != nil {
		return
	}
	defer conn.Close()
	_, _ = buf.WriteString(raw)
	_ = buf.Flush()
}

// cutAt answers with a 200 whose Content-Length is that of body but which
// ends after its first cut bytes.
func cutAt(body string, cut int) answer {
	return func(w http.ResponseWriter, _ *http.Request, _ int) {
		hijacked(w, fmt.Sprintf("HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s",
			len(body), body[:cut]))
	}
}

// gzipped compresses s.
func gzipped(s string) []byte {
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	_, _ = zw.Write([]byte(s))
	_ = zw.Close()
	return b.Bytes()
}

// padded is a one-page listing padded with white space to size bytes.
func padded(size int) string {
	head := attackListPage(`<IsTruncated>false</IsTruncated>` + attackEntry("k", 1))
	cut := strings.LastIndex(head, "</ListBucketResult>")
	return head[:cut] + strings.Repeat(" ", size-len(head)) + head[cut:]
}

// TestAttackList_Transport lists through answers that strain the
// transport: bodies sent a few bytes at a time, cut short, compressed,
// over the decoder's 16 MiB limit or at it, and retried.
func TestAttackList_Transport(t *testing.T) {
	page := attackPages[1]
	one := attackListPage(`<IsTruncated>false</IsTruncated>` + attackEntry("k%26", 1))
	errRoot := `<?xml version="1.0" encoding="UTF-8"?><Error><Code>InternalError</Code><Message>We encountered an internal error.</Message><RequestId>r</RequestId></Error>`
	answers := []struct {
		name   string
		answer answer
	}{
		{"dribbled", func(w http.ResponseWriter, _ *http.Request, _ int) {
			// Three bytes a write, flushed: entities and tags cut across reads.
			w.Header().Set("Content-Type", "application/xml")
			for i := 0; i < len(page); i += 3 {
				_, _ = w.Write([]byte(page[i:min(i+3, len(page))]))
				w.(http.Flusher).Flush()
			}
		}},
		{"cut in an entity", cutAt(page, strings.Index(page, "%0D")+1)},
		{"cut in an entity then whole", then(1, cutAt(page, strings.Index(page, "%0D")+1), pageOf(page))},
		{"cut after the root", cutAt(page+strings.Repeat(" ", 100), len(page))},
		{"cut before the root ends", cutAt(page, len(page)-1)},
		{"cut at the start", cutAt(page, 0)},
		{"Content-Length short", func(w http.ResponseWriter, _ *http.Request, _ int) {
			hijacked(w, fmt.Sprintf("HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s", len(page)-30, page))
		}},
		{"gzip unasked", func(w http.ResponseWriter, _ *http.Request, _ int) {
			w.Header().Set("Content-Encoding", "gzip")
			_, _ = w.Write(gzipped(page))
		}},
		{"gzip when asked", func(w http.ResponseWriter, r *http.Request, _ int) {
			if strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
				w.Header().Set("Content-Encoding", "gzip")
				_, _ = w.Write(gzipped(page))
				return
			}
			_, _ = w.Write([]byte(page))
		}},
		{"200 Error root always", pageOf(errRoot)},
		{"200 Error root then page", pageOf(errRoot, page)},
		{"200 empty", pageOf("")},
		{"200 white space", pageOf(" \r\n")},
		{"204 with a page", func(w http.ResponseWriter, _ *http.Request, _ int) {
			w.WriteHeader(http.StatusNoContent)
		}},
		{"206 with a page", func(w http.ResponseWriter, _ *http.Request, _ int) {
			w.WriteHeader(http.StatusPartialContent)
			_, _ = w.Write([]byte(one))
		}},
		{"500 then page", then(1, xmlError(500, "InternalError", "x"), pageOf(page))},
		{"16 MiB", pageOf(padded(16 << 20))},
		{"16 MiB and one", pageOf(padded(16<<20 + 1))},
		{"17 MiB chunked", func(w http.ResponseWriter, _ *http.Request, _ int) {
			body := padded(17 << 20)
			for i := 0; i < len(body); i += 1 << 20 {
				_, _ = w.Write([]byte(body[i:min(i+1<<20, len(body))]))
				w.(http.Flusher).Flush()
			}
		}},
		{"17 MiB cut short", cutAt(padded(17<<20), 16<<20+100)},
		{"BOM", pageOf("\xef\xbb\xbf" + one)},
		{"raw CR LF", pageOf(attackListPage("<Contents><Key>a\r\nb\rc</Key></Contents>"))},
		{"raw control character", pageOf(attackListPage("<Contents><Key>a\x01b</Key></Contents>"))},
		{"invalid UTF-8", pageOf(attackListPage("<Contents><Key>a\xffb</Key></Contents>"))},
		{"huge size", pageOf(attackListPage(`<Contents><Key>k</Key><Size>9223372036854775808</Size></Contents>`))},
		{"negative size", pageOf(attackListPage(`<Contents><Key>k</Key><Size>-5</Size></Contents>`))},
		{"odd date accepted", pageOf(attackListPage(`<Contents><Key>k</Key><LastModified>2026-11-25T10:00:00.123456789+01:00</LastModified></Contents>`))},
		{"odd date refused", pageOf(attackListPage(`<Contents><Key>k</Key><LastModified>Wed, 25 Nov 2026 10:00:00 GMT</LastModified></Contents>`))},
	}
	for _, op := range []string{"List", "ListV1"} {
		for _, a := range answers {
			t.Run(op+"/"+a.name, func(t *testing.T) {
				sdk, direct := runBoth(t, a.answer, "", listAll(), opOptions[op]...)
				assert.Equal(t, sdk, direct)
			})
		}
	}
}

// TestAttackList_Pagination lists scripted multi-page listings: common
// prefixes repeated across pages, repeated and empty tokens, repeated
// IsTruncated, look-alike elements nested where they do not count, v1
// without NextMarker, and keys that do not decode.
func TestAttackList_Pagination(t *testing.T) {
	truncated := `<IsTruncated>true</IsTruncated>`
	last := `<IsTruncated>false</IsTruncated>`
	cases := []struct {
		name  string
		pages []string
		opts  []s3kit.ListOption
	}{
		{"escapes across pages", attackPages, []s3kit.ListOption{s3kit.WithDelimiter("/"), s3kit.WithPageSize(2)}},
		{"prefixes repeated and empty last page", []string{
			attackListPage(truncated + `<NextContinuationToken>t1</NextContinuationToken><CommonPrefixes><Prefix>a/</Prefix></CommonPrefixes>` + attackEntry("b", 1)),
			attackListPage(truncated + `<NextContinuationToken>t2</NextContinuationToken><CommonPrefixes><Prefix>a/</Prefix></CommonPrefixes><CommonPrefixes><Prefix>c/</Prefix></CommonPrefixes>`),
			attackListPage(last),
		}, []s3kit.ListOption{s3kit.WithDelimiter("/"), s3kit.WithStartAfter("a"), s3kit.WithPageSize(1)}},
		{"v1 without NextMarker", []string{
			attackListPage(truncated + attackEntry("a", 1) + `<CommonPrefixes><Prefix>z/</Prefix></CommonPrefixes>` + attackEntry("m", 2) +
				`<NextContinuationToken>t1</NextContinuationToken>`),
			attackListPage(last + attackEntry("zz", 3)),
		}, []s3kit.ListOption{s3kit.WithPrefix("a"), s3kit.WithPageSize(3)}},
		{"token repeated", []string{
			attackListPage(truncated + `<NextContinuationToken>same</NextContinuationToken><NextMarker>same</NextMarker>` + attackEntry("a", 1)),
		}, nil},
		{"token empty", []string{attackListPage(truncated + `<NextContinuationToken></NextContinuationToken><NextMarker/>`)}, nil},
		{"token empty after one", []string{
			attackListPage(truncated + `<NextContinuationToken>t</NextContinuationToken><NextContinuationToken/>` + attackEntry("a", 1)),
		}, nil},
		{"token white space", []string{
			attackListPage(truncated + `<NextContinuationToken> </NextContinuationToken><NextMarker> </NextMarker>` + attackEntry("a", 1)),
			attackListPage(last + attackEntry("b", 2)),
		}, nil},
		{"IsTruncated repeated", []string{
			attackListPage(truncated + `<NextContinuationToken>t</NextContinuationToken>` + attackEntry("a", 1) + last),
			attackListPage(last + attackEntry("never", 2)),
		}, nil},
		{"IsTruncated repeated the other way", []string{
			attackListPage(last + `<NextContinuationToken>t</NextContinuationToken><NextMarker>a</NextMarker>` + attackEntry("a", 1) + truncated),
			attackListPage(last + attackEntry("b", 2)),
		}, nil},
		{"look-alikes nested", []string{
			attackListPage(`<Foo><IsTruncated>true</IsTruncated><NextContinuationToken>no</NextContinuationToken></Foo>` +
				`<Contents><Key>a</Key><Owner><Contents><Key>no</Key></Contents></Owner><Foo><Key>no</Key><Size>9</Size></Foo><Size>1</Size></Contents>` +
				`<CommonPrefixes><Contents><Key>no</Key></Contents><Prefix>p/</Prefix></CommonPrefixes>` + last),
		}, []s3kit.ListOption{s3kit.WithDelimiter("/")}},
		{"key that does not decode", []string{
			attackListPage(`<EncodingType>url</EncodingType>` + last + attackEntry("a%zz", 1)),
		}, nil},
		{"encoding type in other case", []string{
			attackListPage(`<encodingtype>URL</encodingtype>` + last + attackEntry("a%2Bb+c", 1)),
		}, nil},
		{"many pages", func() []string {
			var pages []string
			for i := range 30 {
				pages = append(pages, attackListPage(truncated+`<NextContinuationToken>t`+strconv.Itoa(i)+`</NextContinuationToken>`+
					attackEntry(fmt.Sprintf("k%03d", i), i)))
			}
			return append(pages, attackListPage(last))
		}(), []s3kit.ListOption{s3kit.WithPageSize(1)}},
	}
	for _, op := range []string{"List", "ListV1"} {
		for _, tc := range cases {
			t.Run(op+"/"+tc.name, func(t *testing.T) {
				sdk, direct := runBoth(t, pageOf(tc.pages...), "", listAll(tc.opts...), opOptions[op]...)
				assert.Equal(t, sdk, direct)
			})
		}
	}
}

// TestAttackList_CancelledMidBody cancels the listing while the page's
// body is half sent: both paths end with the same cancellation.
func TestAttackList_CancelledMidBody(t *testing.T) {
	for _, op := range []string{"List", "ListV1"} {
		t.Run(op, func(t *testing.T) {
			var mu sync.Mutex
			var current context.CancelFunc
			half := func(w http.ResponseWriter, r *http.Request, _ int) {
				w.Header().Set("Content-Type", "application/xml")
				_, _ = w.Write([]byte(attackPages[0][:len(attackPages[0])/2]))
				w.(http.Flusher).Flush()
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
				return listAll()(ctx, c, key)
			}
			sdk, direct := runBoth(t, half, "", call, opOptions[op]...)
			require.NotEmpty(t, direct.ErrText)
			// The cut body is retryable, so each path waits its backoff
			// (a microsecond here) with the context already ended: Go's
			// select takes either, and the error is then "request
			// canceled, context canceled" (the wait was cut) or "context
			// canceled" (the next attempt was not started), on either
			// path, about once in 30 runs. Both are right.
			for _, o := range []*outcome{&sdk, &direct} {
				o.ErrText = strings.Replace(o.ErrText, "request canceled, context canceled", "context canceled", 1)
			}
			assert.Equal(t, sdk, direct)
			assert.Contains(t, direct.Sentinels, "Canceled")
		})
	}
}

// TestAttackList_QueryAsTheSDK lists with prefixes, delimiters and
// start-after keys that need escaping in the query: both paths must send
// the same query, signed alike, and read the same pages.
func TestAttackList_QueryAsTheSDK(t *testing.T) {
	odd := []string{"a b", "a+b", "a%2Fb", "a&b=c", "a#b?c", "é/ü", "\x01\t\r\n", "~*'()!$,;:@[]", "\u2028\u00a0", "\xff\xfe"}
	for _, op := range []string{"List", "ListV1"} {
		for i, s := range odd {
			t.Run(fmt.Sprintf("%s/%d", op, i), func(t *testing.T) {
				sdk, direct := runBoth(t, pageOf(attackPages...), "", listAll(s3kit.WithPrefix(s), s3kit.WithDelimiter(s),
					s3kit.WithStartAfter(s+"z"), s3kit.WithPageSize(7)), opOptions[op]...)
				require.Len(t, sdk.Requests, 2, "both pages are asked for")
				assert.Equal(t, sdk, direct)
			})
		}
	}
}
