package types

import (
	"fmt"

	sdkmath "cosmossdk.io/math"
)

// Disqualification codes: the first word of PeriodRecord.disqualification.
const (
	// DisqualStakeBelowMinimum: the stake was below the pool minimum at some time in the
	// period (a node under the minimum gets no work but would still heartbeat for uptime;
	// topping up just before the period ends must not make it whole).
	DisqualStakeBelowMinimum = "stake_below_minimum"
	// DisqualWarmPrecommitMisses: heartbeats claimed models loaded that the node then did
	// not serve: too many warm assignments without a precommit.
	DisqualWarmPrecommitMisses = "warm_precommit_misses"
	// DisqualHeartbeatChurn: heartbeats changed the claimed loaded models too often.
	DisqualHeartbeatChurn = "heartbeat_churn"
)

// StakeBelowMinimumDuring reports whether node n's stake was below its pool's minimum at
// some time in a period ending at endHeight: the period's flag (a slash took the stake
// under, or a top-up brought it back, while the period was open), or the stake is under
// now since a height before endHeight, or it is under now with no recorded slash (the
// pool minimum was raised, or the pool removed).
func StakeBelowMinimumDuring(p Params, n Node, st PeriodStats, endHeight int64) bool {
	if st.UnderMinStake {
		return true
	}
	if n.StakeUnderSince != 0 {
		return n.StakeUnderSince < endHeight
	}
	pool, ok := p.Pool(n.PoolId)
	return !ok || n.Stake.LT(pool.MinStake)
}

// WarmMissesAtLeast is a lower bound on the node's warm assignments that got no
// precommit: every precommit is counted as if it answered a warm assignment, so the
// bound never blames a node for missing cold ones.
func WarmMissesAtLeast(st PeriodStats) uint64 {
	precommits := st.PrecommitsOnTime + st.PrecommitsLate
	if precommits < st.PrecommitsOnTime { // wrapped: more precommits than any warm count
		return 0
	}
	if precommits >= st.WarmAssigned {
		return 0
	}
	return st.WarmAssigned - precommits
}

// exceeds reports whether count > share × of, exactly. A share of 0 (also what params
// written before the rule existed hold once stored) turns the rule off.
func exceeds(count, of uint64, share sdkmath.LegacyDec) bool {
	if share.IsNil() || share.IsZero() {
		return false
	}
	return sdkmath.LegacyNewDecFromInt(sdkmath.NewIntFromUint64(count)).GT(share.MulInt(sdkmath.NewIntFromUint64(of)))
}

// Disqualification returns why node n earns nothing for a period ending at endHeight with
// counters st, or "" when it is not disqualified. The first rule that applies is given:
//
//   - stake_below_minimum: StakeBelowMinimumDuring;
//   - warm_precommit_misses: with warm_assigned >= max(1, min_warm_assignments), the
//     missed warm precommits (WarmMissesAtLeast) > max_warm_miss_share × warm_assigned;
//   - heartbeat_churn: loaded_changes > max_loaded_change_share × heartbeats.
//
// A rule whose share is 0 or unset (older params) is off.
func Disqualification(p Params, n Node, st PeriodStats, endHeight int64) string {
	if StakeBelowMinimumDuring(p, n, st, endHeight) {
		pool, ok := p.Pool(n.PoolId)
		if !ok {
			return fmt.Sprintf("%s: pool %d no longer exists", DisqualStakeBelowMinimum, n.PoolId)
		}
		return fmt.Sprintf("%s: stake below the pool %d minimum %s at some time in the period (now %s)", DisqualStakeBelowMinimum, n.PoolId, pool.MinStake, n.Stake)
	}
	minWarm := max(p.MinWarmAssignments, 1)
	if st.WarmAssigned >= minWarm {
		if missed := WarmMissesAtLeast(st); exceeds(missed, st.WarmAssigned, p.MaxWarmMissShare) {
			return fmt.Sprintf("%s: at least %d of %d warm assignments without a precommit (max share %s)",
				DisqualWarmPrecommitMisses, missed, st.WarmAssigned, p.MaxWarmMissShare)
		}
	}
	if st.LoadedChanges > 0 && exceeds(st.LoadedChanges, st.Heartbeats, p.MaxLoadedChangeShare) {
		return fmt.Sprintf("%s: %d loaded-model changes in %d heartbeats (max share %s)",
			DisqualHeartbeatChurn, st.LoadedChanges, st.Heartbeats, p.MaxLoadedChangeShare)
	}
	return ""
}
