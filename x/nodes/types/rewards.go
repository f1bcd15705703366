package types

import sdkmath "cosmossdk.io/math"

// RewardInput is what the reward formula reads about a node in a settled period.
type RewardInput struct {
	Level  uint32
	Scores Scores
	// Roles is the number of roles the authority granted the operator.
	Roles uint32
	// OperatorNodes is the operator's bonded node count.
	OperatorNodes uint32
}

// Reward is the formula's result. Units are reward units; Amount is in params.denom.
type Reward struct {
	BaseEligible, PrizeEligible bool
	// BaseUnits is tier base + level × level bonus (0 unless BaseEligible).
	BaseUnits sdkmath.LegacyDec
	// Bonus is role bonus + multi-node bonus after both caps.
	Bonus      sdkmath.LegacyDec
	PrizeUnits sdkmath.LegacyDec
	Amount     sdkmath.Int
}

// MultiNodeBonusFor returns the bonus of the highest multi-node step the operator reaches.
func (p Params) MultiNodeBonusFor(nodes uint32) sdkmath.LegacyDec {
	bonus := sdkmath.LegacyZeroDec()
	for _, b := range p.MultiNodeBonuses { // sorted by min_nodes (Validate)
		if nodes >= b.MinNodes {
			bonus = b.Bonus
		}
	}
	return bonus
}

// ComputeReward is the period reward of one node:
//
//	amount = ((tier base + level × level bonus) × (1 + min(role + multi-node, total cap)) + prize) × unit
//
// where the base part needs uptime >= min_uptime and precommit >= min_precommit_score,
// the role bonus is min(roles × role_bonus, role_bonus_cap), and the prize needs
// total >= prize_min_total_score and precommit >= min_precommit_score. The amount is
// truncated to an integer of the denom.
func ComputeReward(p Params, in RewardInput) Reward {
	r := Reward{
		BaseUnits:  sdkmath.LegacyZeroDec(),
		PrizeUnits: sdkmath.LegacyZeroDec(),
	}
	precommitOK := in.Scores.Precommit.GTE(p.MinPrecommitScore)
	r.BaseEligible = precommitOK && in.Scores.Uptime.GTE(p.MinUptime)
	r.PrizeEligible = precommitOK && in.Scores.Total.GTE(p.PrizeMinTotalScore)

	role := p.RoleBonus.MulInt64(int64(in.Roles))
	if role.GT(p.RoleBonusCap) {
		role = p.RoleBonusCap
	}
	r.Bonus = role.Add(p.MultiNodeBonusFor(in.OperatorNodes))
	if r.Bonus.GT(p.TotalBonusCap) {
		r.Bonus = p.TotalBonusCap
	}
	if r.BaseEligible {
		r.BaseUnits = p.TierBase(in.Level).Add(p.LevelBonusUnits.MulInt64(int64(in.Level)))
	}
	if r.PrizeEligible {
		r.PrizeUnits = p.PrizeUnits
	}
	units := r.BaseUnits.Mul(sdkmath.LegacyOneDec().Add(r.Bonus)).Add(r.PrizeUnits)
	r.Amount = units.MulInt(p.RewardUnit).TruncateInt()
	return r
}
