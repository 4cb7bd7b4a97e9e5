package s3err

import (
	"errors"
	"fmt"
	"strings"

	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/s3kit/s3kit/internal/retry"
)

// Fields are what the text of s3kit's Error is made of.
type Fields struct {
	Op, Bucket, Key string
	Code            string
	StatusCode      int
	RequestID       string
	Attempts        int
	Err             error  // the cause
	Sentinel        string // the text of the sentinel matched, without "s3kit: "; "" if none
	Message         string // the provider's message, or the plain cause of a failure without answer
	OutcomeUnknown  bool
}

// Format writes the text of s3kit's Error: "s3kit: OP BUCKET/KEY: CODE
// (HTTP STATUS) [request ID]: cause", then "(after N attempts)" when the
// request was retried, and what an unknown outcome means.
func Format(f Fields) string {
	var b strings.Builder
	b.WriteString("s3kit: ")
	b.WriteString(f.Op)
	if f.Bucket != "" || f.Key != "" {
		b.WriteByte(' ')
		b.WriteString(f.Bucket)
		if f.Key != "" {
			b.WriteByte('/')
			b.WriteString(f.Key)
		}
	}
	b.WriteString(": ")
	f.writeAnswer(&b)
	f.writeCause(&b)
	b.WriteString(f.retryNote())
	if f.OutcomeUnknown {
		b.WriteString("; the outcome is unknown: the write may or may not have taken effect (Head the object to find out)")
	}
	return b.String()
}

// writeAnswer writes what the provider answered (code, status, request
// ID), or the sentinel's text when no answer came.
func (f *Fields) writeAnswer(b *strings.Builder) {
	switch {
	case f.Code != "" && f.StatusCode != 0:
		fmt.Fprintf(b, "%s (HTTP %d)", f.Code, f.StatusCode)
	case f.Code != "":
		b.WriteString(f.Code)
	case f.StatusCode != 0:
		fmt.Fprintf(b, "HTTP %d", f.StatusCode)
	case f.Sentinel != "" && !f.OutcomeUnknown: // an unknown outcome is said at the end
		b.WriteString(f.Sentinel)
	}
	if f.RequestID != "" {
		fmt.Fprintf(b, " [request %s]", f.RequestID)
	}
}

// writeCause writes the cause after the answer: the provider's message (or
// what its code means), the plain cause of a failure without an answer, or
// the cause itself.
func (f *Fields) writeCause(b *strings.Builder) {
	text := f.Message
	if text == "" && f.Code == "" && f.Err != nil {
		if f.StatusCode != 0 {
			text = ResponseCause(f.Err) // a bare status: what went wrong with the answer
		} else {
			text = f.Err.Error()
		}
	}
	if text == "" {
		return
	}
	if f.Code != "" || f.StatusCode != 0 || (f.Sentinel != "" && !f.OutcomeUnknown) {
		b.WriteString(": ")
	}
	b.WriteString(text)
}

// retryNote is how often the request was tried and whether the retry time
// limit stopped it.
func (f *Fields) retryNote() string {
	var note string
	if f.Attempts > 1 {
		note = fmt.Sprintf(" (after %d attempts", f.Attempts)
		var te *retry.TimeoutError
		if errors.As(f.Err, &te) {
			note += "; " + te.Error()
		}
		note += ")"
	}
	return note
}

// ResponseCause is err's text without the SDK's "operation error S3: Op,
// https response error StatusCode: N, RequestID: ..., HostID: ..." prefix,
// which repeats what the Error's text already says: for an answer that
// could not be read, the cause below the HTTP response, such as the XML
// syntax error.
func ResponseCause(err error) string {
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) && re.Err != nil {
		return re.Err.Error()
	}
	return err.Error()
}
