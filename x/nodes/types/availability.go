package types

// Inactive reports whether a node has missed more than max_missed_heartbeats heartbeat
// intervals (or never sent one) at height. It is derived, never stored, so nodes going
// silent cost no block work; a heartbeat makes the node active again. A pure rule over
// the node and the params, so other modules (x/challenges) apply it without x/nodes'
// keeper.
func Inactive(p Params, n Node, height int64) bool {
	if n.LastHeartbeatHeight == 0 {
		return true
	}
	return height-n.LastHeartbeatHeight > int64(p.MaxMissedHeartbeats)*p.HeartbeatIntervalBlocks
}

// Available reports whether the node can take new work at all: bonded (status active),
// heartbeating, and with its stake (after any slash) still at its pool's minimum.
func Available(p Params, n Node, height int64) bool {
	if n.Status != NODE_STATUS_ACTIVE || Inactive(p, n, height) {
		return false
	}
	pool, ok := p.Pool(n.PoolId)
	return ok && n.Stake.GTE(pool.MinStake)
}
