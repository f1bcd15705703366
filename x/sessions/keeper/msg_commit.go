package keeper

import (
	"bytes"
	"context"
	"crypto/sha256"

	"cosmossdk.io/collections"
	errorsmod "cosmossdk.io/errors"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/cortnet/cortd/x/sessions/types"
)

// Commit reveals a precommitted result. It must reproduce the precommit hash and carry a
// normalised embedding of the model's dimension. When every precommitted node has
// committed, validation is scheduled for this block's EndBlock.
func (s msgServer) Commit(ctx context.Context, msg *types.MsgCommit) (*types.MsgCommitResponse, error) {
	if err := msg.ValidateBasic(); err != nil {
		return nil, err
	}
	p, err := s.Params.Get(ctx)
	if err != nil {
		return nil, err
	}
	t, err := s.GetTask(ctx, msg.TaskId)
	if err != nil {
		return nil, err
	}
	idx, err := s.assignmentFor(ctx, &t, msg.NodeId, msg.Sender)
	if err != nil {
		return nil, err
	}
	a := &t.Assignments[idx]
	switch a.Status {
	case types.ASSIGNMENT_STATUS_PRECOMMITTED:
	case types.ASSIGNMENT_STATUS_COMMITTED, types.ASSIGNMENT_STATUS_VALIDATED, types.ASSIGNMENT_STATUS_REJECTED:
		return nil, errorsmod.Wrapf(types.ErrAlreadyCommitted, "node %q on task %d", a.NodeId, t.Id)
	case types.ASSIGNMENT_STATUS_MISSED_COMMIT:
		return nil, errorsmod.Wrapf(types.ErrLate, "commit window of task %d closed", t.Id)
	default:
		return nil, errorsmod.Wrapf(types.ErrNoPrecommit, "node %q on task %d is %s", a.NodeId, t.Id, a.Status)
	}
	if t.Status != types.TASK_STATUS_COMMIT {
		return nil, errorsmod.Wrapf(types.ErrWrongPhase, "task %d is %s: reveals wait for the commit phase", t.Id, t.Status)
	}
	h := sdk.UnwrapSDKContext(ctx).BlockHeight()
	if h > t.Deadline {
		return nil, errorsmod.Wrapf(types.ErrLate, "commit window of task %d closed at %d", t.Id, t.Deadline)
	}
	if len(msg.ResultText) > int(p.MaxResultBytes) {
		return nil, errorsmod.Wrapf(types.ErrInvalidResult, "result of %d bytes > %d", len(msg.ResultText), p.MaxResultBytes)
	}
	if msg.CompletionTokens > uint64(t.Sampling.MaxTokens) {
		return nil, errorsmod.Wrapf(types.ErrInvalidResult, "completion_tokens %d > max_tokens %d", msg.CompletionTokens, t.Sampling.MaxTokens)
	}
	if t.PromptType == types.PromptTypeEmbedding {
		if err := types.CheckEmbeddingResult(t.Prompt, msg.ResultText, msg.CompletionTokens); err != nil {
			return nil, err
		}
	}
	if err := types.CheckEmbedding(msg.Embedding, t.EmbeddingDim, p.NormTolerance); err != nil {
		return nil, err
	}
	want := types.PrecommitHash(t.Id, a.NodeId, msg.ResultText, msg.Embedding, msg.PromptTokens, msg.CompletionTokens, msg.Salt)
	if !bytes.Equal(want, a.PrecommitHash) {
		return nil, errorsmod.Wrapf(types.ErrHashMismatch, "node %q on task %d", a.NodeId, t.Id)
	}
	err = atomic(ctx, func(ctx sdk.Context) error {
		sum := sha256.Sum256([]byte(msg.ResultText))
		a.Status = types.ASSIGNMENT_STATUS_COMMITTED
		a.CommitHeight = h
		a.PromptTokens = msg.PromptTokens
		a.CompletionTokens = msg.CompletionTokens
		a.ResultSha256 = sum[:]
		if err := s.Results.Set(ctx, collections.Join(t.Id, a.NodeId), types.Result{
			ResultText: msg.ResultText, Embedding: msg.Embedding, Salt: msg.Salt,
		}); err != nil {
			return err
		}
		if err := s.recordOnTime(ctx, s.nodes.RecordCommit, a.NodeId); err != nil {
			return err
		}
		if err := emit(ctx, &types.EventCommitted{TaskId: t.Id, NodeId: a.NodeId}); err != nil {
			return err
		}
		if countStatus(t, types.ASSIGNMENT_STATUS_PRECOMMITTED) == 0 {
			// everyone revealed: validate in this block's EndBlock
			if err := s.setDeadline(ctx, &t, h); err != nil {
				return err
			}
		}
		return s.Tasks.Set(ctx, t.Id, t)
	})
	if err != nil {
		return nil, err
	}
	return &types.MsgCommitResponse{}, nil
}
