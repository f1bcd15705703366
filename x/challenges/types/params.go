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
		MaxAnswerFiles:                 32,
		EmissionShares:                 DefaultEmissionShares(),
		UnavailableSkipBlocks:          600,
		UnavailableMinReports:          1,
	}
}

// DefaultEmissionShares split the epoch emission equally between the task types that
// have weights in the epoch (the rule before emission shares were a param), context
// selection included.
func DefaultEmissionShares() []EmissionShare {
	return []EmissionShare{
		{TaskType: TASK_TYPE_CODEGEN, Share: 1},
		{TaskType: TASK_TYPE_BUGFIX, Share: 1},
		{TaskType: TASK_TYPE_CONTEXT_SELECTION, Share: 1},
	}
}

// MaxEmissionShare bounds one task type's emission share (shares are relative).
const MaxEmissionShare = 10_000

// EmissionShareOf is task type tt's emission share: its entry's, 0 without one, 1 for
// every type when the list is empty (equal shares).
func (p Params) EmissionShareOf(tt TaskType) uint32 {
	if len(p.EmissionShares) == 0 {
		return 1
	}
	for _, s := range p.EmissionShares {
		if s.TaskType == tt {
			return s.Share
		}
	}
	return 0
}

// validateEmissionShares: known task types, each at most once, shares in [0, 10000],
// and not all zero (an empty list means equal shares).
func validateEmissionShares(shares []EmissionShare) error {
	seen := map[TaskType]bool{}
	total := uint64(0)
	for _, s := range shares {
		if !IsTaskType(s.TaskType) {
			return errorsmod.Wrapf(ErrInvalidParams, "emission_shares: unknown task type %d", s.TaskType)
		}
		if seen[s.TaskType] {
			return errorsmod.Wrapf(ErrInvalidParams, "emission_shares: %s listed twice", s.TaskType)
		}
		seen[s.TaskType] = true
		if s.Share > MaxEmissionShare {
			return errorsmod.Wrapf(ErrInvalidParams, "emission_shares: %s share %d > %d", s.TaskType, s.Share, MaxEmissionShare)
		}
		total += uint64(s.Share)
	}
	if len(shares) > 0 && total == 0 {
		return errorsmod.Wrap(ErrInvalidParams, "emission_shares: every share is 0")
	}
	return nil
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
	if err := validateEmissionShares(p.EmissionShares); err != nil {
		return err
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
		inRange("max_answer_files", p.MaxAnswerFiles, 1, MaxContextPathsCap),
		inRange("unavailable_skip_blocks", p.UnavailableSkipBlocks, 1, maxWindowBlocks),
		inRange("unavailable_min_reports", p.UnavailableMinReports, 1, MaxUnavailableMinReportsCap),
	}
	for _, err := range checks {
		if err != nil {
			return err
		}
	}
	return nil
}
