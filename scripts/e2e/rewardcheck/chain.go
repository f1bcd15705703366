package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// The chain's state as the REST API (grpc-gateway, proto JSON with original field names
// and default values emitted) shows it. Only the fields the check reads are declared.
// Numbers arrive as JSON strings (64-bit integers, cosmos.Int, cosmos.Dec) or JSON
// numbers (32-bit integers); the types below accept both.

// U64 is a 64- or 32-bit unsigned integer.
type U64 uint64

func (u *U64) UnmarshalJSON(b []byte) error {
	s := unquote(b)
	if s == "" {
		*u = 0
		return nil
	}
	v, err := strconv.ParseUint(s, 10, 64)
	*u = U64(v)
	return err
}

// I64 is a signed integer.
type I64 int64

func (i *I64) UnmarshalJSON(b []byte) error {
	s := unquote(b)
	if s == "" {
		*i = 0
		return nil
	}
	v, err := strconv.ParseInt(s, 10, 64)
	*i = I64(v)
	return err
}

// Int is a cosmos.Int: an arbitrary-precision integer (0 when absent).
type Int struct{ v *big.Int }

func (i *Int) UnmarshalJSON(b []byte) error {
	s := unquote(b)
	if s == "" {
		i.v = nil
		return nil
	}
	v, ok := new(big.Int).SetString(s, 10)
	if !ok {
		return fmt.Errorf("not an integer: %q", s)
	}
	i.v = v
	return nil
}

// B is the value (a fresh zero when absent).
func (i Int) B() *big.Int {
	if i.v == nil {
		return new(big.Int)
	}
	return i.v
}

func intOf(v int64) Int { return Int{big.NewInt(v)} }

// Dec is a cosmos.Dec (LegacyDec, 18 decimals), held exactly as a rational.
type Dec struct{ v *big.Rat }

func (d *Dec) UnmarshalJSON(b []byte) error {
	s := unquote(b)
	if s == "" {
		d.v = nil
		return nil
	}
	v, ok := new(big.Rat).SetString(s)
	if !ok {
		return fmt.Errorf("not a decimal: %q", s)
	}
	d.v = v
	return nil
}

// R is the value (a fresh zero when absent).
func (d Dec) R() *big.Rat {
	if d.v == nil {
		return new(big.Rat)
	}
	return d.v
}

func decOf(s string) Dec {
	v, ok := new(big.Rat).SetString(s)
	if !ok {
		panic("decOf: " + s)
	}
	return Dec{v}
}

func unquote(b []byte) string {
	s := strings.TrimSpace(string(b))
	if s == "null" {
		return ""
	}
	return strings.Trim(s, `"`)
}

// Params are x/nodes' params (the fields the reward formula and its inputs read).
type Params struct {
	Denom string `json:"denom"`
	Pools []struct {
		ID       U64 `json:"id"`
		MinStake Int `json:"min_stake"`
	} `json:"pools"`
	HeartbeatIntervalBlocks I64    `json:"heartbeat_interval_blocks"`
	RewardEpochIdentifier   string `json:"reward_epoch_identifier"`
	ScoreWeights            struct {
		Uptime     Dec `json:"uptime"`
		Precommit  Dec `json:"precommit"`
		Commit     Dec `json:"commit"`
		Validation Dec `json:"validation"`
	} `json:"score_weights"`
	RewardUnit  Int `json:"reward_unit"`
	RewardTiers []struct {
		MinLevel  U64 `json:"min_level"`
		MaxLevel  U64 `json:"max_level"`
		BaseUnits Dec `json:"base_units"`
	} `json:"reward_tiers"`
	LevelBonusUnits  Dec `json:"level_bonus_units"`
	RoleBonus        Dec `json:"role_bonus"`
	RoleBonusCap     Dec `json:"role_bonus_cap"`
	MultiNodeBonuses []struct {
		MinNodes U64 `json:"min_nodes"`
		Bonus    Dec `json:"bonus"`
	} `json:"multi_node_bonuses"`
	TotalBonusCap        Dec `json:"total_bonus_cap"`
	PrizeUnits           Dec `json:"prize_units"`
	PrizeMinTotalScore   Dec `json:"prize_min_total_score"`
	MinPrecommitScore    Dec `json:"min_precommit_score"`
	MinUptime            Dec `json:"min_uptime"`
	HistoryPeriods       U64 `json:"history_periods"`
	NewOperatorWindow    U64 `json:"new_operator_window"`
	MaxWarmMissShare     Dec `json:"max_warm_miss_share"`
	MinWarmAssignments   U64 `json:"min_warm_assignments"`
	MaxLoadedChangeShare Dec `json:"max_loaded_change_share"`
}

// Node is an x/nodes node.
type Node struct {
	ID               string `json:"id"`
	Operator         string `json:"operator"`
	PoolID           U64    `json:"pool_id"`
	Stake            Int    `json:"stake"`
	Status           string `json:"status"`
	RegisteredHeight I64    `json:"registered_height"`
	Level            U64    `json:"level"`
	AccruedRewards   Int    `json:"accrued_rewards"`
	RewardCarry      U64    `json:"reward_carry"`
	StakeUnderSince  I64    `json:"stake_under_since"`
}

// Operator is an operator's record.
type Operator struct {
	Address        string   `json:"address"`
	Roles          []string `json:"roles"`
	FirstPeriod    U64      `json:"first_period"`
	SettlingPeriod U64      `json:"settling_period"`
	ObservedRoles  []string `json:"observed_roles"`
	Activity       []struct {
		Role string `json:"role"`
	} `json:"activity"`
}

// Stats are a node's counters in one period.
type Stats struct {
	Heartbeats       U64  `json:"heartbeats"`
	Assigned         U64  `json:"assigned"`
	PrecommitsOnTime U64  `json:"precommits_on_time"`
	PrecommitsLate   U64  `json:"precommits_late"`
	CommitsOnTime    U64  `json:"commits_on_time"`
	CommitsLate      U64  `json:"commits_late"`
	Validated        U64  `json:"validated"`
	Rejected         U64  `json:"rejected"`
	Slashes          U64  `json:"slashes"`
	WarmAssigned     U64  `json:"warm_assigned"`
	LoadedChanges    U64  `json:"loaded_changes"`
	UnderMinStake    bool `json:"under_min_stake"`
}

// Record is a node's settled period (PeriodRecord).
type Record struct {
	NodeID                 string `json:"node_id"`
	Period                 U64    `json:"period"`
	Stats                  Stats  `json:"stats"`
	ExpectedHeartbeats     U64    `json:"expected_heartbeats"`
	Uptime                 Dec    `json:"uptime"`
	PrecommitScore         Dec    `json:"precommit_score"`
	CommitScore            Dec    `json:"commit_score"`
	ValidationAccuracy     Dec    `json:"validation_accuracy"`
	TotalScore             Dec    `json:"total_score"`
	LevelBefore            U64    `json:"level_before"`
	LevelAfter             U64    `json:"level_after"`
	RewardEntitled         Int    `json:"reward_entitled"`
	RewardPaid             Int    `json:"reward_paid"`
	Paid                   bool   `json:"paid"`
	Disqualification       string `json:"disqualification"`
	Qualified              bool   `json:"qualified"`
	PeriodSeconds          U64    `json:"period_seconds"`
	ActiveBlocks           I64    `json:"active_blocks"`
	PeriodBlocks           I64    `json:"period_blocks"`
	Bonus                  Dec    `json:"bonus"`
	Roles                  U64    `json:"roles"`
	OperatorQualifiedNodes U64    `json:"operator_qualified_nodes"`
	NewOperator            bool   `json:"new_operator"`
	MonthlyBase            Int    `json:"monthly_base"`
	MonthlyLevel           Int    `json:"monthly_level"`
	MonthlyPrize           Int    `json:"monthly_prize"`
}

// State is everything the check reads, all at one height.
type State struct {
	Height int64
	Params Params
	// EpochSeconds is the duration of the x/epochs epoch named by
	// reward_epoch_identifier, in whole seconds (0: no such epoch).
	EpochSeconds uint64
	Nodes        []Node
	Operators    map[string]Operator
	// Records are each node's settled periods, in period order.
	Records map[string][]Record
	// OpenSlashes are the slashes counted in the open period, per node.
	OpenSlashes map[string]uint64
}

// client reads the REST API at one height (the x-cosmos-block-height header).
type client struct {
	base   string
	http   *http.Client
	height int64
}

func (c *client) get(ctx context.Context, path string, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+path, nil)
	if err != nil {
		return err
	}
	if c.height > 0 {
		req.Header.Set("x-cosmos-block-height", strconv.FormatInt(c.height, 10))
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: HTTP %d: %s", path, resp.StatusCode, strings.TrimSpace(string(body)))
	}
	if err := json.Unmarshal(body, out); err != nil {
		return fmt.Errorf("GET %s: %w", path, err)
	}
	return nil
}

// getAll walks a paginated list; page(key) fetches one page and returns its next key.
func getAll(page func(key string) (string, error)) error {
	key := ""
	for range 100000 {
		next, err := page(key)
		if err != nil || next == "" {
			return err
		}
		key = next
	}
	return fmt.Errorf("pagination did not end")
}

type pageResp struct {
	NextKey string `json:"next_key"`
}

func pageQuery(key string) string {
	q := url.Values{"pagination.limit": {"1000"}}
	if key != "" {
		q.Set("pagination.key", key)
	}
	return "?" + q.Encode()
}

// latestHeight is the newest committed block's height.
func latestHeight(ctx context.Context, base string, hc *http.Client) (int64, error) {
	var r struct {
		Block struct {
			Header struct {
				Height I64 `json:"height"`
			} `json:"header"`
		} `json:"block"`
	}
	c := &client{base: base, http: hc}
	if err := c.get(ctx, "/cosmos/base/tendermint/v1beta1/blocks/latest", &r); err != nil {
		return 0, err
	}
	return int64(r.Block.Header.Height), nil
}

// openSettlements counts the settlements not finished at the client's height.
func openSettlements(ctx context.Context, c *client) (int, error) {
	var r struct {
		Settlements []json.RawMessage `json:"settlements"`
	}
	if err := c.get(ctx, "/cortd/nodes/v1/period", &r); err != nil {
		return 0, err
	}
	return len(r.Settlements), nil
}

// fetchState reads params, the reward epoch, every node with its records, open-period
// slashes and operator, all at the client's height.
func fetchState(ctx context.Context, c *client) (*State, error) {
	st := &State{Height: c.height, Operators: map[string]Operator{}, Records: map[string][]Record{}, OpenSlashes: map[string]uint64{}}
	var pr struct {
		Params Params `json:"params"`
	}
	if err := c.get(ctx, "/cortd/nodes/v1/params", &pr); err != nil {
		return nil, err
	}
	st.Params = pr.Params

	var er struct {
		Epochs []struct {
			Identifier string `json:"identifier"`
			Duration   string `json:"duration"`
		} `json:"epochs"`
	}
	if err := c.get(ctx, "/cosmos/epochs/v1beta1/epochs", &er); err != nil {
		return nil, err
	}
	for _, e := range er.Epochs {
		if e.Identifier != st.Params.RewardEpochIdentifier {
			continue
		}
		d, err := time.ParseDuration(e.Duration)
		if err != nil {
			return nil, fmt.Errorf("epoch %s duration %q: %w", e.Identifier, e.Duration, err)
		}
		st.EpochSeconds = uint64(d / time.Second)
	}

	if err := getAll(func(key string) (string, error) {
		var r struct {
			Nodes      []Node   `json:"nodes"`
			Pagination pageResp `json:"pagination"`
		}
		err := c.get(ctx, "/cortd/nodes/v1/nodes"+pageQuery(key), &r)
		st.Nodes = append(st.Nodes, r.Nodes...)
		return r.Pagination.NextKey, err
	}); err != nil {
		return nil, err
	}
	for _, n := range st.Nodes {
		id := url.PathEscape(n.ID)
		if err := getAll(func(key string) (string, error) {
			var r struct {
				Records    []Record `json:"records"`
				Pagination pageResp `json:"pagination"`
			}
			err := c.get(ctx, "/cortd/nodes/v1/nodes/"+id+"/periods"+pageQuery(key), &r)
			st.Records[n.ID] = append(st.Records[n.ID], r.Records...)
			return r.Pagination.NextKey, err
		}); err != nil {
			return nil, err
		}
		recs := st.Records[n.ID]
		sort.Slice(recs, func(i, j int) bool { return recs[i].Period < recs[j].Period })
		var cp struct {
			NodeStats Stats `json:"node_stats"`
		}
		if err := c.get(ctx, "/cortd/nodes/v1/period?node_id="+url.QueryEscape(n.ID), &cp); err != nil {
			return nil, err
		}
		st.OpenSlashes[n.ID] = uint64(cp.NodeStats.Slashes)
		if _, ok := st.Operators[n.Operator]; ok {
			continue
		}
		var or struct {
			Operator Operator `json:"operator"`
		}
		if err := c.get(ctx, "/cortd/nodes/v1/operators/"+url.PathEscape(n.Operator), &or); err != nil {
			return nil, err
		}
		st.Operators[n.Operator] = or.Operator
	}
	return st, nil
}
