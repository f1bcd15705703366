package main

import (
	"fmt"
	"math/big"
	"slices"
)

// Result is the outcome of Check.
type Result struct {
	// Lines describe each checked record: inputs, expected amount, what was paid.
	Lines []string
	// Failures are the differences found (empty: everything agrees).
	Failures []string
	// Checked counts the records compared; Full and Join split them by kind of period.
	Checked, Full, Join int
	// PaidNonZero counts records paid a positive amount; QualifiedFullPaid those that
	// were also a full period of a qualified node (base line and carry exercised).
	PaidNonZero, QualifiedFullPaid int
}

type opPeriod struct {
	op     string
	period uint64
}

// derived is what the check works out for one record before comparing amounts.
type derived struct {
	scores    Scores
	qualified bool
	prize     bool
}

// scoreTolerance bounds the difference between the chain's 18-decimal scores and the
// exact ones (the chain rounds each multiplication and division once).
var scoreTolerance = big.NewRat(1, 1_000_000_000_000_000) // 1e-15

// Check recomputes every settled record's reward from the params and the node's inputs
// and compares it with what the chain entitled and paid. noWithdrawals adds the check
// that each node's accrued rewards are the sum of what its records were paid.
func Check(st *State, noWithdrawals bool) Result {
	var res Result
	p := &st.Params
	failed := map[string]map[uint64]bool{} // records with a failure: their inputs are printed
	failf := func(node string, period uint64, format string, a ...any) {
		res.Failures = append(res.Failures, fmt.Sprintf("%s period %d: %s", node, period, fmt.Sprintf(format, a...)))
		if failed[node] == nil {
			failed[node] = map[uint64]bool{}
		}
		failed[node][period] = true
	}
	if st.EpochSeconds == 0 {
		res.Failures = append(res.Failures, fmt.Sprintf("no x/epochs epoch %q (reward_epoch_identifier)", p.RewardEpochIdentifier))
	}

	// Pass 1: scores, qualification and disqualification per record; the operators'
	// qualified counts and each period's sums.
	der := map[string][]derived{}
	qualified := map[opPeriod]uint64{}
	entitledSum, paidSum := map[uint64]*big.Int{}, map[uint64]*big.Int{}
	for _, n := range st.Nodes {
		for _, r := range st.Records[n.ID] {
			period := uint64(r.Period)
			s := ComputeScores(p, r.Stats, uint64(r.ExpectedHeartbeats))
			for _, c := range []struct {
				name       string
				mine, them *big.Rat
			}{
				{"uptime", s.Uptime, r.Uptime.R()}, {"precommit_score", s.Precommit, r.PrecommitScore.R()},
				{"commit_score", s.Commit, r.CommitScore.R()}, {"validation_accuracy", s.Validation, r.ValidationAccuracy.R()},
				{"total_score", s.Total, r.TotalScore.R()},
			} {
				if d := new(big.Rat).Sub(c.mine, c.them); new(big.Rat).Abs(d).Cmp(scoreTolerance) > 0 {
					failf(n.ID, period, "%s: expected %s, chain %s (stats %+v, expected heartbeats %d)",
						c.name, c.mine.FloatString(18), c.them.FloatString(18), r.Stats, r.ExpectedHeartbeats)
				}
			}
			// Disqualification: the counters decide two rules; the stake rule is decided
			// by the period's flag, or may apply when the node is under its minimum now.
			want, stakeMayApply := StatsDisqualification(p, r.Stats), belowMinimumNow(p, n)
			if r.Stats.UnderMinStake {
				want = codeStake
			}
			if got := code(r.Disqualification); got != want && !(stakeMayApply && got == codeStake) {
				failf(n.ID, period, "disqualification: expected %q, chain %q (stats %+v, stake %s, stake_under_since %d)",
					want, r.Disqualification, r.Stats, n.Stake.B(), n.StakeUnderSince)
			}
			disq := r.Disqualification != ""
			d := derived{scores: s}
			d.qualified = !disq && s.Uptime.Cmp(p.MinUptime.R()) >= 0 && s.Precommit.Cmp(p.MinPrecommitScore.R()) >= 0
			d.prize = !disq && s.Precommit.Cmp(p.MinPrecommitScore.R()) >= 0 && s.Total.Cmp(p.PrizeMinTotalScore.R()) >= 0
			if d.qualified != r.Qualified {
				failf(n.ID, period, "qualified: expected %v, chain %v (uptime %s ≥ %s, precommit %s ≥ %s, disqualification %q)",
					d.qualified, r.Qualified, s.Uptime.FloatString(4), p.MinUptime.R().FloatString(4),
					s.Precommit.FloatString(4), p.MinPrecommitScore.R().FloatString(4), r.Disqualification)
			}
			if d.qualified {
				qualified[opPeriod{n.Operator, period}]++
			}
			der[n.ID] = append(der[n.ID], d)
			if entitledSum[period] == nil {
				entitledSum[period], paidSum[period] = new(big.Int), new(big.Int)
			}
			entitledSum[period].Add(entitledSum[period], r.RewardEntitled.B())
			paidSum[period].Add(paidSum[period], r.RewardPaid.B())
		}
	}
	for period, owed := range entitledSum {
		if paidSum[period].Cmp(owed) < 0 {
			res.Failures = append(res.Failures, fmt.Sprintf("period %d: the rewards pool was short (owed %s, paid %s): payments are pro rata to a pool balance this check cannot see; fund the pool",
				period, owed, paidSum[period]))
		}
	}

	// Pass 2: per node, in period order: the inputs, the month rate, the period amount
	// with the carry, the payment.
	for _, n := range st.Nodes {
		recs := st.Records[n.ID]
		if len(recs) == 0 {
			continue
		}
		op := st.Operators[n.Operator]
		// The first record is the node's first settled period when it is the period the
		// node registered in (fewer active blocks than the period's) or when history
		// cannot have been pruned; its carry before is then 0. Otherwise the carry before
		// the first kept record is worked out backwards from the node's carry.
		first := recs[0].ActiveBlocks < recs[0].PeriodBlocks || uint64(len(recs)) < uint64(p.HistoryPeriods)
		lines := make([]Lines, len(recs))
		for i, r := range recs {
			lines[i] = MonthlyLines(p, inputsOf(p, op, r, der[n.ID][i], qualified[opPeriod{n.Operator, uint64(r.Period)}]))
		}
		carry := uint64(0)
		if !first {
			c, ok := carryBefore(recs, lines, uint64(n.RewardCarry))
			if !ok {
				failf(n.ID, uint64(recs[0].Period), "the entitled amounts of the kept records fit no carry ending at the node's reward_carry %d", n.RewardCarry)
			}
			carry = c
		}
		var paidTotal big.Int
		for i, r := range recs {
			period := uint64(r.Period)
			d := der[n.ID][i]
			in := inputsOf(p, op, r, d, qualified[opPeriod{n.Operator, period}])
			l := lines[i]
			checkInputs(st, n, op, recs, i, first, in, failf)

			// The month rate, line by line.
			if l.Bonus.Cmp(r.Bonus.R()) != 0 {
				failf(n.ID, period, "bonus: expected %s, chain %s", l.Bonus.FloatString(4), r.Bonus.R().FloatString(4))
			}
			for _, c := range []struct {
				name       string
				mine, them *big.Int
			}{{"monthly_base", l.Base, r.MonthlyBase.B()}, {"monthly_level", l.Level, r.MonthlyLevel.B()}, {"monthly_prize", l.Prize, r.MonthlyPrize.B()}} {
				if c.mine.Cmp(c.them) != 0 {
					failf(n.ID, period, "%s: expected %s, chain %s", c.name, c.mine, c.them)
				}
			}
			// The period's amount.
			full := r.ActiveBlocks >= r.PeriodBlocks
			var amount *big.Int
			kind := "full"
			if full {
				amount, carry = FullPeriodAmount(l.Monthly(), uint64(r.PeriodSeconds), carry)
				res.Full++
			} else {
				amount = JoinPeriodAmount(l.Monthly(), uint64(r.PeriodSeconds), int64(r.ActiveBlocks), int64(r.PeriodBlocks))
				kind = fmt.Sprintf("join %d/%d blocks", r.ActiveBlocks, r.PeriodBlocks)
				res.Join++
			}
			if amount.Cmp(r.RewardEntitled.B()) != 0 {
				failf(n.ID, period, "reward_entitled: expected %s, chain %s", amount, r.RewardEntitled.B())
			}
			switch {
			case !r.Paid:
				failf(n.ID, period, "not paid (the check runs at a height with no settlement open)")
			case paidSum[period].Cmp(entitledSum[period]) >= 0 && amount.Cmp(r.RewardPaid.B()) != 0:
				failf(n.ID, period, "reward_paid: expected %s, paid %s", amount, r.RewardPaid.B())
			}
			paidTotal.Add(&paidTotal, r.RewardPaid.B())
			res.Checked++
			if r.RewardPaid.B().Sign() > 0 {
				res.PaidNonZero++
				if full && d.qualified {
					res.QualifiedFullPaid++
				}
			}
			line := fmt.Sprintf("%s period %d (%s, %d s): level %d tier %s, roles %d, operator's qualified nodes %d, new operator %v, qualified %v, prize %v, disqualification %q; bonus %s; month %s + %s + %s = %s %s; expected %s (carry after %d), entitled %s, paid %s",
				n.ID, period, kind, r.PeriodSeconds, in.Level, l.Tier.FloatString(2), in.Roles, in.QualifiedNodes, in.NewOperator,
				in.Qualified, in.PrizeEligible, r.Disqualification, l.Bonus.FloatString(4), l.Base, l.Level, l.Prize, l.Monthly(), p.Denom,
				amount, carry, r.RewardEntitled.B(), r.RewardPaid.B())
			if failed[n.ID][period] {
				res.Failures = append(res.Failures, "  inputs: "+line)
			}
			res.Lines = append(res.Lines, line)
		}
		if carry != uint64(n.RewardCarry) {
			failf(n.ID, uint64(recs[len(recs)-1].Period), "reward_carry after the last full period: expected %d, node has %d", carry, n.RewardCarry)
		}
		if noWithdrawals && first && paidTotal.Cmp(n.AccruedRewards.B()) != 0 {
			failf(n.ID, uint64(recs[len(recs)-1].Period), "accrued_rewards %s is not the sum %s of the records' payments (no withdrawals were made)", n.AccruedRewards.B(), &paidTotal)
		}
	}
	return res
}

// inputsOf are the formula's inputs for record r: the level held in the period, the
// roles counted on the record (checked against the operator by checkInputs), the
// operator's qualified nodes counted here, new-operator status from the operator's first
// period, qualification and prize eligibility recomputed from the counters.
func inputsOf(p *Params, op Operator, r Record, d derived, qualifiedNodes uint64) Inputs {
	return Inputs{
		Level: uint64(r.LevelBefore), Roles: uint64(r.Roles), QualifiedNodes: qualifiedNodes,
		NewOperator: newOperatorIn(p, uint64(op.FirstPeriod), uint64(r.Period)),
		Qualified:   d.qualified, PrizeEligible: d.prize,
	}
}

// newOperatorIn: first_period ≤ period < first_period + new_operator_window, and
// first_period is set (0: an operator from before the rule, never new).
func newOperatorIn(p *Params, first, period uint64) bool {
	return first != 0 && period >= first && period-first < uint64(p.NewOperatorWindow)
}

// belowMinimumNow: the node's stake is under its pool's minimum now, or its pool is gone,
// or a slash took it under (the stake rule may then have applied to a settled period).
func belowMinimumNow(p *Params, n Node) bool {
	if n.StakeUnderSince != 0 {
		return true
	}
	for _, pool := range p.Pools {
		if uint64(pool.ID) == uint64(n.PoolID) {
			return n.Stake.B().Cmp(pool.MinStake.B()) < 0
		}
	}
	return true
}

// checkInputs compares the record's inputs with what the chain's other records say: the
// period length with the reward epoch, the expected heartbeats with the active blocks,
// the record order, the level chain, the roles with the operator's, the operator's
// qualified nodes and new-operator status with what this check counted.
func checkInputs(st *State, n Node, op Operator, recs []Record, i int, first bool, in Inputs, failf func(string, uint64, string, ...any)) {
	p := &st.Params
	r := recs[i]
	period := uint64(r.Period)
	if st.EpochSeconds != 0 && uint64(r.PeriodSeconds) != st.EpochSeconds {
		failf(n.ID, period, "period_seconds %d, but the reward epoch %q lasts %d s", r.PeriodSeconds, p.RewardEpochIdentifier, st.EpochSeconds)
	}
	if r.ActiveBlocks < 0 || r.ActiveBlocks > r.PeriodBlocks {
		failf(n.ID, period, "active_blocks %d outside [0, period_blocks %d]", r.ActiveBlocks, r.PeriodBlocks)
	}
	if iv := int64(p.HeartbeatIntervalBlocks); iv > 0 && r.ActiveBlocks >= 0 && uint64(r.ExpectedHeartbeats) != uint64(int64(r.ActiveBlocks)/iv) {
		failf(n.ID, period, "expected_heartbeats %d, but %d active blocks hold %d heartbeat intervals", r.ExpectedHeartbeats, r.ActiveBlocks, int64(r.ActiveBlocks)/iv)
	}
	if i > 0 && period != uint64(recs[i-1].Period)+1 {
		failf(n.ID, period, "records are not consecutive (previous period %d)", recs[i-1].Period)
	}
	if i > 0 && r.ActiveBlocks < r.PeriodBlocks {
		failf(n.ID, period, "a join period (%d of %d blocks) after the node's first period", r.ActiveBlocks, r.PeriodBlocks)
	}
	// Levels: 0 in the first period; then the level after the previous period, lowered
	// only by slashes after the previous settlement (counted in this period or, for a
	// slash in the block that settles this period, before it is scored, in the next);
	// one step at most per settlement.
	slashesAfter := st.OpenSlashes[n.ID]
	if i+1 < len(recs) {
		slashesAfter = uint64(recs[i+1].Stats.Slashes)
	}
	switch {
	case i == 0 && first && r.LevelBefore != 0:
		failf(n.ID, period, "level_before %d in the node's first period (nodes start at 0)", r.LevelBefore)
	case i > 0 && r.Stats.Slashes == 0 && slashesAfter == 0 && r.LevelBefore != recs[i-1].LevelAfter:
		failf(n.ID, period, "level_before %d, but the previous period ended at level %d and no slash happened", r.LevelBefore, recs[i-1].LevelAfter)
	case i > 0 && r.LevelBefore > recs[i-1].LevelAfter:
		failf(n.ID, period, "level_before %d above the previous period's level_after %d", r.LevelBefore, recs[i-1].LevelAfter)
	}
	if d := int64(r.LevelAfter) - int64(r.LevelBefore); d < -1 || d > 1 || r.LevelAfter > 10 {
		failf(n.ID, period, "level %d → %d: more than one step", r.LevelBefore, r.LevelAfter)
	}
	if i == len(recs)-1 && slashesAfter == 0 && uint64(n.Level) != uint64(r.LevelAfter) {
		failf(n.ID, period, "the node is at level %d, its last settled period ended at %d", n.Level, r.LevelAfter)
	}
	// Roles: granted ∪ observed, each once. The operator record describes the roles
	// observed in its latest settled period only; for older periods the count lies
	// between the granted roles and the granted roles plus every observable one.
	granted := uint64(len(op.Roles))
	if uint64(op.SettlingPeriod) == period {
		union := slices.Clone(op.Roles)
		for _, o := range op.ObservedRoles {
			if !slices.Contains(union, o) {
				union = append(union, o)
			}
		}
		if in.Roles != uint64(len(union)) {
			failf(n.ID, period, "roles %d, but the operator has %v granted and %v observed", in.Roles, op.Roles, op.ObservedRoles)
		}
	} else if in.Roles < granted || in.Roles > granted+uint64(len(op.Activity)) {
		failf(n.ID, period, "roles %d outside [%d granted, %d granted + observable]", in.Roles, granted, granted+uint64(len(op.Activity)))
	}
	if uint64(r.OperatorQualifiedNodes) != in.QualifiedNodes {
		failf(n.ID, period, "operator_qualified_nodes: expected %d (the operator's nodes qualified in the period), chain %d", in.QualifiedNodes, r.OperatorQualifiedNodes)
	}
	if r.NewOperator != in.NewOperator {
		failf(n.ID, period, "new_operator: expected %v (first_period %d, window %d), chain %v", in.NewOperator, op.FirstPeriod, p.NewOperatorWindow, r.NewOperator)
	}
}

// carryBefore works the carry before the first record out backwards from the node's
// carry after the last full period: a full period with entitlement e and month rate m
// had carry c_before = e × month + c_after − m × seconds, which must lie in [0, month).
func carryBefore(recs []Record, lines []Lines, after uint64) (uint64, bool) {
	c := new(big.Int).SetUint64(after)
	month := big.NewInt(monthSeconds)
	ok := true
	for i := len(recs) - 1; i >= 0; i-- {
		r := recs[i]
		if r.ActiveBlocks < r.PeriodBlocks {
			continue
		}
		next := new(big.Int).Mul(r.RewardEntitled.B(), month)
		next.Add(next, c)
		next.Sub(next, new(big.Int).Mul(lines[i].Monthly(), new(big.Int).SetUint64(uint64(r.PeriodSeconds))))
		if next.Sign() < 0 || next.Cmp(month) >= 0 {
			ok = false
			next.Mod(next, month)
		}
		c = next
	}
	return c.Uint64(), ok
}
