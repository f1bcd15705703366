package types

import (
	"fmt"

	errorsmod "cosmossdk.io/errors"
	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"
)

func dec(s string) sdkmath.LegacyDec { return sdkmath.LegacyMustNewDecFromStr(s) }

// DefaultParams are the defaults of the network's public test phases (see DESIGN.md):
// Pool 3 at 6,000 COR per node, tier bases 20/25/30 units, +0.5 unit per level, 5% per
// role capped at 25%, multi-node 10% at 3+ and 20% at 5+, all bonuses capped at 30%, a
// 5-unit prize at total >= 50% and precommit >= 60%. One reward unit is 1 COR.
//
// Reward amounts are per node per month (types.MonthSeconds); each period pays its share
// of the month. The reward period is the x/epochs "minute" epoch (the `local` genesis
// preset), so a localnet shows a period end within a minute; real networks use the
// `testnet`/`mainnet` presets (a 30-day "month" epoch), see RewardsPreset.
func DefaultParams() Params {
	thresholds := make([]LevelThreshold, MaxLevel+1)
	thresholds[0] = LevelThreshold{MinScore: sdkmath.LegacyZeroDec()}
	// Level 1 needs 50%, each further level 5 points more: level 10 needs 95%.
	for l := 1; l <= MaxLevel; l++ {
		thresholds[l] = LevelThreshold{MinScore: dec("0.45").Add(sdkmath.LegacyNewDecWithPrec(5, 2).MulInt64(int64(l)))}
	}
	return Params{
		Denom: sdk.DefaultBondDenom,
		Pools: []Pool{{Id: 3, Name: "Pool 3", MinStake: sdkmath.NewInt(6_000_000_000)}},
		// About a week at 6 s blocks: time for fraud reports against recent work.
		UnbondingBlocks:         100_800,
		HeartbeatIntervalBlocks: 10,
		MaxMissedHeartbeats:     3,
		RewardEpochIdentifier:   "minute",
		MaxSettlementsPerBlock:  1000,
		MaxUnbondingsPerBlock:   100,
		ScoreWeights: ScoreWeights{
			Uptime: dec("0.25"), Precommit: dec("0.25"), Commit: dec("0.25"), Validation: dec("0.25"),
		},
		LevelThresholds:  thresholds,
		DemotionMargin:   dec("0.05"),
		PromotionPeriods: 3,
		ReputationAlpha:  dec("0.2"),
		RewardUnit:       sdkmath.NewInt(1_000_000),
		RewardTiers: []RewardTier{
			{MinLevel: 0, MaxLevel: 3, BaseUnits: dec("20")},
			{MinLevel: 4, MaxLevel: 7, BaseUnits: dec("25")},
			{MinLevel: 8, MaxLevel: 10, BaseUnits: dec("30")},
		},
		LevelBonusUnits: dec("0.5"),
		RoleBonus:       dec("0.05"),
		RoleBonusCap:    dec("0.25"),
		MultiNodeBonuses: []MultiNodeBonus{
			{MinNodes: 3, Bonus: dec("0.10")},
			{MinNodes: 5, Bonus: dec("0.20")},
		},
		TotalBonusCap:       dec("0.30"),
		PrizeUnits:          dec("5"),
		PrizeMinTotalScore:  dec("0.5"),
		MinPrecommitScore:   dec("0.6"),
		MinUptime:           dec("0.8"),
		MintShare:           dec("0.1"),
		HistoryPeriods:      30,
		MaxModelsPerNode:    32,
		MaxEndpointLength:   256,
		MaxRolesPerOperator: 16,
		// Phase #4: the multi-node bonus is for new operators, one time.
		NewOperatorWindow:    1,
		MaxWarmMissShare:     dec("0.5"),
		MinWarmAssignments:   3,
		MaxLoadedChangeShare: dec("0.5"),
	}
}

// fraction checks 0 <= d <= 1 (and that d was set).
func fraction(name string, d sdkmath.LegacyDec) error {
	if d.IsNil() || d.IsNegative() || d.GT(sdkmath.LegacyOneDec()) {
		return errorsmod.Wrapf(ErrInvalidParams, "%s must be in [0, 1], got %v", name, d)
	}
	return nil
}

// namedDec is a param and its name; lists of them keep validation order fixed (no maps).
type namedDec struct {
	name string
	d    sdkmath.LegacyDec
}

func allFractions(ds []namedDec) error {
	for _, nd := range ds {
		if err := fraction(nd.name, nd.d); err != nil {
			return err
		}
	}
	return nil
}

func nonNegative(name string, d sdkmath.LegacyDec) error {
	if d.IsNil() || d.IsNegative() {
		return errorsmod.Wrapf(ErrInvalidParams, "%s must be >= 0", name)
	}
	return nil
}

// Caps on the amounts governance sets. A period's reward is units × reward_unit,
// computed in EndBlock: with units ≤ MaxRewardUnits per line and reward_unit ≤
// MaxAmountParam it stays below 10^41, far inside LegacyDec's range, so no param can
// make settlement overflow (a panic there would halt the chain).
var (
	MaxAmountParam = sdkmath.NewIntWithDecimal(1, 30)
	MaxRewardUnits = sdkmath.LegacyNewDec(1_000_000_000)
)

// rewardUnits checks a reward figure in units: 0..MaxRewardUnits.
func rewardUnits(name string, d sdkmath.LegacyDec) error {
	if err := nonNegative(name, d); err != nil {
		return err
	}
	if d.GT(MaxRewardUnits) {
		return errorsmod.Wrapf(ErrInvalidParams, "%s must be <= %s", name, MaxRewardUnits)
	}
	return nil
}

// Validate checks params for internal consistency.
func (p Params) Validate() error {
	if err := sdk.ValidateDenom(p.Denom); err != nil {
		return errorsmod.Wrapf(ErrInvalidParams, "denom: %v", err)
	}
	if err := p.validatePools(); err != nil {
		return err
	}
	if p.UnbondingBlocks <= 0 || p.HeartbeatIntervalBlocks <= 0 || p.MaxMissedHeartbeats == 0 {
		return errorsmod.Wrap(ErrInvalidParams, "unbonding_blocks, heartbeat_interval_blocks and max_missed_heartbeats must be positive")
	}
	if p.RewardEpochIdentifier == "" {
		return errorsmod.Wrap(ErrInvalidParams, "reward_epoch_identifier must be set")
	}
	if p.MaxSettlementsPerBlock == 0 || p.MaxUnbondingsPerBlock == 0 {
		return errorsmod.Wrap(ErrInvalidParams, "max_settlements_per_block and max_unbondings_per_block must be positive")
	}
	if err := p.ScoreWeights.validate(); err != nil {
		return err
	}
	if err := p.validateLevels(); err != nil {
		return err
	}
	if err := p.validateRewards(); err != nil {
		return err
	}
	if err := p.validateDisqualification(); err != nil {
		return err
	}
	if err := allFractions([]namedDec{
		{"prize_min_total_score", p.PrizeMinTotalScore}, {"min_precommit_score", p.MinPrecommitScore},
		{"min_uptime", p.MinUptime}, {"mint_share", p.MintShare},
	}); err != nil {
		return err
	}
	if p.HistoryPeriods == 0 || p.MaxModelsPerNode == 0 || p.MaxEndpointLength == 0 || p.MaxRolesPerOperator == 0 {
		return errorsmod.Wrap(ErrInvalidParams, "history_periods, max_models_per_node, max_endpoint_length and max_roles_per_operator must be positive")
	}
	if p.MaxModelsPerNode > MaxModelsPerNodeLimit || p.MaxEndpointLength > MaxEndpointLengthLimit || p.MaxRolesPerOperator > MaxRolesPerOperatorLimit {
		return errorsmod.Wrapf(ErrInvalidParams, "need max_models_per_node <= %d, max_endpoint_length <= %d, max_roles_per_operator <= %d",
			MaxModelsPerNodeLimit, MaxEndpointLengthLimit, MaxRolesPerOperatorLimit)
	}
	return nil
}

// Hard caps on the list and string bounds governance sets: what one node or operator
// record may hold stays small whatever the params say.
const (
	MaxModelsPerNodeLimit    = 1_024
	MaxEndpointLengthLimit   = 2_048
	MaxRolesPerOperatorLimit = 256
)

func (p Params) validatePools() error {
	if len(p.Pools) == 0 {
		return errorsmod.Wrap(ErrInvalidParams, "at least one pool")
	}
	seen := map[uint32]bool{}
	for _, pool := range p.Pools {
		if seen[pool.Id] {
			return errorsmod.Wrapf(ErrInvalidParams, "duplicate pool id %d", pool.Id)
		}
		seen[pool.Id] = true
		if pool.MinStake.IsNil() || !pool.MinStake.IsPositive() || pool.MinStake.GT(MaxAmountParam) {
			return errorsmod.Wrapf(ErrInvalidParams, "pool %d min_stake must be in 1..%s", pool.Id, MaxAmountParam)
		}
	}
	return nil
}

func (w ScoreWeights) validate() error {
	parts := []namedDec{
		{"score_weights.uptime", w.Uptime}, {"score_weights.precommit", w.Precommit},
		{"score_weights.commit", w.Commit}, {"score_weights.validation", w.Validation},
	}
	if err := allFractions(parts); err != nil {
		return err
	}
	sum := sdkmath.LegacyZeroDec()
	for _, part := range parts {
		sum = sum.Add(part.d)
	}
	if !sum.Equal(sdkmath.LegacyOneDec()) {
		return errorsmod.Wrapf(ErrInvalidParams, "score_weights must sum to 1, got %s", sum)
	}
	return nil
}

func (p Params) validateLevels() error {
	if len(p.LevelThresholds) != MaxLevel+1 {
		return errorsmod.Wrapf(ErrInvalidParams, "level_thresholds needs %d entries", MaxLevel+1)
	}
	if p.LevelThresholds[0].MinScore.IsNil() || !p.LevelThresholds[0].MinScore.IsZero() {
		return errorsmod.Wrap(ErrInvalidParams, "level_thresholds[0] must be 0")
	}
	for l := 1; l <= MaxLevel; l++ {
		if err := fraction(fmt.Sprintf("level_thresholds[%d]", l), p.LevelThresholds[l].MinScore); err != nil {
			return err
		}
		if !p.LevelThresholds[l].MinScore.GT(p.LevelThresholds[l-1].MinScore) {
			return errorsmod.Wrap(ErrInvalidParams, "level_thresholds must increase")
		}
	}
	if err := fraction("demotion_margin", p.DemotionMargin); err != nil {
		return err
	}
	if p.PromotionPeriods == 0 {
		return errorsmod.Wrap(ErrInvalidParams, "promotion_periods must be positive")
	}
	if err := fraction("reputation_alpha", p.ReputationAlpha); err != nil {
		return err
	}
	if p.ReputationAlpha.IsZero() {
		return errorsmod.Wrap(ErrInvalidParams, "reputation_alpha must be positive")
	}
	return nil
}

func (p Params) validateRewards() error {
	if p.RewardUnit.IsNil() || p.RewardUnit.IsNegative() || p.RewardUnit.GT(MaxAmountParam) {
		return errorsmod.Wrapf(ErrInvalidParams, "reward_unit must be in 0..%s", MaxAmountParam)
	}
	// Tiers must cover every level exactly once, so TierBase never misses.
	covered := make([]bool, MaxLevel+1)
	for _, t := range p.RewardTiers {
		if t.MinLevel > t.MaxLevel || t.MaxLevel > MaxLevel {
			return errorsmod.Wrapf(ErrInvalidParams, "reward tier %d..%d out of range", t.MinLevel, t.MaxLevel)
		}
		if err := rewardUnits("reward_tiers.base_units", t.BaseUnits); err != nil {
			return err
		}
		for l := t.MinLevel; l <= t.MaxLevel; l++ {
			if covered[l] {
				return errorsmod.Wrapf(ErrInvalidParams, "level %d in two reward tiers", l)
			}
			covered[l] = true
		}
	}
	for l, c := range covered {
		if !c {
			return errorsmod.Wrapf(ErrInvalidParams, "level %d in no reward tier", l)
		}
	}
	if err := rewardUnits("level_bonus_units", p.LevelBonusUnits); err != nil {
		return err
	}
	if err := rewardUnits("prize_units", p.PrizeUnits); err != nil {
		return err
	}
	if err := allFractions([]namedDec{
		{"role_bonus", p.RoleBonus}, {"role_bonus_cap", p.RoleBonusCap}, {"total_bonus_cap", p.TotalBonusCap},
	}); err != nil {
		return err
	}
	for i, b := range p.MultiNodeBonuses {
		if b.MinNodes == 0 {
			return errorsmod.Wrap(ErrInvalidParams, "multi_node_bonuses.min_nodes must be positive")
		}
		if i > 0 && b.MinNodes <= p.MultiNodeBonuses[i-1].MinNodes {
			return errorsmod.Wrap(ErrInvalidParams, "multi_node_bonuses must be sorted by increasing min_nodes")
		}
		if err := fraction("multi_node_bonuses.bonus", b.Bonus); err != nil {
			return err
		}
	}
	return nil
}

// Pool returns the pool with the given id.
func (p Params) Pool(id uint32) (Pool, bool) {
	for _, pool := range p.Pools {
		if pool.Id == id {
			return pool, true
		}
	}
	return Pool{}, false
}

// TierBase returns the base reward units of a level.
func (p Params) TierBase(level uint32) sdkmath.LegacyDec {
	for _, t := range p.RewardTiers {
		if level >= t.MinLevel && level <= t.MaxLevel {
			return t.BaseUnits
		}
	}
	return sdkmath.LegacyZeroDec()
}
