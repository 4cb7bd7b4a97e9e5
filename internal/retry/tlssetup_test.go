package retry

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestIsTLSSetup checks every kind of error IsTLSSetup makes final, each
// wrapped as net/http returns it, and errors it must leave to the other
// rules: the list it had before it reused refusedCertificate, so that a
// change to either list shows here.
func TestIsTLSSetup(t *testing.T) {
	wrap := func(err error) error { return &url.Error{Op: "Put", URL: "https://s3.example.com/b/k", Err: err} }
	for _, tc := range []struct {
		name string
		err  error
		want bool
	}{
		{"unknown authority", wrap(x509.UnknownAuthorityError{}), true},
		{"wrong host name", wrap(x509.HostnameError{Host: "s3.example.com"}), true},
		{"expired", wrap(x509.CertificateInvalidError{Reason: x509.Expired}), true},
		{"verification error", wrap(&tls.CertificateVerificationError{Err: errors.New("bad")}), true},
		{"plain HTTP answered the handshake", wrap(http.ErrSchemeMismatch), true},
		{"record header", wrap(tls.RecordHeaderError{Msg: "first record does not look like a TLS handshake"}), true},
		{"alert as a net.OpError", wrap(&net.OpError{Op: "remote error", Err: tls.AlertError(70)}), true},
		{"alert", wrap(tls.AlertError(40)), true},
		{"alert, wrapped with %w", fmt.Errorf("send: %w", tls.AlertError(116)), true},
		{"connection refused", wrap(&net.OpError{Op: "dial", Err: errors.New("connection refused")}), false},
		{"reset", wrap(&net.OpError{Op: "read", Err: errors.New("connection reset by peer")}), false},
		{"other error", errors.New("x509: looks like a certificate, but is text"), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, IsTLSSetup(tc.err))
		})
	}
}
