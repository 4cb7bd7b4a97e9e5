package payload

import (
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestHash(t *testing.T) {
	body := strings.NewReader("hello")
	h, err := Hash(body, false)
	require.NoError(t, err)
	assert.Equal(t, "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824", h.SHA256)
	assert.Nil(t, h.MD5, "no MD5 unless asked for")

	h, err = Hash(body, true)
	require.NoError(t, err)
	assert.Equal(t, "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824", h.SHA256, "the body was rewound")
	require.NotNil(t, h.MD5)
	assert.Equal(t, "XUFAKrxLKna5cZ2REBfFkg==", *h.MD5)

	rest, err := io.ReadAll(body)
	require.NoError(t, err)
	assert.Equal(t, "hello", string(rest), "Hash leaves the body rewound")
}
