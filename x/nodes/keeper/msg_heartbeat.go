package keeper

import (
	"context"
	"slices"

	errorsmod "cosmossdk.io/errors"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/cortnet/cortd/x/nodes/types"
)

// Heartbeat records that the node is alive and which served models are warm now. Only
// the node's key may send it, at most once per heartbeat slot (height / interval): uptime
// counts slots with a heartbeat, so a second one in a slot would count for nothing. The
// loaded models must be served by the node and fit its memory index together.
func (s msgServer) Heartbeat(ctx context.Context, msg *types.MsgHeartbeat) (*types.MsgHeartbeatResponse, error) {
	if err := msg.ValidateBasic(); err != nil {
		return nil, err
	}
	p, err := s.Params.Get(ctx)
	if err != nil {
		return nil, err
	}
	n, err := s.GetNode(ctx, msg.NodeId)
	if err != nil {
		return nil, err
	}
	if msg.NodeAddress != n.NodeAddress {
		return nil, errorsmod.Wrapf(types.ErrNotNodeKey, "node %q heartbeats from %s", n.Id, n.NodeAddress)
	}
	if n.Status != types.NODE_STATUS_ACTIVE {
		return nil, errorsmod.Wrapf(types.ErrNodeUnbonding, "%q", n.Id)
	}
	height := sdk.UnwrapSDKContext(ctx).BlockHeight()
	if n.LastHeartbeatHeight != 0 && n.LastHeartbeatHeight/p.HeartbeatIntervalBlocks == height/p.HeartbeatIntervalBlocks {
		next := (height/p.HeartbeatIntervalBlocks + 1) * p.HeartbeatIntervalBlocks
		return nil, errorsmod.Wrapf(types.ErrHeartbeatTooSoon, "last at height %d, next slot starts at %d", n.LastHeartbeatHeight, next)
	}
	loaded := types.SortedModels(msg.LoadedModels)
	var used uint64
	for _, id := range loaded {
		if _, served := slices.BinarySearch(n.Models, id); !served {
			return nil, errorsmod.Wrapf(types.ErrModelNotServed, "%q", id)
		}
		m, err := s.models.GetActiveModel(ctx, id)
		if err != nil {
			return nil, errorsmod.Wrapf(types.ErrUnknownModel, "%q: %v", id, err)
		}
		// Compared before adding, so the sum cannot wrap around uint64.
		if m.MemoryMib > n.MemoryIndexMib-used {
			return nil, errorsmod.Wrapf(types.ErrModelTooLarge, "loaded models need more than the memory index of %d MiB", n.MemoryIndexMib)
		}
		used += m.MemoryMib
	}

	reactivated := n.LastHeartbeatHeight != 0 && Inactive(p, n, height)
	// A change of an already claimed set counts toward heartbeat churn; loading up from
	// nothing (first heartbeat, restart) does not.
	changed := len(n.LoadedModels) > 0 && !slices.Equal(n.LoadedModels, loaded)
	n.LastHeartbeatHeight = height
	n.LoadedModels = loaded
	if err := s.Nodes.Set(ctx, n.Id, n); err != nil {
		return nil, err
	}
	if err := s.updateLiveStats(ctx, n.Id, func(st *types.PeriodStats) {
		st.Heartbeats++
		if changed {
			st.LoadedChanges++
		}
	}); err != nil {
		return nil, err
	}
	return &types.MsgHeartbeatResponse{}, emit(ctx, &types.EventHeartbeat{NodeId: n.Id, LoadedModels: loaded, Reactivated: reactivated})
}
