package keeper

import (
	"context"

	errorsmod "cosmossdk.io/errors"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/cortnet/cortd/x/data/types"
)

// ClaimReward pays a PASSED target's reserved reward, from its claimable epoch on (the
// epoch after the audit passed by default: params.claim_delay_epochs): submitter_share to the submitter,
// the rest to the winning model's owner. Anyone may send it (the payees are fixed). If
// the model record is gone the owner's share returns to the pool (nothing is stranded).
func (s msgServer) ClaimReward(ctx context.Context, m *types.MsgClaimReward) (*types.MsgClaimRewardResponse, error) {
	if err := m.ValidateBasic(); err != nil {
		return nil, err
	}
	p, err := s.k.Params.Get(ctx)
	if err != nil {
		return nil, err
	}
	t, err := s.k.GetTarget(ctx, m.TargetId)
	if err != nil {
		return nil, err
	}
	switch t.Status {
	case types.TARGET_STATUS_PASSED:
	case types.TARGET_STATUS_CLAIMED:
		return nil, errorsmod.Wrapf(types.ErrAlreadyClaimed, "target %d", t.Id)
	default:
		return nil, errorsmod.Wrapf(types.ErrNotClaimable, "target %d is %s", t.Id, t.Status)
	}
	es, err := s.k.Epoch.Get(ctx)
	if err != nil {
		return nil, err
	}
	if es.Epoch < t.ClaimableEpoch {
		return nil, errorsmod.Wrapf(types.ErrClaimTooEarly, "target %d: claimable from data epoch %d, now epoch %d", t.Id, t.ClaimableEpoch, es.Epoch)
	}
	sub, err := s.k.Submissions.Get(ctx, t.Id)
	if err != nil {
		return nil, err
	}
	acc, err := s.k.Accounting.Get(ctx)
	if err != nil {
		return nil, err
	}
	submitter, err := sdk.AccAddressFromBech32(sub.Submitter)
	if err != nil {
		return nil, err
	}
	toSubmitter := p.SubmitterShare.MulInt(sub.Reward).TruncateInt()
	toOwner := sub.Reward.Sub(toSubmitter)
	owner := ""
	if model, err := s.k.models.GetModel(ctx, sub.ModelId); err == nil {
		owner = model.Owner
	}
	ownerAddr, ownerErr := sdk.AccAddressFromBech32(owner)
	if toSubmitter.IsPositive() {
		if err := s.k.bank.SendCoinsFromModuleToAccount(ctx, types.ModuleName, submitter, sdk.NewCoins(sdk.NewCoin(p.Denom, toSubmitter))); err != nil {
			return nil, err
		}
	}
	if toOwner.IsPositive() {
		if ownerErr != nil {
			acc.Pool = acc.Pool.Add(toOwner)
		} else if err := s.k.bank.SendCoinsFromModuleToAccount(ctx, types.ModuleName, ownerAddr, sdk.NewCoins(sdk.NewCoin(p.Denom, toOwner))); err != nil {
			return nil, err
		}
	}
	acc.Reserved = acc.Reserved.Sub(sub.Reward)
	sub.RewardHeld = false
	sdkCtx := sdk.UnwrapSDKContext(ctx)
	t.Status, t.ClosedHeight = types.TARGET_STATUS_CLAIMED, sdkCtx.BlockHeight()
	if err := s.k.save(ctx, t, sub, acc); err != nil {
		return nil, err
	}
	if err := s.k.pruneIfOld(ctx, t); err != nil {
		return nil, err
	}
	return &types.MsgClaimRewardResponse{}, sdkCtx.EventManager().EmitTypedEvent(&types.EventRewardClaimed{
		TargetId: t.Id, Claimer: m.Claimer, Submitter: sub.Submitter, ToSubmitter: toSubmitter.String(),
		ModelOwner: owner, ToModelOwner: toOwner.String(),
	})
}
