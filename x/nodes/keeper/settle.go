package keeper

import (
	"context"
	"errors"
	"math"

	"cosmossdk.io/collections"
	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/cortnet/cortd/x/nodes/types"
)

// maxPrunePerNode bounds how many old history records one settlement deletes per node
// (normally one; more only after history_periods was lowered, and then over a few periods).
const maxPrunePerNode = 8

// settleStep advances the oldest open settlement by up to budget nodes and returns the
// budget left. A settlement has three passes over the nodes, in id order from a cursor
// kept in state: SCORE computes each node's scores, disqualification, qualification,
// level and reputation, writes its PeriodRecord and counts the operator's qualified nodes
// (observing the operator's roles at its first node); ENTITLE then computes each record's
// reward, now that every operator's count is final, and sums what is owed; PAY pays each
// record entitled × ratio, where ratio = min(1, pool balance / owed) is fixed when PAY
// starts. Paying only after the whole owed sum is known is what makes a short pool pay
// everyone pro rata.
//
// found is false when no settlement is open (nothing was done).
func (k Keeper) settleStep(ctx context.Context, p types.Params, budget uint32) (left uint32, found bool, err error) {
	var s types.Settlement
	if err := k.Settlements.Walk(ctx, nil, func(_ uint64, v types.Settlement) (bool, error) {
		s, found = v, true
		return true, nil
	}); err != nil || !found {
		return budget, found, err
	}
	rng := new(collections.Range[string])
	if s.Cursor != "" {
		rng = rng.StartExclusive(s.Cursor)
	}
	// Collect the page first: settling writes to Nodes, which must not happen under an
	// open iterator over it.
	var page []types.Node
	if err := k.Nodes.Walk(ctx, rng, func(_ string, n types.Node) (bool, error) {
		page = append(page, n)
		return uint32(len(page)) >= budget, nil
	}); err != nil {
		return budget, true, err
	}
	for _, n := range page {
		var err error
		switch s.Phase {
		case types.SETTLEMENT_PHASE_SCORE:
			err = k.scoreNode(ctx, p, &s, n)
		case types.SETTLEMENT_PHASE_ENTITLE:
			err = k.entitleNode(ctx, p, &s, n)
		default:
			err = k.payNode(ctx, p, &s, n)
		}
		if err != nil {
			return budget, true, err
		}
		s.Cursor = n.Id
	}
	budget -= uint32(len(page))
	if budget > 0 { // the walk ran out of nodes: this pass is done
		if err := k.finishPass(ctx, p, &s); err != nil {
			return budget, true, err
		}
	}
	if s.Phase == types.SETTLEMENT_PHASE_UNSPECIFIED {
		return budget, true, nil // finished and removed
	}
	return budget, true, k.Settlements.Set(ctx, s.Period, s)
}

// finishPass moves a settlement from SCORE to ENTITLE, from ENTITLE to PAY (fixing the
// pay ratio) or, after PAY, removes it.
func (k Keeper) finishPass(ctx context.Context, p types.Params, s *types.Settlement) error {
	sdkCtx := sdk.UnwrapSDKContext(ctx)
	s.Cursor = ""
	if s.Phase == types.SETTLEMENT_PHASE_SCORE {
		s.Phase = types.SETTLEMENT_PHASE_ENTITLE
		return nil
	}
	if s.Phase == types.SETTLEMENT_PHASE_ENTITLE {
		s.Phase = types.SETTLEMENT_PHASE_PAY
		s.Ratio = sdkmath.LegacyOneDec()
		available := k.rewardsPoolBalance(ctx, p.Denom).Amount
		s.Available = available
		if available.LT(s.Owed) {
			s.Ratio = sdkmath.LegacyNewDecFromInt(available).QuoInt(s.Owed)
			return sdkCtx.EventManager().EmitTypedEvent(&types.EventRewardsPoolShort{
				Period: s.Period, Owed: sdk.NewCoin(p.Denom, s.Owed).String(),
				Available: sdk.NewCoin(p.Denom, available).String(), Ratio: s.Ratio.String(),
			})
		}
		return nil
	}
	if err := k.Settlements.Remove(ctx, s.Period); err != nil {
		return err
	}
	ev := &types.EventPeriodSettled{
		Period: s.Period, Nodes: s.NodesSettled,
		Owed: sdk.NewCoin(p.Denom, s.Owed).String(), Paid: sdk.NewCoin(p.Denom, s.Paid).String(),
	}
	s.Phase = types.SETTLEMENT_PHASE_UNSPECIFIED
	return sdkCtx.EventManager().EmitTypedEvent(ev)
}

// scoreNode settles one node for period s: scores from its counters, disqualification,
// qualification (counted for its operator's multi-node bonus), the level step and
// reputation, stored as a PeriodRecord whose reward ENTITLE fills in. Nodes that were
// unbonding or registered after the period are skipped (their counters are dropped).
func (k Keeper) scoreNode(ctx context.Context, p types.Params, s *types.Settlement, n types.Node) error {
	key := collections.Join(s.Period, n.Id)
	st, err := k.LiveStats.Get(ctx, key)
	if err != nil && !errors.Is(err, collections.ErrNotFound) {
		return err
	}
	if err := k.LiveStats.Remove(ctx, key); err != nil {
		return err
	}
	if n.Status != types.NODE_STATUS_ACTIVE || n.LastSettledPeriod >= s.Period {
		return nil
	}
	from := max(s.StartHeight, n.RegisteredHeight)
	expected := types.ExpectedHeartbeats(from, s.EndHeight, p.HeartbeatIntervalBlocks)
	scores := types.ComputeScores(st, expected, p.ScoreWeights)
	disqualification := types.Disqualification(p, n, st, s.EndHeight)
	qualified := disqualification == "" && types.Qualifies(p, scores)
	op, err := k.operatorForPeriod(ctx, n.Operator, s.Period)
	if err != nil {
		return err
	}
	if qualified && op.QualifiedNodes < math.MaxUint32 {
		op.QualifiedNodes++
	}
	if err := k.setOperator(ctx, op); err != nil {
		return err
	}
	before := n.Level
	// A node that could not be expected to heartbeat (it joined in the period's last
	// interval, or the period was shorter than one) is recorded but not judged.
	if expected > 0 {
		n.Level, n.PromotionStreak = types.NextLevel(p, n.Level, n.PromotionStreak, scores.Total)
		n.Reputation = types.NextReputation(p.ReputationAlpha, n.Reputation, scores.Total)
	}
	n.LastSettledPeriod = s.Period
	if err := k.Nodes.Set(ctx, n.Id, n); err != nil {
		return err
	}
	zero, zeroDec := sdkmath.ZeroInt(), sdkmath.LegacyZeroDec()
	rec := types.PeriodRecord{
		NodeId: n.Id, Period: s.Period, Stats: st, ExpectedHeartbeats: expected,
		Uptime: scores.Uptime, PrecommitScore: scores.Precommit, CommitScore: scores.Commit,
		ValidationAccuracy: scores.Validation, TotalScore: scores.Total,
		LevelBefore: before, LevelAfter: n.Level, Reputation: n.Reputation,
		RewardEntitled: zero, RewardPaid: zero,
		Disqualification: disqualification, Qualified: qualified, PeriodSeconds: s.PeriodSeconds,
		ActiveBlocks: max(0, s.EndHeight-from), PeriodBlocks: max(0, s.EndHeight-s.StartHeight),
		Bonus: zeroDec, MonthlyBase: zero, MonthlyLevel: zero, MonthlyPrize: zero,
	}
	if err := k.Records.Set(ctx, collections.Join(n.Id, s.Period), rec); err != nil {
		return err
	}
	if err := k.pruneRecords(ctx, p, n.Id, s.Period); err != nil {
		return err
	}
	s.NodesSettled++
	return nil
}

// pruneRecords deletes the node's records older than history_periods.
func (k Keeper) pruneRecords(ctx context.Context, p types.Params, nodeID string, period uint64) error {
	if period <= uint64(p.HistoryPeriods) {
		return nil
	}
	rng := collections.NewPrefixedPairRange[string, uint64](nodeID).EndInclusive(period - uint64(p.HistoryPeriods))
	var old []collections.Pair[string, uint64]
	if err := k.Records.Walk(ctx, rng, func(key collections.Pair[string, uint64], _ types.PeriodRecord) (bool, error) {
		old = append(old, key)
		return len(old) >= maxPrunePerNode, nil
	}); err != nil {
		return err
	}
	for _, key := range old {
		if err := k.Records.Remove(ctx, key); err != nil {
			return err
		}
	}
	return nil
}

// payNode pays one node's record of period s (pro rata when the pool is short), moved from the rewards
// pool to the nodes module account and added to the node's accrued rewards. The payment
// never exceeds the pool balance, so the pool cannot go negative.
func (k Keeper) payNode(ctx context.Context, p types.Params, s *types.Settlement, n types.Node) error {
	key := collections.Join(n.Id, s.Period)
	rec, err := k.Records.Get(ctx, key)
	if errors.Is(err, collections.ErrNotFound) {
		return nil
	} else if err != nil {
		return err
	}
	if rec.Paid {
		return nil
	}
	amount := rec.RewardEntitled
	if s.Available.LT(s.Owed) { // short pool: exact integer pro rata, rounded down
		amount = amount.Mul(s.Available).Quo(s.Owed)
	}
	if pool := k.rewardsPoolBalance(ctx, p.Denom).Amount; amount.GT(pool) {
		amount = pool
	}
	if amount.IsPositive() {
		if err := k.bank.SendCoinsFromModuleToModule(ctx, types.RewardsPoolName, types.ModuleName,
			sdk.NewCoins(sdk.NewCoin(p.Denom, amount))); err != nil {
			return err
		}
		n.AccruedRewards = n.AccruedRewards.Add(amount)
		if err := k.Nodes.Set(ctx, n.Id, n); err != nil {
			return err
		}
	}
	rec.RewardPaid, rec.Paid = amount, true
	if err := k.Records.Set(ctx, key, rec); err != nil {
		return err
	}
	s.Paid = s.Paid.Add(amount)
	if !amount.IsPositive() {
		return nil
	}
	return sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(&types.EventRewardPaid{
		NodeId: n.Id, Period: s.Period, Amount: sdk.NewCoin(p.Denom, amount).String(),
	})
}
