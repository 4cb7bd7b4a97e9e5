package names

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestEscapePath(t *testing.T) {
	tests := map[string]string{
		"plain.txt":       "plain.txt",
		"dir/sub/file":    "dir/sub/file",
		"a b":             "a%20b",
		"a+b":             "a%2Bb",
		"a~b_c-d.e":       "a~b_c-d.e",
		"100%":            "100%25",
		"what?":           "what%3F",
		"#hash":           "%23hash",
		"été/日本":          "%C3%A9t%C3%A9/%E6%97%A5%E6%9C%AC",
		"a//b":            "a//b",
		"/lead":           "/lead",
		"../up":           "%2E%2E/up",
		"a/./b":           "a/%2E/b",
		"...":             "...",
		"semi;comma,$@=&": "semi%3Bcomma%2C%24%40%3D%26",
	}
	for in, want := range tests {
		assert.Equal(t, want, EscapePath(in), "EscapePath(%q)", in)
	}
}
