package sigv2

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSigV2StringToSign checks the string to sign against the examples of
// the AWS SigV2 documentation (RESTAuthentication), and the sub-resources.
func TestSigV2StringToSign(t *testing.T) {
	const secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	tests := []struct {
		name    string
		method  string
		url     string
		header  http.Header
		want    string
		wantSig string
	}{
		{
			name:    "object GET (AWS example)",
			method:  "GET",
			url:     "https://s3.amazonaws.com/awsexamplebucket1/photos/puppy.jpg",
			header:  http.Header{"Date": {"Tue, 27 Mar 2007 19:36:42 +0000"}},
			want:    "GET\n\n\nTue, 27 Mar 2007 19:36:42 +0000\n/awsexamplebucket1/photos/puppy.jpg",
			wantSig: "qgk2+6Sv9/oM7G3qLEjTH1a1l1g=",
		},
		{
			name:    "object PUT (AWS example)",
			method:  "PUT",
			url:     "https://s3.amazonaws.com/awsexamplebucket1/photos/puppy.jpg",
			header:  http.Header{"Date": {"Tue, 27 Mar 2007 21:15:45 +0000"}, "Content-Type": {"image/jpeg"}},
			want:    "PUT\n\nimage/jpeg\nTue, 27 Mar 2007 21:15:45 +0000\n/awsexamplebucket1/photos/puppy.jpg",
			wantSig: "iqRzw+ileNPu1fhspnRs8nOjjIA=",
		},
		{
			name:   "x-amz headers sorted, x-amz-date empties Date, sub-resources kept",
			method: "PUT",
			url:    "http://h/b/k%20x?partNumber=2&uploadId=ab%2Bc&x-id=UploadPart",
			header: http.Header{
				"Date": {"ignored"}, "X-Amz-Date": {"20260101T000000Z"}, "Content-Md5": {"MD5"},
				"X-Amz-Meta-B": {" two "}, "X-Amz-Acl": {"public-read"},
			},
			want: "PUT\nMD5\n\n\nx-amz-acl:public-read\nx-amz-date:20260101T000000Z\nx-amz-meta-b:two\n/b/k%20x?partNumber=2&uploadId=ab+c",
		},
		{
			name:   "bare sub-resources",
			method: "POST",
			url:    "http://h/b?delete=&x-id=DeleteObjects",
			header: http.Header{},
			want:   "POST\n\n\n\n/b?delete",
		},
		{
			name:   "acl",
			method: "PUT",
			url:    "http://h/b/k?acl",
			header: http.Header{},
			want:   "PUT\n\n\n\n/b/k?acl",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			u, err := url.Parse(tc.url)
			require.NoError(t, err)
			got := StringToSign(tc.method, u.EscapedPath(), u.Query(), tc.header)
			assert.Equal(t, tc.want, got)
			if tc.wantSig != "" {
				assert.Equal(t, tc.wantSig, Signature(secret, got))
			}
		})
	}
}
