package s3err

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"syscall"

	awsretry "github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/s3kit/s3kit/internal/retry"
)

// Cause returns, in plain words, why a request that got no answer failed:
// the innermost cause without the SDK's wrapping ("operation error S3: …,
// exceeded maximum number of attempts, …, https response error StatusCode:
// 0, RequestID: , HostID: , request send failed, …"), and what to change
// when the cause says it: a refused connection, an unknown host, a
// certificate the client does not trust, a server that does not speak TLS,
// or one that closed the connection without answering. It returns "" for
// nil.
func Cause(err error) string {
	if err == nil {
		return ""
	}
	if text := explain(err); text != "" {
		return text
	}
	return innermost(err).Error()
}

// requestOf returns the method and URL scheme of the request err is about,
// from the answer or, without one, from the URL error of the attempt; ""
// where err does not say.
func requestOf(err error) (method, scheme string) {
	var resp *smithyhttp.ResponseError
	if errors.As(err, &resp) && resp.Response != nil && resp.Response.Request != nil {
		return resp.Response.Request.Method, resp.Response.Request.URL.Scheme
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		if u, perr := url.Parse(ue.URL); perr == nil {
			scheme = u.Scheme
		}
		return strings.ToUpper(ue.Op), scheme
	}
	return "", ""
}

// explain names the transport failures a user can act on, or returns "".
func explain(err error) string {
	if text := explainTLS(err); text != "" {
		return text
	}
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return fmt.Sprintf("cannot resolve host %q (%s): check the endpoint's host name", dns.Name, dns.Err)
	}
	var op *net.OpError
	switch {
	case errors.Is(err, syscall.ECONNREFUSED) && errors.As(err, &op) && op.Addr != nil:
		return fmt.Sprintf("connection refused by %s: is the server running, and is the port right?", op.Addr)
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused: is the server running, and is the port right?"
	case errors.Is(err, syscall.ECONNRESET):
		return "the server reset the connection" + schemeHint(err)
	case sentNoAnswer(err) && (errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)):
		return "the server closed the connection without answering" + schemeHint(err)
	}
	return ""
}

// schemeHint is the advice for a server that drops a plain HTTP request:
// it may serve HTTPS. It is empty for a request that was already HTTPS.
func schemeHint(err error) string {
	if _, scheme := requestOf(err); scheme != "http" {
		return ""
	}
	return "; if this happens every time and the server serves HTTPS, the endpoint must start with https://"
}

// explainTLS names certificate and handshake failures, or returns "".
func explainTLS(err error) string {
	var unknown x509.UnknownAuthorityError
	var host x509.HostnameError
	var invalid x509.CertificateInvalidError
	var record tls.RecordHeaderError
	switch {
	case errors.As(err, &unknown):
		return "TLS: the server's certificate is signed by an unknown authority; " +
			"trust its certificate authority with WithRootCAs, or with S3_CA_BUNDLE (or AWS_CA_BUNDLE) and FromEnv"
	case errors.As(err, &host):
		return "TLS: " + strings.TrimPrefix(host.Error(), "x509: ") + "; use a host name the certificate names"
	case errors.As(err, &invalid):
		return "TLS: the server's certificate is not valid: " + strings.TrimPrefix(invalid.Error(), "x509: ")
	case errors.As(err, &record) || errors.Is(err, http.ErrSchemeMismatch):
		return "the server does not speak TLS; if it serves plain HTTP, the endpoint must start with http://"
	}
	var verify *tls.CertificateVerificationError
	if errors.As(err, &verify) {
		return "TLS: " + verify.Error()
	}
	if retry.IsTLSAlert(err) {
		return "TLS: the server refused the handshake (" + innermost(err).Error() + "): check whether it wants a client certificate or another TLS version"
	}
	return ""
}

// sentNoAnswer reports whether err is the SDK's "request send failed": the
// request went out, or tried to, and no HTTP answer came back.
func sentNoAnswer(err error) bool {
	var send *smithyhttp.RequestSendError
	return errors.As(err, &send)
}

// innermost strips the SDK's wrappers (operation, attempts, response and
// send errors, cancellation, the URL of the request) from err; of errors
// joined together (a cause and the retry time limit) it follows the first.
// Other errors are kept whole: their text is s3kit's own, or the cause's.
func innermost(err error) error {
	for {
		next := sdkCause(err)
		if next == nil {
			return err
		}
		err = next
	}
}

// sdkCause returns what one of the SDK's wrappers wraps, or nil.
func sdkCause(err error) error {
	switch e := err.(type) {
	case *smithy.OperationError:
		return e.Err
	case *awsretry.MaxAttemptsError:
		return e.Err
	case *awshttp.ResponseError:
		return e.Err
	case *smithyhttp.ResponseError:
		return e.Err
	case *smithyhttp.RequestSendError:
		return e.Err
	case *smithy.CanceledError:
		return e.Err
	case *url.Error:
		return e.Err
	case interface {
		ServiceHostID() string // the S3 client's own response error (service/internal/s3shared)
		Unwrap() error
	}:
		return e.Unwrap()
	case interface{ Unwrap() []error }:
		if errs := e.Unwrap(); len(errs) > 0 {
			return errs[0]
		}
	}
	return retry.Cause(err)
}

// expecting finds the region in messages such as AWS's "the region
// 'us-east-1' is wrong; expecting 'eu-west-1'".
var expecting = regexp.MustCompile(`expecting ['"]?([A-Za-z0-9-]+)['"]?`)

// wantedRegion returns the region a refused request should have been
// signed for, from the x-amz-bucket-region header of the answer or from the
// message of an AuthorizationHeaderMalformed error; "" if neither says.
func wantedRegion(err error, code, message string) string {
	var resp *smithyhttp.ResponseError
	if !errors.As(err, &resp) || resp.Response == nil || resp.Response.Request == nil {
		return ""
	}
	signed := signedRegion(resp.Response.Request)
	want := ""
	if code == "AuthorizationHeaderMalformed" || code == "AuthorizationQueryParametersError" {
		if m := expecting.FindStringSubmatch(message); m != nil {
			want = m[1]
		}
	}
	if want == "" && resp.Response.StatusCode >= 300 && code != "NoSuchBucket" {
		// MinIO sends it on every answer; it only says something when it
		// differs from the region the request was signed for.
		want = resp.Response.Header.Get("X-Amz-Bucket-Region")
	}
	if want == "" || signed == "" || strings.EqualFold(want, signed) {
		return ""
	}
	return want
}

// credentialScope finds the region in a SigV4 credential scope such as
// "AKID/20261202/eu-west-1/s3/aws4_request".
var credentialScope = regexp.MustCompile(`Credential=[^/,]+/[0-9]{8}/([^/,]+)/`)

// signedRegion returns the region req was signed for (SigV4, in the
// Authorization header or a presigned URL's X-Amz-Credential), or "".
func signedRegion(req *http.Request) string {
	if m := credentialScope.FindStringSubmatch(req.Header.Get("Authorization")); m != nil {
		return m[1]
	}
	if parts := strings.Split(req.URL.Query().Get("X-Amz-Credential"), "/"); len(parts) >= 3 {
		return parts[2]
	}
	return ""
}
