// Package chain is the sidecar's only door to the chain: gRPC queries, CometBFT
// websocket events (resubscribed after a drop, with a gap callback so callers catch
// up from queries), and one Signer per key that builds, simulates, signs,
// broadcasts and waits for txs.
//
// Sequence numbers are the classic failure of a sidecar sending many txs from one
// key, so a Signer offers two paths: SendUnordered (the SDK's unordered txs: no
// sequence, a short timeout timestamp as the nonce, any number in flight) for
// high-rate messages, and Send (ordered) through a per-key queue that hands out
// sequences one at a time and recovers from a mismatch by re-reading it.
//
// It imports x/*/types for messages and queries, never app/.
package chain
