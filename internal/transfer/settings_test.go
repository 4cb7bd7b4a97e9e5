package transfer

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestCondWritesString(t *testing.T) {
	assert.Empty(t, CondWrites(0).String())
	assert.Equal(t, "PutObject", CondPut.String())
	assert.Equal(t, "CompleteMultipartUpload and CopyObject", (CondMultipart | CondCopy).String())
	assert.Equal(t, "PutObject and CompleteMultipartUpload and CopyObject", (CondPut | CondMultipart | CondCopy).String())
}
