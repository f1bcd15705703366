package keeper

import (
	"context"

	"cosmossdk.io/collections"
	errorsmod "cosmossdk.io/errors"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/cortnet/cortd/x/audits/types"
)

type msgServer struct {
	Keeper
}

var _ types.MsgServer = msgServer{}

// NewMsgServerImpl returns the x/audits Msg service.
func NewMsgServerImpl(k Keeper) types.MsgServer {
	return msgServer{Keeper: k}
}

// pendingForAuditor loads an audit the sender may act on as its auditor: it exists, the
// sender is the assigned auditor, it is PENDING and the deadline has not passed.
func (s msgServer) pendingForAuditor(ctx context.Context, auditor string, id uint64) (types.Audit, error) {
	a, err := s.GetAudit(ctx, id)
	if err != nil {
		return a, err
	}
	if a.Auditor != auditor {
		return a, errorsmod.Wrapf(types.ErrNotAuditor, "audit %d is assigned to %s", id, a.Auditor)
	}
	if a.Status != types.AUDIT_STATUS_PENDING {
		return a, errorsmod.Wrapf(types.ErrWrongStatus, "audit %d is %s", id, a.Status)
	}
	if h := sdk.UnwrapSDKContext(ctx).BlockHeight(); h > a.DeadlineHeight {
		return a, errorsmod.Wrapf(types.ErrDeadlinePassed, "audit %d deadline was %d, now %d", id, a.DeadlineHeight, h)
	}
	return a, nil
}

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

// VoteFraud records the voter's vote, once: a second vote is refused (ErrAlreadyVoted),
// so a vote cannot be bargained over during the window and a replayed or retried tx
// changes nothing. The reporter's YES is recorded with its report. The voter must
// operate a validator that is bonded now; whether the vote counts is decided again at
// tally time.
func (s msgServer) VoteFraud(ctx context.Context, msg *types.MsgVoteFraud) (*types.MsgVoteFraudResponse, error) {
	if err := msg.ValidateBasic(); err != nil {
		return nil, err
	}
	a, err := s.GetAudit(ctx, msg.AuditId)
	if err != nil {
		return nil, err
	}
	if a.Status != types.AUDIT_STATUS_VOTING {
		return nil, errorsmod.Wrapf(types.ErrWrongStatus, "audit %d is %s", a.Id, a.Status)
	}
	sdkCtx := sdk.UnwrapSDKContext(ctx)
	if h := sdkCtx.BlockHeight(); h > a.VotingEndHeight {
		return nil, errorsmod.Wrapf(types.ErrVotingClosed, "audit %d voting ended at %d, now %d", a.Id, a.VotingEndHeight, h)
	}
	voter, err := sdk.AccAddressFromBech32(msg.Voter)
	if err != nil {
		return nil, errorsmod.Wrap(types.ErrInvalidAddress, err.Error())
	}
	val, err := s.staking.GetValidator(ctx, sdk.ValAddress(voter))
	if err != nil {
		return nil, errorsmod.Wrapf(types.ErrNotBondedValidator, "%s operates no validator", msg.Voter)
	}
	if !val.IsBonded() {
		return nil, errorsmod.Wrapf(types.ErrNotBondedValidator, "validator %s is %s", val.OperatorAddress, val.Status)
	}
	key := collections.Join(a.Id, voter)
	if has, err := s.Votes.Has(ctx, key); err != nil {
		return nil, err
	} else if has {
		return nil, errorsmod.Wrapf(types.ErrAlreadyVoted, "%s on audit %d", msg.Voter, a.Id)
	}
	if err := s.Votes.Set(ctx, key, types.Vote{
		AuditId: a.Id, Voter: voter.String(), Option: msg.Option, Height: sdkCtx.BlockHeight(),
	}); err != nil {
		return nil, err
	}
	if err := sdkCtx.EventManager().EmitTypedEvent(&types.EventFraudVoted{
		AuditId: a.Id, Voter: voter.String(), Option: msg.Option,
	}); err != nil {
		return nil, err
	}
	return &types.MsgVoteFraudResponse{}, nil
}

// UpdateParams replaces the params; authority only. New windows apply to audits opened
// (deadline) or reported (voting window) or finalized (retention) afterwards.
func (s msgServer) UpdateParams(ctx context.Context, msg *types.MsgUpdateParams) (*types.MsgUpdateParamsResponse, error) {
	if msg.Authority != s.authority {
		return nil, errorsmod.Wrapf(types.ErrUnauthorized, "expected %s, got %s", s.authority, msg.Authority)
	}
	if err := msg.Params.Validate(); err != nil {
		return nil, err
	}
	if err := s.Params.Set(ctx, msg.Params); err != nil {
		return nil, err
	}
	if err := sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(&types.EventParamsUpdated{Authority: msg.Authority}); err != nil {
		return nil, err
	}
	return &types.MsgUpdateParamsResponse{}, nil
}
