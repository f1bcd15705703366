package keeper

import (
	"context"
	"sort"

	"cosmossdk.io/collections"

	sdk "github.com/cosmos/cosmos-sdk/types"
	epochstypes "github.com/cosmos/cosmos-sdk/x/epochs/types"

	"github.com/cortnet/cortd/x/challenges/types"
)

// Hooks receives x/epochs callbacks: the end of params.epoch_identifier closes the
// challenges epoch (weights computed, posting limits reset).
type Hooks struct{ k Keeper }

var _ epochstypes.EpochHooks = Hooks{}

// Hooks returns the epoch hooks to register with the epochs keeper.
func (k Keeper) Hooks() Hooks { return Hooks{k: k} }

// AfterEpochEnd closes the open challenges epoch when the configured epoch ends.
func (h Hooks) AfterEpochEnd(ctx context.Context, identifier string, _ int64) error {
	p, err := h.k.Params.Get(ctx)
	if err != nil {
		return err
	}
	if identifier != p.EpochIdentifier {
		return nil
	}
	return h.k.CloseEpoch(ctx)
}

// BeforeEpochStart does nothing.
func (Hooks) BeforeEpochStart(context.Context, string, int64) error { return nil }

// taskTypes are the task types weighted separately.
var taskTypes = []types.TaskType{types.TASK_TYPE_CODEGEN, types.TASK_TYPE_BUGFIX}

// CloseEpoch computes the weights of the open epoch for each task type over the last
// score_window_epochs epochs, drops the stats that leave the window and the epoch's post
// counts, and opens the next epoch. Its work is linear in the miners scored in the window.
func (k Keeper) CloseEpoch(ctx context.Context) error {
	p, err := k.Params.Get(ctx)
	if err != nil {
		return err
	}
	e, err := k.Epoch.Get(ctx)
	if err != nil {
		return err
	}
	first := uint64(1)
	if e >= uint64(p.ScoreWindowEpochs) {
		first = e - uint64(p.ScoreWindowEpochs) + 1
	}
	byType := map[types.TaskType][]types.Weight{}
	for _, tt := range taskTypes {
		ws, err := k.computeWeights(ctx, p, e, first, tt)
		if err != nil {
			return err
		}
		if len(ws) > 0 {
			byType[tt] = ws
		}
		// epoch `first` leaves the window at the next close, once the window is full
		if e >= uint64(p.ScoreWindowEpochs) {
			if err := k.MinerStats.Clear(ctx, collections.NewSuperPrefixedTripleRange[uint64, int32, string](first, int32(tt))); err != nil {
				return err
			}
		}
	}
	if err := k.allocate(ctx, p, e, byType); err != nil {
		return err
	}
	if e > uint64(p.WeightHistoryEpochs) {
		old := e - uint64(p.WeightHistoryEpochs)
		if err := k.Weights.Clear(ctx, collections.NewPrefixedTripleRange[uint64, int32, string](old)); err != nil {
			return err
		}
	}
	if err := k.PostCounts.Clear(ctx, collections.NewPrefixedPairRange[uint64, sdk.AccAddress](e)); err != nil {
		return err
	}
	return k.Epoch.Set(ctx, e+1)
}

// computeWeights aggregates the stats of epochs [first, e] for tt and stores the weights
// of epoch e.
func (k Keeper) computeWeights(ctx context.Context, p types.Params, e, first uint64, tt types.TaskType) ([]types.Weight, error) {
	acc := map[string]*Totals{}
	for ep := first; ep <= e; ep++ {
		err := k.MinerStats.Walk(ctx, collections.NewSuperPrefixedTripleRange[uint64, int32, string](ep, int32(tt)),
			func(_ StatsKey, st types.MinerStats) (bool, error) {
				t, ok := acc[st.NodeId]
				if !ok {
					t = &Totals{NodeID: st.NodeId}
					acc[st.NodeId] = t
				}
				t.SumBps += st.SumBps
				t.Count += st.Count
				return false, nil
			})
		if err != nil {
			return nil, err
		}
	}
	if len(acc) == 0 {
		return nil, nil
	}
	totals := make([]Totals, 0, len(acc))
	for _, t := range acc {
		totals = append(totals, *t)
	}
	sort.Slice(totals, func(i, j int) bool { return totals[i].NodeID < totals[j].NodeID })
	ws := ComputeWeights(totals, p.MinPriorWeight, p.WeightExponent)
	for i := range ws {
		ws[i].Epoch, ws[i].TaskType = e, tt
		if err := k.Weights.Set(ctx, collections.Join3(e, int32(tt), ws[i].NodeId), ws[i]); err != nil {
			return nil, err
		}
	}
	return ws, emit(ctx, &types.EventWeightsComputed{Epoch: e, TaskType: tt, Miners: uint32(len(totals))})
}
