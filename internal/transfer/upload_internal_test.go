package transfer

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The root package's defaults and S3's limits, as the root gives them.
const (
	defaultPartSize = 8 << 20
	minPartSize     = 5 << 20
	maxObjectSize   = 5 << 40
)

func TestPartSizeFor(t *testing.T) {
	const mib = 1 << 20
	u := &Upload{set: &Settings{PartSize: defaultPartSize}}

	t.Run("known size uses the configured part size", func(t *testing.T) {
		u.size = 40 * mib
		assert.Equal(t, int64(8*mib), u.PartSizeFor(0))
		assert.Equal(t, int64(8*mib), u.PartSizeFor(32*mib))
	})
	t.Run("known size grows to fit 10000 parts", func(t *testing.T) {
		u.size = 5 << 40
		ps := u.PartSizeFor(0)
		assert.LessOrEqual(t, (u.size+ps-1)/ps, int64(maxParts))
		assert.Zero(t, ps%mib)
		assert.LessOrEqual(t, ps, int64(maxPartSize))
	})
	t.Run("unknown size grows so 5 TiB fits in 10000 parts", func(t *testing.T) {
		for _, start := range []int64{5 * mib, 8 * mib, 64 * mib} {
			u.size = -1
			u.set.PartSize = start
			var total int64
			parts := 0
			prev := int64(0)
			for total < maxObjectSize {
				ps := u.PartSizeFor(total)
				require.GreaterOrEqual(t, ps, int64(minPartSize))
				require.LessOrEqual(t, ps, int64(maxPartSize))
				require.GreaterOrEqual(t, ps, prev, "part sizes never shrink")
				prev = ps
				total += ps
				parts++
			}
			assert.LessOrEqual(t, parts, maxParts, "start %d MiB", start>>20)
			assert.Equal(t, start, u.PartSizeFor(0))
			assert.Equal(t, start, u.PartSizeFor(growthDivisor*start), "no growth before 512 parts")
			assert.Greater(t, u.PartSizeFor(growthDivisor*start*2), start)
		}
	})
}

func TestEqualPartsProviderKeepsPartSize(t *testing.T) {
	u := &Upload{size: -1, set: &Settings{PartSize: defaultPartSize, EqualParts: true}}
	assert.Equal(t, int64(defaultPartSize), u.PartSizeFor(0))
	assert.Equal(t, int64(defaultPartSize), u.PartSizeFor(100<<30), "no growth for R2")
}
