package miner

import (
	"testing"

	sdkmath "cosmossdk.io/math"
	"github.com/stretchr/testify/require"

	sessionstypes "github.com/cortnet/cortd/x/sessions/types"
)

func TestEngineParams(t *testing.T) {
	s := sessionstypes.SamplingParams{MaxTokens: 16, Temperature: sdkmath.LegacyMustNewDecFromStr("0.7"),
		TopP: sdkmath.LegacyMustNewDecFromStr("0.9"), TopK: 40, Seed: 5}
	p, err := EngineParams(s, sessionstypes.PromptTypeCompletion)
	require.NoError(t, err)
	require.Equal(t, 16, p.MaxTokens)
	require.InDelta(t, 0.7, p.Temperature, 1e-12)
	require.InDelta(t, 0.9, p.TopP, 1e-12)
	require.Equal(t, 40, p.TopK)
	require.EqualValues(t, 5, p.Seed)
	require.False(t, p.RenderedPrompt)
	require.Empty(t, p.Stop, "tasks have no stop sequences")

	// A chat task's prompt is a rendered template: no special tokens added.
	p, err = EngineParams(s, sessionstypes.PromptTypeChat)
	require.NoError(t, err)
	require.True(t, p.RenderedPrompt)
	for _, pt := range []string{"", sessionstypes.PromptTypeEmbedding} {
		p, err = EngineParams(s, pt)
		require.NoError(t, err)
		require.False(t, p.RenderedPrompt, pt)
	}

	// Unset decimals (nil) mean defaults, not a panic.
	p, err = EngineParams(sessionstypes.SamplingParams{MaxTokens: 1}, "")
	require.NoError(t, err)
	require.Zero(t, p.Temperature)
	require.Zero(t, p.TopP)
}
