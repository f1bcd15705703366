package keeper

import (
	"bytes"
	"context"

	"cosmossdk.io/collections"
	errorsmod "cosmossdk.io/errors"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/cortnet/cortd/x/sessions/types"
)

// Precommit stores an assigned node's hash and records that the task was precommitted
// in this block. When every live assignment has precommitted, the block's EndBlock opens
// the commit phase (openCommitPhases): reveals are accepted from the next block, and
// every precommit costs the same gas whether or not it is the task's last, so a
// miner's simulated or predicted gas holds in the block whatever order the txs land in
// (the last one used to pay for the opening: ~45 % more gas than a simulation made
// before the other miners' precommits).
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
		if err := s.Precommitted.Set(ctx, collections.Join(h, t.Id)); err != nil {
			return err
		}
		return s.Tasks.Set(ctx, t.Id, t)
	})
	if err != nil {
		return nil, err
	}
	return &types.MsgPrecommitResponse{}, nil
}
