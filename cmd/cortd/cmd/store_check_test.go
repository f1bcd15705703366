package cmd

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"testing"

	cmtcfg "github.com/cometbft/cometbft/config"
	"github.com/stretchr/testify/require"

	"cosmossdk.io/log/v2"
)

func TestStoreOfFrames(t *testing.T) {
	for want, funcs := range map[string][]string{
		"blockstore.db": {"runtime.gopanic", "github.com/cometbft/cometbft/store.LoadBlockStoreState",
			"github.com/cometbft/cometbft/store.NewBlockStore", "github.com/cometbft/cometbft/node.initDBs"},
		"application.db": {"runtime.gopanic", "github.com/cosmos/cosmos-sdk/store/v2/rootmulti.GetLatestVersion",
			"github.com/cosmos/cosmos-sdk/baseapp.DefaultStoreLoader", "github.com/cortnet/cortd/app.New"},
		"state.db":    {"runtime.gopanic", "github.com/cometbft/cometbft/state.dbStore.Load", "github.com/cometbft/cometbft/store.x"},
		"tx_index.db": {"github.com/cometbft/cometbft/state/txindex/kv.(*TxIndex).Get"},
		"evidence.db": {"github.com/cometbft/cometbft/evidence.NewPool"},
		"snapshots":   {"github.com/cosmos/cosmos-sdk/store/v2/snapshots.NewStore"},
		"":            {"runtime.gopanic", "github.com/cortnet/cortd/x/models.AppModule.InitGenesis", "main.main"},
	} {
		require.Equal(t, want, storeOfFrames(funcs), "%v", funcs)
	}
	require.True(t, isStorageFailure("leveldb/table: corruption on table-footer (pos=1): bad magic number"))
	require.False(t, isStorageFailure("version of store models mismatch root store's version"),
		"a missing store upgrade is not a damaged store: no advice to erase data")
}

func TestExplainStartError(t *testing.T) {
	home := t.TempDir()
	cfg := cmtcfg.DefaultConfig()
	cfg.SetRoot(home)
	h := storeHeights{app: 63, blocks: 42, state: 63}
	data := filepath.Join(home, "data")

	err := explainStartError(errors.New("error during handshake: error on replay: app block height (63) is higher than core (42)"), home, cfg, h)
	var se *storeError
	require.ErrorAs(t, err, &se)
	require.Equal(t, "blockstore.db", se.store)
	require.Contains(t, err.Error(), filepath.Join(data, "blockstore.db")+" ends at height 42 but the application state is at height 63")
	require.Contains(t, err.Error(), "Last heights read: application.db 63, blockstore.db 42, state.db 63.")
	require.Contains(t, err.Error(), "cortd comet unsafe-reset-all --home "+home)

	err = explainStartError(errors.New("error on replay: app block height (5) is too far below block store base (90)"), home, cfg, h)
	require.ErrorAs(t, err, &se)
	require.Equal(t, "application.db", se.store)
	require.Contains(t, err.Error(), "is at height 5, below the oldest block the block store keeps (90)")

	err = explainStartError(errors.New("error on replay: latest CometBFT block (7) LastAppHash (AB) does not match app's AppHash (CD)"), home, cfg, h)
	require.ErrorAs(t, err, &se)
	require.Equal(t, "application.db", se.store)
	require.Contains(t, err.Error(), "does not match the block store at height 7")

	err = explainStartError(errors.New("failed to start app: open "+data+"/state.db/MANIFEST-000004: leveldb: manifest corrupted"), home, cfg, h)
	require.ErrorAs(t, err, &se)
	require.Equal(t, "state.db", se.store)

	err = explainStartError(errors.New("error during handshake: error on replay: genesis of module models rejected: duplicate model id \"m\": invalid genesis state [/src/x/models/types/genesis.go:20]"), home, cfg, h)
	require.NotErrorAs(t, err, &se)
	require.Contains(t, err.Error(), "the genesis in "+cfg.GenesisFile()+" is rejected by module models: duplicate model id \"m\"")
	require.NotContains(t, err.Error(), "genesis.go:20", "no source locations for an operator")
	require.Contains(t, err.Error(), "cortd genesis validate --home "+home)
	require.Contains(t, err.Error(), "cortd comet unsafe-reset-all --home "+home)

	other := errors.New("failed to listen on 127.0.0.1:26657: address already in use")
	require.Equal(t, other, explainStartError(other, home, cfg, h), "other errors pass unchanged")
	require.NoError(t, explainStartError(nil, home, cfg, h))
}

func TestCheckGenesisRecord(t *testing.T) {
	home := t.TempDir()
	cfg := cmtcfg.DefaultConfig()
	cfg.SetRoot(home)
	require.NoError(t, os.MkdirAll(filepath.Join(home, "config"), 0o700))
	write := func(s string) string {
		require.NoError(t, os.WriteFile(cfg.GenesisFile(), []byte(s), 0o600))
		sum := sha256.Sum256([]byte(s))
		return hex.EncodeToString(sum[:])
	}
	record := filepath.Join(home, "data", genesisRecordFile)
	recorded := func() string {
		bz, err := os.ReadFile(record)
		require.NoError(t, err)
		return string(bz)
	}
	h := storeHeights{app: 9, blocks: 9, state: 9}

	// no genesis file: nothing to check (the SDK reports it)
	require.NoError(t, checkGenesisRecord(cfg, h, log.NewNopLogger()))
	require.NoFileExists(t, record)

	// first start: recorded
	first := write(`{"a":1}`)
	require.NoError(t, checkGenesisRecord(cfg, h, log.NewNopLogger()))
	require.Equal(t, first+"  genesis.json\n", recorded())
	require.NoError(t, checkGenesisRecord(cfg, h, log.NewNopLogger()), "same file: starts")

	// changed before any chain data exists (state.db absent): the new file is taken
	second := write(`{"a":2}`)
	require.NoError(t, checkGenesisRecord(cfg, h, log.NewNopLogger()))
	require.Equal(t, second+"  genesis.json\n", recorded())

	// changed once CometBFT holds the chain: refused, naming both hashes, nothing rewritten
	require.NoError(t, os.MkdirAll(filepath.Join(home, "data", "state.db"), 0o700))
	third := write(`{"a":3}`)
	err := checkGenesisRecord(cfg, h, log.NewNopLogger())
	var ge *genesisChangedError
	require.ErrorAs(t, err, &ge)
	require.Contains(t, err.Error(), "sha256 now:      "+third)
	require.Contains(t, err.Error(), "sha256 recorded: "+second)
	require.Contains(t, err.Error(), "(blocks up to height 9)")
	require.Contains(t, err.Error(), "cortd comet unsafe-reset-all --home "+home)
	require.Equal(t, second+"  genesis.json\n", recorded())

	// a home from before the record existed: the file as it is becomes the reference
	require.NoError(t, os.Remove(record))
	require.NoError(t, checkGenesisRecord(cfg, h, log.NewNopLogger()))
	require.Equal(t, third+"  genesis.json\n", recorded())
}
