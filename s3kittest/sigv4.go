package s3kittest

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Errors the signature check reports, by S3 error code.
var (
	errSignature = errors.New("SignatureDoesNotMatch")
	errMalformed = errors.New("AuthorizationHeaderMalformed")
	errPayload   = errors.New("XAmzContentSHA256Mismatch")
	errExpired   = errors.New("AccessDenied")
)

// sigV4 holds the parts of a SigV4 signature, from the Authorization header
// or from a presigned URL's query.
type sigV4 struct {
	accessKey     string
	scope         string // date/region/service/aws4_request
	date          string // yyyymmdd of the scope
	amzDate       string // X-Amz-Date
	signedHeaders []string
	signature     string
	presigned     bool
}

// parseSigV4 reads the signature parts of r. ok is false if r is not signed
// with SigV4.
func parseSigV4(r *http.Request) (sig sigV4, ok bool, err error) {
	q := r.URL.Query()
	if q.Get("X-Amz-Algorithm") == "AWS4-HMAC-SHA256" {
		sig = sigV4{
			amzDate:       q.Get("X-Amz-Date"),
			signedHeaders: strings.Split(q.Get("X-Amz-SignedHeaders"), ";"),
			signature:     q.Get("X-Amz-Signature"),
			presigned:     true,
		}
		err = sig.setCredential(q.Get("X-Amz-Credential"))
		return sig, true, err
	}
	auth, found := strings.CutPrefix(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256 ")
	if !found {
		return sigV4{}, false, nil
	}
	sig.amzDate = r.Header.Get("X-Amz-Date")
	for _, field := range strings.Split(auth, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(field), "=")
		switch k {
		case "Credential":
			err = sig.setCredential(v)
		case "SignedHeaders":
			sig.signedHeaders = strings.Split(v, ";")
		case "Signature":
			sig.signature = v
		}
	}
	if err == nil && (sig.signature == "" || len(sig.signedHeaders) == 0 || sig.amzDate == "") {
		err = errMalformed
	}
	return sig, true, err
}

func (s *sigV4) setCredential(cred string) error {
	parts := strings.Split(cred, "/")
	if len(parts) != 5 || parts[4] != "aws4_request" {
		return errMalformed
	}
	s.accessKey, s.date, s.scope = parts[0], parts[1], strings.Join(parts[1:], "/")
	return nil
}

// verify checks sig against r with secret. For a signed payload hash it
// reads the body, checks it and puts it back.
func (sig sigV4) verify(r *http.Request, secret string) error {
	payload := "UNSIGNED-PAYLOAD"
	if !sig.presigned {
		payload = r.Header.Get("X-Amz-Content-Sha256")
		if payload == "" {
			return errMalformed
		}
	} else if err := checkExpiry(r.URL.Query()); err != nil {
		return err
	}
	if err := checkSignedAmzHeaders(r, sig.signedHeaders); err != nil {
		return err
	}
	canonical := strings.Join([]string{
		r.Method,
		canonicalURI(r),
		canonicalQuery(r.URL.RawQuery),
		canonicalHeaders(r, sig.signedHeaders),
		strings.Join(sig.signedHeaders, ";"),
		payload,
	}, "\n")
	h := sha256.Sum256([]byte(canonical))
	toSign := "AWS4-HMAC-SHA256\n" + sig.amzDate + "\n" + sig.scope + "\n" + hex.EncodeToString(h[:])
	key := []byte("AWS4" + secret)
	for _, part := range strings.Split(sig.scope, "/") {
		key = hmacSum(key, part)
	}
	want := hex.EncodeToString(hmacSum(key, toSign))
	if !hmac.Equal([]byte(want), []byte(sig.signature)) {
		return errSignature
	}
	if len(payload) == 64 && r.Body != nil {
		return checkPayload(r, payload)
	}
	return nil
}

func hmacSum(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}

// checkPayload reads the body, compares its SHA-256 with the signed one and
// restores it for the next handler.
func checkPayload(r *http.Request, want string) error {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return err
	}
	sum := sha256.Sum256(body)
	if hex.EncodeToString(sum[:]) != want {
		return errPayload
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	return nil
}

// checkExpiry refuses a presigned URL whose time is up.
func checkExpiry(q url.Values) error {
	t, err := time.Parse("20060102T150405Z", q.Get("X-Amz-Date"))
	if err != nil {
		return errMalformed
	}
	secs, err := strconv.Atoi(q.Get("X-Amz-Expires"))
	if err != nil {
		return errMalformed
	}
	if time.Now().After(t.Add(time.Duration(secs) * time.Second)) {
		return errExpired
	}
	return nil
}

// canonicalURI decodes the path as sent and encodes it again the way S3
// does, so that a client that escapes a key differently from S3 fails here
// as it fails on a strict server.
func canonicalURI(r *http.Request) string {
	raw := r.RequestURI
	if i := strings.IndexByte(raw, '?'); i >= 0 {
		raw = raw[:i]
	}
	if u, err := url.Parse(raw); err == nil && u.Scheme != "" {
		raw = u.EscapedPath() // absolute-form request target
	}
	decoded, err := url.PathUnescape(raw)
	if err != nil {
		return raw
	}
	return s3Escape(decoded, false)
}

// canonicalQuery sorts and re-encodes the query, without X-Amz-Signature.
func canonicalQuery(raw string) string {
	type pair struct{ k, v string }
	var pairs []pair
	for _, part := range strings.Split(raw, "&") {
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		k, _ = url.PathUnescape(k)
		v, _ = url.PathUnescape(v)
		if k == "X-Amz-Signature" {
			continue
		}
		pairs = append(pairs, pair{s3Escape(k, true), s3Escape(v, true)})
	}
	sort.Slice(pairs, func(i, j int) bool {
		if pairs[i].k != pairs[j].k {
			return pairs[i].k < pairs[j].k
		}
		return pairs[i].v < pairs[j].v
	})
	out := make([]string, len(pairs))
	for i, p := range pairs {
		out[i] = p.k + "=" + p.v
	}
	return strings.Join(out, "&")
}

// canonicalHeaders lists the signed headers as "name:value\n" lines.
func canonicalHeaders(r *http.Request, names []string) string {
	var b strings.Builder
	for _, name := range names {
		var v string
		switch name {
		case "host":
			v = r.Host
		case "content-length":
			v = r.Header.Get("Content-Length")
			if v == "" {
				v = strconv.FormatInt(r.ContentLength, 10)
			}
		default:
			// Values returns the header's own slice: copy it, or the
			// canonicalisation below would rewrite the stored metadata.
			vals := slices.Clone(r.Header.Values(name))
			for i := range vals {
				vals[i] = strings.Join(strings.Fields(vals[i]), " ")
			}
			v = strings.Join(vals, ",")
		}
		b.WriteString(name)
		b.WriteByte(':')
		b.WriteString(v)
		b.WriteByte('\n')
	}
	return b.String()
}

// s3Escape percent-encodes every byte but A-Z a-z 0-9 - . _ ~, and also
// leaves "/" alone unless encodeSlash is set.
func s3Escape(s string, encodeSlash bool) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if ('A' <= c && c <= 'Z') || ('a' <= c && c <= 'z') || ('0' <= c && c <= '9') ||
			c == '-' || c == '.' || c == '_' || c == '~' || (c == '/' && !encodeSlash) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&15])
	}
	return b.String()
}

// unsignedHeadersError is S3's refusal of a SigV4 request that carries
// x-amz-* headers its signature does not cover.
type unsignedHeadersError struct{ names []string }

func (e *unsignedHeadersError) Error() string { return "AccessDenied" }

// write answers as S3 does: 403 AccessDenied with a HeadersNotSigned list.
func (e *unsignedHeadersError) write(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/xml")
	w.Header().Set("X-Amz-Request-Id", "s3kittest")
	w.WriteHeader(http.StatusForbidden)
	if r.Method == http.MethodHead {
		return
	}
	fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code>`+
		`<Message>There were headers present in the request which were not signed</Message>`+
		`<HeadersNotSigned>%s</HeadersNotSigned><Resource>%s</Resource><RequestId>s3kittest</RequestId></Error>`,
		xmlEscape(strings.Join(e.names, ", ")), xmlEscape(r.URL.Path))
}

// checkSignedAmzHeaders refuses x-amz-* headers that are not among the
// signed ones, as S3 and Ceph RGW do for header-signed and presigned
// requests alike: otherwise anyone holding a presigned PUT could add, say,
// x-amz-acl: public-read. x-amz-content-sha256 is exempt, as on AWS: a
// header-signed request's payload hash is part of its canonical request
// anyway.
func checkSignedAmzHeaders(r *http.Request, signed []string) error {
	var missing []string
	for k := range r.Header {
		lk := strings.ToLower(k)
		if strings.HasPrefix(lk, "x-amz-") && lk != "x-amz-content-sha256" && !slices.Contains(signed, lk) {
			missing = append(missing, lk)
		}
	}
	if missing == nil {
		return nil
	}
	sort.Strings(missing)
	return &unsignedHeadersError{missing}
}

// checkRegion answers a request signed for another region than [Region] as
// AWS does: 400 AuthorizationHeaderMalformed, whose message names the
// region expected (a HEAD answer has no body, so a HEAD gets a bare 400).
// It returns errWrongRegion if it answered.
func (sig sigV4) checkRegion(w http.ResponseWriter, r *http.Request) error {
	parts := strings.Split(sig.scope, "/")
	if len(parts) < 2 || parts[1] == Region {
		return nil
	}
	writeError(w, r, http.StatusBadRequest, "AuthorizationHeaderMalformed",
		fmt.Sprintf("The authorization header is malformed; the region '%s' is wrong; expecting '%s'", parts[1], Region))
	return errWrongRegion
}

// errWrongRegion marks a request answered by checkRegion.
var errWrongRegion = errors.New("s3kittest: request signed for another region")
