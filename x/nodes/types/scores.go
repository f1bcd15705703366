package types

import sdkmath "cosmossdk.io/math"

// Scores are a node's scores for one period, each in [0, 1].
type Scores struct {
	Uptime, Precommit, Commit, Validation, Total sdkmath.LegacyDec
}

// ratioOr returns num/den capped at 1, or ifEmpty when den is 0. A node that was given no
// work is not penalised for work it was not given: its task ratios are 1 (ifEmpty).
func ratioOr(num, den uint64, ifEmpty sdkmath.LegacyDec) sdkmath.LegacyDec {
	if den == 0 {
		return ifEmpty
	}
	if num >= den {
		return sdkmath.LegacyOneDec()
	}
	return sdkmath.LegacyNewDec(int64(num)).QuoInt64(int64(den))
}

// ExpectedHeartbeats is the number of full heartbeat intervals between from and end
// (blocks [from, end)): what a node heartbeating once per slot delivers in that window.
func ExpectedHeartbeats(from, end, interval int64) uint64 {
	if end <= from || interval <= 0 {
		return 0
	}
	return uint64((end - from) / interval)
}

// ComputeScores turns a period's counters into scores. Uptime is heartbeats / expected
// (0 when nothing was expected); precommit and commit scores are on-time counts over
// assignments; validation accuracy is validated / (validated + rejected).
//
// The total is the weighted average of the components that had data: uptime always, the
// task scores only when the node was assigned tasks (validation only when results were
// judged), with the weights of the included components renormalised. So an idle but live
// node scores its uptime, and a silent node with no tasks scores 0. The task scores of a
// node given no tasks are reported as 1 (it missed nothing), which is what the precommit
// checks of the reward formula read.
func ComputeScores(st PeriodStats, expected uint64, w ScoreWeights) Scores {
	one := sdkmath.LegacyOneDec()
	s := Scores{
		Uptime:     ratioOr(st.Heartbeats, expected, sdkmath.LegacyZeroDec()),
		Precommit:  ratioOr(st.PrecommitsOnTime, st.Assigned, one),
		Commit:     ratioOr(st.CommitsOnTime, st.Assigned, one),
		Validation: ratioOr(st.Validated, st.Validated+st.Rejected, one),
	}
	sum, weights := w.Uptime.Mul(s.Uptime), w.Uptime
	if st.Assigned > 0 {
		sum = sum.Add(w.Precommit.Mul(s.Precommit)).Add(w.Commit.Mul(s.Commit))
		weights = weights.Add(w.Precommit).Add(w.Commit)
	}
	if st.Validated+st.Rejected > 0 {
		sum = sum.Add(w.Validation.Mul(s.Validation))
		weights = weights.Add(w.Validation)
	}
	if weights.Equal(w.Uptime) { // uptime alone: exact, without a weight round trip
		s.Total = s.Uptime
	} else {
		s.Total = sum.Quo(weights)
	}
	if s.Total.GT(one) { // rounding guard
		s.Total = one
	}
	return s
}

// NextLevel applies one period's total score to a level and promotion streak:
//   - up one level when the score reaches the next level's threshold for
//     promotion_periods consecutive periods (the streak then restarts);
//   - down one level when the score is below the current level's floor
//     (level_thresholds[level] - demotion_margin); the streak restarts;
//   - otherwise the level stays and the streak counts on (or restarts when the score
//     missed the next threshold).
func NextLevel(p Params, level, streak uint32, total sdkmath.LegacyDec) (uint32, uint32) {
	if level < MaxLevel && total.GTE(p.LevelThresholds[level+1].MinScore) {
		streak++
		if streak >= p.PromotionPeriods {
			return level + 1, 0
		}
		return level, streak
	}
	if level > 0 && total.LT(p.LevelThresholds[level].MinScore.Sub(p.DemotionMargin)) {
		return level - 1, 0
	}
	return level, 0
}

// NextReputation is the exponentially weighted average: alpha·score + (1−alpha)·previous.
func NextReputation(alpha, previous, score sdkmath.LegacyDec) sdkmath.LegacyDec {
	return alpha.Mul(score).Add(sdkmath.LegacyOneDec().Sub(alpha).Mul(previous))
}
