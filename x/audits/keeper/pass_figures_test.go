package keeper_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cortnet/cortd/x/audits/types"
)

// TestAuditPassFiguresReachHandler: a pass's figures are handed to the subject's handler
// in message order (they are not stored in the audit record).
func TestAuditPassFiguresReachHandler(t *testing.T) {
	f := newFixture(t, 1, 1)
	id := f.open(t, "s1", f.op(1))
	figures := []types.Figure{{Name: "replay:node-1", Value: "0.987654"}, {Name: "replay:node-2", Value: "1.000000"}}
	_, err := f.msg.AuditPass(f.Ctx, &types.MsgAuditPass{Auditor: f.op(0).String(), AuditId: id, Figures: figures})
	require.NoError(t, err)
	require.Equal(t, []call{{ID: id, Subject: "s1", Outcome: types.OUTCOME_PASS, Status: types.AUDIT_STATUS_PASSED}}, f.h.calls)
	require.Equal(t, [][]types.Figure{figures}, f.h.figures)
	require.Equal(t, types.AUDIT_STATUS_PASSED, f.audit(t, id).Status)
}

// TestAuditPassFigureRejections: a pass with figures a fraud report could not carry (over
// the params or the hard caps, duplicate or malformed) is refused with ErrInvalidReport
// and changes nothing: the audit stays pending and the handler is not called.
func TestAuditPassFigureRejections(t *testing.T) {
	figs := func(n int) []types.Figure {
		out := make([]types.Figure, n)
		for i := range out {
			out[i] = types.Figure{Name: fmt.Sprintf("replay:node-%d", i), Value: "0.5"}
		}
		return out
	}
	params := types.DefaultParams()
	cases := map[string][]types.Figure{
		"too many (param)":      figs(int(params.MaxFigures) + 1),
		"too many (cap)":        figs(types.MaxFiguresCap + 1),
		"name too long (param)": {{Name: "replay:" + strings.Repeat("n", int(params.MaxFigureBytes)), Value: "0.5"}},
		"value too long":        {{Name: "replay:node-1", Value: "0." + strings.Repeat("9", int(params.MaxFigureBytes))}},
		"name over cap":         {{Name: strings.Repeat("n", types.MaxFigureBytesCap+1), Value: "0.5"}},
		"duplicate names":       {{Name: "replay:node-1", Value: "0.5"}, {Name: "replay:node-1", Value: "0.6"}},
		"empty value":           {{Name: "replay:node-1", Value: ""}},
		"empty name":            {{Name: "", Value: "0.5"}},
		"bad name character":    {{Name: "replay node", Value: "0.5"}},
		"value with space":      {{Name: "replay:node-1", Value: "0 5"}},
	}
	for name, figures := range cases {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t, 1, 1)
			id := f.open(t, "s1", f.op(1))
			before := f.snapshot(t)
			_, err := f.msg.AuditPass(f.Ctx, &types.MsgAuditPass{Auditor: f.op(0).String(), AuditId: id, Figures: figures})
			require.ErrorIs(t, err, types.ErrInvalidReport)
			require.Equal(t, before, f.snapshot(t), "state unchanged")
			require.Empty(t, f.h.calls, "handler not called")
			require.Equal(t, types.AUDIT_STATUS_PENDING, f.audit(t, id).Status)
		})
	}
}

// TestHandlerFiguresByOutcome: FRAUD and CLEARED hand the report's figures to the handler;
// MISSED_PASS hands none.
func TestHandlerFiguresByOutcome(t *testing.T) {
	report := []types.Figure{{Name: "distance", Value: "0.4123"}, {Name: "threshold", Value: "0.2"}}
	t.Run("fraud", func(t *testing.T) {
		f := newFixture(t, 2, 1)
		id := f.reportBy(t, "s1", 0)
		require.Equal(t, types.AUDIT_STATUS_FRAUD, f.closeVote(t, id).Status)
		require.Equal(t, [][]types.Figure{report}, f.h.figures)
	})
	t.Run("cleared", func(t *testing.T) {
		f := newFixture(t, 1, 1, 1)
		id := f.reportBy(t, "s1", 0)
		require.Equal(t, types.AUDIT_STATUS_CLEARED, f.closeVote(t, id).Status)
		require.Equal(t, [][]types.Figure{report}, f.h.figures)
	})
	t.Run("missed", func(t *testing.T) {
		f := newFixture(t, 1, 1)
		id := f.open(t, "s1", f.op(1))
		f.runTo(t, f.audit(t, id).DeadlineHeight)
		require.Equal(t, types.AUDIT_STATUS_MISSED, f.audit(t, id).Status)
		require.Len(t, f.h.figures, 1)
		require.Empty(t, f.h.figures[0])
	})
}
