package keeper

import (
	"context"
	"errors"

	"cosmossdk.io/collections"
	errorsmod "cosmossdk.io/errors"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/cortnet/cortd/x/challenges/types"
)

// SubmitScores stores one bonded evaluator's scores for a challenge in EVALUATING before
// its evaluation end: exactly one score per revealed patch, once per evaluator.
func (k Keeper) SubmitScores(ctx context.Context, msg *types.MsgSubmitScores) error {
	ev, err := sdk.AccAddressFromBech32(msg.Evaluator)
	if err != nil {
		return errorsmod.Wrapf(types.ErrInvalidAddress, "evaluator: %v", err)
	}
	if msg.ChallengeId == 0 {
		return types.ErrInvalidChallengeID
	}
	if err := types.ValidateScores(msg.Scores); err != nil {
		return err
	}
	if err := k.requireBonded(ctx, ev); err != nil {
		return err
	}
	c, err := k.GetChallenge(ctx, msg.ChallengeId)
	if err != nil {
		return err
	}
	if c.Status != types.CHALLENGE_STATUS_EVALUATING {
		if c.Status == types.CHALLENGE_STATUS_SCORED || c.Status == types.CHALLENGE_STATUS_VOID {
			return errorsmod.Wrapf(types.ErrDeadlinePassed, "challenge %d is %s", c.Id, c.Status)
		}
		return errorsmod.Wrapf(types.ErrWrongStatus, "challenge %d is %s", c.Id, c.Status)
	}
	if height(ctx) >= c.EvaluationEndHeight {
		return errorsmod.Wrapf(types.ErrDeadlinePassed, "evaluation ended at %d", c.EvaluationEndHeight)
	}
	key := collections.Join(c.Id, ev)
	if _, err := k.Submissions.Get(ctx, key); err == nil {
		return errorsmod.Wrapf(types.ErrAlreadyScored, "challenge %d", c.Id)
	} else if !errors.Is(err, collections.ErrNotFound) {
		return err
	}
	revealed, err := k.revealedNodes(ctx, c.Id)
	if err != nil {
		return err
	}
	if len(msg.Scores) != len(revealed) {
		return errorsmod.Wrapf(types.ErrInvalidScores, "%d scores for %d revealed patches", len(msg.Scores), len(revealed))
	}
	want := make(map[string]bool, len(revealed))
	for _, id := range revealed {
		want[id] = true
	}
	for _, s := range msg.Scores {
		if !want[s.NodeId] {
			return errorsmod.Wrapf(types.ErrInvalidScores, "node %s has no revealed patch in challenge %d", s.NodeId, c.Id)
		}
	}
	c.Evaluators++
	if err := k.Submissions.Set(ctx, key, types.ScoreSubmission{
		ChallengeId: c.Id, Evaluator: msg.Evaluator, Scores: msg.Scores, Height: height(ctx),
	}); err != nil {
		return err
	}
	if err := k.Challenges.Set(ctx, c.Id, c); err != nil {
		return err
	}
	return emit(ctx, &types.EventScoresSubmitted{ChallengeId: c.Id, Evaluator: msg.Evaluator})
}
