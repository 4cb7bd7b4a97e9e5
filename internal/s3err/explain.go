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
		return "the server reset the connection; if this happens every time and the server serves HTTPS, the endpoint must start with https://"
	case sentNoAnswer(err) && (errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)):
		return "the server closed the connection without answering; if it serves HTTPS, the endpoint must start with https://"
	}
	return ""
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
	return ""
}

// sentNoAnswer reports whether err is the SDK's "request send failed": the
// request went out, or tried to, and no HTTP answer came back.
func sentNoAnswer(err error) bool {
	var send *smithyhttp.RequestSendError
	return errors.As(err, &send)
}

// innermost strips the SDK's wrappers (operation, attempts, response and
// send errors, the URL of the request) from err.
func innermost(err error) error {
	for {
		var next error
		switch e := err.(type) {
		case *smithy.OperationError:
			next = e.Err
		case *awsretry.MaxAttemptsError:
			next = e.Err
		case *awshttp.ResponseError:
			next = e.Err
		case *smithyhttp.ResponseError:
			next = e.Err
		case *smithyhttp.RequestSendError:
			next = e.Err
		case *url.Error:
			next = e.Err
		}
		if next == nil {
			return err
		}
		err = next
	}
}

// expecting finds the region in messages such as AWS's "the region
// 'us-east-1' is wrong; expecting 'eu-west-1'".
var expecting = regexp.MustCompile(`expecting ['"]?([A-Za-z0-9-]+)['"]?`)

// wantedRegion returns the region a refused request should have been
// signed for, from the x-amz-bucket-region header of the answer or from the
// message of an AuthorizationHeaderMalformed error; "" if neither says.
func wantedRegion(err error, code, message string) string {
	var resp *smithyhttp.ResponseError
	if errors.As(err, &resp) && resp.Response != nil && resp.Response.StatusCode >= 300 {
		if r := resp.Response.Header.Get("X-Amz-Bucket-Region"); r != "" && code != "NoSuchBucket" {
			return r
		}
	}
	if code == "AuthorizationHeaderMalformed" || code == "AuthorizationQueryParametersError" {
		if m := expecting.FindStringSubmatch(message); m != nil {
			return m[1]
		}
	}
	return ""
}
