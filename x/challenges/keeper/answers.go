package keeper

import (
	"context"
	"errors"

	"cosmossdk.io/collections"
	errorsmod "cosmossdk.io/errors"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/cortnet/cortd/x/challenges/types"
)

// answerFor loads the challenge and the invited node's answer, and checks that sender is
// the node's operator or node address (as x/nodes has them now).
func (k Keeper) answerFor(ctx context.Context, sender string, challengeID uint64, nodeID string) (types.Challenge, types.Answer, error) {
	if _, err := sdk.AccAddressFromBech32(sender); err != nil {
		return types.Challenge{}, types.Answer{}, errorsmod.Wrapf(types.ErrInvalidAddress, "sender: %v", err)
	}
	if challengeID == 0 {
		return types.Challenge{}, types.Answer{}, types.ErrInvalidChallengeID
	}
	if err := types.ValidateNodeID(nodeID); err != nil {
		return types.Challenge{}, types.Answer{}, err
	}
	c, err := k.GetChallenge(ctx, challengeID)
	if err != nil {
		return c, types.Answer{}, err
	}
	if c.Status == types.CHALLENGE_STATUS_INVITING {
		return c, types.Answer{}, errorsmod.Wrapf(types.ErrTooEarly, "challenge %d invites its miners at %d", c.Id, c.InviteHeight)
	}
	a, err := k.Answers.Get(ctx, collections.Join(challengeID, nodeID))
	if errors.Is(err, collections.ErrNotFound) {
		return c, a, errorsmod.Wrapf(types.ErrNotInvited, "node %s, challenge %d", nodeID, challengeID)
	}
	if err != nil {
		return c, a, err
	}
	n, err := k.nodes.GetNode(ctx, nodeID)
	if err != nil {
		return c, a, errorsmod.Wrapf(types.ErrNodeNotFound, "%s", nodeID)
	}
	if sender != n.Operator && sender != n.NodeAddress {
		return c, a, errorsmod.Wrapf(types.ErrNotNodeKey, "node %s", nodeID)
	}
	return c, a, nil
}

// CommitPatch records sha256(patch ‖ salt) for an invited node inside the response window.
func (k Keeper) CommitPatch(ctx context.Context, msg *types.MsgCommitPatch) error {
	if err := types.ValidateSha256Hex("commitment", msg.Commitment); err != nil {
		return err
	}
	c, a, err := k.answerFor(ctx, msg.Sender, msg.ChallengeId, msg.NodeId)
	if err != nil {
		return err
	}
	h := height(ctx)
	if c.Status != types.CHALLENGE_STATUS_COMMIT || h >= c.CommitEndHeight {
		return errorsmod.Wrapf(types.ErrDeadlinePassed, "response window closed at %d", c.CommitEndHeight)
	}
	if a.Commitment != "" {
		return errorsmod.Wrapf(types.ErrAlreadyCommitted, "node %s", msg.NodeId)
	}
	a.Commitment, a.CommitHeight = msg.Commitment, h
	c.Commits++
	if err := k.Answers.Set(ctx, collections.Join(c.Id, a.NodeId), a); err != nil {
		return err
	}
	if err := k.Challenges.Set(ctx, c.Id, c); err != nil {
		return err
	}
	return emit(ctx, &types.EventPatchCommitted{ChallengeId: c.Id, NodeId: a.NodeId, Commitment: a.Commitment})
}

// RevealPatch stores the patch if sha256(patch ‖ salt) matches the commitment, after the
// response window and before the reveal deadline. A mismatch or a late reveal is
// rejected; an answer never revealed scores zero. A context-selection answer must be a
// canonical file list (types.ParseFileList: at most max_answer_files paths).
func (k Keeper) RevealPatch(ctx context.Context, msg *types.MsgRevealPatch) error {
	salt, err := types.DecodeSalt(msg.Salt)
	if err != nil {
		return err
	}
	if len(msg.Patch) == 0 {
		return types.ErrEmptyPatch
	}
	p, err := k.Params.Get(ctx)
	if err != nil {
		return err
	}
	if len(msg.Patch) > int(p.MaxPatchBytes) {
		return errorsmod.Wrapf(types.ErrPatchTooLarge, "%d bytes, max %d", len(msg.Patch), p.MaxPatchBytes)
	}
	c, a, err := k.answerFor(ctx, msg.Sender, msg.ChallengeId, msg.NodeId)
	if err != nil {
		return err
	}
	h := height(ctx)
	if c.Status != types.CHALLENGE_STATUS_COMMIT && c.Status != types.CHALLENGE_STATUS_REVEAL {
		return errorsmod.Wrapf(types.ErrDeadlinePassed, "challenge %d is %s", c.Id, c.Status)
	}
	if h < c.CommitEndHeight {
		return errorsmod.Wrapf(types.ErrTooEarly, "reveals open at %d", c.CommitEndHeight)
	}
	if h >= c.RevealEndHeight {
		return errorsmod.Wrapf(types.ErrDeadlinePassed, "reveals closed at %d", c.RevealEndHeight)
	}
	if a.Commitment == "" {
		return errorsmod.Wrapf(types.ErrNotCommitted, "node %s", msg.NodeId)
	}
	if a.Revealed {
		return errorsmod.Wrapf(types.ErrAlreadyRevealed, "node %s", msg.NodeId)
	}
	if c.TaskType == types.TASK_TYPE_CONTEXT_SELECTION {
		// The answer is a file list: only its canonical encoding is accepted.
		if _, err := types.ParseFileList(msg.Patch, p.MaxAnswerFiles, p.MaxPathBytes); err != nil {
			return errorsmod.Wrapf(err, "node %s", msg.NodeId)
		}
	}
	if types.PatchCommitment(msg.Patch, salt) != a.Commitment {
		return errorsmod.Wrapf(types.ErrCommitmentMismatch, "node %s", msg.NodeId)
	}
	a.Patch, a.Salt, a.RevealHeight, a.Revealed = msg.Patch, msg.Salt, h, true
	a.PatchSha256 = types.Sha256Hex(msg.Patch)
	c.Reveals++
	if err := k.Answers.Set(ctx, collections.Join(c.Id, a.NodeId), a); err != nil {
		return err
	}
	if err := k.Challenges.Set(ctx, c.Id, c); err != nil {
		return err
	}
	return emit(ctx, &types.EventPatchRevealed{
		ChallengeId: c.Id, NodeId: a.NodeId, PatchSha256: a.PatchSha256, PatchBytes: uint64(len(a.Patch)),
	})
}

// revealedNodes lists the nodes with a revealed patch, in node id order.
func (k Keeper) revealedNodes(ctx context.Context, id uint64) ([]string, error) {
	var out []string
	err := k.Answers.Walk(ctx, collections.NewPrefixedPairRange[uint64, string](id),
		func(_ collections.Pair[uint64, string], a types.Answer) (bool, error) {
			if a.Revealed {
				out = append(out, a.NodeId)
			}
			return false, nil
		})
	return out, err
}
