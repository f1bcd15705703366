package miner

import (
	"context"
	"fmt"
	"slices"
	"sort"

	sdkmath "cosmossdk.io/math"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	modelstypes "github.com/cortnet/cortd/x/models/types"
	nodestypes "github.com/cortnet/cortd/x/nodes/types"
)

// prepare reads params, decides the served models and memory index, and
// registers the node or updates its description when it differs.
func (m *Miner) prepare(ctx context.Context) error {
	qctx, cancel := m.c.QueryCtx(ctx)
	params, err := m.c.Nodes.Params(qctx, &nodestypes.QueryParamsRequest{})
	cancel()
	if err != nil {
		return fmt.Errorf("nodes params: %w", err)
	}
	m.hbInterval = max(1, params.Params.HeartbeatIntervalBlocks)

	if err := m.chooseModels(ctx); err != nil {
		return err
	}
	if m.cfg.SkipRegister {
		return nil
	}
	qctx, cancel = m.c.QueryCtx(ctx)
	res, err := m.c.Nodes.Node(qctx, &nodestypes.QueryNodeRequest{NodeId: m.cfg.NodeID})
	cancel()
	switch {
	case status.Code(err) == codes.NotFound:
		return m.register(ctx, params.Params)
	case err != nil:
		return fmt.Errorf("reading node %s: %w", m.cfg.NodeID, err)
	}
	n := res.Node
	if n.Operator != m.s.Address() {
		if n.NodeAddress == m.s.Address() {
			m.log.Info("running with the node key; the operator manages the registration")
			return nil
		}
		return &fatalError{fmt.Errorf("node %s belongs to operator %s, not to this key (%s)", n.Operator, n.Operator, m.s.Address())}
	}
	if n.Status == nodestypes.NODE_STATUS_UNBONDING {
		return &fatalError{fmt.Errorf("node %s is unbonding", m.cfg.NodeID)}
	}
	models := slices.Clone(n.Models)
	sort.Strings(models)
	if n.Endpoint == m.cfg.Endpoint && n.Spec == m.cfg.Spec && n.MemoryIndexMib == m.memoryIndex && slices.Equal(models, m.served) {
		m.log.Info("node registered and up to date", "models", m.served, "memory_index_mib", m.memoryIndex, "level", n.Level)
		return nil
	}
	_, err = m.s.Send(ctx, &nodestypes.MsgUpdateNode{Operator: m.s.Address(), NodeId: m.cfg.NodeID, Endpoint: m.cfg.Endpoint,
		Spec: m.cfg.Spec, MemoryIndexMib: m.memoryIndex, Models: m.served, NodeAddress: n.NodeAddress})
	if err != nil {
		return fmt.Errorf("updating node %s: %w", m.cfg.NodeID, err)
	}
	m.log.Info("node updated", "models", m.served, "memory_index_mib", m.memoryIndex)
	return nil
}

func (m *Miner) register(ctx context.Context, p nodestypes.Params) error {
	var stake sdk.Coin
	if m.cfg.Stake != "" {
		c, err := sdk.ParseCoinNormalized(m.cfg.Stake)
		if err != nil {
			return &fatalError{fmt.Errorf("stake %q: %w", m.cfg.Stake, err)}
		}
		stake = c
	} else {
		var min sdkmath.Int
		for _, pool := range p.Pools {
			if pool.Id == m.cfg.PoolID {
				min = pool.MinStake
			}
		}
		if min.IsNil() {
			return &fatalError{fmt.Errorf("pool %d does not exist", m.cfg.PoolID)}
		}
		stake = sdk.NewCoin(p.Denom, min)
	}
	_, err := m.s.Send(ctx, &nodestypes.MsgRegisterNode{Operator: m.s.Address(), NodeId: m.cfg.NodeID, PoolId: m.cfg.PoolID,
		Stake: stake, Endpoint: m.cfg.Endpoint, Spec: m.cfg.Spec, MemoryIndexMib: m.memoryIndex, Models: m.served})
	if err != nil {
		return fmt.Errorf("registering node %s: %w", m.cfg.NodeID, err)
	}
	m.log.Info("node registered", "stake", stake.String(), "models", m.served, "memory_index_mib", m.memoryIndex)
	return nil
}

// chooseModels keeps the configured (or engine's) models that are active on
// chain and fit the memory index.
func (m *Miner) chooseModels(ctx context.Context) error {
	want := m.cfg.Models
	if len(want) == 0 {
		infos, err := m.e.Models(ctx)
		if err != nil {
			return fmt.Errorf("listing the engine's models: %w", err)
		}
		for _, mi := range infos {
			want = append(want, mi.ID)
		}
	}
	m.memoryIndex = m.cfg.MemoryIndexMiB
	if total := m.cfg.Spec.RamMib + m.cfg.Spec.VramMib; m.memoryIndex == 0 || (total > 0 && m.memoryIndex > total) {
		m.memoryIndex = total
	}
	m.memByModel = map[string]uint64{}
	var served []string
	for _, id := range want {
		qctx, cancel := m.c.QueryCtx(ctx)
		res, err := m.c.Models.Model(qctx, &modelstypes.QueryModelRequest{Id: id})
		cancel()
		if status.Code(err) == codes.NotFound {
			m.log.Warn("model not registered on chain; not serving it", "model", id)
			continue
		}
		if err != nil {
			return fmt.Errorf("reading model %s: %w", id, err)
		}
		mod := res.Model
		if mod.Status != modelstypes.MODEL_STATUS_ACTIVE {
			m.log.Warn("model retired on chain; not serving it", "model", id)
			continue
		}
		if mod.MemoryMib > m.memoryIndex {
			m.log.Warn("model does not fit the memory index; not serving it", "model", id, "memory_mib", mod.MemoryMib, "memory_index_mib", m.memoryIndex)
			continue
		}
		m.memByModel[id] = mod.MemoryMib
		served = append(served, id)
	}
	if len(served) == 0 {
		return &fatalError{fmt.Errorf("no servable model among %v (registered, active and within %d MiB)", want, m.memoryIndex)}
	}
	sort.Strings(served)
	m.served = slices.Compact(served)
	return nil
}
