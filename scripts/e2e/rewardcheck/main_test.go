package main

import (
	"encoding/json"
	"math/big"
	"strings"
	"testing"
)

// defaultParams is x/nodes' default params as the REST API prints them (proto JSON:
// 64-bit integers and decimals as strings, 32-bit integers as numbers).
const defaultParams = `{"params": {
  "denom": "ucor",
  "pools": [{"id": 3, "name": "Pool 3", "min_stake": "6000000000"}],
  "unbonding_blocks": "100800", "heartbeat_interval_blocks": "10", "max_missed_heartbeats": 3,
  "reward_epoch_identifier": "minute", "max_settlements_per_block": 1000, "max_unbondings_per_block": 100,
  "score_weights": {"uptime": "0.250000000000000000", "precommit": "0.250000000000000000",
    "commit": "0.250000000000000000", "validation": "0.250000000000000000"},
  "reward_unit": "1000000",
  "reward_tiers": [
    {"min_level": 0, "max_level": 3, "base_units": "20.000000000000000000"},
    {"min_level": 4, "max_level": 7, "base_units": "25.000000000000000000"},
    {"min_level": 8, "max_level": 10, "base_units": "30.000000000000000000"}],
  "level_bonus_units": "0.500000000000000000",
  "role_bonus": "0.050000000000000000", "role_bonus_cap": "0.250000000000000000",
  "multi_node_bonuses": [{"min_nodes": 3, "bonus": "0.100000000000000000"}, {"min_nodes": 5, "bonus": "0.200000000000000000"}],
  "total_bonus_cap": "0.300000000000000000",
  "prize_units": "5.000000000000000000", "prize_min_total_score": "0.500000000000000000",
  "min_precommit_score": "0.600000000000000000", "min_uptime": "0.800000000000000000",
  "mint_share": "0.100000000000000000", "history_periods": 30,
  "max_models_per_node": 32, "max_endpoint_length": 256, "max_roles_per_operator": 16,
  "new_operator_window": "1", "max_warm_miss_share": "0.500000000000000000",
  "min_warm_assignments": "3", "max_loaded_change_share": "0.500000000000000000"}}`

func params(t *testing.T) *Params {
	t.Helper()
	var r struct {
		Params Params `json:"params"`
	}
	if err := json.Unmarshal([]byte(defaultParams), &r); err != nil {
		t.Fatal(err)
	}
	return &r.Params
}

// The worked examples of x/nodes/README.md ("Period rewards"), full scores, one new or
// old operator: month rate and the first one-minute period.
func TestWorkedExamples(t *testing.T) {
	p := params(t)
	for _, c := range []struct {
		name                 string
		level, roles, nodes  uint64
		newOp                bool
		base, lvl, month     int64
		minute, carry, bonus int64 // bonus in percent
	}{
		{"tier 0-3", 3, 2, 3, true, 24_000_000, 1_500_000, 30_500_000, 706, 48_000, 20},
		{"tier 4-7", 6, 1, 5, true, 31_250_000, 3_000_000, 39_250_000, 908, 2_355_000_000 - 908*monthSeconds, 25},
		{"tier 8-10 at the cap", 10, 5, 6, true, 39_000_000, 5_000_000, 49_000_000, 1_134, 2_940_000_000 - 1_134*monthSeconds, 30},
		{"not new", 3, 2, 3, false, 22_000_000, 1_500_000, 28_500_000, 659, 1_710_000_000 - 659*monthSeconds, 10},
		{"level 10 alone", 10, 0, 1, true, 30_000_000, 5_000_000, 40_000_000, 925, 2_400_000_000 - 925*monthSeconds, 0},
		{"walk-through: level 0", 0, 0, 1, true, 20_000_000, 0, 25_000_000, 578, 1_824_000, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			l := MonthlyLines(p, Inputs{Level: c.level, Roles: c.roles, QualifiedNodes: c.nodes, NewOperator: c.newOp, Qualified: true, PrizeEligible: true})
			if l.Base.Int64() != c.base || l.Level.Int64() != c.lvl || l.Prize.Int64() != 5_000_000 || l.Monthly().Int64() != c.month {
				t.Fatalf("lines %s + %s + %s = %s, want %d + %d + 5000000 = %d", l.Base, l.Level, l.Prize, l.Monthly(), c.base, c.lvl, c.month)
			}
			if want := big.NewRat(c.bonus, 100); l.Bonus.Cmp(want) != 0 {
				t.Fatalf("bonus %s, want %s", l.Bonus.FloatString(2), want.FloatString(2))
			}
			amount, carry := FullPeriodAmount(l.Monthly(), 60, 0)
			if amount.Int64() != c.minute || int64(carry) != c.carry {
				t.Fatalf("one minute: %s carry %d, want %d carry %d", amount, carry, c.minute, c.carry)
			}
		})
	}
}

// 43,200 one-minute periods at 30.5 COR a month pay 30.5 COR exactly: the carry loses
// nothing.
func TestCarryAddsUpToTheMonth(t *testing.T) {
	monthly := big.NewInt(30_500_000)
	total, carry := new(big.Int), uint64(0)
	for range 43_200 {
		var a *big.Int
		a, carry = FullPeriodAmount(monthly, 60, carry)
		total.Add(total, a)
	}
	if total.Cmp(monthly) != 0 || carry != 0 {
		t.Fatalf("a month of minutes paid %s (carry %d), want %s", total, carry, monthly)
	}
}

func TestJoinPeriodAndNoLines(t *testing.T) {
	p := params(t)
	if a := JoinPeriodAmount(big.NewInt(25_000_000), 60, 30, 60); a.Int64() != 289 { // 578.7 / 2
		t.Fatalf("half a minute: %s, want 289", a)
	}
	if a := JoinPeriodAmount(big.NewInt(25_000_000), 60, 0, 60); a.Sign() != 0 {
		t.Fatalf("no active block: %s", a)
	}
	// Not qualified, no prize: nothing, whatever the bonus.
	if l := MonthlyLines(p, Inputs{Level: 10, Roles: 5, QualifiedNodes: 6, NewOperator: true}); l.Monthly().Sign() != 0 {
		t.Fatalf("unqualified node earns %s", l.Monthly())
	}
	// Prize only: uptime too low for the base, total still ≥ 0.5.
	if l := MonthlyLines(p, Inputs{Level: 4, PrizeEligible: true}); l.Monthly().Int64() != 5_000_000 {
		t.Fatalf("prize only: %s", l.Monthly())
	}
}

func TestScoresAndDisqualification(t *testing.T) {
	p := params(t)
	s := ComputeScores(p, Stats{Heartbeats: 5, Assigned: 4, PrecommitsOnTime: 3, CommitsOnTime: 2, Validated: 1, Rejected: 1}, 6)
	// uptime 5/6, precommit 3/4, commit 1/2, validation 1/2: total = their mean.
	want := new(big.Rat).Add(big.NewRat(5, 6), big.NewRat(3, 4))
	want.Add(want, big.NewRat(1, 1)).Quo(want, big.NewRat(4, 1))
	if s.Total.Cmp(want) != 0 || s.Uptime.Cmp(big.NewRat(5, 6)) != 0 {
		t.Fatalf("scores %v, total want %s", s, want.FloatString(6))
	}
	// Idle but live: the total is the uptime.
	if s := ComputeScores(p, Stats{Heartbeats: 3}, 6); s.Total.Cmp(big.NewRat(1, 2)) != 0 || s.Precommit.Cmp(big.NewRat(1, 1)) != 0 {
		t.Fatalf("idle node: %v", s)
	}
	if c := StatsDisqualification(p, Stats{WarmAssigned: 4, PrecommitsOnTime: 1}); c != codeWarm {
		t.Fatalf("3 of 4 warm misses: %q", c)
	}
	if c := StatsDisqualification(p, Stats{WarmAssigned: 4, PrecommitsOnTime: 2}); c != "" {
		t.Fatalf("2 of 4 warm misses (not above half): %q", c)
	}
	if c := StatsDisqualification(p, Stats{Heartbeats: 6, LoadedChanges: 4}); c != codeChurn {
		t.Fatalf("4 changes in 6 heartbeats: %q", c)
	}
}

// A chain state whose figures are worked out by hand from the README: operator A (new in
// period 1) with node a, registered half-way through period 1 and fully up in 1..3, and
// node b, registered at the start of period 2 with half its heartbeats (prize only).
func sampleState(t *testing.T) *State {
	t.Helper()
	one, half := decOf("1"), decOf("0.5")
	rec := func(node string, period, hb, expected uint64, uptime Dec, total Dec, active int64, qualified bool,
		levelBefore, levelAfter uint64, base, prize, entitled int64, newOp bool) Record {
		return Record{
			NodeID: node, Period: U64(period), Stats: Stats{Heartbeats: U64(hb)}, ExpectedHeartbeats: U64(expected),
			Uptime: uptime, PrecommitScore: one, CommitScore: one, ValidationAccuracy: one, TotalScore: total,
			LevelBefore: U64(levelBefore), LevelAfter: U64(levelAfter), RewardEntitled: intOf(entitled), RewardPaid: intOf(entitled),
			Paid: true, Qualified: qualified, PeriodSeconds: 60, ActiveBlocks: I64(active), PeriodBlocks: 60,
			Bonus: decOf("0"), Roles: 0, OperatorQualifiedNodes: 1, NewOperator: newOp,
			MonthlyBase: intOf(base), MonthlyLevel: intOf(0), MonthlyPrize: intOf(prize),
		}
	}
	st := &State{
		Height: 200, Params: *params(t), EpochSeconds: 60,
		Nodes: []Node{
			// 289 + 578 + 579 accrued; carry 1,501,824,000 mod 2,592,000 after period 3.
			{ID: "a", Operator: "opA", PoolID: 3, Stake: intOf(6_000_000_000), Status: "NODE_STATUS_ACTIVE", Level: 1,
				AccruedRewards: intOf(289 + 578 + 579), RewardCarry: 1_056_000},
			// 115 (5 COR a month for a minute), carry 1,920,000, then again: 300,000,000 +
			// 1,920,000 → 116, carry 1,248,000.
			{ID: "b", Operator: "opA", PoolID: 3, Stake: intOf(6_000_000_000), Status: "NODE_STATUS_ACTIVE",
				AccruedRewards: intOf(115 + 116), RewardCarry: 1_248_000},
		},
		Operators: map[string]Operator{"opA": {Address: "opA", FirstPeriod: 1, SettlingPeriod: 3}},
		Records: map[string][]Record{
			"a": {
				rec("a", 1, 3, 3, one, one, 30, true, 0, 0, 20_000_000, 5_000_000, 289, true),
				rec("a", 2, 6, 6, one, one, 60, true, 0, 0, 20_000_000, 5_000_000, 578, false),
				rec("a", 3, 6, 6, one, one, 60, true, 0, 1, 20_000_000, 5_000_000, 579, false),
			},
			"b": {
				rec("b", 2, 3, 6, half, half, 60, false, 0, 0, 0, 5_000_000, 115, false),
				rec("b", 3, 3, 6, half, half, 60, false, 0, 0, 0, 5_000_000, 116, false),
			},
		},
		OpenSlashes: map[string]uint64{},
	}
	return st
}

func TestCheckAgreesWithHandWorkedState(t *testing.T) {
	res := Check(sampleState(t), true)
	if len(res.Failures) > 0 {
		t.Fatalf("failures on a consistent state:\n%s", strings.Join(res.Failures, "\n"))
	}
	if res.Checked != 5 || res.Full != 4 || res.Join != 1 || res.PaidNonZero != 5 || res.QualifiedFullPaid != 2 {
		t.Fatalf("counts %+v", res)
	}
}

// Every kind of difference is found and names the field.
func TestCheckFindsDifferences(t *testing.T) {
	for _, c := range []struct {
		name   string
		change func(*State)
		want   string
	}{
		{"paid one more", func(s *State) { s.Records["a"][1].RewardPaid = intOf(579) }, "a period 2: reward_paid: expected 578, paid 579"},
		{"entitled without the carry", func(s *State) { s.Records["a"][2].RewardEntitled = intOf(578) }, "a period 3: reward_entitled: expected 579, chain 578"},
		{"level line for level 0", func(s *State) { s.Records["a"][1].MonthlyLevel = intOf(500_000) }, "monthly_level: expected 0"},
		{"bonus folded in", func(s *State) { s.Records["a"][0].MonthlyBase = intOf(22_000_000) }, "monthly_base: expected 20000000"},
		{"node carry", func(s *State) { s.Nodes[0].RewardCarry = 7 }, "reward_carry after the last full period: expected 1056000"},
		{"unqualified node marked qualified", func(s *State) { s.Records["b"][0].Qualified = true }, "b period 2: qualified: expected false"},
		{"disqualified without grounds", func(s *State) { s.Records["a"][1].Disqualification = "heartbeat_churn: 9 changes" }, `disqualification: expected ""`},
		{"disqualified node paid", func(s *State) {
			s.Records["a"][1].Stats.LoadedChanges = 4
			s.Records["a"][1].Disqualification = "heartbeat_churn: 4 loaded-model changes in 6 heartbeats"
		}, "qualified: expected false"},
		{"hour-long period", func(s *State) { s.Records["a"][2].PeriodSeconds = 3600 }, "period_seconds 3600"},
		{"qualified count", func(s *State) { s.Records["b"][1].OperatorQualifiedNodes = 2 }, "operator_qualified_nodes: expected 1"},
		{"new for ever", func(s *State) { s.Records["a"][1].NewOperator = true }, "new_operator: expected false"},
		{"short pool", func(s *State) { s.Records["a"][2].RewardPaid = intOf(0) }, "period 3: the rewards pool was short"},
		{"uptime", func(s *State) { s.Records["b"][0].Uptime = decOf("0.6") }, "uptime: expected 0.5"},
		{"roles", func(s *State) { s.Records["a"][2].Roles = 1 }, "roles 1, but the operator has"},
		{"level jump", func(s *State) { s.Records["a"][2].LevelBefore = 2 }, "level_before 2"},
		{"accrued", func(s *State) { s.Nodes[1].AccruedRewards = intOf(100) }, "accrued_rewards 100"},
		{"unpaid", func(s *State) { s.Records["b"][1].Paid = false }, "b period 3: not paid"},
	} {
		t.Run(c.name, func(t *testing.T) {
			st := sampleState(t)
			c.change(st)
			res := Check(st, true)
			all := strings.Join(res.Failures, "\n")
			if !strings.Contains(all, c.want) {
				t.Fatalf("want a failure containing %q, got:\n%s", c.want, all)
			}
			// Record-level differences come with the record's inputs (node-level ones, the
			// carry, the accrued sum, a short pool, name their own figures).
			if !strings.Contains(c.want, "reward_carry") && !strings.Contains(c.want, "short") && !strings.Contains(c.want, "accrued") &&
				!strings.Contains(all, "  inputs: ") {
				t.Fatalf("failures without the inputs:\n%s", all)
			}
		})
	}
}

// With history pruned (as many records as history_periods, the first a full period), the
// carry before the first kept record is worked out from the node's carry.
func TestCheckPrunedHistory(t *testing.T) {
	st := sampleState(t)
	st.Params.HistoryPeriods = 2
	st.Records["a"] = st.Records["a"][1:] // periods 2, 3 kept
	st.Nodes[0].AccruedRewards = intOf(0) // not compared: history incomplete
	if res := Check(st, true); len(res.Failures) > 0 {
		t.Fatalf("pruned history: %s", strings.Join(res.Failures, "\n"))
	}
	st.Records["a"][1].RewardEntitled, st.Records["a"][1].RewardPaid = intOf(600), intOf(600)
	if res := Check(st, true); !strings.Contains(strings.Join(res.Failures, "\n"), "fit no carry") {
		t.Fatalf("an impossible amount after pruning passed: %v", res.Failures)
	}
}

func TestDecodeRecord(t *testing.T) {
	var r struct {
		Records []Record `json:"records"`
	}
	js := `{"records":[{"node_id":"n","period":"4","stats":{"heartbeats":"6","under_min_stake":false},
	  "uptime":"1.000000000000000000","reward_entitled":"578","reward_paid":"578","paid":true,
	  "active_blocks":"60","period_blocks":"60","roles":2,"operator_qualified_nodes":1,"level_before":3}]}`
	if err := json.Unmarshal([]byte(js), &r); err != nil {
		t.Fatal(err)
	}
	x := r.Records[0]
	if x.Period != 4 || x.Stats.Heartbeats != 6 || x.Uptime.R().Cmp(big.NewRat(1, 1)) != 0 || x.RewardPaid.B().Int64() != 578 ||
		x.ActiveBlocks != 60 || x.Roles != 2 || x.LevelBefore != 3 || x.MonthlyBase.B().Sign() != 0 {
		t.Fatalf("decoded %+v", x)
	}
}
