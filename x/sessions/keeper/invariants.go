package keeper

import (
	"fmt"

	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/cortnet/cortd/x/sessions/types"
)

// ReservationInvariant checks, for every session, that the escrow x/payments reserves
// equals the sum of the reservations of its tasks not ended, and that the session's
// queued/running counters match its tasks: no reservation is stranded. One pass over the
// tasks, one over the sessions (the map is only looked up, never iterated).
func ReservationInvariant(k Keeper) sdk.Invariant {
	return func(ctx sdk.Context) (string, bool) {
		type acc struct {
			reserved        sdkmath.Int
			queued, running uint32
		}
		bySession := map[uint64]*acc{}
		err := k.Tasks.Walk(ctx, nil, func(_ uint64, t types.Task) (bool, error) {
			if t.Status.Terminal() {
				return false, nil
			}
			a := bySession[t.SessionId]
			if a == nil {
				a = &acc{reserved: sdkmath.ZeroInt()}
				bySession[t.SessionId] = a
			}
			a.reserved = a.reserved.Add(t.Reserved)
			if t.Status == types.TASK_STATUS_QUEUED {
				a.queued++
			} else {
				a.running++
			}
			return false, nil
		})
		if err != nil {
			return sdk.FormatInvariant(types.ModuleName, "reservations", err.Error()), true
		}
		var msg string
		broken := false
		err = k.Sessions.Walk(ctx, nil, func(id uint64, s types.Session) (bool, error) {
			a := bySession[id]
			if a == nil {
				a = &acc{reserved: sdkmath.ZeroInt()}
			}
			b, err := k.payments.GetBalance(ctx, id)
			if err != nil {
				return true, err
			}
			if !b.Reserved.Equal(a.reserved) || a.queued != s.Queued || a.running != s.Running {
				broken = true
				msg += fmt.Sprintf("session %d: escrow reserved %s, tasks reserve %s; queued %d/%d running %d/%d\n",
					id, b.Reserved, a.reserved, s.Queued, a.queued, s.Running, a.running)
			}
			return false, nil
		})
		if err != nil {
			return sdk.FormatInvariant(types.ModuleName, "reservations", err.Error()), true
		}
		return sdk.FormatInvariant(types.ModuleName, "reservations", msg), broken
	}
}

// AllInvariants runs every x/sessions invariant (tests call it after each step).
func AllInvariants(k Keeper) sdk.Invariant {
	return func(ctx sdk.Context) (string, bool) {
		if msg, broken := ReservationInvariant(k)(ctx); broken {
			return msg, true
		}
		return AuditInvariant(k)(ctx)
	}
}
