package types_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	sdkmath "cosmossdk.io/math"

	"github.com/cosmos/cosmos-sdk/codec"
	codectypes "github.com/cosmos/cosmos-sdk/codec/types"

	"github.com/cortnet/cortd/x/sessions/types"
)

func dec(s string) sdkmath.LegacyDec { return sdkmath.LegacyMustNewDecFromStr(s) }

func entry(model string, mode types.VerificationMode, sim, replay string) types.ModelVerification {
	e := types.ModelVerification{ModelId: model, Mode: mode}
	if sim != "" {
		e.SimilarityThreshold = dec(sim)
	}
	if replay != "" {
		e.ReplayMinScore = dec(replay)
	}
	return e
}

func TestVerificationParamsValidation(t *testing.T) {
	valid := map[string]func(*types.Params){
		"defaults":                        func(*types.Params) {},
		"default exact":                   func(p *types.Params) { p.DefaultVerification = types.VERIFICATION_MODE_EXACT },
		"default unset (older params)":    func(p *types.Params) { p.DefaultVerification = types.VERIFICATION_MODE_UNSPECIFIED },
		"replay min unset (older params)": func(p *types.Params) { p.ReplayMinScore = sdkmath.LegacyDec{} },
		"replay min 0 and 1": func(p *types.Params) {
			p.ReplayMinScore = sdkmath.LegacyOneDec()
			p.ModelVerification = []types.ModelVerification{entry("a", 0, "0", "0"), entry("b", 0, "1", "1")}
		},
		"sorted entries, thresholds unset": func(p *types.Params) {
			p.ModelVerification = []types.ModelVerification{
				entry("gpt2", types.VERIFICATION_MODE_EXACT, "", ""), entry("llama", types.VERIFICATION_MODE_EMBEDDING, "0.9", "0.99"),
				entry("qwen", types.VERIFICATION_MODE_UNSPECIFIED, "", "0.5"),
			}
		},
		"256 entries, 128-byte id": func(p *types.Params) {
			p.ModelVerification = entries(types.MaxModelVerifications)
			p.ModelVerification[len(p.ModelVerification)-1].ModelId = "z" + strings.Repeat("x", types.MaxModelVerificationID-1)
		},
	}
	for name, mutate := range valid {
		p := types.DefaultParams()
		mutate(&p)
		require.NoError(t, p.Validate(), name)
	}
	invalid := map[string]func(*types.Params){
		"default out of range": func(p *types.Params) { p.DefaultVerification = 3 },
		"default negative":     func(p *types.Params) { p.DefaultVerification = -1 },
		"replay min over 1":    func(p *types.Params) { p.ReplayMinScore = dec("1.000001") },
		"replay min negative":  func(p *types.Params) { p.ReplayMinScore = dec("-0.1") },
		"257 entries":          func(p *types.Params) { p.ModelVerification = entries(types.MaxModelVerifications + 1) },
		"empty model id":       func(p *types.Params) { p.ModelVerification = []types.ModelVerification{entry("", 1, "", "")} },
		"model id over 128 bytes": func(p *types.Params) {
			p.ModelVerification = []types.ModelVerification{entry(strings.Repeat("m", 129), 1, "", "")}
		},
		"unsorted": func(p *types.Params) {
			p.ModelVerification = []types.ModelVerification{entry("b", 1, "", ""), entry("a", 1, "", "")}
		},
		"duplicate": func(p *types.Params) {
			p.ModelVerification = []types.ModelVerification{entry("a", 1, "", ""), entry("a", 2, "", "")}
		},
		"mode out of range":         func(p *types.Params) { p.ModelVerification = []types.ModelVerification{entry("a", 7, "", "")} },
		"similarity over 1":         func(p *types.Params) { p.ModelVerification = []types.ModelVerification{entry("a", 1, "1.1", "")} },
		"similarity negative":       func(p *types.Params) { p.ModelVerification = []types.ModelVerification{entry("a", 1, "-0.5", "")} },
		"entry replay min over 1":   func(p *types.Params) { p.ModelVerification = []types.ModelVerification{entry("a", 1, "", "2")} },
		"entry replay min negative": func(p *types.Params) { p.ModelVerification = []types.ModelVerification{entry("a", 1, "", "-0.000001")} },
		"bad entry after good ones": func(p *types.Params) { p.ModelVerification = append(entries(3), entry("zz", 1, "1.5", "")) },
		"unsorted in a long list":   func(p *types.Params) { p.ModelVerification = append(entries(10), entry("a", 1, "", "")) },
		"case order is byte order": func(p *types.Params) {
			p.ModelVerification = []types.ModelVerification{entry("a", 1, "", ""), entry("B", 1, "", "")}
		},
		"global similarity 0 is no default": func(p *types.Params) { p.SimilarityThreshold = sdkmath.LegacyZeroDec() },
	}
	for name, mutate := range invalid {
		p := types.DefaultParams()
		mutate(&p)
		require.ErrorIs(t, p.Validate(), types.ErrInvalidParams, name)
	}
}

// entries returns n valid entries with ids m000, m001, ... (ascending).
func entries(n int) []types.ModelVerification {
	out := make([]types.ModelVerification, n)
	for i := range out {
		out[i] = entry(fmt.Sprintf("m%03d", i), types.VERIFICATION_MODE_EXACT, "", "")
	}
	return out
}

func TestVerificationParamsLookups(t *testing.T) {
	p := types.DefaultParams()
	p.ReplayMinScore = dec("0.9")
	p.ModelVerification = []types.ModelVerification{
		entry("a-exact", types.VERIFICATION_MODE_EXACT, "", "0.99"),
		entry("b-embed", types.VERIFICATION_MODE_EMBEDDING, "0.95", ""),
		entry("c-unset", types.VERIFICATION_MODE_UNSPECIFIED, "0", "0"),
	}
	require.NoError(t, p.Validate())

	require.Equal(t, types.VERIFICATION_MODE_EXACT, p.ModeFor("a-exact"))
	require.Equal(t, types.VERIFICATION_MODE_EMBEDDING, p.ModeFor("b-embed"))
	require.Equal(t, types.VERIFICATION_MODE_EMBEDDING, p.ModeFor("c-unset"), "unset mode: the default")
	require.Equal(t, types.VERIFICATION_MODE_EMBEDDING, p.ModeFor("unknown"))
	p.DefaultVerification = types.VERIFICATION_MODE_EXACT
	require.Equal(t, types.VERIFICATION_MODE_EXACT, p.ModeFor("c-unset"))
	require.Equal(t, types.VERIFICATION_MODE_EXACT, p.ModeFor("unknown"))
	require.Equal(t, types.VERIFICATION_MODE_EMBEDDING, p.ModeFor("b-embed"), "an entry overrides the default")

	require.Equal(t, dec("0.85"), p.SimilarityThresholdFor("a-exact"), "unset: the global")
	require.Equal(t, dec("0.95"), p.SimilarityThresholdFor("b-embed"))
	require.Equal(t, dec("0.85"), p.SimilarityThresholdFor("c-unset"), "0: the global")
	require.Equal(t, dec("0.85"), p.SimilarityThresholdFor("b-embe"), "no prefix match")

	require.Equal(t, dec("0.99"), p.ReplayMinScoreFor("a-exact"))
	require.Equal(t, dec("0.9"), p.ReplayMinScoreFor("b-embed"), "unset: the global")
	require.Equal(t, dec("0.9"), p.ReplayMinScoreFor("c-unset"), "0: the global")
	p.ReplayMinScore = sdkmath.LegacyDec{}
	require.Equal(t, types.DefaultReplayMinScore, p.ReplayMinScoreFor("unknown"), "global unset: the default")
	require.Equal(t, dec("0.95"), types.DefaultReplayMinScore)

	// binary search over every position of a long list
	p.ModelVerification = entries(types.MaxModelVerifications)
	p.ModelVerification[100].SimilarityThreshold = dec("0.5")
	require.NoError(t, p.Validate())
	for i, e := range p.ModelVerification {
		require.Equal(t, types.VERIFICATION_MODE_EXACT, p.ModeFor(e.ModelId), i)
	}
	require.Equal(t, dec("0.5"), p.SimilarityThresholdFor("m100"))
	require.Equal(t, dec("0.85"), p.SimilarityThresholdFor("m101"))
}

// TestOlderParamsJSONLoads: params JSON written before the verification fields existed
// decodes, validates, and reads as embedding mode with the default thresholds.
func TestOlderParamsJSONLoads(t *testing.T) {
	cdc := codec.NewProtoCodec(codectypes.NewInterfaceRegistry())
	cur := types.DefaultParams()
	bz, err := cdc.MarshalJSON(&cur)
	require.NoError(t, err)
	var fields map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(bz, &fields))
	for _, f := range []string{"default_verification", "model_verification", "replay_min_score"} {
		_, ok := fields[f]
		require.True(t, ok, f)
		delete(fields, f)
	}
	old, err := json.Marshal(fields)
	require.NoError(t, err)

	var p types.Params
	require.NoError(t, cdc.UnmarshalJSON(old, &p))
	require.NoError(t, p.Validate())
	require.Equal(t, types.VERIFICATION_MODE_EMBEDDING, p.ModeFor("any"))
	require.Equal(t, dec("0.85"), p.SimilarityThresholdFor("any"))
	require.Equal(t, dec("0.95"), p.ReplayMinScoreFor("any"))

	// and the binary form: an older record has none of the fields
	var fromBinary types.Params
	bin, err := p.Marshal()
	require.NoError(t, err)
	require.NoError(t, fromBinary.Unmarshal(bin))
	require.NoError(t, fromBinary.Validate())
	require.Equal(t, types.VERIFICATION_MODE_EMBEDDING, fromBinary.ModeFor("any"))
}
