package keeper

import (
	"context"
	"errors"

	"cosmossdk.io/collections"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/cortnet/cortd/x/challenges/types"
	nodestypes "github.com/cortnet/cortd/x/nodes/types"
)

// invitee is a drawn node.
type invitee struct{ id, operator string }

// candidates returns the opted-in nodes that are available now, not skipped for failed
// availability probes (unavailable.go; one prefix read of the node's reports, usually
// empty) and not operated by poster. It reads at most max_candidate_scan opted-in
// entries in opt-in sequence order, starting at a point drawn from seed and wrapping
// around, so with more opted-in nodes than the scan bound every node still has a chance.
func (k Keeper) candidates(ctx context.Context, p types.Params, poster sdk.AccAddress, seed [32]byte) ([]invitee, error) {
	np, err := k.nodes.GetParams(ctx)
	if err != nil {
		return nil, err
	}
	h := height(ctx)
	next, err := k.NextOptInSeq.Get(ctx)
	if errors.Is(err, collections.ErrNotFound) || next == 0 {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	start := types.Draw(seed, scanStartCounter, next)
	var out []invitee
	scanned := uint32(0)
	visit := func(_ uint64, id string) (bool, error) {
		scanned++
		n, err := k.nodes.GetNode(ctx, id)
		// x/nodes' rule for taking new work, less the model checks: status active,
		// heartbeats current, stake at its pool's minimum.
		if err == nil && nodestypes.Available(np, n, h) && n.Operator != poster.String() {
			skip, err := k.skipped(ctx, p, id)
			if err != nil {
				return true, err
			}
			if !skip {
				out = append(out, invitee{id: n.Id, operator: n.Operator})
			}
		}
		return scanned >= p.MaxCandidateScan, nil
	}
	if err := k.OptInBySeq.Walk(ctx, new(collections.Range[uint64]).StartInclusive(start), visit); err != nil {
		return nil, err
	}
	if scanned < p.MaxCandidateScan && start > 0 {
		if err := k.OptInBySeq.Walk(ctx, new(collections.Range[uint64]).EndExclusive(start), visit); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// scanStartCounter is the Draw counter of the scan start (the shuffle uses 0, 1, ...).
const scanStartCounter = 1 << 63

// inviteSeed is InviteSeed(previous block hash, challenge id).
func inviteSeed(ctx context.Context, challengeID uint64) [32]byte {
	return types.InviteSeed(sdk.UnwrapSDKContext(ctx).BlockHeader().LastBlockId.Hash, challengeID)
}

// invite draws up to max miners among the candidates by a partial Fisher-Yates shuffle.
func invite(seed [32]byte, cands []invitee, max int) []invitee {
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

// setOptIn adds a node at the end of the opt-in sequence (no-op if already in) or removes it.
func (k Keeper) setOptIn(ctx context.Context, nodeID string, in bool) error {
	seq, err := k.OptIn.Get(ctx, nodeID)
	found := err == nil
	if err != nil && !errors.Is(err, collections.ErrNotFound) {
		return err
	}
	if !in {
		if !found {
			return nil
		}
		if err := k.OptIn.Remove(ctx, nodeID); err != nil {
			return err
		}
		return k.OptInBySeq.Remove(ctx, seq)
	}
	if found {
		return nil
	}
	next, err := k.NextOptInSeq.Get(ctx)
	if err != nil && !errors.Is(err, collections.ErrNotFound) {
		return err
	}
	if err := k.OptIn.Set(ctx, nodeID, next); err != nil {
		return err
	}
	if err := k.OptInBySeq.Set(ctx, next, nodeID); err != nil {
		return err
	}
	return k.NextOptInSeq.Set(ctx, next+1)
}

// IsOptedIn reports whether a node is opted in to challenges.
func (k Keeper) IsOptedIn(ctx context.Context, nodeID string) (bool, error) {
	ok, err := k.OptIn.Has(ctx, nodeID)
	if errors.Is(err, collections.ErrNotFound) {
		return false, nil
	}
	return ok, err
}
