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

// assignmentFor finds the node's assignment on the task and checks that sender is the
// node's key or its operator.
func (k Keeper) assignmentFor(ctx context.Context, t *types.Task, nodeID, sender string) (int, error) {
	idx := -1
	for i := range t.Assignments {
		if t.Assignments[i].NodeId == nodeID {
			idx = i
		}
	}
	if idx < 0 {
		return -1, errorsmod.Wrapf(types.ErrNotAssigned, "node %q on task %d", nodeID, t.Id)
	}
	n, err := k.nodes.GetNode(ctx, nodeID)
	if err != nil {
		return -1, err
	}
	if sender != n.NodeAddress && sender != n.Operator {
		return -1, errorsmod.Wrapf(types.ErrNotNodeKey, "node %q signs with %s or %s", nodeID, n.NodeAddress, n.Operator)
	}
	return idx, nil
}

// Precommit stores an assigned node's hash. When every live assignment has precommitted
// the commit phase opens at once.
func (s msgServer) Precommit(ctx context.Context, msg *types.MsgPrecommit) (*types.MsgPrecommitResponse, error) {
	if err := msg.ValidateBasic(); err != nil {
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
	case types.ASSIGNMENT_STATUS_ASSIGNED:
	case types.ASSIGNMENT_STATUS_PRECOMMITTED, types.ASSIGNMENT_STATUS_COMMITTED:
		return nil, errorsmod.Wrapf(types.ErrAlreadyPrecommitted, "node %q on task %d", a.NodeId, t.Id)
	default:
		return nil, errorsmod.Wrapf(types.ErrLate, "node %q on task %d is %s", a.NodeId, t.Id, a.Status)
	}
	if t.Status != types.TASK_STATUS_PRECOMMIT {
		return nil, errorsmod.Wrapf(types.ErrWrongPhase, "task %d is %s", t.Id, t.Status)
	}
	h := sdk.UnwrapSDKContext(ctx).BlockHeight()
	if h > t.Deadline {
		return nil, errorsmod.Wrapf(types.ErrLate, "precommit window of task %d closed at %d", t.Id, t.Deadline)
	}
	for _, o := range t.Assignments {
		if bytes.Equal(o.PrecommitHash, msg.Hash) {
			return nil, errorsmod.Wrapf(types.ErrDuplicateHash, "task %d", t.Id)
		}
	}
	err = atomic(ctx, func(ctx sdk.Context) error {
		a.Status = types.ASSIGNMENT_STATUS_PRECOMMITTED
		a.PrecommitHash = msg.Hash
		a.PrecommitHeight = h
		if err := s.recordOnTime(ctx, s.nodes.RecordPrecommit, a.NodeId); err != nil {
			return err
		}
		if err := emit(ctx, &types.EventPrecommitted{TaskId: t.Id, NodeId: a.NodeId}); err != nil {
			return err
		}
		if countStatus(t, types.ASSIGNMENT_STATUS_ASSIGNED) == 0 {
			p, err := s.Params.Get(ctx)
			if err != nil {
				return err
			}
			if err := s.openCommitPhase(ctx, p, &t); err != nil {
				return err
			}
		}
		return s.Tasks.Set(ctx, t.Id, t)
	})
	if err != nil {
		return nil, err
	}
	return &types.MsgPrecommitResponse{}, nil
}

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

func countStatus(t types.Task, st types.AssignmentStatus) int {
	n := 0
	for _, a := range t.Assignments {
		if a.Status == st {
			n++
		}
	}
	return n
}
