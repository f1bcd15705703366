package miner

import (
	"context"
	"sort"

	"github.com/cortnet/cortd/sidecar/chain"
	nodestypes "github.com/cortnet/cortd/x/nodes/types"
)

// maybeHeartbeat sends one heartbeat per heartbeat slot (height / interval), at
// most one in flight. A heartbeat counts for the slot of the block it lands in, which
// under load is a block or two after the one it was sent on: that later slot is then
// done too (another heartbeat in it would be refused, and a refused message costs a
// split of the batch it rides in and simulations of the next batches).
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
	ok, landed := m.heartbeat(ctx)
	m.mu.Lock()
	m.hbBusy = false
	if ok {
		m.hbSlot = max(slot, landed/m.hbInterval)
	}
	m.mu.Unlock()
}

// heartbeat sends one heartbeat and says whether this slot is done, and the height
// the heartbeat landed at (0 when unknown).
func (m *Miner) heartbeat(ctx context.Context) (bool, int64) {
	loaded := m.loadedModels(ctx)
	res, _, err := m.batch.Send(ctx, &nodestypes.MsgHeartbeat{NodeAddress: m.addr, NodeId: m.cfg.NodeID, LoadedModels: loaded})
	switch {
	case err == nil:
		m.M.Heartbeats.Add(1)
		m.log.Debug("heartbeat", "loaded", loaded)
		if res != nil {
			return true, res.Height
		}
		return true, 0
	case chain.Is(err, nodestypes.ErrHeartbeatTooSoon):
		return true, 0 // this slot already counted
	default:
		m.M.TxFailures.Add(1)
		m.log.Warn("heartbeat failed", "err", err)
		return false, 0
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
