package types

import (
	"fmt"

	errorsmod "cosmossdk.io/errors"

	sdk "github.com/cosmos/cosmos-sdk/types"
)

// DefaultGenesis has default params, epoch 1 and nothing else.
func DefaultGenesis() *GenesisState {
	return &GenesisState{
		Params: DefaultParams(), NextChallengeId: 1, Epoch: 1,
		Challenges: []Challenge{}, Answers: []Answer{}, Submissions: []ScoreSubmission{},
		EvaluatorRecords: []EvaluatorRecord{}, OptedIn: []string{}, PostCounts: []PostCount{},
		MinerStats: []MinerStats{}, Weights: []Weight{}, PendingRewards: []PendingReward{},
		EpochCloses: []EpochClose{}, CloseTotals: []MinerStats{}, UnavailableReports: []UnavailableReport{},
	}
}

// IsFinal reports whether the status is SCORED or VOID.
func (s ChallengeStatus) IsFinal() bool {
	return s == CHALLENGE_STATUS_SCORED || s == CHALLENGE_STATUS_VOID
}

// Validate checks a genesis state: params, ids below next_challenge_id and unique, every
// answer and submission pointing at a known challenge, addresses well-formed.
func (gs GenesisState) Validate() error {
	if err := gs.Params.Validate(); err != nil {
		return err
	}
	if gs.NextChallengeId == 0 || gs.Epoch == 0 {
		return errorsmod.Wrap(ErrInvalidGenesis, "next_challenge_id and epoch start at 1")
	}
	ids := map[uint64]bool{}
	for _, c := range gs.Challenges {
		if c.Id == 0 || c.Id >= gs.NextChallengeId || ids[c.Id] {
			return errorsmod.Wrapf(ErrInvalidGenesis, "challenge id %d duplicate or not below next_challenge_id", c.Id)
		}
		ids[c.Id] = true
		if _, err := sdk.AccAddressFromBech32(c.Poster); err != nil {
			return errorsmod.Wrapf(ErrInvalidGenesis, "challenge %d poster: %v", c.Id, err)
		}
		if _, ok := ChallengeStatus_name[int32(c.Status)]; !ok || c.Status == CHALLENGE_STATUS_UNSPECIFIED {
			return errorsmod.Wrapf(ErrInvalidGenesis, "challenge %d status %d", c.Id, c.Status)
		}
		if err := c.Deposit.Validate(); err != nil {
			return errorsmod.Wrapf(ErrInvalidGenesis, "challenge %d deposit: %v", c.Id, err)
		}
	}
	answers := map[string]bool{}
	for _, a := range gs.Answers {
		key := string(sdk.Uint64ToBigEndian(a.ChallengeId)) + a.NodeId
		if !ids[a.ChallengeId] || ValidateNodeID(a.NodeId) != nil || answers[key] {
			return errorsmod.Wrapf(ErrInvalidGenesis, "answer %d/%s", a.ChallengeId, a.NodeId)
		}
		answers[key] = true
	}
	for _, s := range gs.Submissions {
		if !ids[s.ChallengeId] {
			return errorsmod.Wrapf(ErrInvalidGenesis, "submission for unknown challenge %d", s.ChallengeId)
		}
		if _, err := sdk.AccAddressFromBech32(s.Evaluator); err != nil {
			return errorsmod.Wrapf(ErrInvalidGenesis, "submission to challenge %d evaluator %q: %v", s.ChallengeId, s.Evaluator, err)
		}
	}
	for _, r := range gs.EvaluatorRecords {
		if _, err := sdk.AccAddressFromBech32(r.Evaluator); err != nil {
			return errorsmod.Wrapf(ErrInvalidGenesis, "evaluator record %q: %v", r.Evaluator, err)
		}
	}
	for _, id := range gs.OptedIn {
		if err := ValidateNodeID(id); err != nil {
			return errorsmod.Wrapf(ErrInvalidGenesis, "opted_in %q: %v", id, err)
		}
	}
	for _, pc := range gs.PostCounts {
		if _, err := sdk.AccAddressFromBech32(pc.Poster); err != nil {
			return errorsmod.Wrapf(ErrInvalidGenesis, "post count of epoch %d poster %q: %v", pc.Epoch, pc.Poster, err)
		}
	}
	for _, w := range gs.Weights {
		if w.Weight.IsNil() || w.Bayesian.IsNil() || w.Avg.IsNil() {
			return errorsmod.Wrapf(ErrInvalidGenesis, "weight %d/%s has nil decimals", w.Epoch, w.NodeId)
		}
	}
	if err := validateCloses(gs); err != nil {
		return err
	}
	reports := map[string]bool{}
	for _, r := range gs.UnavailableReports {
		key := r.NodeId + "\x00" + r.Reporter
		_, err := sdk.AccAddressFromBech32(r.Reporter)
		if err != nil || ValidateNodeID(r.NodeId) != nil || !ids[r.ChallengeId] || r.ExpiresHeight <= r.Height || reports[key] {
			return errorsmod.Wrapf(ErrInvalidGenesis, "unavailable report of %q by %q", r.NodeId, r.Reporter)
		}
		reports[key] = true
	}
	seen := map[string]bool{}
	for _, r := range gs.PendingRewards {
		if ValidateNodeID(r.NodeId) != nil || seen[r.NodeId] || r.Amount.IsNil() || !r.Amount.IsPositive() {
			return errorsmod.Wrapf(ErrInvalidGenesis, "pending reward of %q", r.NodeId)
		}
		seen[r.NodeId] = true
	}
	return nil
}

// validateCloses checks the epoch closes in progress: distinct epochs before the open
// one, decimals set, and close totals only for the oldest close.
func validateCloses(gs GenesisState) error {
	seen := map[uint64]bool{}
	oldest := uint64(0)
	for _, c := range gs.EpochCloses {
		if c.Epoch == 0 || c.Epoch >= gs.Epoch || seen[c.Epoch] || c.First > c.Epoch || c.Phase == 0 {
			return errorsmod.Wrapf(ErrInvalidGenesis, "epoch close %d", c.Epoch)
		}
		if c.Sum.IsNil() || c.Total.IsNil() || c.BestWeight.IsNil() || c.Share.IsNil() || c.Allocated.IsNil() ||
			len(c.WeightedTypes) != len(c.Miners) || (len(c.ShareWeights) != 0 && len(c.ShareWeights) != len(c.WeightedTypes)) {
			return errorsmod.Wrapf(ErrInvalidGenesis, "epoch close %d has nil or inconsistent fields", c.Epoch)
		}
		seen[c.Epoch] = true
		if oldest == 0 || c.Epoch < oldest {
			oldest = c.Epoch
		}
	}
	keys := map[string]bool{}
	for _, t := range gs.CloseTotals {
		k := fmt.Sprintf("%d/%s", t.TaskType, t.NodeId)
		if t.Epoch != oldest || oldest == 0 || ValidateNodeID(t.NodeId) != nil || keys[k] {
			return errorsmod.Wrapf(ErrInvalidGenesis, "close total %d/%s", t.Epoch, t.NodeId)
		}
		keys[k] = true
	}
	return nil
}
