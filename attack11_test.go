package s3kit_test

// Review of the issue-11 layout moves (a36300f..922a4fe), which promised no
// behaviour change. Each test passes on a36300f and fails on 922a4fe.

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/s3kit/s3kit"
	"github.com/s3kit/s3kit/s3kittest"
)

// TestAttack11_ProviderEndpointPasswordNotKeptInClient: a profile whose
// endpoint holds user information is accepted when WithEndpoint overrides
// it. Before the moves the Client kept only the profile's name; now it keeps
// the whole Provider (in config), so printing a struct that holds a Client
// in an unexported field with %s or %q (fmt then dumps the pointed-to config
// one level deep) shows the password. The access and secret keys are
// cleared from config; the profile's endpoint is not.
func TestAttack11_ProviderEndpointPasswordNotKeptInClient(t *testing.T) {
	c, err := s3kit.New(t.Context(),
		s3kit.WithCredentials("AKID", "SECRETKEY"),
		s3kit.WithProvider(s3kit.CephRGW("https://admin:hunter2@rgw.internal")),
		s3kit.WithEndpoint("https://rgw.example.com"))
	require.NoError(t, err)
	type holder struct{ c s3kit.Client } // e.g. a service struct embedding the client by value
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
		for _, v := range []any{c, *c, holder{*c}, []s3kit.Client{*c}} {
			s := fmt.Sprintf(verb, v)
			assert.NotContains(t, s, "hunter2", "%s of %T", verb, v)
			assert.NotContains(t, s, "SECRETKEY", "%s of %T", verb, v)
		}
	}
}

// TestAttack11_ListNamesItselfWhenCancelledWithAnErrorCause: a context
// cancelled with a cause that is itself an *s3kit.Error (an errgroup-style
// "cancel the rest with the first failure"). Before the moves List yielded
// &Error{Op: "List", Bucket: bucket, Err: cause}, like every List error;
// now internal/listing returns the cause bare and list() only wraps errors
// that are not already an *Error, so List yields the other call's error as
// its own (Op "Put", another bucket).
func TestAttack11_ListNamesItselfWhenCancelledWithAnErrorCause(t *testing.T) {
	srv := s3kittest.NewServer(t)
	srv.CreateBucket(t, "bkt")
	c := srv.Client(t)
	_, cause := c.Put(t.Context(), "other-bucket", "k", strings.NewReader("x"))
	require.Error(t, cause) // NoSuchBucket: an *s3kit.Error of a Put

	ctx, cancel := context.WithCancelCause(t.Context())
	cancel(cause)
	n := 0
	for _, err := range c.List(ctx, "bkt") {
		n++
		require.Error(t, err)
		var e *s3kit.Error
		require.True(t, errors.As(err, &e))
		assert.Equal(t, "List", e.Op, "List's error names List: %v", err)
		assert.Equal(t, "bkt", e.Bucket, "List's error names its bucket: %v", err)
		assert.ErrorIs(t, err, cause)
	}
	assert.Equal(t, 1, n)
}

// TestAttack11_ZeroClientDoesNotPanic: methods of a zero Client (misuse:
// the doc says to create one with New) used to validate their arguments and
// build public URLs from the zero settings; now every method that reads
// c.cfg dereferences a nil pointer.
func TestAttack11_ZeroClientDoesNotPanic(t *testing.T) {
	var c s3kit.Client
	noPanic := func(name string, f func()) {
		t.Helper()
		defer func() {
			if r := recover(); r != nil {
				t.Errorf("%s panicked: %v", name, r)
			}
		}()
		f()
	}
	noPanic("PublicURL", func() { _ = c.PublicURL("bucket", "key") })
	noPanic("Head", func() {
		_, err := c.Head(context.Background(), "Bad Bucket", "k")
		assert.ErrorIs(t, err, s3kit.ErrInvalidInput)
	})
	noPanic("Put", func() {
		_, err := c.Put(context.Background(), "Bad Bucket", "k", strings.NewReader("x"))
		assert.ErrorIs(t, err, s3kit.ErrInvalidInput)
	})
}

// TestAttack11_ListLeavesAnErrorThatHoldsAnErrorAsItIs: wrap() returns an
// SDK error unchanged when it already holds an *s3kit.Error (here, one a
// custom transport returned). Before the moves List yielded it like every
// other call does (Head below); now list() wraps anything whose top is not
// an *Error once more, so errors.As finds a List *Error first.
func TestAttack11_ListLeavesAnErrorThatHoldsAnErrorAsItIs(t *testing.T) {
	inner := &s3kit.Error{Op: "Inner", Bucket: "elsewhere", Err: errors.New("boom")}
	hc := &http.Client{Transport: roundTripFunc(func(*http.Request) (*http.Response, error) { return nil, inner })}
	c, err := s3kit.New(t.Context(), s3kit.WithCredentials("AK", "SK"), s3kit.WithEndpoint("http://127.0.0.1:1"),
		s3kit.WithHTTPClient(hc), s3kit.WithMaxAttempts(1))
	require.NoError(t, err)
	_, headErr := c.Head(t.Context(), "bkt", "k")
	var he *s3kit.Error
	require.True(t, errors.As(headErr, &he))
	for _, err := range c.List(t.Context(), "bkt") {
		var le *s3kit.Error
		require.True(t, errors.As(err, &le))
		assert.Equal(t, he.Op, le.Op, "List and Head treat an error that holds an *Error alike: %v", err)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
