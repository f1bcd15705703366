package keeper

import (
	"context"
	"errors"

	"cosmossdk.io/collections"
	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/cortnet/cortd/x/challenges/types"
)

// Phases of a paged epoch close (EpochClose.phase).
const (
	phaseAccumulate   uint32 = iota + 1 // per task type: miner stats of the window → close totals
	phaseBayes                          // per task type: close totals → weight records (bayesian), Σ score^k
	phaseNormalize                      // per task type: weights, remainder to the largest
	phaseAllocate                       // per weighted task type: emission by weight
	phaseClearStats                     // per task type: the window's first epoch leaves it
	phaseClearWeights                   // weights older than weight_history_epochs
)

// CloseKey is (task type, node id): the close totals of the close in progress.
type CloseKey = collections.Pair[int32, string]

// startClose opens the challenges epoch after e at once (scores from now on count in e+1)
// and queues the paged close of e, which EndBlock runs max_epoch_close_per_block entries
// at a time. Closes run one after another, oldest first.
func (k Keeper) startClose(ctx context.Context, p types.Params, e uint64) error {
	first := uint64(1)
	if e >= uint64(p.ScoreWindowEpochs) {
		first = e - uint64(p.ScoreWindowEpochs) + 1
	}
	c := types.EpochClose{Epoch: e, First: first, Phase: phaseAccumulate, CursorEpoch: first,
		Sum: sdkmath.LegacyZeroDec(), Total: sdkmath.LegacyZeroDec(), BestWeight: sdkmath.LegacyZeroDec(),
		Share: sdkmath.ZeroInt(), Allocated: sdkmath.ZeroInt()}
	if err := k.Closes.Set(ctx, e, c); err != nil {
		return err
	}
	return k.Epoch.Set(ctx, e+1)
}

// runCloses spends up to budget entries (0: unlimited) on the queued closes, oldest first.
func (k Keeper) runCloses(ctx context.Context, p types.Params, budget int) error {
	unlimited := budget == 0
	for unlimited || budget > 0 {
		it, err := k.Closes.Iterate(ctx, nil)
		if err != nil {
			return err
		}
		if !it.Valid() {
			it.Close()
			return nil
		}
		c, err := it.Value()
		it.Close()
		if err != nil {
			return err
		}
		left := budget
		if unlimited {
			left = -1
		}
		done, err := k.closeSteps(ctx, p, &c, &left)
		if err != nil {
			return err
		}
		if !unlimited {
			budget = left
		}
		if !done {
			return k.Closes.Set(ctx, c.Epoch, c)
		}
		if err := k.Closes.Remove(ctx, c.Epoch); err != nil {
			return err
		}
	}
	return nil
}

// spend takes one unit of the budget (negative: unlimited); false when it is used up.
func spend(budget *int) bool {
	if *budget < 0 {
		return true
	}
	if *budget == 0 {
		return false
	}
	*budget--
	return true
}

// closeSteps runs c's phases until it is done or the budget is spent.
func (k Keeper) closeSteps(ctx context.Context, p types.Params, c *types.EpochClose, budget *int) (bool, error) {
	for {
		var more bool
		var err error
		switch c.Phase {
		case phaseAccumulate:
			more, err = k.accumulate(ctx, c, budget)
		case phaseBayes:
			more, err = k.bayesPage(ctx, p, c, budget)
		case phaseNormalize:
			more, err = k.normalizePage(ctx, p, c, budget)
		case phaseAllocate:
			more, err = k.allocatePage(ctx, p, c, budget)
		case phaseClearStats:
			more, err = k.clearStatsPage(ctx, p, c, budget)
		case phaseClearWeights:
			more, err = k.clearWeightsPage(ctx, p, c, budget)
		default:
			return true, k.PostCounts.Clear(ctx, collections.NewPrefixedPairRange[uint64, sdk.AccAddress](c.Epoch))
		}
		if err != nil || more {
			return false, err
		}
	}
}

// nextType moves to phase `again` for the following task type, or to phase `after` with
// the first task type when this was the last.
func nextType(c *types.EpochClose, again, after uint32) {
	c.CursorEpoch, c.CursorNode = 0, ""
	if int(c.TypeIndex)+1 < len(taskTypes) {
		c.TypeIndex, c.Phase = c.TypeIndex+1, again
		return
	}
	c.TypeIndex, c.Phase = 0, after
}

// statsAfter ranges over the miner stats of (epoch, task type) after node (all if "").
type statsAfter struct {
	ep   uint64
	tt   int32
	node string
}

func (r statsAfter) RangeValues() (start, end *collections.RangeKey[StatsKey], order collections.Order, err error) {
	prefix := collections.TripleSuperPrefix[uint64, int32, string](r.ep, r.tt)
	start = collections.RangeKeyExact(prefix)
	if r.node != "" {
		start = collections.RangeKeyNext(collections.Join3(r.ep, r.tt, r.node))
	}
	return start, collections.RangeKeyPrefixEnd(prefix), collections.OrderAscending, nil
}

// accumulate sums the window's miner stats of the current task type per node.
func (k Keeper) accumulate(ctx context.Context, c *types.EpochClose, budget *int) (bool, error) {
	tt := int32(taskTypes[c.TypeIndex])
	if c.CursorEpoch < c.First {
		c.CursorEpoch = c.First
	}
	for ; c.CursorEpoch <= c.Epoch; c.CursorEpoch, c.CursorNode = c.CursorEpoch+1, "" {
		stop := false
		err := k.MinerStats.Walk(ctx, statsAfter{c.CursorEpoch, tt, c.CursorNode}, func(key StatsKey, st types.MinerStats) (bool, error) {
			if !spend(budget) {
				stop = true
				return true, nil
			}
			ck := collections.Join(tt, key.K3())
			cur, err := k.CloseTotals.Get(ctx, ck)
			switch {
			case errors.Is(err, collections.ErrNotFound):
				cur = types.MinerStats{Epoch: c.Epoch, TaskType: types.TaskType(tt), NodeId: key.K3()}
				c.N++
			case err != nil:
				return true, err
			}
			cur.SumBps += st.SumBps
			cur.Count += st.Count
			c.S += st.SumBps
			c.T += st.Count
			c.CursorNode = key.K3()
			return false, k.CloseTotals.Set(ctx, ck, cur)
		})
		if err != nil || stop {
			return true, err
		}
	}
	c.Phase, c.CursorEpoch, c.CursorNode = phaseBayes, 0, ""
	return false, nil
}

// bayesPage turns close totals into weight records (Bayesian score, no weight yet) and
// adds score^k to the sum; the totals are deleted as they are used.
func (k Keeper) bayesPage(ctx context.Context, p types.Params, c *types.EpochClose, budget *int) (bool, error) {
	tt := int32(taskTypes[c.TypeIndex])
	if c.N == 0 {
		c.Phase = phaseNormalize
		return false, nil
	}
	pr := newPrior(c.S, c.T, c.N, p.MinPriorWeight)
	var keys []CloseKey
	var totals []types.MinerStats
	err := k.CloseTotals.Walk(ctx, collections.NewPrefixedPairRange[int32, string](tt), func(key CloseKey, st types.MinerStats) (bool, error) {
		if !spend(budget) {
			return true, nil
		}
		keys, totals = append(keys, key), append(totals, st)
		return false, nil
	})
	if err != nil {
		return true, err
	}
	for i, st := range totals {
		w := pr.bayes(Totals{NodeID: st.NodeId, SumBps: st.SumBps, Count: st.Count})
		w.Epoch, w.TaskType, w.Weight = c.Epoch, types.TaskType(tt), sdkmath.LegacyZeroDec()
		c.Sum = c.Sum.Add(w.Bayesian.Power(uint64(p.WeightExponent)))
		if err := k.Weights.Set(ctx, collections.Join3(c.Epoch, tt, w.NodeId), w); err != nil {
			return true, err
		}
		if err := k.CloseTotals.Remove(ctx, keys[i]); err != nil {
			return true, err
		}
	}
	if has, err := k.hasCloseTotals(ctx, tt); err != nil || has {
		return true, err
	}
	c.Phase = phaseNormalize
	return false, nil
}

func (k Keeper) hasCloseTotals(ctx context.Context, tt int32) (bool, error) {
	it, err := k.CloseTotals.Iterate(ctx, collections.NewPrefixedPairRange[int32, string](tt))
	if err != nil {
		return false, err
	}
	defer it.Close()
	return it.Valid(), nil
}

// normalizePage sets weight = score^k / sum (truncated; equal weights if the sum is 0) in
// node order, tracking the total and the largest; at the end the remainder 1 − total goes
// to the largest (smallest id on ties), exactly as ComputeWeights does.
func (k Keeper) normalizePage(ctx context.Context, p types.Params, c *types.EpochClose, budget *int) (bool, error) {
	tt := int32(taskTypes[c.TypeIndex])
	if c.N > 0 {
		stop := false
		err := k.Weights.Walk(ctx, statsAfter{c.Epoch, tt, c.CursorNode}, func(key StatsKey, w types.Weight) (bool, error) {
			if !spend(budget) {
				stop = true
				return true, nil
			}
			if c.Sum.IsPositive() {
				w.Weight = w.Bayesian.Power(uint64(p.WeightExponent)).QuoTruncate(c.Sum)
			} else {
				w.Weight = sdkmath.LegacyOneDec().QuoTruncate(sdkmath.LegacyNewDec(int64(c.N)))
			}
			c.Total = c.Total.Add(w.Weight)
			if c.BestNode == "" || w.Weight.GT(c.BestWeight) {
				c.BestNode, c.BestWeight = w.NodeId, w.Weight
			}
			c.CursorNode = w.NodeId
			return false, k.Weights.Set(ctx, key, w)
		})
		if err != nil || stop {
			return true, err
		}
		bk := collections.Join3(c.Epoch, tt, c.BestNode)
		best, err := k.Weights.Get(ctx, bk)
		if err != nil {
			return true, err
		}
		best.Weight = best.Weight.Add(sdkmath.LegacyOneDec().Sub(c.Total))
		if err := k.Weights.Set(ctx, bk, best); err != nil {
			return true, err
		}
		c.WeightedTypes, c.Miners = append(c.WeightedTypes, tt), append(c.Miners, c.N)
		if err := emit(ctx, &types.EventWeightsComputed{Epoch: c.Epoch, TaskType: types.TaskType(tt), Miners: uint32(c.N)}); err != nil {
			return true, err
		}
	}
	c.S, c.T, c.N = 0, 0, 0
	c.Sum, c.Total, c.BestNode, c.BestWeight = sdkmath.LegacyZeroDec(), sdkmath.LegacyZeroDec(), "", sdkmath.LegacyZeroDec()
	nextType(c, phaseAccumulate, phaseAllocate)
	return false, nil
}

// allocatePage pays the epoch emission (capped at the unallocated pool, fixed when the
// phase starts) by weight: each weighted task type gets its emission share of it
// (params.emission_shares, fixed when the phase starts), each node floor(weight × the
// type's amount). Rounding dust stays unallocated in the pool.
func (k Keeper) allocatePage(ctx context.Context, p types.Params, c *types.EpochClose, budget *int) (bool, error) {
	if !c.ShareSet {
		c.ShareSet = true
		c.ShareWeights = make([]uint32, len(c.WeightedTypes))
		sum := uint64(0)
		for i, tt := range c.WeightedTypes {
			c.ShareWeights[i] = p.EmissionShareOf(types.TaskType(tt))
			sum += uint64(c.ShareWeights[i])
		}
		if sum > 0 && p.EpochEmission.IsPositive() {
			total, err := k.pendingTotal(ctx)
			if err != nil {
				return true, err
			}
			pay := sdkmath.MinInt(p.EpochEmission.Amount, k.poolBalance(ctx, p.EpochEmission.Denom).Sub(total))
			if pay.IsPositive() {
				c.Share = pay
			}
		}
	}
	if !c.Share.IsPositive() || int(c.TypeIndex) >= len(c.WeightedTypes) {
		c.TypeIndex, c.CursorNode, c.Phase = 0, "", phaseClearStats
		return false, nil
	}
	tt := c.WeightedTypes[c.TypeIndex]
	share := typeShare(c, int(c.TypeIndex))
	stop := false
	total, err := k.pendingTotal(ctx)
	if err != nil {
		return true, err
	}
	err = k.Weights.Walk(ctx, statsAfter{c.Epoch, tt, c.CursorNode}, func(_ StatsKey, w types.Weight) (bool, error) {
		if !spend(budget) {
			stop = true
			return true, nil
		}
		c.CursorNode = w.NodeId
		amt := w.Weight.MulInt(share).TruncateInt()
		if !amt.IsPositive() {
			return false, nil
		}
		cur, err := k.PendingOf(ctx, w.NodeId)
		if err != nil {
			return true, err
		}
		c.Allocated, total = c.Allocated.Add(amt), total.Add(amt)
		return false, k.Pending.Set(ctx, w.NodeId, cur.Add(amt))
	})
	if err != nil {
		return true, err
	}
	if err := k.PendingTotal.Set(ctx, total); err != nil {
		return true, err
	}
	if stop {
		return true, nil
	}
	if err := emit(ctx, &types.EventRewardsPaid{Epoch: c.Epoch, TaskType: types.TaskType(tt),
		Allocated: sdk.NewCoin(p.EpochEmission.Denom, c.Allocated).String(), Nodes: uint32(c.Miners[c.TypeIndex])}); err != nil {
		return true, err
	}
	c.Allocated, c.CursorNode = sdkmath.ZeroInt(), ""
	c.TypeIndex++
	return false, nil
}

// typeShare is what weighted task type i of the close gets: floor(share × its emission
// share / Σ emission shares), or the whole share per type for a close whose ALLOCATE
// began before emission shares existed (no share weights: equal shares).
func typeShare(c *types.EpochClose, i int) sdkmath.Int {
	if len(c.ShareWeights) != len(c.WeightedTypes) {
		return c.Share
	}
	sum := uint64(0)
	for _, w := range c.ShareWeights {
		sum += uint64(w)
	}
	if sum == 0 {
		return sdkmath.ZeroInt()
	}
	return c.Share.Mul(sdkmath.NewIntFromUint64(uint64(c.ShareWeights[i]))).Quo(sdkmath.NewIntFromUint64(sum))
}

// clearStatsPage deletes the stats of the window's first epoch (it leaves the window at
// the next close) once the window is full.
func (k Keeper) clearStatsPage(ctx context.Context, p types.Params, c *types.EpochClose, budget *int) (bool, error) {
	if c.Epoch < uint64(p.ScoreWindowEpochs) {
		c.TypeIndex, c.Phase = 0, phaseClearWeights
		return false, nil
	}
	tt := int32(taskTypes[c.TypeIndex])
	more, err := clearPage(ctx, k.MinerStats, statsAfter{c.First, tt, ""}, budget)
	if err != nil || more {
		return true, err
	}
	nextType(c, phaseClearStats, phaseClearWeights)
	return false, nil
}

// clearWeightsPage deletes the weights of the epoch weight_history_epochs back.
func (k Keeper) clearWeightsPage(ctx context.Context, p types.Params, c *types.EpochClose, budget *int) (bool, error) {
	if c.Epoch > uint64(p.WeightHistoryEpochs) {
		old := c.Epoch - uint64(p.WeightHistoryEpochs)
		more, err := clearPage(ctx, k.Weights, collections.NewPrefixedTripleRange[uint64, int32, string](old), budget)
		if err != nil || more {
			return true, err
		}
	}
	c.Phase = phaseClearWeights + 1
	return false, nil
}

// clearPage deletes the entries of rng, as many as the budget allows; more: some are left.
func clearPage[V any](ctx context.Context, m collections.Map[StatsKey, V], rng collections.Ranger[StatsKey], budget *int) (bool, error) {
	var keys []StatsKey
	more := false
	err := m.Walk(ctx, rng, func(key StatsKey, _ V) (bool, error) {
		if !spend(budget) {
			more = true
			return true, nil
		}
		keys = append(keys, key)
		return false, nil
	})
	if err != nil {
		return true, err
	}
	for _, key := range keys {
		if err := m.Remove(ctx, key); err != nil {
			return true, err
		}
	}
	return more, nil
}
