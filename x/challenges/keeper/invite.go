package keeper

import (
	"context"
	"errors"

	"cosmossdk.io/collections"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/cortnet/cortd/x/challenges/types"
	nodeskeeper "github.com/cortnet/cortd/x/nodes/keeper"
	nodestypes "github.com/cortnet/cortd/x/nodes/types"
)

// available is x/nodes' rule for taking new work, less the model checks: status active,
// heartbeats current (not Inactive), stake at its pool's minimum.
func available(p nodestypes.Params, n nodestypes.Node, h int64) bool {
	if n.Status != nodestypes.NODE_STATUS_ACTIVE || nodeskeeper.Inactive(p, n, h) {
		return false
	}
	pool, ok := p.Pool(n.PoolId)
	return ok && n.Stake.GTE(pool.MinStake)
}

// invitee is a drawn node.
type invitee struct{ id, operator string }

// candidates returns, in node id order, the opted-in nodes that are available now and not
// operated by poster. It reads at most max_candidate_scan opted-in entries.
func (k Keeper) candidates(ctx context.Context, p types.Params, poster sdk.AccAddress) ([]invitee, error) {
	np, err := k.nodes.GetParams(ctx)
	if err != nil {
		return nil, err
	}
	h := height(ctx)
	var out []invitee
	scanned := uint32(0)
	err = k.OptIn.Walk(ctx, nil, func(id string) (bool, error) {
		scanned++
		n, err := k.nodes.GetNode(ctx, id)
		if err == nil && available(np, n, h) && n.Operator != poster.String() {
			out = append(out, invitee{id: n.Id, operator: n.Operator})
		}
		return scanned >= p.MaxCandidateScan, nil
	})
	return out, err
}

// invite draws up to max miners among the candidates by a partial Fisher-Yates shuffle
// seeded with InviteSeed(previous block hash, challenge id).
func invite(ctx context.Context, cands []invitee, challengeID uint64, max int) []invitee {
	seed := types.InviteSeed(sdk.UnwrapSDKContext(ctx).BlockHeader().LastBlockId.Hash, challengeID)
	ids := make([]string, len(cands))
	byID := make(map[string]invitee, len(cands))
	for i, c := range cands {
		ids[i] = c.id
		byID[c.id] = c
	}
	picked := types.Shuffle(seed, ids, max)
	out := make([]invitee, len(picked))
	for i, id := range picked {
		out[i] = byID[id]
	}
	return out
}

// IsOptedIn reports whether a node is opted in to challenges.
func (k Keeper) IsOptedIn(ctx context.Context, nodeID string) (bool, error) {
	ok, err := k.OptIn.Has(ctx, nodeID)
	if errors.Is(err, collections.ErrNotFound) {
		return false, nil
	}
	return ok, err
}
