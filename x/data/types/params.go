package types

import (
	errorsmod "cosmossdk.io/errors"
	sdkmath "cosmossdk.io/math"

	"github.com/cortnet/cortd/x/internal/embedding"
)

// Hard caps that keep per-epoch work and tx size bounded whatever governance sets.
const (
	MaxTargetsPerEpoch = 1000
	MaxModelsPerTarget = 16
	MaxModelsScanned   = 10_000
	MaxURLBytes        = 2048
)

// MaxAmountParam caps reward_per_target and bond_per_byte (10^30 ucor): bond_per_byte ×
// size_bytes (a uint64) then stays below 2^164 and reward sums far below math.Int's 256
// bits, so the bond check cannot overflow (and panic) whatever governance sets.
var MaxAmountParam = sdkmath.NewIntWithDecimal(1, 30)

// MaxClaimDelayEpochs bounds claim_delay_epochs: a passed reward waits at most this many
// epochs (a week of the default hourly epochs), so governance cannot lock rewards away.
const MaxClaimDelayEpochs = 168

// DefaultParams: 10 targets an hour, 3 models each, 64-dim (the tiny test models), a
// distance threshold starting at 1.2 (cos ≥ 0.28) steering to half of targets filled
// with at most ±10% per epoch. Reward 10 COR per target, bond 1 ucor per byte, 10 MB max;
// final targets kept 168 epochs (a week of hours).
func DefaultParams() Params {
	return Params{
		EpochIdentifier:         "hour",
		TargetsPerEpoch:         10,
		ModelsPerTarget:         3,
		EmbeddingDim:            64,
		MaxReplacementsPerEpoch: 10,
		MaxModelsScanned:        1000,
		InitialThreshold:        sdkmath.LegacyMustNewDecFromStr("1.2"),
		MinThreshold:            sdkmath.LegacyMustNewDecFromStr("0.1"),
		MaxThreshold:            sdkmath.LegacyMustNewDecFromStr("1.9"),
		TargetFillRate:          sdkmath.LegacyMustNewDecFromStr("0.5"),
		MaxThresholdStep:        sdkmath.LegacyMustNewDecFromStr("0.1"),
		Denom:                   "ucor",
		RewardPerTarget:         sdkmath.NewInt(10_000_000),
		BondPerByte:             sdkmath.NewInt(1),
		MaxDataBytes:            10_000_000,
		MaxUrlBytes:             512,
		NormTolerance:           sdkmath.LegacyMustNewDecFromStr("0.001"),
		SubmitterShare:          sdkmath.LegacyMustNewDecFromStr("0.5"),
		FraudAuditorShare:       sdkmath.LegacyMustNewDecFromStr("0.5"),
		RetentionEpochs:         168,
		MintShare:               sdkmath.LegacyZeroDec(),
		// Real networks: only http(s) URLs to non-local hosts. Local networks set it.
		AllowLocalUrls: false,
		// The network's rule: rewards are claimable in the epoch after the audit passed.
		ClaimDelayEpochs: 1,
		// Text targets only until governance sets it: bytes targets need bytes models
		// (x/models MODALITY_BYTES) registered, and stores written before the field read 0.
		BytesTargetsPerEpoch: 0,
	}
}

func fraction(name string, d sdkmath.LegacyDec) error {
	if d.IsNil() || d.IsNegative() || d.GT(sdkmath.LegacyOneDec()) {
		return errorsmod.Wrapf(ErrInvalidParams, "%s must be in [0, 1]", name)
	}
	return nil
}

// Validate checks params for internal consistency.
func (p Params) Validate() error {
	if p.EpochIdentifier == "" {
		return errorsmod.Wrap(ErrInvalidParams, "epoch_identifier is empty")
	}
	if p.TargetsPerEpoch > MaxTargetsPerEpoch || p.MaxReplacementsPerEpoch > MaxTargetsPerEpoch {
		return errorsmod.Wrapf(ErrInvalidParams, "targets_per_epoch and max_replacements_per_epoch ≤ %d", MaxTargetsPerEpoch)
	}
	if p.BytesTargetsPerEpoch > p.TargetsPerEpoch {
		return errorsmod.Wrapf(ErrInvalidParams, "bytes_targets_per_epoch %d > targets_per_epoch %d (they are part of them)",
			p.BytesTargetsPerEpoch, p.TargetsPerEpoch)
	}
	if p.ModelsPerTarget == 0 || p.ModelsPerTarget > MaxModelsPerTarget {
		return errorsmod.Wrapf(ErrInvalidParams, "models_per_target must be in 1..%d", MaxModelsPerTarget)
	}
	if p.EmbeddingDim == 0 || p.EmbeddingDim > embedding.MaxDim {
		return errorsmod.Wrapf(ErrInvalidParams, "embedding_dim must be in 1..%d", embedding.MaxDim)
	}
	if p.MaxModelsScanned == 0 || p.MaxModelsScanned > MaxModelsScanned {
		return errorsmod.Wrapf(ErrInvalidParams, "max_models_scanned must be in 1..%d", MaxModelsScanned)
	}
	for _, d := range []sdkmath.LegacyDec{p.InitialThreshold, p.MinThreshold, p.MaxThreshold} {
		if d.IsNil() || !d.IsPositive() || d.GT(sdkmath.LegacyNewDec(2)) {
			return errorsmod.Wrap(ErrInvalidParams, "thresholds must be in (0, 2]")
		}
	}
	if p.MinThreshold.GT(p.MaxThreshold) || p.InitialThreshold.LT(p.MinThreshold) || p.InitialThreshold.GT(p.MaxThreshold) {
		return errorsmod.Wrap(ErrInvalidParams, "need min_threshold ≤ initial_threshold ≤ max_threshold")
	}
	if err := fraction("target_fill_rate", p.TargetFillRate); err != nil {
		return err
	}
	if err := fraction("max_threshold_step", p.MaxThresholdStep); err != nil {
		return err
	}
	if p.MaxThresholdStep.Equal(sdkmath.LegacyOneDec()) {
		return errorsmod.Wrap(ErrInvalidParams, "max_threshold_step must be < 1 (a factor of 0 would zero the threshold)")
	}
	if err := fraction("norm_tolerance", p.NormTolerance); err != nil {
		return err
	}
	if err := fraction("submitter_share", p.SubmitterShare); err != nil {
		return err
	}
	if err := fraction("fraud_auditor_share", p.FraudAuditorShare); err != nil {
		return err
	}
	if err := fraction("mint_share", p.MintShare); err != nil {
		return err
	}
	if err := sdkValidateDenom(p.Denom); err != nil {
		return errorsmod.Wrapf(ErrInvalidParams, "denom: %v", err)
	}
	if p.RewardPerTarget.IsNil() || p.RewardPerTarget.IsNegative() || p.BondPerByte.IsNil() || p.BondPerByte.IsNegative() {
		return errorsmod.Wrap(ErrInvalidParams, "reward_per_target and bond_per_byte must be ≥ 0")
	}
	if p.RewardPerTarget.GT(MaxAmountParam) || p.BondPerByte.GT(MaxAmountParam) {
		return errorsmod.Wrapf(ErrInvalidParams, "reward_per_target and bond_per_byte must be ≤ %s", MaxAmountParam)
	}
	if p.RetentionEpochs < 2 {
		return errorsmod.Wrap(ErrInvalidParams, "retention_epochs must be ≥ 2 (a filled target is audited in the epoch after it)")
	}
	if p.ClaimDelayEpochs > MaxClaimDelayEpochs {
		return errorsmod.Wrapf(ErrInvalidParams, "claim_delay_epochs must be ≤ %d", MaxClaimDelayEpochs)
	}
	if p.MaxDataBytes == 0 || p.MaxUrlBytes == 0 || p.MaxUrlBytes > MaxURLBytes {
		return errorsmod.Wrapf(ErrInvalidParams, "max_data_bytes > 0 and max_url_bytes in 1..%d", MaxURLBytes)
	}
	return nil
}
