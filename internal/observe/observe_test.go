package observe

import (
	"context"
	"errors"
	"net/url"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go/tracing"
	"github.com/stretchr/testify/assert"
)

// TestZeroSettingsCostNothing checks that without a tracer provider a
// call's span allocates nothing and leaves the context as it was.
func TestZeroSettingsCostNothing(t *testing.T) {
	var s Settings
	ctx := t.Context()
	allocs := testing.AllocsPerRun(100, func() {
		var err error
		got, span := s.Start(ctx, "Put", "bucket", "key")
		if got != ctx {
			t.Fatal("context changed")
		}
		err = errors.New("x")
		span.End(&err)
	})
	assert.LessOrEqual(t, allocs, 1.0, "only the test's own error allocates")
	var o s3.Options
	s.Install(&o)
	assert.Empty(t, o.APIOptions)
	assert.Nil(t, o.TracerProvider)
	assert.Nil(t, o.MeterProvider)
}

// TestNopProviderStartsNoSpan checks that the SDK's no-op provider works
// as a provider.
func TestNopProviderStartsNoSpan(t *testing.T) {
	var s Settings
	s.SetTracerProvider(tracing.NopTracerProvider{})
	assert.True(t, s.Tracing())
	_, span := s.Start(context.Background(), "Get", "b", "k")
	err := errors.New("boom")
	span.End(&err)
	s.SetTracerProvider(nil)
	assert.False(t, s.Tracing())
}

func TestStripQueries(t *testing.T) {
	tests := []struct{ in, want string }{
		{"no url here", "no url here"},
		{`Put "http://h:1/b/k?partNumber=1&uploadId=x": EOF`, `Put "http://h:1/b/k?…": EOF`},
		{"https://h/b/k?X-Amz-Signature=abc", "https://h/b/k?…"},
		{"a https://h/p#frag b http://h/q?x=1 c", "a https://h/p?… b http://h/q?… c"},
		{"https://h/no-query and more", "https://h/no-query and more"},
		{"odd ://?x=1", "odd ://?…"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, StripQueries(tt.in), tt.in)
	}
	err := &url.Error{Op: "Get", URL: "https://h/b/k?X-Amz-Credential=AKID", Err: errors.New("EOF")}
	assert.Equal(t, `Get "https://h/b/k?…": EOF`, ErrorText(err))
}

func TestNames(t *testing.T) {
	b, k, p := names(&s3.UploadPartInput{Bucket: aws.String("b"), Key: aws.String("k"), PartNumber: aws.Int32(7)})
	assert.Equal(t, []any{"b", "k", int64(7)}, []any{b, k, p})
	b, k, p = names(&s3.ListObjectsV2Input{Bucket: aws.String("b")})
	assert.Equal(t, []any{"b", "", int64(0)}, []any{b, k, p})
	b, k, p = names(nil)
	assert.Equal(t, []any{"", "", int64(0)}, []any{b, k, p})
	b, _, _ = names((*s3.HeadObjectInput)(nil))
	assert.Empty(t, b)
}
