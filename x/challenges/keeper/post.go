package keeper

import (
	"context"
	"errors"

	"cosmossdk.io/collections"
	errorsmod "cosmossdk.io/errors"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/cortnet/cortd/x/challenges/types"
)

// requireBonded returns ErrNotBondedValidator unless acc operates a bonded validator.
func (k Keeper) requireBonded(ctx context.Context, acc sdk.AccAddress) error {
	v, err := k.staking.GetValidator(ctx, sdk.ValAddress(acc))
	if err != nil || !v.IsBonded() {
		return errorsmod.Wrapf(types.ErrNotBondedValidator, "%s", acc)
	}
	return nil
}

func (k Keeper) postCount(ctx context.Context, epoch uint64, poster sdk.AccAddress) (uint32, error) {
	n, err := k.PostCounts.Get(ctx, collections.Join(epoch, poster))
	if errors.Is(err, collections.ErrNotFound) {
		return 0, nil
	}
	return n, err
}

// PostChallenge checks everything (including that at least min_miners candidates exist
// now), then escrows the deposit and stores the challenge INVITING: the miners are drawn
// in the next block's EndBlock, seeded by the hash of the block holding this post. A
// rejection writes nothing.
func (k Keeper) PostChallenge(ctx context.Context, msg *types.MsgPostChallenge) (*types.MsgPostChallengeResponse, error) {
	poster, err := sdk.AccAddressFromBech32(msg.Poster)
	if err != nil {
		return nil, errorsmod.Wrapf(types.ErrInvalidAddress, "poster: %v", err)
	}
	p, err := k.Params.Get(ctx)
	if err != nil {
		return nil, err
	}
	if err := msg.ValidatePost(p); err != nil {
		return nil, err
	}
	if err := k.requireBonded(ctx, poster); err != nil {
		return nil, err
	}
	epoch, err := k.Epoch.Get(ctx)
	if err != nil {
		return nil, err
	}
	count, err := k.postCount(ctx, epoch, poster)
	if err != nil {
		return nil, err
	}
	if count >= p.MaxChallengesPerPosterPerEpoch {
		return nil, errorsmod.Wrapf(types.ErrEpochLimit, "%d challenges in epoch %d", count, epoch)
	}
	deposit := sdk.NewCoins(p.PostingDeposit)
	if !k.bank.SpendableCoins(ctx, poster).IsAllGTE(deposit) {
		return nil, errorsmod.Wrapf(types.ErrInsufficientDeposit, "need %s", p.PostingDeposit)
	}
	id, err := k.NextChallengeID.Get(ctx)
	if err != nil {
		return nil, err
	}
	cands, err := k.candidates(ctx, p, poster, inviteSeed(ctx, id))
	if err != nil {
		return nil, err
	}
	if len(cands) < int(msg.MinMiners) {
		return nil, errorsmod.Wrapf(types.ErrNotEnoughMiners, "%d available, min_miners %d", len(cands), msg.MinMiners)
	}

	// writes
	if !deposit.IsZero() {
		if err := k.bank.SendCoinsFromAccountToModule(ctx, poster, types.ModuleName, deposit); err != nil {
			return nil, err
		}
	}
	h := height(ctx)
	c := types.Challenge{
		Id: id, Poster: msg.Poster, TaskType: msg.TaskType, Snapshot: msg.Snapshot,
		ProblemStatement: msg.ProblemStatement, ContextPaths: msg.ContextPaths, Checklist: msg.Checklist,
		TestCommand: msg.TestCommand, TestsCommitment: msg.TestsCommitment, MinMiners: msg.MinMiners,
		MaxMiners: msg.MaxMiners, ResponseWindowBlocks: msg.ResponseWindowBlocks,
		EvaluationWindowBlocks: msg.EvaluationWindowBlocks, Deposit: p.PostingDeposit, Epoch: epoch,
		PostedHeight: h, Status: types.CHALLENGE_STATUS_INVITING, InviteHeight: h + 1,
	}
	if err := k.Challenges.Set(ctx, id, c); err != nil {
		return nil, err
	}
	if err := k.NextChallengeID.Set(ctx, id+1); err != nil {
		return nil, err
	}
	if err := k.PostCounts.Set(ctx, collections.Join(epoch, poster), count+1); err != nil {
		return nil, err
	}
	if err := k.setQueue(ctx, id, 0, c.InviteHeight); err != nil {
		return nil, err
	}
	return &types.MsgPostChallengeResponse{ChallengeId: id}, nil
}

// inviteMiners draws the miners of an INVITING challenge (EndBlock at invite_height),
// opens its response window and emits EventChallengePosted; with fewer than min_miners
// candidates left it voids the challenge and returns the deposit.
func (k Keeper) inviteMiners(ctx context.Context, p types.Params, c *types.Challenge) error {
	poster, err := sdk.AccAddressFromBech32(c.Poster)
	if err != nil {
		return err
	}
	seed := inviteSeed(ctx, c.Id)
	cands, err := k.candidates(ctx, p, poster, seed)
	if err != nil {
		return err
	}
	invited := invite(seed, cands, int(c.MaxMiners))
	if len(invited) < int(c.MinMiners) {
		return k.void(ctx, p, c, types.VOID_REASON_NOT_ENOUGH_MINERS)
	}
	h := height(ctx)
	for _, inv := range invited {
		c.Invited = append(c.Invited, inv.id)
		if err := k.Answers.Set(ctx, collections.Join(c.Id, inv.id), types.Answer{
			ChallengeId: c.Id, NodeId: inv.id, Operator: inv.operator,
		}); err != nil {
			return err
		}
	}
	c.Status = types.CHALLENGE_STATUS_COMMIT
	c.CommitEndHeight = h + int64(c.ResponseWindowBlocks)
	c.RevealEndHeight = c.CommitEndHeight + int64(p.RevealWindowBlocks)
	c.TestsDeadlineHeight = c.RevealEndHeight + int64(p.TestsRevealWindowBlocks)
	if err := k.Queue.Set(ctx, collections.Join(c.CommitEndHeight, c.Id)); err != nil {
		return err
	}
	if err := k.Challenges.Set(ctx, c.Id, *c); err != nil {
		return err
	}
	return emit(ctx, &types.EventChallengePosted{
		ChallengeId: c.Id, Poster: c.Poster, TaskType: c.TaskType, Snapshot: c.Snapshot,
		ProblemStatement: c.ProblemStatement, ContextPaths: c.ContextPaths, Checklist: c.Checklist,
		TestCommand: c.TestCommand, Invited: c.Invited, CommitEndHeight: c.CommitEndHeight,
		RevealEndHeight: c.RevealEndHeight, MaxPatchBytes: p.MaxPatchBytes,
	})
}

// SetOptIn opts a node in to (or out of) invitations; only the node's operator may.
// Opting out does not withdraw the node from challenges it is already invited to.
func (k Keeper) SetOptIn(ctx context.Context, msg *types.MsgSetOptIn) error {
	if _, err := sdk.AccAddressFromBech32(msg.Operator); err != nil {
		return errorsmod.Wrapf(types.ErrInvalidAddress, "operator: %v", err)
	}
	if err := types.ValidateNodeID(msg.NodeId); err != nil {
		return err
	}
	n, err := k.nodes.GetNode(ctx, msg.NodeId)
	if err != nil {
		return errorsmod.Wrapf(types.ErrNodeNotFound, "%s", msg.NodeId)
	}
	if n.Operator != msg.Operator {
		return errorsmod.Wrapf(types.ErrNotNodeOperator, "node %s", msg.NodeId)
	}
	if err := k.setOptIn(ctx, msg.NodeId, msg.OptIn); err != nil {
		return err
	}
	return emit(ctx, &types.EventOptInSet{NodeId: msg.NodeId, Operator: msg.Operator, OptIn: msg.OptIn})
}
