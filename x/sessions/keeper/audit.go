package keeper

import (
	"context"
	"strconv"

	"cosmossdk.io/collections"

	sdk "github.com/cosmos/cosmos-sdk/types"

	auditstypes "github.com/cortnet/cortd/x/audits/types"
	"github.com/cortnet/cortd/x/internal/seed"
	"github.com/cortnet/cortd/x/sessions/types"
)

// Session audits, the sampling side (README "Session audits"): a task that ends VALIDATED
// waits in AuditQueue for the EndBlock of the next height, where a draw from that
// height's seed decides whether it gets an x/audits audit. While the audit is open the
// task's pruning is deferred, so the auditor and the voters can read its results.

// auditsRef holds the x/audits keeper, set after construction (x/audits is built after
// x/sessions in app.go). Shared by pointer among keeper copies.
type auditsRef struct{ k types.AuditsKeeper }

// SetAudits gives the keeper the x/audits keeper it opens audits with. Call once, at app
// construction, before the keeper is copied into modules. Without it no audit is opened
// (sampled tasks are marked SKIPPED).
func (k Keeper) SetAudits(a types.AuditsKeeper) {
	if k.audits.k != nil {
		panic("x/sessions: SetAudits called twice")
	}
	k.audits.k = a
}

// AuditSampled is the sampling rule: with seed = sha256(AuditSeedDomain ‖ previous block
// hash), the task is sampled when uint64_be(sha256(seed ‖ uint64_be(task id))[0:8]) mod
// 10,000 < bps. The modulo bias is < 10^4/2^64.
func AuditSampled(s [32]byte, taskID uint64, bps uint32) bool {
	if bps == 0 {
		return false
	}
	return seed.Below(s[:], types.BasisPoints, taskID) < uint64(bps)
}

// AuditSeed is sha256(AuditSeedDomain ‖ previous block's header hash).
func AuditSeed(prevBlockHash []byte) [32]byte {
	return seed.DomainFirst(types.AuditSeedDomain, prevBlockHash)
}

// queueAuditDraw marks a task that just ended VALIDATED for the draw at height h+1 (no-op
// when sampling is off). The draw is a block later so that the node whose commit ended
// the task could not know the seed (the hash of the block holding that commit).
func (k Keeper) queueAuditDraw(ctx context.Context, p types.Params, t *types.Task, h int64) error {
	if p.AuditFractionBps == 0 || t.Status != types.TASK_STATUS_VALIDATED {
		return nil
	}
	t.AuditStatus = types.TASK_AUDIT_STATUS_DRAW_PENDING
	return k.AuditQueue.Set(ctx, collections.Join(h+1, t.Id))
}

// drawAudits runs the draws that are due, at most max_audit_draws_per_block (a backlog
// carries over to the next block, oldest first).
func (k Keeper) drawAudits(ctx context.Context, p types.Params, h int64) error {
	due, err := k.due(ctx, k.AuditQueue, h, p.MaxAuditDrawsPerBlock)
	if err != nil || len(due) == 0 {
		return err
	}
	seed := AuditSeed(sdk.UnwrapSDKContext(ctx).BlockHeader().LastBlockId.Hash)
	for _, key := range due {
		if err := k.AuditQueue.Remove(ctx, key); err != nil {
			return err
		}
		t, err := k.Tasks.Get(ctx, key.K2())
		if err != nil {
			return err
		}
		if t.AuditStatus != types.TASK_AUDIT_STATUS_DRAW_PENDING {
			continue // stale entry (should not exist)
		}
		if AuditSampled(seed, t.Id, p.AuditFractionBps) {
			err = k.openTaskAudit(ctx, &t)
		} else {
			t.AuditStatus = types.TASK_AUDIT_STATUS_NOT_SAMPLED
		}
		if err != nil {
			return err
		}
		if err := k.Tasks.Set(ctx, t.Id, t); err != nil {
			return err
		}
		if err := k.resumePrune(ctx, t); err != nil {
			return err
		}
	}
	return nil
}

// openTaskAudit opens the x/audits audit of a sampled task, excluding the operators of
// every node on it (the paid ones first, in case there are more than x/audits' limit).
// When no audit can be opened (no eligible auditor, results already pruned, x/audits not
// wired) the task is SKIPPED: nothing waits on it.
func (k Keeper) openTaskAudit(ctx context.Context, t *types.Task) error {
	aud := k.audits.k
	if aud == nil || t.Pruned {
		t.AuditStatus = types.TASK_AUDIT_STATUS_SKIPPED
		return nil
	}
	var auditID uint64
	err := atomic(ctx, func(c sdk.Context) error {
		var err error
		auditID, err = aud.OpenAudit(c, types.AuditSubjectModule, strconv.FormatUint(t.Id, 10), excludedOperators(*t), t.ResultSha256)
		return err
	})
	if err != nil {
		// x/audits checks before writing and atomic discards partial writes, so a failure
		// changes nothing there; the usual cause is an empty or fully excluded validator set
		k.Logger(ctx).Info("session audit not opened; task skipped", "task", t.Id, "err", err)
		t.AuditStatus = types.TASK_AUDIT_STATUS_SKIPPED
		return nil
	}
	a, err := aud.GetAudit(ctx, auditID)
	if err != nil {
		return err
	}
	t.AuditId, t.AuditStatus = auditID, types.TASK_AUDIT_STATUS_OPEN
	return emit(ctx, &types.EventTaskAuditOpened{TaskId: t.Id, AuditId: auditID, Auditor: a.Auditor})
}

// excludedOperators lists the distinct operators of the task's nodes, paid (VALIDATED)
// ones first, at most auditstypes.MaxExcluded. x/audits compares them as bytes with the
// validators' operator addresses, so a node operator never audits its own work.
func excludedOperators(t types.Task) []sdk.AccAddress {
	var out []sdk.AccAddress
	seen := map[string]bool{}
	add := func(op string) {
		if seen[op] || len(out) >= auditstypes.MaxExcluded {
			return
		}
		acc, err := sdk.AccAddressFromBech32(op)
		if err != nil {
			return
		}
		seen[op] = true
		out = append(out, acc)
	}
	for _, paidFirst := range []bool{true, false} {
		for _, a := range t.Assignments {
			if (a.Status == types.ASSIGNMENT_STATUS_VALIDATED) == paidFirst {
				add(a.Operator)
			}
		}
	}
	return out
}

// auditHolds reports whether a task's results must stay: its draw has not run yet or its
// audit is open.
func auditHolds(t types.Task) bool {
	return t.AuditStatus == types.TASK_AUDIT_STATUS_DRAW_PENDING || t.AuditStatus == types.TASK_AUDIT_STATUS_OPEN
}

// deferPrune is called by prune for a task whose prune height came: when the audit holds
// the results, the task goes to PruneDeferred (pruning resumes when the audit ends) and
// deferPrune reports true.
func (k Keeper) deferPrune(ctx context.Context, t types.Task) (bool, error) {
	if !auditHolds(t) {
		return false, nil
	}
	return true, k.PruneDeferred.Set(ctx, t.Id)
}

// resumePrune re-queues the pruning of a deferred task once its audit no longer holds it,
// at the current height (pruned by this or the next EndBlock, within max_prunes_per_block).
func (k Keeper) resumePrune(ctx context.Context, t types.Task) error {
	if auditHolds(t) {
		return nil
	}
	has, err := k.PruneDeferred.Has(ctx, t.Id)
	if err != nil || !has {
		return err
	}
	if err := k.PruneDeferred.Remove(ctx, t.Id); err != nil {
		return err
	}
	return k.PruneQueue.Set(ctx, collections.Join(sdk.UnwrapSDKContext(ctx).BlockHeight(), t.Id))
}
