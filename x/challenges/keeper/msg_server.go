package keeper

import (
	"context"

	errorsmod "cosmossdk.io/errors"

	"github.com/cortnet/cortd/x/challenges/types"
)

type msgServer struct {
	Keeper
}

var _ types.MsgServer = msgServer{}

// NewMsgServerImpl returns the x/challenges Msg service.
func NewMsgServerImpl(k Keeper) types.MsgServer { return msgServer{Keeper: k} }

// SetOptIn opts a node in to or out of invitations.
func (s msgServer) SetOptIn(ctx context.Context, msg *types.MsgSetOptIn) (*types.MsgSetOptInResponse, error) {
	if err := s.Keeper.SetOptIn(ctx, msg); err != nil {
		return nil, err
	}
	return &types.MsgSetOptInResponse{}, nil
}

// PostChallenge posts a challenge.
func (s msgServer) PostChallenge(ctx context.Context, msg *types.MsgPostChallenge) (*types.MsgPostChallengeResponse, error) {
	return s.Keeper.PostChallenge(ctx, msg)
}

// CommitPatch commits a patch hash.
func (s msgServer) CommitPatch(ctx context.Context, msg *types.MsgCommitPatch) (*types.MsgCommitPatchResponse, error) {
	if err := s.Keeper.CommitPatch(ctx, msg); err != nil {
		return nil, err
	}
	return &types.MsgCommitPatchResponse{}, nil
}

// RevealPatch reveals a patch.
func (s msgServer) RevealPatch(ctx context.Context, msg *types.MsgRevealPatch) (*types.MsgRevealPatchResponse, error) {
	if err := s.Keeper.RevealPatch(ctx, msg); err != nil {
		return nil, err
	}
	return &types.MsgRevealPatchResponse{}, nil
}

// RevealTests reveals the hidden tests.
func (s msgServer) RevealTests(ctx context.Context, msg *types.MsgRevealTests) (*types.MsgRevealTestsResponse, error) {
	return s.Keeper.RevealTests(ctx, msg)
}

// SubmitScores submits an evaluator's scores.
func (s msgServer) SubmitScores(ctx context.Context, msg *types.MsgSubmitScores) (*types.MsgSubmitScoresResponse, error) {
	if err := s.Keeper.SubmitScores(ctx, msg); err != nil {
		return nil, err
	}
	return &types.MsgSubmitScoresResponse{}, nil
}

// WithdrawRewards pays a node's pending rewards to its operator.
func (s msgServer) WithdrawRewards(ctx context.Context, msg *types.MsgWithdrawRewards) (*types.MsgWithdrawRewardsResponse, error) {
	coin, err := s.Keeper.WithdrawRewards(ctx, msg)
	if err != nil {
		return nil, err
	}
	return &types.MsgWithdrawRewardsResponse{Amount: coin}, nil
}

// UpdateParams replaces the params; authority only. Windows and sizes apply to messages
// and challenges posted afterwards; the epoch identifier to the next epoch end.
func (s msgServer) UpdateParams(ctx context.Context, msg *types.MsgUpdateParams) (*types.MsgUpdateParamsResponse, error) {
	if msg.Authority != s.authority {
		return nil, errorsmod.Wrapf(types.ErrUnauthorized, "expected %s, got %s", s.authority, msg.Authority)
	}
	if err := msg.Params.Validate(); err != nil {
		return nil, err
	}
	if err := s.checkMintShareTotal(ctx, msg.Params.MintShare); err != nil {
		return nil, err
	}
	if err := s.Params.Set(ctx, msg.Params); err != nil {
		return nil, err
	}
	if err := emit(ctx, &types.EventParamsUpdated{Params: msg.Params}); err != nil {
		return nil, err
	}
	return &types.MsgUpdateParamsResponse{}, nil
}
