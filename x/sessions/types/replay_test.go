package types_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	sdkmath "cosmossdk.io/math"

	auditstypes "github.com/cortnet/cortd/x/audits/types"
	"github.com/cortnet/cortd/x/sessions/types"
)

func TestFormatReplayScore(t *testing.T) {
	for in, want := range map[string]string{
		"0":                    "0.000000",
		"1":                    "1.000000",
		"0.987654":             "0.987654",
		"0.9876549":            "0.987654", // truncated, never rounded up past the measurement
		"0.000000999999999999": "0.000000",
		"0.5":                  "0.500000",
		"-0.25":                "-0.250000",
		"12.3456789":           "12.345678",
	} {
		require.Equal(t, want, types.FormatReplayScore(dec(in)), in)
	}
	require.Equal(t, "0.000000", types.FormatReplayScore(sdkmath.LegacyDec{}))
	require.Equal(t, "replay:node-7", types.ReplayFigureName("node-7"))
}

func TestParseReplayScore(t *testing.T) {
	for in, want := range map[string]string{
		"0": "0", "1": "1", "0.5": "0.5", "0.987654": "0.987654", "1.000000": "1", "0.000000": "0",
	} {
		d, ok := types.ParseReplayScore(in)
		require.True(t, ok, in)
		require.Equal(t, dec(want), d, in)
	}
	for _, bad := range []string{
		"", "1.000001", "2", "-0", "-0.1", "+0.5", ".5", "0.", "0.9876541", "00.5", "1e-3", " 0.5", "0.5 ",
		"0,5", "NaN", "inf", "0x1", "0.5.1", "١",
	} {
		_, ok := types.ParseReplayScore(bad)
		require.False(t, ok, "%q", bad)
	}
}

// TestParseReplayFigures: only "replay:<id>" figures with a score in [0, 1] count, in
// figure order; a second figure for the same node is skipped; other figures are ignored.
func TestParseReplayFigures(t *testing.T) {
	figs := []auditstypes.Figure{
		{Name: "tolerance", Value: "0.05"},
		{Name: types.ReplayFigureName("node-3"), Value: "0.991000"},
		{Name: types.ReplayFigureName("node-1"), Value: "1.5"},     // out of range
		{Name: types.ReplayFigureName("node-2"), Value: "garbage"}, // unparsable
		{Name: "replay:", Value: "0.5"},                            // no node
		{Name: types.FraudFigureName("node-1"), Value: "replay:0.1"},
		{Name: types.ReplayFigureName("node-1"), Value: "0.25"},
		{Name: types.ReplayFigureName("node-3"), Value: "0.1"}, // second for node-3
		{Name: "Replay:node-4", Value: "0.5"},                  // prefix is case-sensitive
	}
	got := types.ParseReplayFigures(figs)
	require.Equal(t, []types.ReplayScore{{NodeID: "node-3", Score: dec("0.991")}, {NodeID: "node-1", Score: dec("0.25")}}, got)
	require.Empty(t, types.ParseReplayFigures(nil))
}

// TestFraudFiguresAcceptReplayCheck: a replay fraud report names nodes the same way as the
// other checks ("node:<id>" = "replay:<score>"), and replay-score figures in the same
// report are not mistaken for named nodes.
func TestFraudFiguresAcceptReplayCheck(t *testing.T) {
	require.Equal(t, "replay", types.AuditCheckReplay)
	figs := []auditstypes.Figure{
		{Name: types.FraudFigureName("node-2"), Value: types.FraudFigureValue(types.AuditCheckReplay, "0.412000")},
		{Name: types.ReplayFigureName("node-1"), Value: "0.998000"},
		{Name: types.ReplayFigureName("node-2"), Value: "0.412000"},
	}
	require.NoError(t, auditstypes.ValidateFigures(figs, 16, 128))
	require.Equal(t, []string{"node-2"}, types.ParseFraudFigures(figs))
	require.Len(t, types.ParseReplayFigures(figs), 2)
	require.NoError(t, auditstypes.ValidateCheckName(types.AuditCheckReplay, 64))
}
