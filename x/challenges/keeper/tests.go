package keeper

import (
	"context"

	errorsmod "cosmossdk.io/errors"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/cortnet/cortd/x/challenges/types"
)

// RevealTests reveals the hidden tests: only the poster, after the reveals closed and
// before the tests deadline, with sha256(tests sha256 ‖ salt) equal to the commitment.
// The challenge moves to EVALUATING and the posting deposit returns to the poster.
func (k Keeper) RevealTests(ctx context.Context, msg *types.MsgRevealTests) (*types.MsgRevealTestsResponse, error) {
	poster, err := sdk.AccAddressFromBech32(msg.Poster)
	if err != nil {
		return nil, errorsmod.Wrapf(types.ErrInvalidAddress, "poster: %v", err)
	}
	if msg.ChallengeId == 0 {
		return nil, types.ErrInvalidChallengeID
	}
	p, err := k.Params.Get(ctx)
	if err != nil {
		return nil, err
	}
	if err := types.ValidateURL("tests url", msg.TestsUrl, p); err != nil {
		return nil, err
	}
	if err := types.ValidateSha256Hex("tests sha256", msg.TestsSha256); err != nil {
		return nil, err
	}
	if msg.TestsSizeBytes == 0 || msg.TestsSizeBytes > p.MaxTestsBytes {
		return nil, errorsmod.Wrapf(types.ErrFieldTooLarge, "tests archive size must be in [1, %d]", p.MaxTestsBytes)
	}
	salt, err := types.DecodeSalt(msg.Salt)
	if err != nil {
		return nil, err
	}
	c, err := k.GetChallenge(ctx, msg.ChallengeId)
	if err != nil {
		return nil, err
	}
	if c.Poster != msg.Poster {
		return nil, errorsmod.Wrapf(types.ErrNotPoster, "challenge %d", c.Id)
	}
	h := height(ctx)
	switch c.Status {
	case types.CHALLENGE_STATUS_COMMIT, types.CHALLENGE_STATUS_REVEAL, types.CHALLENGE_STATUS_TESTS:
	default:
		return nil, errorsmod.Wrapf(types.ErrWrongStatus, "challenge %d is %s", c.Id, c.Status)
	}
	if h < c.RevealEndHeight {
		return nil, errorsmod.Wrapf(types.ErrTooEarly, "tests may be revealed from %d", c.RevealEndHeight)
	}
	if h >= c.TestsDeadlineHeight {
		return nil, errorsmod.Wrapf(types.ErrDeadlinePassed, "tests deadline was %d", c.TestsDeadlineHeight)
	}
	if c.Reveals == 0 {
		return nil, errorsmod.Wrapf(types.ErrWrongStatus, "challenge %d has no revealed patch (it is voided)", c.Id)
	}
	if types.TestsCommitment(msg.TestsSha256, salt) != c.TestsCommitment {
		return nil, errorsmod.Wrapf(types.ErrTestsMismatch, "challenge %d", c.Id)
	}
	nodes, err := k.revealedNodes(ctx, c.Id)
	if err != nil {
		return nil, err
	}

	// writes
	if err := k.returnDeposit(ctx, &c, poster); err != nil {
		return nil, err
	}
	old := queueHeight(c)
	c.TestsUrl, c.TestsSha256, c.TestsSizeBytes, c.TestsSalt = msg.TestsUrl, msg.TestsSha256, msg.TestsSizeBytes, msg.Salt
	c.Status = types.CHALLENGE_STATUS_EVALUATING
	c.EvaluationEndHeight = h + int64(c.EvaluationWindowBlocks)
	if err := k.setQueue(ctx, c.Id, old, c.EvaluationEndHeight); err != nil {
		return nil, err
	}
	if err := k.Challenges.Set(ctx, c.Id, c); err != nil {
		return nil, err
	}
	if err := emit(ctx, &types.EventTestsRevealed{
		ChallengeId: c.Id, TestsUrl: c.TestsUrl, TestsSha256: c.TestsSha256, TestsSizeBytes: c.TestsSizeBytes,
		EvaluationEndHeight: c.EvaluationEndHeight, RevealedNodes: nodes,
	}); err != nil {
		return nil, err
	}
	return &types.MsgRevealTestsResponse{EvaluationEndHeight: c.EvaluationEndHeight}, nil
}

// returnDeposit pays the escrowed deposit back to the poster.
func (k Keeper) returnDeposit(ctx context.Context, c *types.Challenge, poster sdk.AccAddress) error {
	if c.DepositReturned {
		return nil
	}
	if c.Deposit.IsPositive() {
		if err := k.bank.SendCoinsFromModuleToAccount(ctx, types.ModuleName, poster, sdk.NewCoins(c.Deposit)); err != nil {
			return err
		}
	}
	c.DepositReturned = true
	return nil
}

// queueHeight is the height of a challenge's one queue entry in its current status.
func queueHeight(c types.Challenge) int64 {
	switch c.Status {
	case types.CHALLENGE_STATUS_INVITING:
		return c.InviteHeight
	case types.CHALLENGE_STATUS_COMMIT:
		return c.CommitEndHeight
	case types.CHALLENGE_STATUS_REVEAL:
		return c.RevealEndHeight
	case types.CHALLENGE_STATUS_TESTS:
		return c.TestsDeadlineHeight
	case types.CHALLENGE_STATUS_EVALUATING:
		return c.EvaluationEndHeight
	default:
		return c.PruneHeight
	}
}
