package main

import (
	"math/big"
	"strings"
)

// The reward formula of x/nodes/README.md ("Period rewards"), written again from the
// README and not from the keeper: exact rationals for the params' decimals, integers for
// amounts, nothing imported from x/nodes. A difference between this and what the chain
// paid is either a keeper bug or a README that no longer says what the chain does.

// monthSeconds is the month the amounts are stated for: exactly 30 days.
const monthSeconds = 30 * 24 * 60 * 60

// Lines are a node's month rate, in denom, line by line (each floored).
type Lines struct {
	Base, Level, Prize *big.Int
	// Bonus multiplies the tier base (roles and multi-node together, capped).
	Bonus *big.Rat
	// Tier is the tier base in reward units of the level (0 when not qualified).
	Tier *big.Rat
}

// Monthly is the three lines' sum.
func (l Lines) Monthly() *big.Int {
	s := new(big.Int).Add(l.Base, l.Level)
	return s.Add(s, l.Prize)
}

// Inputs are what the formula reads about one node in one period.
type Inputs struct {
	Level          uint64
	Roles          uint64 // distinct roles: granted ∪ observed
	QualifiedNodes uint64 // the operator's nodes that qualified in the period
	NewOperator    bool
	Qualified      bool // uptime and precommit reach the minimums, not disqualified
	PrizeEligible  bool // total and precommit reach the minimums, not disqualified
}

func rat(i int64) *big.Rat { return new(big.Rat).SetInt64(i) }

func minRat(a, b *big.Rat) *big.Rat {
	if a.Cmp(b) <= 0 {
		return a
	}
	return b
}

// floor of a non-negative rational.
func floor(r *big.Rat) *big.Int {
	return new(big.Int).Quo(r.Num(), r.Denom())
}

// tierUnits is the base of the tier whose [min_level, max_level] holds level.
func tierUnits(p *Params, level uint64) *big.Rat {
	for _, t := range p.RewardTiers {
		if level >= uint64(t.MinLevel) && level <= uint64(t.MaxLevel) {
			return t.BaseUnits.R()
		}
	}
	return new(big.Rat)
}

// bonusFor: min( min(roles × role_bonus, role_bonus_cap) + multi-node, total_bonus_cap ),
// the multi-node step (highest min_nodes reached by the qualified nodes) only for a new
// operator.
func bonusFor(p *Params, roles, qualifiedNodes uint64, newOperator bool) *big.Rat {
	role := new(big.Rat).Mul(p.RoleBonus.R(), new(big.Rat).SetUint64(roles))
	bonus := new(big.Rat).Set(minRat(role, p.RoleBonusCap.R()))
	if newOperator {
		multi, best := new(big.Rat), uint64(0)
		for _, b := range p.MultiNodeBonuses {
			if qualifiedNodes >= uint64(b.MinNodes) && uint64(b.MinNodes) >= best {
				multi, best = b.Bonus.R(), uint64(b.MinNodes)
			}
		}
		bonus.Add(bonus, multi)
	}
	return new(big.Rat).Set(minRat(bonus, p.TotalBonusCap.R()))
}

// MonthlyLines is the month rate:
//
//	base  = tier_base(level) × (1 + bonus) × reward_unit   if qualified
//	level = level × level_bonus_units × reward_unit         if qualified
//	prize = prize_units × reward_unit                       if prize eligible
func MonthlyLines(p *Params, in Inputs) Lines {
	unit := new(big.Rat).SetInt(p.RewardUnit.B())
	l := Lines{Base: new(big.Int), Level: new(big.Int), Prize: new(big.Int), Tier: new(big.Rat),
		Bonus: bonusFor(p, in.Roles, in.QualifiedNodes, in.NewOperator)}
	if in.Qualified {
		l.Tier = tierUnits(p, in.Level)
		b := new(big.Rat).Add(rat(1), l.Bonus)
		l.Base = floor(b.Mul(b, l.Tier).Mul(b, unit))
		lv := new(big.Rat).Mul(p.LevelBonusUnits.R(), new(big.Rat).SetUint64(in.Level))
		l.Level = floor(lv.Mul(lv, unit))
	}
	if in.PrizeEligible {
		l.Prize = floor(new(big.Rat).Mul(p.PrizeUnits.R(), unit))
	}
	return l
}

// FullPeriodAmount is a full period's payment with the carry: n = monthly × seconds +
// carry; amount = n / month; carry' = n mod month.
func FullPeriodAmount(monthly *big.Int, seconds, carry uint64) (*big.Int, uint64) {
	n := new(big.Int).Mul(monthly, new(big.Int).SetUint64(seconds))
	n.Add(n, new(big.Int).SetUint64(carry))
	q, m := new(big.Int).QuoRem(n, big.NewInt(monthSeconds), new(big.Int))
	return q, m.Uint64()
}

// JoinPeriodAmount is the payment of the period a node registered in, pro rata to the
// blocks it was registered and without carry: floor(monthly × seconds × active /
// (month × period_blocks)).
func JoinPeriodAmount(monthly *big.Int, seconds uint64, active, blocks int64) *big.Int {
	if active <= 0 || blocks <= 0 {
		return new(big.Int)
	}
	active = min(active, blocks)
	n := new(big.Int).Mul(monthly, new(big.Int).SetUint64(seconds))
	n.Mul(n, big.NewInt(active))
	return n.Quo(n, new(big.Int).Mul(big.NewInt(monthSeconds), big.NewInt(blocks)))
}

// Scores are a period's scores, exact.
type Scores struct{ Uptime, Precommit, Commit, Validation, Total *big.Rat }

// ratio is min(num, den)/den, or ifEmpty when den is 0.
func ratio(num, den uint64, ifEmpty int64) *big.Rat {
	if den == 0 {
		return rat(ifEmpty)
	}
	return new(big.Rat).SetFrac(new(big.Int).SetUint64(min(num, den)), new(big.Int).SetUint64(den))
}

// ComputeScores: uptime = min(heartbeats, expected) / expected (0 when nothing was
// expected); precommit and commit = on time / assigned, validation = validated /
// (validated + rejected), each 1 without a denominator; total = weighted average of the
// components with data (uptime always, precommit and commit when assigned, validation
// when judged), weights renormalised, at most 1.
func ComputeScores(p *Params, st Stats, expected uint64) Scores {
	s := Scores{
		Uptime:     ratio(uint64(st.Heartbeats), expected, 0),
		Precommit:  ratio(uint64(st.PrecommitsOnTime), uint64(st.Assigned), 1),
		Commit:     ratio(uint64(st.CommitsOnTime), uint64(st.Assigned), 1),
		Validation: ratio(uint64(st.Validated), uint64(st.Validated+st.Rejected), 1),
	}
	w := p.ScoreWeights
	sum := new(big.Rat).Mul(w.Uptime.R(), s.Uptime)
	weights := new(big.Rat).Set(w.Uptime.R())
	add := func(wt *big.Rat, v *big.Rat) {
		sum.Add(sum, new(big.Rat).Mul(wt, v))
		weights.Add(weights, wt)
	}
	if st.Assigned > 0 {
		add(w.Precommit.R(), s.Precommit)
		add(w.Commit.R(), s.Commit)
	}
	if st.Validated+st.Rejected > 0 {
		add(w.Validation.R(), s.Validation)
	}
	if weights.Cmp(w.Uptime.R()) == 0 {
		s.Total = new(big.Rat).Set(s.Uptime)
	} else {
		s.Total = new(big.Rat).Quo(sum, weights)
	}
	s.Total = new(big.Rat).Set(minRat(s.Total, rat(1)))
	return s
}

// Disqualification codes (the first word of PeriodRecord.disqualification).
const (
	codeStake = "stake_below_minimum"
	codeWarm  = "warm_precommit_misses"
	codeChurn = "heartbeat_churn"
)

// exceeds: count > share × of, exactly; a zero share turns the rule off.
func exceeds(count, of uint64, share *big.Rat) bool {
	if share.Sign() == 0 {
		return false
	}
	return new(big.Rat).SetUint64(count).Cmp(new(big.Rat).Mul(share, new(big.Rat).SetUint64(of))) > 0
}

// StatsDisqualification is the first of the rules the period's counters decide:
// warm_precommit_misses (warm assignments ≥ max(1, min_warm_assignments) and the warm
// assignments without a precommit, at least warm − all precommits, above the share) and
// heartbeat_churn (loaded-model changes above the share of heartbeats). The stake rule
// needs the node's stake history and is judged by the caller.
func StatsDisqualification(p *Params, st Stats) string {
	warm := uint64(st.WarmAssigned)
	if warm >= max(uint64(p.MinWarmAssignments), 1) {
		missed := uint64(0)
		if pre := uint64(st.PrecommitsOnTime + st.PrecommitsLate); pre < warm {
			missed = warm - pre
		}
		if exceeds(missed, warm, p.MaxWarmMissShare.R()) {
			return codeWarm
		}
	}
	if st.LoadedChanges > 0 && exceeds(uint64(st.LoadedChanges), uint64(st.Heartbeats), p.MaxLoadedChangeShare.R()) {
		return codeChurn
	}
	return ""
}

// code is the first word of a disqualification ("" when not disqualified).
func code(disqualification string) string {
	c, _, _ := strings.Cut(disqualification, ":")
	return strings.TrimSpace(c)
}
