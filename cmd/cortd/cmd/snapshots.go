package cmd

// State sync snapshots are on by default in the app.toml that `cortd init` and
// `cortd testnet init-files` write, so a validator can serve a node that joins by state
// sync instead of replaying from genesis.
//
// Every 500 blocks is about 8 minutes at the network's 1 s blocks. A joining node
// restores the newest snapshot and then block-syncs the blocks after it, so the interval
// bounds that replay (at most 500 blocks: seconds). Each snapshot is an export of the app
// state in the background, so taking one every few minutes costs little, while taking one
// every few blocks would keep a core busy on a large state. Keeping the 2 newest means a
// restore that began just before the next snapshot still finds its chunks served.
const (
	DefaultSnapshotInterval   uint64 = 500
	DefaultSnapshotKeepRecent uint32 = 2
)
