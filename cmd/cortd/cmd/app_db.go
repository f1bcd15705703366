package cmd

import (
	"path/filepath"

	dbm "github.com/cosmos/cosmos-db"
	"github.com/syndtr/goleveldb/leveldb/filter"
	"github.com/syndtr/goleveldb/leveldb/opt"
)

// The application database's goleveldb options. goleveldb's defaults (a 4 MiB memtable,
// 2 MiB tables, a 10 MiB first level) suit a small embedded store, not IAVL under load:
// every block writes every touched leaf, its fast-node copy and a fresh path of inner
// nodes, so a node serving a few hundred requests a second flushed a 4 MiB memtable
// several times per block and rewrote each byte ~20 times on its way down the levels
// (600 table files written for a 54 MB database in a 70-block run), 22 % of its CPU in
// compaction. Larger memtables and levels cut the rewrites; the values are what one node
// can afford in memory (two memtables, the block cache) on the smallest machine we run.
const (
	appDBWriteBuffer    = 64 << 20 // memtable; one more is kept while it is flushed
	appDBTableSize      = 8 << 20  // table files written by compactions
	appDBLevel1Size     = 64 << 20 // level 1; each next level is 10 times larger
	appDBBlockCacheSize = 32 << 20 // decompressed blocks kept for reads
	appDBBloomBitsEach  = 10       // cosmos-db's bloom filter: point reads skip tables
)

// appDBOptions are the goleveldb options of the application database. Tables written with
// them are ordinary goleveldb tables: an older binary or the SDK's own opener reads them.
func appDBOptions() *opt.Options {
	return &opt.Options{
		Filter:              filter.NewBloomFilter(appDBBloomBitsEach),
		WriteBuffer:         appDBWriteBuffer,
		CompactionTableSize: appDBTableSize,
		CompactionTotalSize: appDBLevel1Size,
		BlockCacheCapacity:  appDBBlockCacheSize,
		// A read that crosses many tables would schedule a compaction of them: IAVL's
		// reads are scattered hashes, so that compaction buys nothing and costs a rewrite.
		DisableSeeksCompaction: true,
	}
}

// openAppDB is the start command's DB opener: the SDK's (data/application.db), with
// appDBOptions when the backend is goleveldb. Other backends open with their defaults.
func openAppDB(rootDir string, backend dbm.BackendType) (dbm.DB, error) {
	dataDir := filepath.Join(rootDir, "data")
	if backend != dbm.GoLevelDBBackend {
		return dbm.NewDB("application", backend, dataDir)
	}
	return dbm.NewGoLevelDBWithOpts("application", dataDir, appDBOptions())
}
