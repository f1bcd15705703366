package keeper

import (
	"context"

	"cosmossdk.io/collections"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/cortnet/cortd/x/audits/types"
)

// ReportFraud moves the audit to VOTING until now + voting_window_blocks and records the
// auditor's own YES vote (it counts only while the auditor's validator is bonded).
func (s msgServer) ReportFraud(ctx context.Context, msg *types.MsgReportFraud) (*types.MsgReportFraudResponse, error) {
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
	auditor, err := sdk.AccAddressFromBech32(a.Auditor)
	if err != nil {
		return nil, err
	}

	sdkCtx := sdk.UnwrapSDKContext(ctx)
	height := sdkCtx.BlockHeight()
	if err := s.Queue.Remove(ctx, collections.Join(a.QueueHeight(), a.Id)); err != nil {
		return nil, err
	}
	figures := msg.Figures
	if figures == nil {
		figures = []types.Figure{}
	}
	a.Status = types.AUDIT_STATUS_VOTING
	a.Report = &types.FraudReport{FailedCheck: msg.FailedCheck, Figures: figures, ReportedHeight: height}
	a.VotingEndHeight = height + int64(params.VotingWindowBlocks)
	if err := s.Audits.Set(ctx, a.Id, a); err != nil {
		return nil, err
	}
	if err := s.Queue.Set(ctx, collections.Join(a.VotingEndHeight, a.Id)); err != nil {
		return nil, err
	}
	if err := s.Votes.Set(ctx, collections.Join(a.Id, auditor), types.Vote{
		AuditId: a.Id, Voter: a.Auditor, Option: types.VOTE_OPTION_YES, Height: height,
	}); err != nil {
		return nil, err
	}
	if err := s.bumpRecord(ctx, a.Auditor, func(r *types.AuditorRecord) { r.Reported++ }); err != nil {
		return nil, err
	}
	if err := sdkCtx.EventManager().EmitTypedEvent(&types.EventFraudReported{
		AuditId: a.Id, SubjectModule: a.SubjectModule, SubjectId: a.SubjectId, Auditor: a.Auditor,
		FailedCheck: msg.FailedCheck, Figures: figures, VotingEndHeight: a.VotingEndHeight,
	}); err != nil {
		return nil, err
	}
	s.Logger(ctx).Info("fraud reported", "id", a.Id, "subject", a.SubjectModule+"/"+a.SubjectId, "check", msg.FailedCheck)
	return &types.MsgReportFraudResponse{VotingEndHeight: a.VotingEndHeight}, nil
}
