package keeper

import (
	"context"
	"slices"

	errorsmod "cosmossdk.io/errors"

	"github.com/cortnet/cortd/x/nodes/types"
)

// UpdateNode replaces the endpoint, spec, memory index and models (and optionally the
// heartbeat key) of a bonded node. Loaded models no longer served are dropped.
func (s msgServer) UpdateNode(ctx context.Context, msg *types.MsgUpdateNode) (*types.MsgUpdateNodeResponse, error) {
	if err := msg.ValidateBasic(); err != nil {
		return nil, err
	}
	p, err := s.Params.Get(ctx)
	if err != nil {
		return nil, err
	}
	desc := msg.Description()
	if err := desc.ValidateAgainstParams(p); err != nil {
		return nil, err
	}
	n, err := s.operatorNode(ctx, msg.Operator, msg.NodeId)
	if err != nil {
		return nil, err
	}
	if n.Status != types.NODE_STATUS_ACTIVE {
		return nil, errorsmod.Wrapf(types.ErrNodeUnbonding, "%q", n.Id)
	}
	models := types.SortedModels(msg.Models)
	if err := s.checkModels(ctx, models, msg.MemoryIndexMib); err != nil {
		return nil, err
	}
	if err := s.unindexModels(ctx, n); err != nil {
		return nil, err
	}
	n.Endpoint, n.Spec, n.MemoryIndexMib, n.Models = msg.Endpoint, msg.Spec, msg.MemoryIndexMib, models
	n.LoadedModels = slices.DeleteFunc(n.LoadedModels, func(m string) bool {
		_, served := slices.BinarySearch(models, m)
		return !served
	})
	if msg.NodeAddress != "" {
		n.NodeAddress = msg.NodeAddress
	}
	if err := s.Nodes.Set(ctx, n.Id, n); err != nil {
		return nil, err
	}
	if err := s.indexNode(ctx, n); err != nil {
		return nil, err
	}
	return &types.MsgUpdateNodeResponse{}, emit(ctx, &types.EventNodeUpdated{
		NodeId: n.Id, Endpoint: n.Endpoint, MemoryIndexMib: n.MemoryIndexMib, Models: n.Models, NodeAddress: n.NodeAddress,
	})
}
