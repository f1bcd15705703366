package miner

import (
	"context"
	"sort"

	"github.com/cortnet/cortd/sidecar/chain"
	nodestypes "github.com/cortnet/cortd/x/nodes/types"
)

// maybeHeartbeat sends one heartbeat per heartbeat slot (height / interval), at
// most one in flight.
func (m *Miner) maybeHeartbeat(ctx context.Context, height int64) {
	if m.hbInterval == 0 {
		return
	}
	slot := height / m.hbInterval
	m.mu.Lock()
	if m.hbBusy || slot <= m.hbSlot {
		m.mu.Unlock()
		return
	}
	m.hbBusy = true
	m.mu.Unlock()
	ok := m.heartbeat(ctx)
	m.mu.Lock()
	m.hbBusy = false
	if ok {
		m.hbSlot = slot
	}
	m.mu.Unlock()
}

func (m *Miner) heartbeat(ctx context.Context) bool {
	loaded := m.loadedModels(ctx)
	_, _, err := m.batch.Send(ctx, &nodestypes.MsgHeartbeat{NodeAddress: m.addr, NodeId: m.cfg.NodeID, LoadedModels: loaded})
	switch {
	case err == nil:
		m.M.Heartbeats.Add(1)
		m.log.Debug("heartbeat", "loaded", loaded)
		return true
	case chain.Is(err, nodestypes.ErrHeartbeatTooSoon):
		return true // this slot already counted
	default:
		m.M.TxFailures.Add(1)
		m.log.Warn("heartbeat failed", "err", err)
		return false
	}
}

// loadedModels are the served models the engine has in memory, within the memory
// index together (the chain refuses more).
func (m *Miner) loadedModels(ctx context.Context) []string {
	infos, err := m.e.Models(ctx)
	if err != nil {
		m.log.Warn("listing loaded models failed", "err", err)
		return nil
	}
	var out []string
	var used uint64
	for _, mi := range infos {
		mem, served := m.memByModel[mi.ID]
		if !mi.Loaded || !served || used+mem > m.memoryIndex {
			continue
		}
		used += mem
		out = append(out, mi.ID)
	}
	sort.Strings(out)
	return out
}
