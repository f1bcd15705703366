package keeper

import (
	"context"

	"cosmossdk.io/collections"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/cortnet/cortd/x/data/types"
	"github.com/cortnet/cortd/x/internal/seed"
	modelstypes "github.com/cortnet/cortd/x/models/types"
)

// eligibleModels snapshots the active models of the target dim, in id order, walking at
// most max_models_scanned registry entries (bounded work per epoch).
func (k Keeper) eligibleModels(ctx context.Context, p types.Params) ([]string, error) {
	var out []string
	err := k.models.WalkModels(ctx, p.MaxModelsScanned, func(m modelstypes.Model) bool {
		if m.Status == modelstypes.MODEL_STATUS_ACTIVE && m.EmbeddingDim == p.EmbeddingDim {
			out = append(out, m.Id)
		}
		return false
	})
	return out, err
}

// drawModels picks up to n distinct models from the epoch's eligible list with equal
// weight (the documented rule: every active model of the target dim that accepts the
// target's data is equally likely, see README), by a partial Fisher–Yates shuffle driven
// by the seed. A model retired since the epoch started, or one that does not accept the
// data (a text model for a bytes target), is skipped and the draw goes on. Text targets
// accept every model, so their draws are those of the rule before modalities.
func (k Keeper) drawModels(ctx context.Context, targetSeed []byte, eligible []string, n uint32, data modelstypes.Modality) ([]string, error) {
	s := seed.Sub(targetSeed, "models")
	st := types.NewStream(s[:])
	pool := append([]string(nil), eligible...)
	var out []string
	for i := 0; i < len(pool) && uint32(len(out)) < n; i++ {
		j := i + int(st.Uint64(uint64(len(pool)-i)))
		pool[i], pool[j] = pool[j], pool[i]
		m, err := k.models.GetModel(ctx, pool[i])
		if err != nil || m.Status != modelstypes.MODEL_STATUS_ACTIVE || !m.Modality.Accepts(data) {
			continue
		}
		out = append(out, pool[i])
	}
	return out, nil
}

// openTarget opens one target for data of the given modality in the current epoch. It
// returns false (and writes nothing) when no eligible model that accepts the data is left
// to assign.
func (k Keeper) openTarget(ctx context.Context, p types.Params, es *types.EpochState, replacement bool, data modelstypes.Modality) (bool, error) {
	id, err := k.NextTargetID.Get(ctx)
	if err != nil {
		return false, err
	}
	hash, err := k.prevBlockHash(ctx)
	if err != nil {
		return false, err
	}
	seed := types.Seed(hash, id)
	models, err := k.drawModels(ctx, seed, es.EligibleModels, p.ModelsPerTarget, data)
	if err != nil || len(models) == 0 {
		return false, err
	}
	sdkCtx := sdk.UnwrapSDKContext(ctx)
	t := types.Target{
		Id: id, Epoch: es.Epoch, Centre: types.Centre(seed, p.EmbeddingDim), Models: models,
		Threshold: es.Threshold, Reward: p.RewardPerTarget, Status: types.TARGET_STATUS_OPEN,
		OpenedHeight: sdkCtx.BlockHeight(), Replacement: replacement, Modality: data,
	}
	if err := k.NextTargetID.Set(ctx, id+1); err != nil {
		return false, err
	}
	if err := k.Targets.Set(ctx, id, t); err != nil {
		return false, err
	}
	if err := k.OpenTargets.Set(ctx, id); err != nil {
		return false, err
	}
	if err := k.ByEpoch.Set(ctx, collections.Join(es.Epoch, id)); err != nil {
		return false, err
	}
	es.Opened++
	return true, sdkCtx.EventManager().EmitTypedEvent(&types.EventTargetOpened{
		TargetId: id, Epoch: es.Epoch, Models: models, Threshold: t.Threshold.String(), Replacement: replacement,
		Modality: data,
	})
}

// StartEpoch opens targets_per_epoch targets for data epoch number epoch: first the text
// targets, then the bytes_targets_per_epoch bytes targets. When no eligible model accepts
// a kind, the targets of that kind are not opened (logged); the other kind still opens.
func (k Keeper) StartEpoch(ctx context.Context, epoch int64) error {
	p, err := k.Params.Get(ctx)
	if err != nil {
		return err
	}
	es, err := k.Epoch.Get(ctx)
	if err != nil {
		return err
	}
	eligible, err := k.eligibleModels(ctx, p)
	if err != nil {
		return err
	}
	es = types.EpochState{Epoch: epoch, Threshold: es.Threshold, EligibleModels: eligible}
	bytesTargets := min(p.BytesTargetsPerEpoch, p.TargetsPerEpoch) // Validate keeps it ≤; min guards the subtraction
	for _, kind := range []struct {
		data modelstypes.Modality
		n    uint32
	}{{modelstypes.MODALITY_TEXT, p.TargetsPerEpoch - bytesTargets}, {modelstypes.MODALITY_BYTES, bytesTargets}} {
		for range kind.n {
			ok, err := k.openTarget(ctx, p, &es, false, kind.data)
			if err != nil {
				return err
			}
			if !ok {
				k.Logger(ctx).Info("no eligible model accepts the data of these targets", "epoch", epoch, "dim", p.EmbeddingDim,
					"modality", kind.data.Name())
				break
			}
		}
	}
	return k.Epoch.Set(ctx, es)
}

// EndEpoch expires the open targets, opens the audits of the targets filled this epoch
// and steps the threshold. Work is bounded by the targets opened in the epoch
// (≤ targets_per_epoch + max_replacements_per_epoch).
func (k Keeper) EndEpoch(ctx context.Context) error {
	sdkCtx := sdk.UnwrapSDKContext(ctx)
	var open []uint64
	if err := k.OpenTargets.Walk(ctx, nil, func(id uint64) (bool, error) {
		open = append(open, id)
		return false, nil
	}); err != nil {
		return err
	}
	for _, id := range open {
		t, err := k.GetTarget(ctx, id)
		if err != nil {
			return err
		}
		t.Status, t.ClosedHeight = types.TARGET_STATUS_EXPIRED, sdkCtx.BlockHeight()
		if err := k.Targets.Set(ctx, id, t); err != nil {
			return err
		}
		if err := k.OpenTargets.Remove(ctx, id); err != nil {
			return err
		}
		if err := sdkCtx.EventManager().EmitTypedEvent(&types.EventTargetExpired{TargetId: id}); err != nil {
			return err
		}
	}
	if err := k.openAudits(ctx); err != nil {
		return err
	}
	p, err := k.Params.Get(ctx)
	if err != nil {
		return err
	}
	es, err := k.Epoch.Get(ctx)
	if err != nil {
		return err
	}
	old := es.Threshold
	es.Threshold = types.NextThreshold(p, old, es.Opened, es.Filled)
	if err := k.Epoch.Set(ctx, es); err != nil {
		return err
	}
	if err := k.pruneEpoch(ctx, p, es.Epoch); err != nil {
		return err
	}
	return sdkCtx.EventManager().EmitTypedEvent(&types.EventThresholdUpdated{
		Epoch: es.Epoch, Opened: es.Opened, Filled: es.Filled, OldThreshold: old.String(), NewThreshold: es.Threshold.String(),
	})
}
