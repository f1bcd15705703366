package keeper

import (
	"context"

	errorsmod "cosmossdk.io/errors"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/cortnet/cortd/x/audits/types"
)

// pendingForAuditor loads an audit the sender may act on as its auditor: it exists, the
// sender is the assigned auditor, it is PENDING and the deadline has not passed.
func (s msgServer) pendingForAuditor(ctx context.Context, auditor string, id uint64) (types.Audit, error) {
	a, err := s.GetAudit(ctx, id)
	if err != nil {
		return a, err
	}
	if a.Auditor != auditor {
		return a, errorsmod.Wrapf(types.ErrNotAuditor, "audit %d is assigned to %s", id, a.Auditor)
	}
	if a.Status != types.AUDIT_STATUS_PENDING {
		return a, errorsmod.Wrapf(types.ErrWrongStatus, "audit %d is %s", id, a.Status)
	}
	if h := sdk.UnwrapSDKContext(ctx).BlockHeight(); h > a.DeadlineHeight {
		return a, errorsmod.Wrapf(types.ErrDeadlinePassed, "audit %d deadline was %d, now %d", id, a.DeadlineHeight, h)
	}
	return a, nil
}
