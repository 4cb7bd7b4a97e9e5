package observe

import (
	"errors"
	"strings"

	"github.com/aws/smithy-go"
)

// ErrorText is err's text fit for a log or a span: the query of every URL
// in it is cut, since net/http quotes a request's whole URL in its errors
// and a query can carry a signature. Errors never carry credentials
// otherwise (TestErrorsAndSDKLogsNeverShowTheSecret).
func ErrorText(err error) string {
	return StripQueries(err.Error())
}

// StripQueries replaces the query and fragment of every http or https URL
// in s with "?…", keeping the scheme, host and path.
func StripQueries(s string) string {
	var b strings.Builder
	for {
		i := strings.Index(s, "://")
		if i < 0 {
			if b.Len() == 0 {
				return s
			}
			b.WriteString(s)
			return b.String()
		}
		end := i + 3 + strings.IndexFunc(s[i+3:], urlEnd)
		if end < i+3 {
			end = len(s)
		}
		u := s[i+3 : end]
		if q := strings.IndexAny(u, "?#"); q >= 0 {
			u = u[:q] + "?…"
		}
		b.WriteString(s[:i+3])
		b.WriteString(u)
		s = s[end:]
	}
}

// urlEnd reports whether r ends a URL quoted in an error's text.
func urlEnd(r rune) bool {
	return r == ' ' || r == '"' || r == '\'' || r == '\n' || r == '\t' || r == '>' || r == '<'
}

// errorCode returns the S3 error code of err, or "".
func errorCode(err error) string {
	var api smithy.APIError
	if errors.As(err, &api) {
		return api.ErrorCode()
	}
	return ""
}
