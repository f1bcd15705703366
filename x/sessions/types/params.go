package types

import (
	errorsmod "cosmossdk.io/errors"
	sdkmath "cosmossdk.io/math"
)

// MaxRedundancyLimit bounds max_redundancy: the int64 bound on the medoid sums relies on it.
const MaxRedundancyLimit = 16

// MaxEmbeddingDim bounds embeddings (x/models' default max_embedding_dim): the int64
// bounds of the consensus arithmetic rely on it.
const MaxEmbeddingDim = 8192

// MaxLevel is the highest node level (x/nodes).
const MaxLevel = 10

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
	if p.MinPricePerTask.IsNil() || p.MinPricePerTask.IsNegative() {
		return errorsmod.Wrap(ErrInvalidParams, "min_price_per_task must be >= 0")
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
	return nil
}
