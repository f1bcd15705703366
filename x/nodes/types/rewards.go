package types

import sdkmath "cosmossdk.io/math"

// RewardInput is what the reward formula reads about a node in a settled period.
type RewardInput struct {
	Level  uint32
	Scores Scores
	// Disqualified nodes earn nothing (see Disqualification).
	Disqualified bool
	// Roles is the number of distinct roles of the operator: granted by the authority or
	// observed on chain in the period.
	Roles uint32
	// QualifiedNodes is how many of the operator's nodes qualified in the period.
	QualifiedNodes uint32
	// NewOperator: the period is within new_operator_window of the operator's first node.
	NewOperator bool
}

// Reward is the formula's result for one month. Units are reward units; the Monthly*
// amounts are in params.denom, each line floored to a whole denom unit.
type Reward struct {
	// Qualified is BaseEligible and not disqualified: the node earns the base and level
	// lines and counts for its operator's multi-node bonus.
	Qualified, BaseEligible, PrizeEligible bool
	// TierUnits is the tier base of the level (0 unless Qualified).
	TierUnits sdkmath.LegacyDec
	// LevelUnits is level × level_bonus_units (0 unless Qualified).
	LevelUnits sdkmath.LegacyDec
	// Bonus is role bonus + multi-node bonus after both caps; it multiplies TierUnits only.
	Bonus      sdkmath.LegacyDec
	PrizeUnits sdkmath.LegacyDec

	MonthlyBase, MonthlyLevel, MonthlyPrize sdkmath.Int
}

// Monthly is the month rate of all lines together, in denom.
func (r Reward) Monthly() sdkmath.Int {
	return r.MonthlyBase.Add(r.MonthlyLevel).Add(r.MonthlyPrize)
}

// Qualifies reports whether a node's scores earn the base reward: uptime >= min_uptime
// and precommit >= min_precommit_score. Settlement counts such nodes (when not
// disqualified) for their operator's multi-node bonus.
func Qualifies(p Params, s Scores) bool {
	return s.Precommit.GTE(p.MinPrecommitScore) && s.Uptime.GTE(p.MinUptime)
}

// MultiNodeBonusFor returns the bonus of the highest multi-node step reached by nodes.
func (p Params) MultiNodeBonusFor(nodes uint32) sdkmath.LegacyDec {
	bonus := sdkmath.LegacyZeroDec()
	for _, b := range p.MultiNodeBonuses { // sorted by min_nodes (Validate)
		if nodes >= b.MinNodes {
			bonus = b.Bonus
		}
	}
	return bonus
}

// BonusFor is the bonus multiplying the tier base: min(min(roles × role_bonus,
// role_bonus_cap) + multi-node, total_bonus_cap), where the multi-node step counts the
// operator's qualified nodes and applies only to a new operator.
func (p Params) BonusFor(roles, qualifiedNodes uint32, newOperator bool) sdkmath.LegacyDec {
	role := p.RoleBonus.MulInt64(int64(roles))
	if role.GT(p.RoleBonusCap) {
		role = p.RoleBonusCap
	}
	bonus := role
	if newOperator {
		bonus = bonus.Add(p.MultiNodeBonusFor(qualifiedNodes))
	}
	if bonus.GT(p.TotalBonusCap) {
		bonus = p.TotalBonusCap
	}
	return bonus
}

// ComputeReward is a node's reward for one month at the period's level and scores. The
// lines, each floored to whole denom:
//
//	base  = tier_base(level) × (1 + bonus) × reward_unit         if qualified
//	level = level × level_bonus_units × reward_unit              if qualified
//	prize = prize_units × reward_unit                            if total >= prize_min_total_score and precommit >= min_precommit_score
//
// qualified = uptime >= min_uptime and precommit >= min_precommit_score and not
// disqualified; a disqualified node gets no line at all. The level line is its own line:
// neither the role nor the multi-node bonus multiplies it, nor the prize.
//
// Overflow: units are at most MaxRewardUnits (tiers, level bonus, prize), level ≤ 10 and
// bonus ≤ 1, reward_unit ≤ MaxAmountParam, so each product is < 10^41, far inside
// LegacyDec's 256-bit range (Params.Validate enforces the caps).
func ComputeReward(p Params, in RewardInput) Reward {
	zero := sdkmath.LegacyZeroDec()
	r := Reward{TierUnits: zero, LevelUnits: zero, PrizeUnits: zero}
	r.BaseEligible = Qualifies(p, in.Scores)
	r.PrizeEligible = !in.Disqualified && in.Scores.Precommit.GTE(p.MinPrecommitScore) && in.Scores.Total.GTE(p.PrizeMinTotalScore)
	r.Qualified = r.BaseEligible && !in.Disqualified
	r.Bonus = p.BonusFor(in.Roles, in.QualifiedNodes, in.NewOperator)
	if r.Qualified {
		r.TierUnits = p.TierBase(in.Level)
		r.LevelUnits = p.LevelBonusUnits.MulInt64(int64(in.Level))
	}
	if r.PrizeEligible {
		r.PrizeUnits = p.PrizeUnits
	}
	r.MonthlyBase = r.TierUnits.Mul(sdkmath.LegacyOneDec().Add(r.Bonus)).MulInt(p.RewardUnit).TruncateInt()
	r.MonthlyLevel = r.LevelUnits.MulInt(p.RewardUnit).TruncateInt()
	r.MonthlyPrize = r.PrizeUnits.MulInt(p.RewardUnit).TruncateInt()
	return r
}
