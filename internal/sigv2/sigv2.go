// Package sigv2 implements AWS signature version 2 for S3 requests: the
// string to sign, its HMAC-SHA1 signature, and an SDK middleware that signs
// every request of a client with it in place of SigV4.
//
// s3kit uses [APIOption] to sign; s3kittest uses [StringToSign] and
// [Signature] to verify, so both agree on one definition.
package sigv2

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"net/http"
	"net/url"
	"sort"
	"strings"
)

// subResources are the query parameters that SigV2 signs as part of the
// resource, in the order it wants them (sorted).
var subResources = []string{
	"acl", "cors", "delete", "lifecycle", "location", "logging", "notification",
	"partNumber", "policy", "requestPayment",
	"response-cache-control", "response-content-disposition", "response-content-encoding",
	"response-content-language", "response-content-type", "response-expires",
	"restore", "tagging", "torrent", "uploadId", "uploads", "versionId", "versioning",
	"versions", "website",
}

// StringToSign builds the string SigV2 signs for a path-style request: the
// method, Content-MD5, Content-Type, Date (empty if X-Amz-Date is set), the
// sorted x-amz-* headers, then path (escaped, as sent) with the signed
// sub-resources of query.
func StringToSign(method, path string, query url.Values, h http.Header) string {
	var b strings.Builder
	b.WriteString(method)
	b.WriteByte('\n')
	b.WriteString(h.Get("Content-Md5"))
	b.WriteByte('\n')
	b.WriteString(h.Get("Content-Type"))
	b.WriteByte('\n')
	if h.Get("X-Amz-Date") == "" {
		b.WriteString(h.Get("Date"))
	}
	b.WriteByte('\n')
	writeAmzHeaders(&b, h)
	b.WriteString(path)
	sep := byte('?')
	for _, sub := range subResources {
		if !query.Has(sub) {
			continue
		}
		b.WriteByte(sep)
		sep = '&'
		b.WriteString(sub)
		if v := query.Get(sub); v != "" {
			b.WriteByte('=')
			b.WriteString(v)
		}
	}
	return b.String()
}

// writeAmzHeaders writes the x-amz-* headers of h, lower-cased and sorted,
// one "name:value,value" line each, with the values trimmed.
func writeAmzHeaders(b *strings.Builder, h http.Header) {
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
		b.WriteString(k)
		b.WriteByte(':')
		b.WriteString(strings.Join(vals, ","))
		b.WriteByte('\n')
	}
}

// Signature returns the base64 HMAC-SHA1 of stringToSign under secret, as
// sent in "Authorization: AWS access-key:signature".
func Signature(secret, stringToSign string) string {
	mac := hmac.New(sha1.New, []byte(secret))
	mac.Write([]byte(stringToSign))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}
