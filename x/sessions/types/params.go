package types

import (
	errorsmod "cosmossdk.io/errors"
	sdkmath "cosmossdk.io/math"

	"github.com/cortnet/cortd/x/internal/embedding"
)

// MaxRedundancyLimit bounds max_redundancy: the int64 bound on the medoid sums relies on it.
const MaxRedundancyLimit = 16

// MaxEmbeddingDim bounds embeddings: embedding.MaxDim, the hard limit x/models'
// max_embedding_dim is also checked against. The int64 bounds of the consensus arithmetic
// rely on it.
const MaxEmbeddingDim = embedding.MaxDim

// MaxLevel is the highest node level (x/nodes).
const MaxLevel = 10

// MaxAuditDrawsPerBlockLimit caps max_audit_draws_per_block whatever governance sets.
const MaxAuditDrawsPerBlockLimit = 10_000

// MaxPricePerTaskLimit caps max_price_per_task whatever governance sets: 10^30 ucor (10^24
// COR, far above any supply). With redundancy <= 16 a reservation stays below 2^104, so
// no escrow sum comes near math.Int's 256 bits (a 2^256-1 price once overflowed
// price × redundancy and panicked in MsgSubmitTask).
var MaxPricePerTaskLimit = sdkmath.NewIntWithDecimal(1, 30)

// Hard caps on the size params: a task's prompt and result live in state until pruned,
// so governance may tighten them but not make them unbounded.
const (
	MaxPromptBytesLimit      = 1 << 20 // 1 MiB
	MaxResultBytesLimit      = 4 << 20 // 4 MiB
	MaxPromptTypeLengthLimit = 64
)

// DefaultMaxPricePerTask is 10^12 ucor (1,000,000 COR) per task and node.
var DefaultMaxPricePerTask = sdkmath.NewIntWithDecimal(1, 12)

// DefaultParams: windows of 20 blocks (~20 s on a 1 s localnet), a queue timeout of 100
// blocks, the 0.85 cosine threshold of the network's test phases, results kept for audits
// for 10,000 blocks.
func DefaultParams() Params {
	return Params{
		MinRedundancy:          1,
		MaxRedundancy:          10,
		MaxPromptBytes:         16_384,
		MaxResultBytes:         65_536,
		MaxTokensCap:           4_096,
		MinPricePerTask:        sdkmath.NewInt(1),
		MaxPricePerTask:        DefaultMaxPricePerTask,
		PrecommitWindowBlocks:  20,
		CommitWindowBlocks:     20,
		QueueTimeoutBlocks:     100,
		MaxReassignments:       3,
		MaxAssignmentsPerBlock: 100,
		MaxCandidateScan:       1_000,
		MaxDeadlinesPerBlock:   200,
		RetentionBlocks:        10_000,
		MaxPrunesPerBlock:      100,
		SimilarityThreshold:    sdkmath.LegacyMustNewDecFromStr("0.85"),
		NormTolerance:          sdkmath.LegacyMustNewDecFromStr("0.01"),
		MaxPromptTypeLength:    64,
		MaxQueuedPerSession:    1_000,
		// session audits (README "Session audits"): 1% of validated tasks; re-embedding the
		// same text on another engine stays well inside 0.05 (cos ≥ 0.99875); 0.55 for a
		// greedy re-run is the validation threshold's distance (cos 0.85 ⇔ √0.3 ≈ 0.548).
		AuditFractionBps:        100,
		AuditEmbeddingTolerance: sdkmath.LegacyMustNewDecFromStr("0.05"),
		AuditOutputTolerance:    sdkmath.LegacyMustNewDecFromStr("0.55"),
		AuditSlashFraction:      sdkmath.LegacyMustNewDecFromStr("0.1"),
		MaxAuditDrawsPerBlock:   200,
		// verification modes (README "Verification modes"): embedding similarity unless a
		// session or a model's entry asks for exact; no per-model entries.
		DefaultVerification: VERIFICATION_MODE_EMBEDDING,
		ReplayMinScore:      DefaultReplayMinScore.Clone(),
	}
}

// Validate checks the params for internal consistency.
func (p Params) Validate() error {
	if p.MinRedundancy == 0 || p.MinRedundancy > p.MaxRedundancy || p.MaxRedundancy > MaxRedundancyLimit {
		return errorsmod.Wrapf(ErrInvalidParams, "need 1 <= min_redundancy <= max_redundancy <= %d", MaxRedundancyLimit)
	}
	if p.MaxPromptBytes == 0 || p.MaxResultBytes == 0 || p.MaxTokensCap == 0 || p.MaxPromptTypeLength == 0 {
		return errorsmod.Wrap(ErrInvalidParams, "size limits must be positive")
	}
	if p.MaxPromptBytes > MaxPromptBytesLimit || p.MaxResultBytes > MaxResultBytesLimit || p.MaxPromptTypeLength > MaxPromptTypeLengthLimit {
		return errorsmod.Wrapf(ErrInvalidParams, "need max_prompt_bytes <= %d, max_result_bytes <= %d, max_prompt_type_length <= %d",
			MaxPromptBytesLimit, MaxResultBytesLimit, MaxPromptTypeLengthLimit)
	}
	if p.MinPricePerTask.IsNil() || p.MinPricePerTask.IsNegative() {
		return errorsmod.Wrap(ErrInvalidParams, "min_price_per_task must be >= 0")
	}
	if p.MaxPricePerTask.IsNil() || p.MaxPricePerTask.LT(p.MinPricePerTask) || p.MaxPricePerTask.GT(MaxPricePerTaskLimit) {
		return errorsmod.Wrapf(ErrInvalidParams, "need min_price_per_task <= max_price_per_task <= %s", MaxPricePerTaskLimit)
	}
	if p.PrecommitWindowBlocks <= 0 || p.CommitWindowBlocks <= 0 || p.QueueTimeoutBlocks <= 0 || p.RetentionBlocks <= 0 {
		return errorsmod.Wrap(ErrInvalidParams, "windows, queue timeout and retention must be positive")
	}
	if p.MaxAssignmentsPerBlock == 0 || p.MaxCandidateScan == 0 || p.MaxDeadlinesPerBlock == 0 || p.MaxPrunesPerBlock == 0 ||
		p.MaxQueuedPerSession == 0 {
		return errorsmod.Wrap(ErrInvalidParams, "per-block bounds must be positive")
	}
	one := sdkmath.LegacyOneDec()
	if p.SimilarityThreshold.IsNil() || !p.SimilarityThreshold.IsPositive() || p.SimilarityThreshold.GT(one) {
		return errorsmod.Wrap(ErrInvalidParams, "similarity_threshold must be in (0, 1]")
	}
	if p.NormTolerance.IsNil() || p.NormTolerance.IsNegative() || p.NormTolerance.GT(one) {
		return errorsmod.Wrap(ErrInvalidParams, "norm_tolerance must be in [0, 1]")
	}
	if err := p.validateVerification(); err != nil {
		return err
	}
	return p.validateAudit()
}

// validateAudit checks the session-audit params. Distances between unit vectors are at
// most 2, so a tolerance above 2 would never fail anyone.
func (p Params) validateAudit() error {
	if p.AuditFractionBps > BasisPoints {
		return errorsmod.Wrapf(ErrInvalidParams, "audit_fraction_bps must be <= %d", BasisPoints)
	}
	two := sdkmath.LegacyNewDec(2)
	for _, tol := range []struct {
		name string
		d    sdkmath.LegacyDec
	}{{"audit_embedding_tolerance", p.AuditEmbeddingTolerance}, {"audit_output_tolerance", p.AuditOutputTolerance}} {
		if tol.d.IsNil() || tol.d.IsNegative() || tol.d.GT(two) {
			return errorsmod.Wrapf(ErrInvalidParams, "%s must be in [0, 2]", tol.name)
		}
	}
	if p.AuditSlashFraction.IsNil() || !p.AuditSlashFraction.IsPositive() || p.AuditSlashFraction.GT(sdkmath.LegacyOneDec()) {
		return errorsmod.Wrap(ErrInvalidParams, "audit_slash_fraction must be in (0, 1]")
	}
	if p.MaxAuditDrawsPerBlock == 0 || p.MaxAuditDrawsPerBlock > MaxAuditDrawsPerBlockLimit {
		return errorsmod.Wrapf(ErrInvalidParams, "max_audit_draws_per_block must be in [1, %d]", MaxAuditDrawsPerBlockLimit)
	}
	return nil
}
