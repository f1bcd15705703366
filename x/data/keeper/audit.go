package keeper

import (
	"context"
	"encoding/hex"
	"fmt"
	"strconv"

	errorsmod "cosmossdk.io/errors"
	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"

	auditstypes "github.com/cortnet/cortd/x/audits/types"
	"github.com/cortnet/cortd/x/data/types"
)

// openAudits opens an x/audits audit for every target filled this epoch. It runs at the
// epoch end, a height the submitter does not choose, so the auditor cannot be predicted
// at submission time (see x/audits README, grinding). The submitter is excluded as
// auditor. If no audit can be opened (no eligible bonded validator), the submission passes
// at once: the audit module's rule, and the target must not wait forever.
func (k Keeper) openAudits(ctx context.Context) error {
	var ids []uint64
	if err := k.ToAudit.Walk(ctx, nil, func(id uint64) (bool, error) {
		ids = append(ids, id)
		return false, nil
	}); err != nil {
		return err
	}
	sdkCtx := sdk.UnwrapSDKContext(ctx)
	for _, id := range ids {
		t, err := k.GetTarget(ctx, id)
		if err != nil {
			return err
		}
		sub, err := k.Submissions.Get(ctx, id)
		if err != nil {
			return err
		}
		if err := k.ToAudit.Remove(ctx, id); err != nil {
			return err
		}
		submitter, err := sdk.AccAddressFromBech32(sub.Submitter)
		if err != nil {
			return err
		}
		payload, err := hex.DecodeString(sub.Sha256)
		if err != nil {
			return err
		}
		auditID, err := k.audits.OpenAudit(ctx, types.ModuleName, strconv.FormatUint(id, 10), []sdk.AccAddress{submitter}, payload)
		if err != nil {
			k.Logger(ctx).Info("data audit not opened; submission passes", "target", id, "err", err)
			if err := k.pass(ctx, t, sub, "no_audit"); err != nil {
				return err
			}
			continue
		}
		t.Status, t.AuditId = types.TARGET_STATUS_AUDITING, auditID
		if err := k.Targets.Set(ctx, id, t); err != nil {
			return err
		}
		if err := sdkCtx.EventManager().EmitTypedEvent(&types.EventAuditRequested{TargetId: id, AuditId: auditID}); err != nil {
			return err
		}
	}
	return nil
}

// AuditHandler is the x/audits route for subject module "data": PASS, CLEARED and
// MISSED_PASS let the submission stand (bond back, reward claimable); FRAUD forfeits the
// bond (fraud_auditor_share to the reporting auditor, the rest to the community pool) and
// returns the reserved reward to the pool. It runs once per audit; its writes are
// discarded if it errors, and it errors only on an audit that is not this target's.
func (k Keeper) AuditHandler() auditstypes.Handler {
	return func(ctx sdk.Context, a auditstypes.Audit, outcome auditstypes.Outcome, _ ...auditstypes.Figure) error {
		id, err := strconv.ParseUint(a.SubjectId, 10, 64)
		if err != nil {
			return errorsmod.Wrapf(types.ErrInvalidTargetID, "subject %q", a.SubjectId)
		}
		t, err := k.GetTarget(ctx, id)
		if err != nil {
			return err
		}
		if t.Status != types.TARGET_STATUS_AUDITING || t.AuditId != a.Id {
			return errorsmod.Wrapf(types.ErrTargetNotFound, "target %d is %s with audit %d, not audit %d", id, t.Status, t.AuditId, a.Id)
		}
		sub, err := k.Submissions.Get(ctx, id)
		if err != nil {
			return err
		}
		switch outcome {
		case auditstypes.OUTCOME_FRAUD:
			return k.forfeit(ctx, t, sub, a)
		case auditstypes.OUTCOME_PASS, auditstypes.OUTCOME_CLEARED, auditstypes.OUTCOME_MISSED_PASS:
			return k.pass(ctx, t, sub, outcome.String())
		default:
			return fmt.Errorf("x/data: unknown audit outcome %s", outcome)
		}
	}
}

// pass returns the bond to the submitter and makes the reward claimable.
func (k Keeper) pass(ctx context.Context, t types.Target, sub types.Submission, outcome string) error {
	p, err := k.Params.Get(ctx)
	if err != nil {
		return err
	}
	acc, err := k.Accounting.Get(ctx)
	if err != nil {
		return err
	}
	submitter, err := sdk.AccAddressFromBech32(sub.Submitter)
	if err != nil {
		return err
	}
	if sub.BondHeld && sub.Bond.IsPositive() {
		if err := k.bank.SendCoinsFromModuleToAccount(ctx, types.ModuleName, submitter, sdk.NewCoins(sdk.NewCoin(p.Denom, sub.Bond))); err != nil {
			return err
		}
	}
	if sub.BondHeld {
		acc.Bonds = acc.Bonds.Sub(sub.Bond)
		sub.BondHeld = false
	}
	es, err := k.Epoch.Get(ctx)
	if err != nil {
		return err
	}
	sdkCtx := sdk.UnwrapSDKContext(ctx)
	t.Status, t.ClosedHeight = types.TARGET_STATUS_PASSED, sdkCtx.BlockHeight()
	// Claimable from the epoch claim_delay_epochs after this one (both bounded: no overflow).
	t.ClaimableEpoch = es.Epoch + int64(p.ClaimDelayEpochs)
	if err := k.save(ctx, t, sub, acc); err != nil {
		return err
	}
	return sdkCtx.EventManager().EmitTypedEvent(&types.EventSubmissionJudged{
		TargetId: t.Id, AuditId: t.AuditId, Outcome: outcome, BondReturned: sub.Bond.String(),
	})
}

// forfeit splits the bond between the reporting auditor and the community pool and puts
// the reserved reward back in the pool: every coin leaves the module account to a named
// place or moves between tracked totals, so nothing is created or lost.
func (k Keeper) forfeit(ctx context.Context, t types.Target, sub types.Submission, a auditstypes.Audit) error {
	p, err := k.Params.Get(ctx)
	if err != nil {
		return err
	}
	acc, err := k.Accounting.Get(ctx)
	if err != nil {
		return err
	}
	toAuditor, toCommunity := sdkmath.ZeroInt(), sdkmath.ZeroInt()
	if sub.BondHeld {
		toAuditor = p.FraudAuditorShare.MulInt(sub.Bond).TruncateInt()
		toCommunity = sub.Bond.Sub(toAuditor)
		if toAuditor.IsPositive() {
			auditor, err := sdk.AccAddressFromBech32(a.Auditor)
			if err != nil {
				return err
			}
			if err := k.bank.SendCoinsFromModuleToAccount(ctx, types.ModuleName, auditor, sdk.NewCoins(sdk.NewCoin(p.Denom, toAuditor))); err != nil {
				return err
			}
		}
		if toCommunity.IsPositive() {
			if err := k.community.FundCommunityPool(ctx, sdk.NewCoins(sdk.NewCoin(p.Denom, toCommunity)), k.ModuleAddress()); err != nil {
				return err
			}
		}
		acc.Bonds = acc.Bonds.Sub(sub.Bond)
		sub.BondHeld = false
	}
	if sub.RewardHeld {
		acc.Reserved = acc.Reserved.Sub(sub.Reward)
		acc.Pool = acc.Pool.Add(sub.Reward)
		sub.RewardHeld = false
	}
	sdkCtx := sdk.UnwrapSDKContext(ctx)
	t.Status, t.ClosedHeight = types.TARGET_STATUS_FRAUD, sdkCtx.BlockHeight()
	if err := k.save(ctx, t, sub, acc); err != nil {
		return err
	}
	if err := k.pruneIfOld(ctx, t); err != nil {
		return err
	}
	return sdkCtx.EventManager().EmitTypedEvent(&types.EventSubmissionJudged{
		TargetId: t.Id, AuditId: a.Id, Outcome: auditstypes.OUTCOME_FRAUD.String(),
		ToAuditor: toAuditor.String(), ToCommunity: toCommunity.String(),
	})
}

func (k Keeper) save(ctx context.Context, t types.Target, sub types.Submission, acc types.Accounting) error {
	if err := k.Targets.Set(ctx, t.Id, t); err != nil {
		return err
	}
	if err := k.Submissions.Set(ctx, t.Id, sub); err != nil {
		return err
	}
	return k.Accounting.Set(ctx, acc)
}
