package keeper

import (
	"context"
	"encoding/hex"

	"cosmossdk.io/collections"
	errorsmod "cosmossdk.io/errors"
	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/cortnet/cortd/x/sessions/types"
)

// openCommitPhase closes precommits: reveals are allowed from the next block until the
// commit deadline. Nobody is assigned after this point, so no reveal can be copied into
// a new precommit. It runs in EndBlock (a precommit deadline, or the block that carried
// the task's last precommit: openCommitPhases); the caller stores the task.
func (k Keeper) openCommitPhase(ctx context.Context, p types.Params, t *types.Task) error {
	h := sdk.UnwrapSDKContext(ctx).BlockHeight()
	t.Status = types.TASK_STATUS_COMMIT
	return k.setDeadline(ctx, t, h+p.CommitWindowBlocks)
}

// markMissed moves the assignments in status from to the missed status to, unindexes them
// and emits EventNodeMissed. It returns how many moved.
func (k Keeper) markMissed(ctx context.Context, t *types.Task, from, to types.AssignmentStatus) (int, error) {
	n := 0
	for i := range t.Assignments {
		a := &t.Assignments[i]
		if a.Status != from {
			continue
		}
		a.Status = to
		n++
		if err := k.NodeTasks.Remove(ctx, collections.Join(a.NodeId, t.Id)); err != nil {
			return n, err
		}
		if err := emit(ctx, &types.EventNodeMissed{TaskId: t.Id, NodeId: a.NodeId, Status: to}); err != nil {
			return n, err
		}
	}
	return n, nil
}

// onDeadline handles a task whose deadline has come: see the state table in README.md.
func (k Keeper) onDeadline(ctx context.Context, p types.Params, a *assigner, t types.Task) error {
	switch t.Status {
	case types.TASK_STATUS_QUEUED:
		return k.endTask(ctx, p, &t, types.TASK_STATUS_EXPIRED, nil)
	case types.TASK_STATUS_PRECOMMIT:
		missed, err := k.markMissed(ctx, &t, types.ASSIGNMENT_STATUS_ASSIGNED, types.ASSIGNMENT_STATUS_MISSED_PRECOMMIT)
		if err != nil {
			return err
		}
		allowed := int(p.MaxReassignments) - int(t.Reassignments)
		if allowed > missed {
			allowed = missed
		}
		if allowed > 0 {
			sess, err := k.Sessions.Get(ctx, t.SessionId)
			if err != nil {
				return err
			}
			picked := a.pick(ctx, t, sess.MinLevel, allowed)
			if len(picked) > 0 {
				t.Reassignments += uint32(len(picked))
				if err := k.addAssignments(ctx, p, &t, picked); err != nil {
					return err
				}
				return k.Tasks.Set(ctx, t.Id, t)
			}
		}
		sess, err := k.Sessions.Get(ctx, t.SessionId)
		if err != nil {
			return err
		}
		if countStatus(t, types.ASSIGNMENT_STATUS_PRECOMMITTED) < int(sess.Quorum) {
			return k.endTask(ctx, p, &t, types.TASK_STATUS_ABANDONED, nil)
		}
		if err := k.openCommitPhase(ctx, p, &t); err != nil {
			return err
		}
		// announced with the block's other openings (openCommitPhases)
		if err := k.Precommitted.Set(ctx, collections.Join(sdk.UnwrapSDKContext(ctx).BlockHeight(), t.Id)); err != nil {
			return err
		}
		return k.Tasks.Set(ctx, t.Id, t)
	case types.TASK_STATUS_COMMIT:
		if _, err := k.markMissed(ctx, &t, types.ASSIGNMENT_STATUS_PRECOMMITTED, types.ASSIGNMENT_STATUS_MISSED_COMMIT); err != nil {
			return err
		}
		return k.validate(ctx, p, t)
	default:
		// an ended task has no deadline key; nothing to do
		return nil
	}
}

// validate judges the committed results in assignment order and ends the task. The
// task's mode picks the judge: embedding similarity to the medoid at the model's threshold,
// or identity with the largest group of equal results (exact). Either verdict names the
// consensus result and the results that agree with it; the rest of the rules are shared.
func (k Keeper) validate(ctx context.Context, p types.Params, t types.Task) error {
	sess, err := k.Sessions.Get(ctx, t.SessionId)
	if err != nil {
		return err
	}
	var idx []int
	var vs [][]int32
	var exact []types.ExactResult
	var texts []string
	for i, a := range t.Assignments {
		if a.Status != types.ASSIGNMENT_STATUS_COMMITTED {
			continue
		}
		r, err := k.Results.Get(ctx, collections.Join(t.Id, a.NodeId))
		if err != nil {
			return err
		}
		idx = append(idx, i)
		vs = append(vs, r.Embedding)
		exact = append(exact, types.ExactResult{ResultSha256: a.ResultSha256, Embedding: r.Embedding, CompletionTokens: a.CompletionTokens})
		texts = append(texts, r.ResultText)
	}
	var v types.Verdict
	if t.Verification.Effective() == types.VERIFICATION_MODE_EXACT {
		v = types.JudgeExact(exact)
	} else {
		v = types.Judge(vs, p.SimilarityThresholdFor(t.ModelId))
	}
	validated := len(vs) >= int(sess.Quorum) && v.Passed >= int(sess.Quorum)
	var payees []string
	for j, i := range idx {
		a := &t.Assignments[i]
		switch {
		case validated && v.Pass[j]:
			a.Status = types.ASSIGNMENT_STATUS_VALIDATED
			payees = append(payees, a.Operator)
			if err := k.record(ctx, k.nodes.RecordValidated, a.NodeId); err != nil {
				return err
			}
		case !v.Pass[j]:
			a.Status = types.ASSIGNMENT_STATUS_REJECTED
			if err := k.record(ctx, k.nodes.RecordRejected, a.NodeId); err != nil {
				return err
			}
		default:
			// agreed with the consensus of a task that missed its quorum: unpaid, no stat
			a.Status = types.ASSIGNMENT_STATUS_REJECTED
		}
	}
	if !validated {
		return k.endTask(ctx, p, &t, types.TASK_STATUS_FAILED, nil)
	}
	m := t.Assignments[idx[v.Medoid]]
	t.ConsensusNode = m.NodeId
	t.ResultText = texts[v.Medoid]
	t.ResultSha256 = m.ResultSha256
	return k.endTask(ctx, p, &t, types.TASK_STATUS_VALIDATED, payees)
}

// endTask moves a task to a terminal state: settles its reservation (price to each payee,
// the rest back to the session), unindexes it, schedules its pruning, updates the session
// (closing it when it was closing and this was its last task) and emits the receipt.
func (k Keeper) endTask(ctx context.Context, p types.Params, t *types.Task, status types.TaskStatus, payees []string) error {
	h := sdk.UnwrapSDKContext(ctx).BlockHeight()
	sess, err := k.Sessions.Get(ctx, t.SessionId)
	if err != nil {
		return err
	}
	wasQueued := t.Status == types.TASK_STATUS_QUEUED
	// Overflow-checked (Settle checks the same product against the reservation).
	paid, err := sess.PricePerTask.SafeMul(sdkmath.NewIntFromUint64(uint64(len(payees))))
	if err != nil {
		return errorsmod.Wrapf(types.ErrInvalidPrice, "task %d: price × payees: %v", t.Id, err)
	}
	if err := k.payments.Settle(ctx, t.SessionId, t.Id, t.Reserved, sess.PricePerTask, payees); err != nil {
		return err
	}
	t.Paid = paid
	t.Status = status
	t.EndedHeight = h
	if err := k.Deadlines.Remove(ctx, collections.Join(t.Deadline, t.Id)); err != nil {
		return err
	}
	t.Deadline = 0
	if wasQueued {
		if err := k.Queue.Remove(ctx, collections.Join(t.ReadyHeight, t.Id)); err != nil {
			return err
		}
		sess.Queued--
	} else {
		sess.Running--
	}
	for _, a := range t.Assignments {
		if err := k.NodeTasks.Remove(ctx, collections.Join(a.NodeId, t.Id)); err != nil {
			return err
		}
	}
	if err := k.PruneQueue.Set(ctx, collections.Join(h+p.RetentionBlocks, t.Id)); err != nil {
		return err
	}
	if err := k.queueAuditDraw(ctx, p, t, h); err != nil {
		return err
	}
	switch status {
	case types.TASK_STATUS_VALIDATED:
		sess.TasksValidated++
	case types.TASK_STATUS_EXPIRED:
		sess.TasksExpired++
	default:
		sess.TasksFailed++
	}
	if sess.Status == types.SESSION_STATUS_CLOSING && sess.Queued+sess.Running == 0 {
		if _, err := k.finishClose(ctx, &sess); err != nil {
			return err
		}
	}
	if err := k.Sessions.Set(ctx, sess.Id, sess); err != nil {
		return err
	}
	if err := k.Tasks.Set(ctx, t.Id, *t); err != nil {
		return err
	}
	return emit(ctx, &types.EventTaskEnded{
		TaskId: t.Id, SessionId: t.SessionId, Status: status, ConsensusNode: t.ConsensusNode,
		ResultText: t.ResultText, ResultSha256: hex.EncodeToString(t.ResultSha256), Height: h,
		ValidatedNodes: validatedNodes(*t), Paid: t.Paid.String(),
	})
}

func validatedNodes(t types.Task) []string {
	var out []string
	for _, a := range t.Assignments {
		if a.Status == types.ASSIGNMENT_STATUS_VALIDATED {
			out = append(out, a.NodeId)
		}
	}
	return out
}
