package keeper

import (
	"context"

	"cosmossdk.io/collections"
	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/cortnet/cortd/x/challenges/types"
)

// InitGenesis writes the genesis state and rebuilds the queue from the challenges.
func (k Keeper) InitGenesis(ctx context.Context, gs *types.GenesisState) error {
	if err := gs.Validate(); err != nil {
		return err
	}
	if err := k.Params.Set(ctx, gs.Params); err != nil {
		return err
	}
	if err := k.NextChallengeID.Set(ctx, gs.NextChallengeId); err != nil {
		return err
	}
	if err := k.Epoch.Set(ctx, gs.Epoch); err != nil {
		return err
	}
	for _, c := range gs.Challenges {
		if err := k.Challenges.Set(ctx, c.Id, c); err != nil {
			return err
		}
		if c.Status.IsFinal() && c.PatchesPruned {
			continue
		}
		if err := k.Queue.Set(ctx, collections.Join(queueHeight(c), c.Id)); err != nil {
			return err
		}
	}
	for _, a := range gs.Answers {
		if err := k.Answers.Set(ctx, collections.Join(a.ChallengeId, a.NodeId), a); err != nil {
			return err
		}
	}
	for _, s := range gs.Submissions {
		ev, err := sdk.AccAddressFromBech32(s.Evaluator)
		if err != nil {
			return err
		}
		if err := k.Submissions.Set(ctx, collections.Join(s.ChallengeId, ev), s); err != nil {
			return err
		}
	}
	for _, r := range gs.EvaluatorRecords {
		ev, err := sdk.AccAddressFromBech32(r.Evaluator)
		if err != nil {
			return err
		}
		if err := k.EvaluatorRecords.Set(ctx, ev, r); err != nil {
			return err
		}
	}
	for _, id := range gs.OptedIn {
		if err := k.setOptIn(ctx, id, true); err != nil {
			return err
		}
	}
	for _, pc := range gs.PostCounts {
		poster, err := sdk.AccAddressFromBech32(pc.Poster)
		if err != nil {
			return err
		}
		if err := k.PostCounts.Set(ctx, collections.Join(pc.Epoch, poster), pc.Count); err != nil {
			return err
		}
	}
	for _, st := range gs.MinerStats {
		if err := k.MinerStats.Set(ctx, collections.Join3(st.Epoch, int32(st.TaskType), st.NodeId), st); err != nil {
			return err
		}
	}
	for _, w := range gs.Weights {
		if err := k.Weights.Set(ctx, collections.Join3(w.Epoch, int32(w.TaskType), w.NodeId), w); err != nil {
			return err
		}
	}
	for _, c := range gs.EpochCloses {
		if err := k.Closes.Set(ctx, c.Epoch, c); err != nil {
			return err
		}
	}
	for _, t := range gs.CloseTotals {
		if err := k.CloseTotals.Set(ctx, collections.Join(int32(t.TaskType), t.NodeId), t); err != nil {
			return err
		}
	}
	for _, r := range gs.UnavailableReports {
		reporter, err := sdk.AccAddressFromBech32(r.Reporter)
		if err != nil {
			return err
		}
		if err := k.Reports.Set(ctx, collections.Join(r.NodeId, reporter), r); err != nil {
			return err
		}
		if err := k.ReportExpiry.Set(ctx, collections.Join3(r.ExpiresHeight, r.NodeId, reporter)); err != nil {
			return err
		}
	}
	total := sdkmath.ZeroInt()
	for _, r := range gs.PendingRewards {
		if err := k.Pending.Set(ctx, r.NodeId, r.Amount); err != nil {
			return err
		}
		total = total.Add(r.Amount)
	}
	return k.PendingTotal.Set(ctx, total)
}

// ExportGenesis reads the whole state.
func (k Keeper) ExportGenesis(ctx context.Context) (*types.GenesisState, error) {
	gs := types.DefaultGenesis()
	var err error
	if gs.Params, err = k.Params.Get(ctx); err != nil {
		return nil, err
	}
	if gs.NextChallengeId, err = k.NextChallengeID.Get(ctx); err != nil {
		return nil, err
	}
	if gs.Epoch, err = k.Epoch.Get(ctx); err != nil {
		return nil, err
	}
	if err := k.Challenges.Walk(ctx, nil, func(_ uint64, c types.Challenge) (bool, error) {
		gs.Challenges = append(gs.Challenges, c)
		return false, nil
	}); err != nil {
		return nil, err
	}
	if err := k.Answers.Walk(ctx, nil, func(_ collections.Pair[uint64, string], a types.Answer) (bool, error) {
		gs.Answers = append(gs.Answers, a)
		return false, nil
	}); err != nil {
		return nil, err
	}
	if err := k.Submissions.Walk(ctx, nil, func(_ collections.Pair[uint64, sdk.AccAddress], s types.ScoreSubmission) (bool, error) {
		gs.Submissions = append(gs.Submissions, s)
		return false, nil
	}); err != nil {
		return nil, err
	}
	if err := k.EvaluatorRecords.Walk(ctx, nil, func(_ sdk.AccAddress, r types.EvaluatorRecord) (bool, error) {
		gs.EvaluatorRecords = append(gs.EvaluatorRecords, r)
		return false, nil
	}); err != nil {
		return nil, err
	}
	if err := k.OptInBySeq.Walk(ctx, nil, func(_ uint64, id string) (bool, error) {
		gs.OptedIn = append(gs.OptedIn, id)
		return false, nil
	}); err != nil {
		return nil, err
	}
	if err := k.PostCounts.Walk(ctx, nil, func(key collections.Pair[uint64, sdk.AccAddress], n uint32) (bool, error) {
		gs.PostCounts = append(gs.PostCounts, types.PostCount{Epoch: key.K1(), Poster: key.K2().String(), Count: n})
		return false, nil
	}); err != nil {
		return nil, err
	}
	if err := k.MinerStats.Walk(ctx, nil, func(_ StatsKey, st types.MinerStats) (bool, error) {
		gs.MinerStats = append(gs.MinerStats, st)
		return false, nil
	}); err != nil {
		return nil, err
	}
	if err := k.Weights.Walk(ctx, nil, func(_ StatsKey, w types.Weight) (bool, error) {
		gs.Weights = append(gs.Weights, w)
		return false, nil
	}); err != nil {
		return nil, err
	}
	if err := k.Pending.Walk(ctx, nil, func(id string, amt sdkmath.Int) (bool, error) {
		gs.PendingRewards = append(gs.PendingRewards, types.PendingReward{NodeId: id, Amount: amt})
		return false, nil
	}); err != nil {
		return nil, err
	}
	if err := k.Closes.Walk(ctx, nil, func(_ uint64, c types.EpochClose) (bool, error) {
		gs.EpochCloses = append(gs.EpochCloses, c)
		return false, nil
	}); err != nil {
		return nil, err
	}
	if err := k.CloseTotals.Walk(ctx, nil, func(_ CloseKey, t types.MinerStats) (bool, error) {
		gs.CloseTotals = append(gs.CloseTotals, t)
		return false, nil
	}); err != nil {
		return nil, err
	}
	if err := k.Reports.Walk(ctx, nil, func(_ ReportKey, r types.UnavailableReport) (bool, error) {
		gs.UnavailableReports = append(gs.UnavailableReports, r)
		return false, nil
	}); err != nil {
		return nil, err
	}
	return gs, nil
}
