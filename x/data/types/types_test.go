package types_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	sdkmath "cosmossdk.io/math"

	"github.com/cortnet/cortd/x/data/types"
	"github.com/cortnet/cortd/x/internal/embedding"
)

func TestWithinThresholdIsExact(t *testing.T) {
	thr := sdkmath.LegacyMustNewDecFromStr("0.5") // 0.5 × 10^6 = 500,000; squared 2.5·10^11
	require.True(t, types.WithinThreshold(250_000_000_000, thr))
	require.False(t, types.WithinThreshold(250_000_000_001, thr))
	require.True(t, types.WithinThreshold(0, thr))
	require.False(t, types.WithinThreshold(-1, thr))
	// A threshold with 18 decimals: (0.000001000000000001 × 10^6)² is just above 1.
	tiny := sdkmath.LegacyMustNewDecFromStr("0.000001000000000001")
	require.True(t, types.WithinThreshold(1, tiny))
	require.False(t, types.WithinThreshold(2, tiny))
}

func TestCentreIsNormalisedAndDeterministic(t *testing.T) {
	tol := sdkmath.LegacyMustNewDecFromStr("0.0001")
	for _, dim := range []uint32{1, 2, 8, 64, 768, 4096, embedding.MaxDim} {
		seed := types.Seed([]byte("hash"), uint64(dim))
		c := types.Centre(seed, dim)
		require.NoError(t, embedding.Check(c, dim, tol), "dim %d", dim)
		require.Equal(t, c, types.Centre(seed, dim))
	}
	require.NotEqual(t, types.Centre(types.Seed([]byte("a"), 1), 8), types.Centre(types.Seed([]byte("a"), 2), 8))
	require.NotEqual(t, types.Centre(types.Seed([]byte("a"), 1), 8), types.Centre(types.Seed([]byte("b"), 1), 8))
}

func TestNextThresholdIsBoundedAndClamped(t *testing.T) {
	p := types.DefaultParams() // target 0.5, step 0.1, [0.1, 1.9]
	one := sdkmath.LegacyOneDec()
	require.Equal(t, sdkmath.LegacyMustNewDecFromStr("1.05"), types.NextThreshold(p, one, 10, 0))  // none filled: widen
	require.Equal(t, sdkmath.LegacyMustNewDecFromStr("0.95"), types.NextThreshold(p, one, 10, 10)) // all filled: narrow
	require.Equal(t, one, types.NextThreshold(p, one, 10, 5))                                      // on target
	require.Equal(t, one, types.NextThreshold(p, one, 0, 0))                                       // nothing opened
	require.Equal(t, p.MaxThreshold, types.NextThreshold(p, sdkmath.LegacyMustNewDecFromStr("1.89"), 10, 0))
	require.Equal(t, p.MinThreshold, types.NextThreshold(p, sdkmath.LegacyMustNewDecFromStr("0.101"), 10, 10))
	// The factor never leaves [1 − step, 1 + step], whatever the rate.
	p.TargetFillRate = one
	require.Equal(t, sdkmath.LegacyMustNewDecFromStr("1.1"), types.NextThreshold(p, one, 10, 0))
}

func TestParamsValidate(t *testing.T) {
	require.NoError(t, types.DefaultParams().Validate())
	require.NoError(t, types.DefaultGenesis().Validate())
	require.Equal(t, uint32(1), types.DefaultParams().ClaimDelayEpochs, "claimable in the following epoch")
	require.Zero(t, types.DefaultParams().BytesTargetsPerEpoch, "text targets only until governance sets it")
	all := types.DefaultParams()
	all.BytesTargetsPerEpoch = all.TargetsPerEpoch
	require.NoError(t, all.Validate(), "every target may take bytes")
	for name, mutate := range map[string]func(*types.Params){
		"epoch id":        func(p *types.Params) { p.EpochIdentifier = "" },
		"models 0":        func(p *types.Params) { p.ModelsPerTarget = 0 },
		"models cap":      func(p *types.Params) { p.ModelsPerTarget = types.MaxModelsPerTarget + 1 },
		"targets cap":     func(p *types.Params) { p.TargetsPerEpoch = types.MaxTargetsPerEpoch + 1 },
		"dim":             func(p *types.Params) { p.EmbeddingDim = 0 },
		"min > max":       func(p *types.Params) { p.MinThreshold = sdkmath.LegacyNewDec(2) },
		"threshold > 2":   func(p *types.Params) { p.MaxThreshold = sdkmath.LegacyNewDec(3) },
		"step 1":          func(p *types.Params) { p.MaxThresholdStep = sdkmath.LegacyOneDec() },
		"share > 1":       func(p *types.Params) { p.SubmitterShare = sdkmath.LegacyNewDec(2) },
		"fraud share":     func(p *types.Params) { p.FraudAuditorShare = sdkmath.LegacyNewDec(-1) },
		"denom":           func(p *types.Params) { p.Denom = "" },
		"bond negative":   func(p *types.Params) { p.BondPerByte = sdkmath.NewInt(-1) },
		"bond over cap":   func(p *types.Params) { p.BondPerByte = types.MaxAmountParam.AddRaw(1) },
		"reward over cap": func(p *types.Params) { p.RewardPerTarget = types.MaxAmountParam.AddRaw(1) },
		"max data 0":      func(p *types.Params) { p.MaxDataBytes = 0 },
		"url cap":         func(p *types.Params) { p.MaxUrlBytes = types.MaxURLBytes + 1 },
		"models scanned":  func(p *types.Params) { p.MaxModelsScanned = 0 },
		"claim delay cap": func(p *types.Params) { p.ClaimDelayEpochs = types.MaxClaimDelayEpochs + 1 },
		"bytes targets > targets": func(p *types.Params) {
			p.TargetsPerEpoch, p.BytesTargetsPerEpoch = 3, 4
		},
	} {
		p := types.DefaultParams()
		mutate(&p)
		require.ErrorIs(t, p.Validate(), types.ErrInvalidParams, name)
	}
}
