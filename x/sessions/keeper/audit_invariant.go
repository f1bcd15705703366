package keeper

import (
	"fmt"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/cortnet/cortd/x/sessions/types"
)

// AuditInvariant checks the session-audit bookkeeping: every AuditQueue entry is a
// DRAW_PENDING task and every DRAW_PENDING task has one entry (its draw cannot be lost);
// every PruneDeferred task is unpruned, so its results are still there; every task's
// audit fields are consistent (types.ValidateTaskAudit). One pass over each collection.
func AuditInvariant(k Keeper) sdk.Invariant {
	return func(ctx sdk.Context) (string, bool) {
		var msg string
		queued := map[uint64]int{}
		err := k.AuditQueue.Walk(ctx, nil, func(key hPair) (bool, error) {
			queued[key.K2()]++
			return false, nil
		})
		if err == nil {
			err = k.Tasks.Walk(ctx, nil, func(id uint64, t types.Task) (bool, error) {
				if e := types.ValidateTaskAudit(t); e != nil {
					msg += e.Error() + "\n"
				}
				pending := t.AuditStatus == types.TASK_AUDIT_STATUS_DRAW_PENDING
				if n := queued[id]; (pending && n != 1) || (!pending && n != 0) {
					msg += fmt.Sprintf("task %d (%s) has %d draw queue entries\n", id, t.AuditStatus, n)
				}
				delete(queued, id)
				return false, nil
			})
		}
		if err == nil && len(queued) > 0 {
			msg += fmt.Sprintf("%d draw queue entries without a task\n", len(queued))
		}
		if err == nil {
			err = k.PruneDeferred.Walk(ctx, nil, func(id uint64) (bool, error) {
				t, err := k.Tasks.Get(ctx, id)
				if err != nil {
					return true, err
				}
				if t.Pruned {
					msg += fmt.Sprintf("task %d deferred but pruned\n", id)
				}
				return false, nil
			})
		}
		if err != nil {
			return sdk.FormatInvariant(types.ModuleName, "audits", err.Error()), true
		}
		return sdk.FormatInvariant(types.ModuleName, "audits", msg), msg != ""
	}
}
