package types_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	sdkmath "cosmossdk.io/math"

	auditstypes "github.com/cortnet/cortd/x/audits/types"
	"github.com/cortnet/cortd/x/sessions/types"
)

// TestWithinAuditToleranceIsExact: the comparison is exact at the boundary. (3, 4) × 10^3
// apart is a distance of exactly 0.005 (5,000 units of 10^-6).
func TestWithinAuditToleranceIsExact(t *testing.T) {
	a := []int32{1_000_000, 0, 0}
	b := []int32{1_000_000 - 3_000, 4_000, 0}
	require.Equal(t, "0.005000", types.AuditDistance(a, b))
	require.True(t, types.WithinAuditTolerance(a, b, sdkmath.LegacyMustNewDecFromStr("0.005")))
	require.False(t, types.WithinAuditTolerance(a, b, sdkmath.LegacyMustNewDecFromStr("0.004999999999999999")))
	require.True(t, types.WithinAuditTolerance(a, a, sdkmath.LegacyZeroDec()))
	require.False(t, types.WithinAuditTolerance(a, b[:2], sdkmath.LegacyNewDec(2)), "different dims never match")
	require.False(t, types.WithinAuditTolerance(a, b, sdkmath.LegacyDec{}), "nil tolerance")
	require.Equal(t, "mismatch", types.AuditDistance(a, b[:2]))
	// opposite unit vectors: distance 2, the largest possible
	require.Equal(t, "2.000000", types.AuditDistance([]int32{1_000_000}, []int32{-1_000_000}))
}

func TestParseFraudFigures(t *testing.T) {
	figs := []auditstypes.Figure{
		{Name: "tolerance", Value: "0.05"},
		{Name: types.FraudFigureName("node-2"), Value: types.FraudFigureValue(types.AuditCheckEmbedding, "0.4")},
		{Name: "node:", Value: "x"},
		{Name: types.FraudFigureName("node-1"), Value: "output:0.9"},
		{Name: "Node:node-3", Value: "x"},
	}
	require.Equal(t, []string{"node-2", "node-1"}, types.ParseFraudFigures(figs))
	require.Empty(t, types.ParseFraudFigures(nil))
	require.Equal(t, "embedding:0.4", figs[1].Value)
}

func TestParseTaskSubject(t *testing.T) {
	id, err := types.ParseTaskSubject("42")
	require.NoError(t, err)
	require.Equal(t, uint64(42), id)
	for _, bad := range []string{"", "0", "042", "-1", "+1", "4x", "18446744073709551616"} {
		_, err := types.ParseTaskSubject(bad)
		require.Error(t, err, bad)
	}
}

// TestAuditParamsValidation: each session-audit param is checked.
func TestAuditParamsValidation(t *testing.T) {
	require.NoError(t, types.DefaultParams().Validate())
	for name, mutate := range map[string]func(*types.Params){
		"fraction over 100%":     func(p *types.Params) { p.AuditFractionBps = types.BasisPoints + 1 },
		"embedding tol negative": func(p *types.Params) { p.AuditEmbeddingTolerance = sdkmath.LegacyNewDec(-1) },
		"embedding tol over 2":   func(p *types.Params) { p.AuditEmbeddingTolerance = sdkmath.LegacyMustNewDecFromStr("2.01") },
		"embedding tol nil":      func(p *types.Params) { p.AuditEmbeddingTolerance = sdkmath.LegacyDec{} },
		"output tol over 2":      func(p *types.Params) { p.AuditOutputTolerance = sdkmath.LegacyNewDec(3) },
		"output tol nil":         func(p *types.Params) { p.AuditOutputTolerance = sdkmath.LegacyDec{} },
		"slash zero":             func(p *types.Params) { p.AuditSlashFraction = sdkmath.LegacyZeroDec() },
		"slash over 1":           func(p *types.Params) { p.AuditSlashFraction = sdkmath.LegacyMustNewDecFromStr("1.01") },
		"slash nil":              func(p *types.Params) { p.AuditSlashFraction = sdkmath.LegacyDec{} },
		"draws zero":             func(p *types.Params) { p.MaxAuditDrawsPerBlock = 0 },
		"draws over cap":         func(p *types.Params) { p.MaxAuditDrawsPerBlock = types.MaxAuditDrawsPerBlockLimit + 1 },
	} {
		p := types.DefaultParams()
		mutate(&p)
		require.ErrorIs(t, p.Validate(), types.ErrInvalidParams, name)
	}
	p := types.DefaultParams()
	p.AuditFractionBps, p.AuditEmbeddingTolerance, p.AuditSlashFraction = 0, sdkmath.LegacyNewDec(2), sdkmath.LegacyOneDec()
	require.NoError(t, p.Validate(), "bounds are inclusive")
}

// TestValidateTaskAudit: audit fields only on validated tasks, audit id exactly when an
// audit was opened, never pruned while the audit holds the results.
func TestValidateTaskAudit(t *testing.T) {
	ok := types.Task{Id: 1, Status: types.TASK_STATUS_VALIDATED, AuditStatus: types.TASK_AUDIT_STATUS_OPEN, AuditId: 3}
	require.NoError(t, types.ValidateTaskAudit(ok))
	for name, mutate := range map[string]func(*types.Task){
		"not validated":     func(t *types.Task) { t.Status = types.TASK_STATUS_FAILED },
		"open without id":   func(t *types.Task) { t.AuditId = 0 },
		"skipped with id":   func(t *types.Task) { t.AuditStatus = types.TASK_AUDIT_STATUS_SKIPPED },
		"pruned while open": func(t *types.Task) { t.Pruned = true },
		"unknown status":    func(t *types.Task) { t.AuditStatus = 99 },
		"pending and pruned": func(t *types.Task) {
			t.AuditStatus, t.AuditId, t.Pruned = types.TASK_AUDIT_STATUS_DRAW_PENDING, 0, true
		},
	} {
		task := ok
		mutate(&task)
		require.ErrorIs(t, types.ValidateTaskAudit(task), types.ErrInvalidGenesis, name)
	}
}
