package keeper

import (
	"context"
	"errors"
	"slices"

	"cosmossdk.io/collections"
	errorsmod "cosmossdk.io/errors"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/cortnet/cortd/x/challenges/types"
)

// ReportKey is (node id, reporter): one availability report per reporter and node.
type ReportKey = collections.Pair[string, sdk.AccAddress]

// ExpiryKey is (expires height, node id, reporter): the reports in expiry order.
type ExpiryKey = collections.Triple[int64, string, sdk.AccAddress]

// The chain cannot reach a miner, so it cannot tell by itself whether an invited miner
// serves: heartbeats say the node's process runs and signs, not that its endpoint
// answers. Validators observe it: an evaluator probes the invited miners' /availability
// (sidecar/evaluator) and reports the ones that do not answer. The effect is bounded:
// a report expires after unavailable_skip_blocks; only a node reported by
// unavailable_min_reports distinct bonded validators is skipped, and only by invitations
// (no slashing, no effect on rewards, answers or scores); only a node invited to a
// challenge in COMMIT or REVEAL that has not committed an answer may be reported (a
// commit is proof it was there), so a skipped node, which is not invited, cannot be
// reported again until its reports expire.

// ReportUnavailable records that a bonded validator's probe of an invited node failed.
func (k Keeper) ReportUnavailable(ctx context.Context, msg *types.MsgReportUnavailable) (*types.MsgReportUnavailableResponse, error) {
	reporter, err := sdk.AccAddressFromBech32(msg.Reporter)
	if err != nil {
		return nil, errorsmod.Wrapf(types.ErrInvalidAddress, "reporter: %v", err)
	}
	if msg.ChallengeId == 0 {
		return nil, types.ErrInvalidChallengeID
	}
	if err := types.ValidateNodeID(msg.NodeId); err != nil {
		return nil, err
	}
	if err := k.requireBonded(ctx, reporter); err != nil {
		return nil, err
	}
	p, err := k.Params.Get(ctx)
	if err != nil {
		return nil, err
	}
	c, err := k.GetChallenge(ctx, msg.ChallengeId)
	if err != nil {
		return nil, err
	}
	if c.Status != types.CHALLENGE_STATUS_COMMIT && c.Status != types.CHALLENGE_STATUS_REVEAL {
		return nil, errorsmod.Wrapf(types.ErrWrongStatus, "challenge %d is %s: only miners invited to a challenge in COMMIT or REVEAL are probed", c.Id, c.Status)
	}
	a, err := k.Answers.Get(ctx, collections.Join(c.Id, msg.NodeId))
	if errors.Is(err, collections.ErrNotFound) {
		return nil, errorsmod.Wrapf(types.ErrNotInvited, "node %s, challenge %d", msg.NodeId, c.Id)
	}
	if err != nil {
		return nil, err
	}
	if a.Commitment != "" {
		return nil, errorsmod.Wrapf(types.ErrNodeAnswered, "node %s committed to challenge %d at %d", msg.NodeId, c.Id, a.CommitHeight)
	}
	h := height(ctx)
	key := collections.Join(msg.NodeId, reporter)
	old, err := k.Reports.Get(ctx, key)
	switch {
	case err == nil && old.ExpiresHeight > h:
		return nil, errorsmod.Wrapf(types.ErrAlreadyReported, "node %s until %d", msg.NodeId, old.ExpiresHeight)
	case err == nil: // expired, not pruned yet: replaced
		if err := k.ReportExpiry.Remove(ctx, collections.Join3(old.ExpiresHeight, old.NodeId, reporter)); err != nil {
			return nil, err
		}
	case !errors.Is(err, collections.ErrNotFound):
		return nil, err
	}

	// writes
	r := types.UnavailableReport{NodeId: msg.NodeId, Reporter: msg.Reporter, ChallengeId: c.Id, Height: h,
		ExpiresHeight: h + int64(p.UnavailableSkipBlocks)}
	if err := k.Reports.Set(ctx, key, r); err != nil {
		return nil, err
	}
	if err := k.ReportExpiry.Set(ctx, collections.Join3(r.ExpiresHeight, r.NodeId, reporter)); err != nil {
		return nil, err
	}
	active, until, err := k.skipUntil(ctx, p, msg.NodeId)
	if err != nil {
		return nil, err
	}
	if err := emit(ctx, &types.EventMinerReportedUnavailable{NodeId: r.NodeId, Reporter: r.Reporter, ChallengeId: c.Id,
		ExpiresHeight: r.ExpiresHeight, Reports: uint32(len(active)), SkipUntilHeight: until}); err != nil {
		return nil, err
	}
	return &types.MsgReportUnavailableResponse{SkipUntilHeight: until}, nil
}

// skipUntil returns a node's unexpired reports (in reporter order) and the height below
// which invitations skip it: the unavailable_min_reports-th latest expiry of those
// reports (from then on fewer than that many count), 0 when there are fewer.
func (k Keeper) skipUntil(ctx context.Context, p types.Params, nodeID string) ([]types.UnavailableReport, int64, error) {
	h := height(ctx)
	var active []types.UnavailableReport
	err := k.Reports.Walk(ctx, collections.NewPrefixedPairRange[string, sdk.AccAddress](nodeID),
		func(_ ReportKey, r types.UnavailableReport) (bool, error) {
			if r.ExpiresHeight > h {
				active = append(active, r)
			}
			return false, nil
		})
	if err != nil {
		return nil, 0, err
	}
	need := int(p.UnavailableMinReports)
	if need == 0 || len(active) < need {
		return active, 0, nil
	}
	exp := make([]int64, len(active))
	for i, r := range active {
		exp[i] = r.ExpiresHeight
	}
	slices.Sort(exp)
	return active, exp[len(exp)-need], nil
}

// skipped reports whether invitations skip a node now.
func (k Keeper) skipped(ctx context.Context, p types.Params, nodeID string) (bool, error) {
	_, until, err := k.skipUntil(ctx, p, nodeID)
	return until > height(ctx), err
}

// pruneReports deletes the reports that have expired, at most max_queue_per_block per
// block (an expired report counts for nothing, pruned or not).
func (k Keeper) pruneReports(ctx context.Context, p types.Params) error {
	h := height(ctx)
	var due []ExpiryKey
	rng := new(collections.Range[ExpiryKey]).EndExclusive(collections.Join3(h+1, "", sdk.AccAddress(nil)))
	err := k.ReportExpiry.Walk(ctx, rng, func(key ExpiryKey) (bool, error) {
		due = append(due, key)
		return uint32(len(due)) >= p.MaxQueuePerBlock, nil
	})
	if err != nil {
		return err
	}
	for _, key := range due {
		if err := k.ReportExpiry.Remove(ctx, key); err != nil {
			return err
		}
		if err := k.Reports.Remove(ctx, collections.Join(key.K2(), key.K3())); err != nil {
			return err
		}
	}
	return nil
}
