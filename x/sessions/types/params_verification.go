package types

import (
	"sort"

	errorsmod "cosmossdk.io/errors"
	sdkmath "cosmossdk.io/math"
)

// Bounds of the per-model verification params: the list is read (binary search) on every
// session creation and validation, so governance cannot make it unbounded.
const (
	MaxModelVerifications  = 256
	MaxModelVerificationID = 128
)

// DefaultReplayMinScore is the replay score below which an auditor reports a paid result
// (when params leave replay_min_score unset or 0).
var DefaultReplayMinScore = sdkmath.LegacyNewDecWithPrec(95, 2)

// validateVerification checks the verification params. Params stored before these fields
// existed hold default_verification 0 and replay_min_score unset: both are accepted and
// read as EMBEDDING and DefaultReplayMinScore by the *For helpers, so old genesis files
// and params keep loading.
func (p Params) validateVerification() error {
	if err := ValidateVerificationMode(p.DefaultVerification); err != nil {
		return errorsmod.Wrapf(ErrInvalidParams, "default_verification: %v", err)
	}
	if err := unitInterval("replay_min_score", p.ReplayMinScore); err != nil {
		return err
	}
	if len(p.ModelVerification) > MaxModelVerifications {
		return errorsmod.Wrapf(ErrInvalidParams, "%d model_verification entries, at most %d", len(p.ModelVerification), MaxModelVerifications)
	}
	for i, e := range p.ModelVerification {
		if e.ModelId == "" || len(e.ModelId) > MaxModelVerificationID {
			return errorsmod.Wrapf(ErrInvalidParams, "model_verification[%d]: model_id must be 1..%d bytes", i, MaxModelVerificationID)
		}
		// strictly ascending: sorted and unique, so lookups can binary-search
		if i > 0 && p.ModelVerification[i-1].ModelId >= e.ModelId {
			return errorsmod.Wrapf(ErrInvalidParams, "model_verification[%d]: %q is not after %q (entries sorted by model_id, unique)",
				i, e.ModelId, p.ModelVerification[i-1].ModelId)
		}
		if err := ValidateVerificationMode(e.Mode); err != nil {
			return errorsmod.Wrapf(ErrInvalidParams, "model_verification[%d] (%s): %v", i, e.ModelId, err)
		}
		if err := unitInterval("model_verification similarity_threshold of "+e.ModelId, e.SimilarityThreshold); err != nil {
			return err
		}
		if err := unitInterval("model_verification replay_min_score of "+e.ModelId, e.ReplayMinScore); err != nil {
			return err
		}
	}
	return nil
}

// unitInterval accepts an unset decimal (read as 0: "use the default") or one in [0, 1].
func unitInterval(name string, d sdkmath.LegacyDec) error {
	if d.IsNil() {
		return nil
	}
	if d.IsNegative() || d.GT(sdkmath.LegacyOneDec()) {
		return errorsmod.Wrapf(ErrInvalidParams, "%s %s not in [0, 1]", name, d)
	}
	return nil
}

// modelVerification returns the entry of a model (binary search over the sorted list).
func (p Params) modelVerification(modelID string) (ModelVerification, bool) {
	l := p.ModelVerification
	i := sort.Search(len(l), func(i int) bool { return l[i].ModelId >= modelID })
	if i < len(l) && l[i].ModelId == modelID {
		return l[i], true
	}
	return ModelVerification{}, false
}

// ModeFor is the verification mode of a model's sessions that ask for none: the model's
// entry's mode if set, else default_verification (UNSPECIFIED in older params = EMBEDDING).
// Never UNSPECIFIED.
func (p Params) ModeFor(modelID string) VerificationMode {
	if e, ok := p.modelVerification(modelID); ok && e.Mode != VERIFICATION_MODE_UNSPECIFIED {
		return e.Mode.Effective()
	}
	return p.DefaultVerification.Effective()
}

// SimilarityThresholdFor is the embedding-mode threshold of a model: the entry's if
// positive, else similarity_threshold.
func (p Params) SimilarityThresholdFor(modelID string) sdkmath.LegacyDec {
	if e, ok := p.modelVerification(modelID); ok && !e.SimilarityThreshold.IsNil() && e.SimilarityThreshold.IsPositive() {
		return e.SimilarityThreshold
	}
	return p.SimilarityThreshold
}

// ReplayMinScoreFor is the lowest replay score auditors accept for a model's results: the
// entry's if positive, else replay_min_score if positive, else DefaultReplayMinScore.
func (p Params) ReplayMinScoreFor(modelID string) sdkmath.LegacyDec {
	if e, ok := p.modelVerification(modelID); ok && !e.ReplayMinScore.IsNil() && e.ReplayMinScore.IsPositive() {
		return e.ReplayMinScore
	}
	if !p.ReplayMinScore.IsNil() && p.ReplayMinScore.IsPositive() {
		return p.ReplayMinScore
	}
	return DefaultReplayMinScore.Clone()
}
