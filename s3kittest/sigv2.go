package s3kittest

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"
)

// sigV2SubResources are the query parameters SigV2 signs with the path.
var sigV2SubResources = []string{
	"acl", "cors", "delete", "lifecycle", "location", "logging", "notification",
	"partNumber", "policy", "requestPayment",
	"response-cache-control", "response-content-disposition", "response-content-encoding",
	"response-content-language", "response-content-type", "response-expires",
	"restore", "tagging", "torrent", "uploadId", "uploads", "versionId", "versioning",
	"versions", "website",
}

// verifySigV2 checks a request signed with "Authorization: AWS ak:sig", as
// Ceph RGW does: HMAC-SHA1 over the method, Content-MD5, Content-Type, Date
// (empty if x-amz-date is set), the sorted x-amz-* headers and the path as
// sent with its signed sub-resources. A date more than 15 minutes off is
// refused. Requests that are not SigV2-signed pass.
func verifySigV2(r *http.Request, secret string) error {
	rest, ok := strings.CutPrefix(r.Header.Get("Authorization"), "AWS ")
	if !ok {
		return nil
	}
	_, sig, ok := strings.Cut(rest, ":")
	if !ok {
		return errMalformed
	}
	date := r.Header.Get("X-Amz-Date")
	if date == "" {
		date = r.Header.Get("Date")
	}
	t, err := http.ParseTime(date)
	if err != nil {
		if t, err = time.Parse("20060102T150405Z", date); err != nil {
			return errMalformed
		}
	}
	if d := time.Since(t); d > 15*time.Minute || d < -15*time.Minute {
		return errSkewed
	}
	m := hmac.New(sha1.New, []byte(secret))
	m.Write([]byte(sigV2StringToSign(r)))
	if !hmac.Equal([]byte(base64.StdEncoding.EncodeToString(m.Sum(nil))), []byte(sig)) {
		return errSignature
	}
	return nil
}

// errSkewed is S3's code for a signature date too far from the server's.
var errSkewed = errors.New("RequestTimeTooSkewed")

func sigV2StringToSign(r *http.Request) string {
	h := r.Header
	var b strings.Builder
	b.WriteString(r.Method + "\n" + h.Get("Content-Md5") + "\n" + h.Get("Content-Type") + "\n")
	if h.Get("X-Amz-Date") == "" {
		b.WriteString(h.Get("Date"))
	}
	b.WriteByte('\n')
	var amz []string
	for k := range h {
		if lk := strings.ToLower(k); strings.HasPrefix(lk, "x-amz-") {
			amz = append(amz, lk)
		}
	}
	sort.Strings(amz)
	for _, k := range amz {
		vals := h.Values(k)
		for i := range vals {
			vals[i] = strings.TrimSpace(vals[i])
		}
		b.WriteString(k + ":" + strings.Join(vals, ",") + "\n")
	}
	path := r.RequestURI
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path = path[:i]
	}
	if u, err := url.Parse(path); err == nil && u.Scheme != "" {
		path = u.EscapedPath()
	}
	b.WriteString(path)
	q := r.URL.Query()
	sep := "?"
	for _, sub := range sigV2SubResources {
		if !q.Has(sub) {
			continue
		}
		b.WriteString(sep + sub)
		sep = "&"
		if v := q.Get(sub); v != "" {
			b.WriteString("=" + v)
		}
	}
	return b.String()
}
