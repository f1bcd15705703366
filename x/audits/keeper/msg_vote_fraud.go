package keeper

import (
	"context"

	"cosmossdk.io/collections"
	errorsmod "cosmossdk.io/errors"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/cortnet/cortd/x/audits/types"
)

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
