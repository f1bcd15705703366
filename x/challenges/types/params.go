package types

import (
	errorsmod "cosmossdk.io/errors"
	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"
)

// DefaultDenom is the denom of the default deposit and emission: the chain's base denom
// (app/params.BondDenom, "ucor"), spelled here so that x/challenges does not import app/
// (a test in app/ checks the two agree). Genesis and governance may set another.
const DefaultDenom = "ucor"

// DefaultParams: at ~1 s blocks miners have 10 to 60 minutes to answer, 10 minutes to
// reveal, the poster 10 minutes to reveal the tests, evaluators 10 to 120 minutes.
// Posting costs a 100 COR deposit, returned when the tests are revealed.
func DefaultParams() Params {
	return Params{
		EpochIdentifier:                "minute",
		MaxChallengesPerPosterPerEpoch: 4,
		PostingDeposit:                 sdk.NewCoin(DefaultDenom, sdkmath.NewInt(100_000_000)),
		MaxUrlBytes:                    512,
		MaxSnapshotBytes:               64 << 20,
		MaxTestsBytes:                  16 << 20,
		MaxStatementBytes:              16 * 1024,
		MaxContextPaths:                32,
		MaxPathBytes:                   256,
		MaxChecklistItems:              16,
		MaxChecklistItemBytes:          256,
		MaxTestCommandBytes:            256,
		MaxMiners:                      16,
		MinResponseWindowBlocks:        60,
		MaxResponseWindowBlocks:        3600,
		MinEvaluationWindowBlocks:      60,
		MaxEvaluationWindowBlocks:      7200,
		RevealWindowBlocks:             600,
		TestsRevealWindowBlocks:        600,
		MaxPatchBytes:                  64 * 1024,
		Quorum:                         1,
		AgreementToleranceBps:          1000,
		MaxCandidateScan:               1000,
		MaxQueuePerBlock:               100,
		RetentionBlocks:                86_400,
		ScoreWindowEpochs:              7,
		MinPriorWeight:                 sdkmath.LegacyOneDec(),
		WeightExponent:                 2,
		EpochEmission:                  sdk.NewCoin(DefaultDenom, sdkmath.NewInt(10_000_000)),
		MintShare:                      sdkmath.LegacyZeroDec(),
		WeightHistoryEpochs:            1000,
		MaxEpochClosePerBlock:          1000,
	}
}

func inRange[T ~uint32 | ~uint64](name string, v, lo, hi T) error {
	if v < lo || v > hi {
		return errorsmod.Wrapf(ErrInvalidParams, "%s must be in [%d, %d], got %d", name, lo, hi, v)
	}
	return nil
}

// Validate checks params for internal consistency.
func (p Params) Validate() error {
	if p.EpochIdentifier == "" || len(p.EpochIdentifier) > MaxEpochIdentifierLen {
		return errorsmod.Wrap(ErrInvalidParams, "epoch_identifier must be 1 to 64 bytes")
	}
	if err := p.PostingDeposit.Validate(); err != nil {
		return errorsmod.Wrapf(ErrInvalidParams, "posting_deposit: %v", err)
	}
	if p.MinPriorWeight.IsNil() || p.MinPriorWeight.IsNegative() || p.MinPriorWeight.GT(sdkmath.LegacyNewDec(1_000_000)) {
		return errorsmod.Wrap(ErrInvalidParams, "min_prior_weight must be in [0, 1000000]")
	}
	if err := p.EpochEmission.Validate(); err != nil {
		return errorsmod.Wrapf(ErrInvalidParams, "epoch_emission: %v", err)
	}
	if p.MintShare.IsNil() || p.MintShare.IsNegative() || p.MintShare.GT(sdkmath.LegacyOneDec()) {
		return errorsmod.Wrap(ErrInvalidParams, "mint_share must be in [0, 1]")
	}
	checks := []error{
		inRange("max_challenges_per_poster_per_epoch", p.MaxChallengesPerPosterPerEpoch, 1, 10_000),
		inRange("max_url_bytes", p.MaxUrlBytes, 8, MaxURLBytesCap),
		inRange("max_snapshot_bytes", p.MaxSnapshotBytes, 1, 1<<40),
		inRange("max_tests_bytes", p.MaxTestsBytes, 1, 1<<40),
		inRange("max_statement_bytes", p.MaxStatementBytes, 1, MaxStatementBytesCap),
		inRange("max_context_paths", p.MaxContextPaths, 0, MaxContextPathsCap),
		inRange("max_path_bytes", p.MaxPathBytes, 1, MaxPathBytesCap),
		inRange("max_checklist_items", p.MaxChecklistItems, 0, MaxChecklistItemsCap),
		inRange("max_checklist_item_bytes", p.MaxChecklistItemBytes, 1, MaxChecklistItemCap),
		inRange("max_test_command_bytes", p.MaxTestCommandBytes, 1, MaxTestCommandCap),
		inRange("max_miners", p.MaxMiners, 1, MaxMinersCap),
		inRange("min_response_window_blocks", p.MinResponseWindowBlocks, 1, maxWindowBlocks),
		inRange("max_response_window_blocks", p.MaxResponseWindowBlocks, p.MinResponseWindowBlocks, maxWindowBlocks),
		inRange("min_evaluation_window_blocks", p.MinEvaluationWindowBlocks, 1, maxWindowBlocks),
		inRange("max_evaluation_window_blocks", p.MaxEvaluationWindowBlocks, p.MinEvaluationWindowBlocks, maxWindowBlocks),
		inRange("reveal_window_blocks", p.RevealWindowBlocks, 1, maxWindowBlocks),
		inRange("tests_reveal_window_blocks", p.TestsRevealWindowBlocks, 1, maxWindowBlocks),
		inRange("max_patch_bytes", p.MaxPatchBytes, 1, MaxPatchBytesCap),
		inRange("quorum", p.Quorum, 1, 1000),
		inRange("agreement_tolerance_bps", p.AgreementToleranceBps, 0, MaxBasisPoints),
		inRange("max_candidate_scan", p.MaxCandidateScan, 1, MaxCandidateScanCap),
		inRange("max_queue_per_block", p.MaxQueuePerBlock, 1, MaxQueuePerBlockCap),
		inRange("retention_blocks", p.RetentionBlocks, 1, maxWindowBlocks),
		inRange("score_window_epochs", p.ScoreWindowEpochs, 1, MaxScoreWindowCap),
		inRange("weight_exponent", p.WeightExponent, 1, MaxWeightExponentCap),
		inRange("weight_history_epochs", p.WeightHistoryEpochs, 1, 1_000_000),
		inRange("max_epoch_close_per_block", p.MaxEpochClosePerBlock, 1, 1_000_000),
	}
	for _, err := range checks {
		if err != nil {
			return err
		}
	}
	return nil
}
