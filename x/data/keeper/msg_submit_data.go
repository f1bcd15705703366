package keeper

import (
	"context"

	errorsmod "cosmossdk.io/errors"
	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/cortnet/cortd/x/data/types"
	"github.com/cortnet/cortd/x/internal/embedding"
)

// checkSubmission runs every stateful check of MsgSubmitData against the target, without
// writing, and returns the recomputed squared distance.
func checkSubmission(p types.Params, t types.Target, m *types.MsgSubmitData) error {
	if t.Status != types.TARGET_STATUS_OPEN {
		return errorsmod.Wrapf(types.ErrTargetNotOpen, "target %d is %s", t.Id, t.Status)
	}
	assigned := false
	for _, id := range t.Models {
		assigned = assigned || id == m.ModelId
	}
	if !assigned {
		return errorsmod.Wrapf(types.ErrModelNotAssigned, "%q not in %v", m.ModelId, t.Models)
	}
	// One loss per assigned model, in the target's order, so the winner is well defined.
	if len(m.Losses) != len(t.Models) {
		return errorsmod.Wrapf(types.ErrInvalidLosses, "%d losses for %d models", len(m.Losses), len(t.Models))
	}
	best := 0
	for i, l := range m.Losses {
		if l.ModelId != t.Models[i] {
			return errorsmod.Wrapf(types.ErrInvalidLosses, "loss %d is for %q, want %q", i, l.ModelId, t.Models[i])
		}
		if l.Loss.LT(m.Losses[best].Loss) {
			best = i
		}
	}
	// Lowest loss wins; a tie goes to the earliest model in the target's order.
	if t.Models[best] != m.ModelId {
		return errorsmod.Wrapf(types.ErrNotLowestLoss, "lowest loss is %s's (%s)", t.Models[best], m.Losses[best].Loss)
	}
	if len(m.Url) > int(p.MaxUrlBytes) {
		return errorsmod.Wrapf(types.ErrInvalidURL, "%d bytes > max_url_bytes %d", len(m.Url), p.MaxUrlBytes)
	}
	if err := types.CheckURLAllowed(m.Url, p); err != nil {
		return err
	}
	if m.SizeBytes > p.MaxDataBytes {
		return errorsmod.Wrapf(types.ErrDataTooLarge, "%d > %d bytes", m.SizeBytes, p.MaxDataBytes)
	}
	if len(m.Embedding) != len(t.Centre) {
		return errorsmod.Wrapf(types.ErrWrongDim, "dim %d, the target's is %d", len(m.Embedding), len(t.Centre))
	}
	if err := embedding.Check(m.Embedding, uint32(len(t.Centre)), p.NormTolerance); err != nil {
		return errorsmod.Wrap(types.ErrInvalidEmbedding, err.Error())
	}
	d := embedding.SquaredDistance(m.Embedding, t.Centre)
	if d != m.DistanceSq {
		return errorsmod.Wrapf(types.ErrDistanceMismatch, "claimed %d, recomputed %d", m.DistanceSq, d)
	}
	if !types.WithinThreshold(d, t.Threshold) {
		return errorsmod.Wrapf(types.ErrOverThreshold, "distance² %d (×10^-12) > threshold %s squared", d, t.Threshold)
	}
	// Cannot overflow with bond_per_byte ≤ MaxAmountParam; checked all the same, since a
	// panic here would be a stack trace instead of an error.
	need, err := p.BondPerByte.SafeMul(sdkmath.NewIntFromUint64(m.SizeBytes))
	if err != nil {
		return errorsmod.Wrapf(types.ErrInvalidParams, "bond_per_byte × size_bytes: %v", err)
	}
	if m.Bond.LT(need) {
		return errorsmod.Wrapf(types.ErrBondTooSmall, "%s < %s", m.Bond, need)
	}
	return nil
}

// SubmitData fills an open target. All checks run before the first write; the bond
// transfer is the first write and fails atomically (insufficient funds).
func (s msgServer) SubmitData(ctx context.Context, m *types.MsgSubmitData) (*types.MsgSubmitDataResponse, error) {
	if err := m.ValidateBasic(); err != nil {
		return nil, err
	}
	p, err := s.k.Params.Get(ctx)
	if err != nil {
		return nil, err
	}
	t, err := s.k.GetTarget(ctx, m.TargetId)
	if err != nil {
		return nil, err
	}
	if err := checkSubmission(p, t, m); err != nil {
		return nil, err
	}
	acc, err := s.k.Accounting.Get(ctx)
	if err != nil {
		return nil, err
	}
	es, err := s.k.Epoch.Get(ctx)
	if err != nil {
		return nil, err
	}
	submitter, _ := sdk.AccAddressFromBech32(m.Submitter) // checked in ValidateBasic
	if m.Bond.IsPositive() {
		if err := s.k.bank.SendCoinsFromAccountToModule(ctx, submitter, types.ModuleName, sdk.NewCoins(sdk.NewCoin(p.Denom, m.Bond))); err != nil {
			return nil, err
		}
	}
	// Reserve the reward now so a claim can never find the pool empty; an underfunded
	// pool reserves what it has.
	reward := sdkmath.MinInt(t.Reward, acc.Pool)
	acc.Pool = acc.Pool.Sub(reward)
	acc.Reserved = acc.Reserved.Add(reward)
	acc.Bonds = acc.Bonds.Add(m.Bond)
	sdkCtx := sdk.UnwrapSDKContext(ctx)
	sub := types.Submission{
		TargetId: t.Id, Submitter: m.Submitter, Url: m.Url, Sha256: m.Sha256, SizeBytes: m.SizeBytes,
		ModelId: m.ModelId, Losses: m.Losses, Embedding: m.Embedding, DistanceSq: m.DistanceSq,
		Bond: m.Bond, BondHeld: true, Reward: reward, RewardHeld: true, SubmittedHeight: sdkCtx.BlockHeight(),
	}
	t.Status = types.TARGET_STATUS_FILLED
	if err := s.k.save(ctx, t, sub, acc); err != nil {
		return nil, err
	}
	if err := s.k.OpenTargets.Remove(ctx, t.Id); err != nil {
		return nil, err
	}
	if err := s.k.ToAudit.Set(ctx, t.Id); err != nil {
		return nil, err
	}
	es.Filled++
	// A filled target spawns a replacement for the same kind of data at once, within the
	// epoch's budget.
	if es.Replacements < p.MaxReplacementsPerEpoch {
		ok, err := s.k.openTarget(ctx, p, &es, true, t.Modality)
		if err != nil {
			return nil, err
		}
		if ok {
			es.Replacements++
		}
	}
	if err := s.k.Epoch.Set(ctx, es); err != nil {
		return nil, err
	}
	return &types.MsgSubmitDataResponse{}, sdkCtx.EventManager().EmitTypedEvent(&types.EventDataSubmitted{
		TargetId: t.Id, Submitter: m.Submitter, ModelId: m.ModelId, Url: m.Url, Sha256: m.Sha256,
		SizeBytes: m.SizeBytes, DistanceSq: m.DistanceSq, Bond: m.Bond.String(),
	})
}
