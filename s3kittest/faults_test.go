package s3kittest_test

import (
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/s3kit/s3kit/s3kittest"
)

func TestOperation(t *testing.T) {
	tests := []struct {
		method, target string
		header         string
		want           string
	}{
		{"GET", "/", "", "ListBuckets"},
		{"GET", "/b?list-type=2&prefix=a", "", "ListObjectsV2"},
		{"GET", "/b", "", "ListObjects"},
		{"GET", "/b?uploads", "", "ListMultipartUploads"},
		{"PUT", "/b", "", "CreateBucket"},
		{"DELETE", "/b", "", "DeleteBucket"},
		{"HEAD", "/b", "", "HeadBucket"},
		{"POST", "/b?delete", "", "DeleteObjects"},
		{"PUT", "/b/k", "", "PutObject"},
		{"PUT", "/b/dir/k", "x-amz-copy-source", "CopyObject"},
		{"PUT", "/b/k?partNumber=1&uploadId=u", "", "UploadPart"},
		{"PUT", "/b/k?partNumber=1&uploadId=u", "x-amz-copy-source", "UploadPartCopy"},
		{"PUT", "/b/k?acl", "", "PutObjectAcl"},
		{"GET", "/b/k?acl", "", "GetObjectAcl"},
		{"POST", "/b/k?uploads", "", "CreateMultipartUpload"},
		{"POST", "/b/k?uploadId=u", "", "CompleteMultipartUpload"},
		{"DELETE", "/b/k?uploadId=u", "", "AbortMultipartUpload"},
		{"GET", "/b/k?uploadId=u", "", "ListParts"},
		{"GET", "/b/k", "", "GetObject"},
		{"HEAD", "/b/k", "", "HeadObject"},
		{"DELETE", "/b/k", "", "DeleteObject"},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.target, func(t *testing.T) {
			r := httptest.NewRequest(tt.method, tt.target, nil)
			if tt.header != "" {
				r.Header.Set(tt.header, "/src/key")
			}
			assert.Equal(t, tt.want, s3kittest.Operation(r))
		})
	}
}

// ok is a handler that answers 200 with a small XML body.
var ok = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/xml")
	_, _ = io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><Result><Key>value</Key></Result>`)
})

// fire sends n requests for GET /b/key and returns their status codes.
func fire(t *testing.T, h http.Handler, key string, n int) []int {
	t.Helper()
	codes := make([]int, n)
	for i := range codes {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/b/"+key, nil))
		codes[i] = rec.Code
	}
	return codes
}

func TestRuleMatching(t *testing.T) {
	err503 := s3kittest.ErrorResponse(503, "SlowDown")
	tests := []struct {
		name  string
		rule  *s3kittest.Rule
		want  []int
		fired int
	}{
		{"always", &s3kittest.Rule{Fault: err503}, []int{503, 503, 503}, 3},
		{"other op", &s3kittest.Rule{Op: "PutObject", Fault: err503}, []int{200, 200, 200}, 0},
		{"op", &s3kittest.Rule{Op: "GetObject", Fault: err503}, []int{503, 503, 503}, 3},
		{"other key", &s3kittest.Rule{Key: "other", Fault: err503}, []int{200, 200, 200}, 0},
		{"key", &s3kittest.Rule{Key: "k", Fault: err503}, []int{503, 503, 503}, 3},
		{"nth", &s3kittest.Rule{Nth: 2, Fault: err503}, []int{200, 503, 200}, 1},
		{"times", &s3kittest.Rule{Times: 2, Fault: err503}, []int{503, 503, 200}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := s3kittest.NewFaultHandler(ok, tt.rule)
			assert.Equal(t, tt.want, fire(t, h, "k", 3))
			assert.Equal(t, tt.fired, tt.rule.Fired())
		})
	}
}

func TestChanceIsReproducible(t *testing.T) {
	run := func(seed uint64) ([]int, int) {
		r := &s3kittest.Rule{Chance: 0.3, Seed: seed, Fault: s3kittest.ErrorResponse(500, "InternalError")}
		return fire(t, s3kittest.NewFaultHandler(ok, r), "k", 1000), r.Fired()
	}
	a, na := run(7)
	b, nb := run(7)
	c, _ := run(8)
	assert.Equal(t, a, b)
	assert.Equal(t, na, nb)
	assert.NotEqual(t, a, c)
	assert.InDelta(t, 300, na, 60)
}

func TestFirstFiringRuleWins(t *testing.T) {
	first := &s3kittest.Rule{Nth: 2, Fault: s3kittest.ErrorResponse(500, "InternalError")}
	second := &s3kittest.Rule{Fault: s3kittest.ErrorResponse(503, "SlowDown")}
	h := s3kittest.NewFaultHandler(ok, first, second)
	assert.Equal(t, []int{503, 500, 503}, fire(t, h, "k", 3))
	assert.Equal(t, 3, first.Seen())
	assert.Equal(t, 2, second.Seen(), "a request the first rule fired on does not reach the second")
}

// TestRulesSeeOnlyWhatEarlierRulesPass checks that a request an earlier rule
// fired on never reaches the later rules: it does not count towards their
// Seen, Nth or Times, nor draw on their Chance, so rules chain.
func TestRulesSeeOnlyWhatEarlierRulesPass(t *testing.T) {
	first := &s3kittest.Rule{Nth: 1, Fault: s3kittest.ErrorResponse(500, "InternalError")}
	second := &s3kittest.Rule{Nth: 1, Fault: s3kittest.ErrorResponse(503, "SlowDown")}
	third := &s3kittest.Rule{Times: 1, Fault: s3kittest.ErrorResponse(404, "NoSuchKey")}
	other := &s3kittest.Rule{Key: "other", Fault: s3kittest.ErrorResponse(403, "AccessDenied")}
	h := s3kittest.NewFaultHandler(ok, first, second, third, other)
	assert.Equal(t, []int{500, 503, 404, 200, 200}, fire(t, h, "k", 5))
	assert.Equal(t, []int{5, 4, 3, 0}, []int{first.Seen(), second.Seen(), third.Seen(), other.Seen()})
	assert.Equal(t, []int{1, 1, 1, 0}, []int{first.Fired(), second.Fired(), third.Fired(), other.Fired()})

	chance := func() *s3kittest.Rule {
		return &s3kittest.Rule{Chance: 0.5, Seed: 3, Fault: s3kittest.ErrorResponse(500, "InternalError")}
	}
	alone := fire(t, s3kittest.NewFaultHandler(ok, chance()), "k", 50)
	lead := &s3kittest.Rule{Nth: 1, Fault: s3kittest.ErrorResponse(503, "SlowDown")}
	behind := chance()
	chained := fire(t, s3kittest.NewFaultHandler(ok, lead, behind), "k", 51)
	assert.Equal(t, 503, chained[0])
	assert.Equal(t, alone, chained[1:], "the request the first rule fired on draws nothing from the second's Chance")
	assert.Equal(t, 50, behind.Seen())
}

func TestFaultsOverHTTP(t *testing.T) {
	body := `<?xml version="1.0" encoding="UTF-8"?><Result><Key>value</Key></Result>`
	tests := []struct {
		fault   s3kittest.Fault
		status  int
		wantErr bool
		check   func(t *testing.T, got string)
	}{
		{s3kittest.ErrorResponse(503, "SlowDown"), 503, false, func(t *testing.T, got string) { assert.Contains(t, got, "<Code>SlowDown</Code>") }},
		{s3kittest.ResetRequest(0), 0, true, nil},
		{s3kittest.ResetResponse(5), 200, true, nil},
		{s3kittest.DropResponse(), 0, true, nil},
		{s3kittest.DelayHeaders(time.Millisecond), 200, false, func(t *testing.T, got string) { assert.Equal(t, body, got) }},
		{s3kittest.DelayBody(time.Millisecond), 200, false, func(t *testing.T, got string) { assert.Equal(t, body, got) }},
		{s3kittest.TruncateXML(), 200, false, func(t *testing.T, got string) {
			assert.Equal(t, body[:len(body)/2], got)
			assert.Error(t, xml.Unmarshal([]byte(got), new(struct{})))
		}},
		{s3kittest.InvalidXML(), 200, false, func(t *testing.T, got string) {
			assert.Error(t, xml.Unmarshal([]byte(got), new(struct{ Code string })))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.fault.String(), func(t *testing.T) {
			rule := &s3kittest.Rule{Fault: tt.fault}
			srv := httptest.NewServer(s3kittest.NewFaultHandler(ok, rule))
			t.Cleanup(srv.Close)
			client := srv.Client()
			t.Cleanup(client.CloseIdleConnections)
			resp, err := client.Post(srv.URL+"/b/k", "text/plain", strings.NewReader("payload"))
			if err == nil {
				defer resp.Body.Close()
				var got []byte
				got, err = io.ReadAll(resp.Body)
				assert.Equal(t, tt.status, resp.StatusCode)
				if tt.check != nil && err == nil {
					tt.check(t, string(got))
				}
			}
			if tt.wantErr {
				require.Error(t, err)
			} else {
				require.NoError(t, err)
			}
			assert.Equal(t, 1, rule.Fired())
		})
	}
}
