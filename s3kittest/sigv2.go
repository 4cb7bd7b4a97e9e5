package s3kittest

import (
	"crypto/hmac"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/s3kit/s3kit/internal/sigv2"
)

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
	want := sigv2.Signature(secret, sigv2.StringToSign(r.Method, sentPath(r), r.URL.Query(), r.Header))
	if !hmac.Equal([]byte(want), []byte(sig)) {
		return errSignature
	}
	return nil
}

// errSkewed is S3's code for a signature date too far from the server's.
var errSkewed = errors.New("RequestTimeTooSkewed")

// sentPath returns the path of r as the client sent and signed it, still
// escaped: the request URI without its query, or the path of an absolute
// request URI.
func sentPath(r *http.Request) string {
	path := r.RequestURI
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path = path[:i]
	}
	if u, err := url.Parse(path); err == nil && u.Scheme != "" {
		path = u.EscapedPath()
	}
	return path
}
