package types_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	sdk "github.com/cosmos/cosmos-sdk/types"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"

	_ "github.com/cortnet/cortd/app/params" // bech32 prefixes
	"github.com/cortnet/cortd/x/audits/types"
)

func noop(sdk.Context, types.Audit, types.Outcome, ...types.Figure) error { return nil }

func TestRouter(t *testing.T) {
	r := types.NewRouter()
	r.AddRoute("data", noop).AddRoute("sessions", noop)
	require.True(t, r.HasRoute("data"))
	require.False(t, r.HasRoute("nodes"))
	_, ok := r.GetRoute("sessions")
	require.True(t, ok)
	require.Equal(t, []string{"data", "sessions"}, r.Routes())
	require.Panics(t, func() { r.AddRoute("data", noop) }, "duplicate")
	require.Panics(t, func() { r.AddRoute("da-ta", noop) }, "not alphanumeric")
	require.Panics(t, func() { r.AddRoute("x", nil) }, "nil handler")
	r.Seal()
	require.True(t, r.Sealed())
	require.Panics(t, func() { r.AddRoute("late", noop) }, "sealed")
	require.Panics(t, r.Seal, "sealed twice")
}

func TestMsgValidateBasic(t *testing.T) {
	addr := authtypes.NewModuleAddress("x").String()
	require.NoError(t, (&types.MsgAuditPass{Auditor: addr, AuditId: 1}).ValidateBasic())
	require.ErrorIs(t, (&types.MsgAuditPass{Auditor: addr}).ValidateBasic(), types.ErrInvalidAuditID)
	require.ErrorIs(t, (&types.MsgAuditPass{Auditor: "x", AuditId: 1}).ValidateBasic(), types.ErrInvalidAddress)
	pass := &types.MsgAuditPass{Auditor: addr, AuditId: 1, Figures: []types.Figure{{Name: "replay:node-1", Value: "0.987654"}}}
	require.NoError(t, pass.ValidateBasic())
	require.NoError(t, pass.ValidateAgainstParams(types.DefaultParams()))
	pass.Figures = append(pass.Figures, types.Figure{Name: "replay:node-1", Value: "0.5"})
	require.ErrorIs(t, pass.ValidateBasic(), types.ErrInvalidReport, "duplicate figure name")
	pass.Figures = make([]types.Figure, types.MaxFiguresCap+1)
	for i := range pass.Figures {
		pass.Figures[i] = types.Figure{Name: "f" + strings.Repeat("x", i), Value: "1"}
	}
	require.ErrorIs(t, pass.ValidateBasic(), types.ErrInvalidReport, "over the hard cap")
	pass.Figures = pass.Figures[:types.DefaultParams().MaxFigures+1]
	require.NoError(t, pass.ValidateBasic(), "within the cap")
	require.ErrorIs(t, pass.ValidateAgainstParams(types.DefaultParams()), types.ErrInvalidReport, "over the param")

	rep := &types.MsgReportFraud{Auditor: addr, AuditId: 1, FailedCheck: "loss", Figures: []types.Figure{{Name: "loss", Value: "3.25"}}}
	require.NoError(t, rep.ValidateBasic())
	rep.FailedCheck = strings.Repeat("a", types.MaxCheckNameBytesCap+1)
	require.ErrorIs(t, rep.ValidateBasic(), types.ErrInvalidReport)

	require.NoError(t, (&types.MsgVoteFraud{Voter: addr, AuditId: 1, Option: types.VOTE_OPTION_NO}).ValidateBasic())
	require.ErrorIs(t, (&types.MsgVoteFraud{Voter: addr, AuditId: 1}).ValidateBasic(), types.ErrInvalidVoteOption)

	require.NoError(t, (&types.MsgUpdateParams{Authority: addr, Params: types.DefaultParams()}).ValidateBasic())
	require.ErrorIs(t, (&types.MsgUpdateParams{Authority: addr}).ValidateBasic(), types.ErrInvalidParams)
}

func TestSubjectValidation(t *testing.T) {
	require.NoError(t, types.ValidateSubjectID("epoch-3:sub.17_a"))
	require.Error(t, types.ValidateSubjectID("a/b"))
	require.Error(t, types.ValidateSubjectID(""))
	require.NoError(t, types.ValidateSubjectModule("sessions"))
	require.Error(t, types.ValidateSubjectModule(strings.Repeat("a", 33)))
	require.NoError(t, types.ValidatePayloadHash(nil))
	require.NoError(t, types.ValidatePayloadHash(make([]byte, 32)))
	require.Error(t, types.ValidatePayloadHash(make([]byte, 8)))
	require.Equal(t, "data/s1", types.SubjectKey("data", "s1"))
}
