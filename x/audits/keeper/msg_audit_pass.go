package keeper

import (
	"context"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/cortnet/cortd/x/audits/types"
)

// AuditPass closes the audit as PASSED and calls the subject's handler with OUTCOME_PASS
// and the pass's figures (checked against the same params as a fraud report's).
func (s msgServer) AuditPass(ctx context.Context, msg *types.MsgAuditPass) (*types.MsgAuditPassResponse, error) {
	if err := msg.ValidateBasic(); err != nil {
		return nil, err
	}
	params, err := s.Params.Get(ctx)
	if err != nil {
		return nil, err
	}
	if err := msg.ValidateAgainstParams(params); err != nil {
		return nil, err
	}
	a, err := s.pendingForAuditor(ctx, msg.Auditor, msg.AuditId)
	if err != nil {
		return nil, err
	}
	if err := s.bumpRecord(ctx, a.Auditor, func(r *types.AuditorRecord) { r.Passed++ }); err != nil {
		return nil, err
	}
	if err := sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(&types.EventAuditPassed{
		AuditId: a.Id, SubjectModule: a.SubjectModule, SubjectId: a.SubjectId, Auditor: a.Auditor,
	}); err != nil {
		return nil, err
	}
	if err := s.finalize(ctx, a, types.AUDIT_STATUS_PASSED, types.OUTCOME_PASS, msg.Figures); err != nil {
		return nil, err
	}
	return &types.MsgAuditPassResponse{}, nil
}
