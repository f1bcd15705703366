package cmd

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	cmtcfg "github.com/cometbft/cometbft/config"
	sm "github.com/cometbft/cometbft/state"
	"github.com/cometbft/cometbft/store"
	dbm "github.com/cosmos/cosmos-db"

	"github.com/cosmos/cosmos-sdk/store/v2/rootmulti"
)

// storeHeights are the last heights read from a home's stores before the node starts;
// -1 where a store does not exist yet or could not be read.
type storeHeights struct {
	app, blocks, state int64
}

func unknownHeights() storeHeights { return storeHeights{app: -1, blocks: -1, state: -1} }

// String lists the known heights, e.g. "application.db 63, blockstore.db 42, state.db 42".
func (h storeHeights) String() string {
	var parts []string
	for _, s := range []struct {
		name string
		h    int64
	}{{"application.db", h.app}, {"blockstore.db", h.blocks}, {"state.db", h.state}} {
		if s.h >= 0 {
			parts = append(parts, fmt.Sprintf("%s %d", s.name, s.h))
		}
	}
	return strings.Join(parts, ", ")
}

// upTo says how far the home's chain goes, for the genesis refusal.
func (h storeHeights) upTo() string {
	top := max(h.blocks, h.app)
	if top <= 0 {
		return " (no block committed yet)"
	}
	return fmt.Sprintf(" (blocks up to height %d)", top)
}

// storeError is the one message an operator gets for a store that cannot be used: which
// store, what is wrong, the heights known, and what to do. It replaces a goroutine dump or
// a raw CometBFT error.
type storeError struct {
	store   string // application.db, blockstore.db, state.db, ...
	dataDir string
	home    string
	problem string // what is wrong, one sentence without the cause
	cause   string
	heights storeHeights
}

func (e *storeError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "cortd cannot start: %s %s", filepath.Join(e.dataDir, e.store), e.problem)
	if e.cause != "" {
		fmt.Fprintf(&b, " (%s)", firstLine(e.cause))
	}
	b.WriteString(".\n")
	if hs := e.heights.String(); hs != "" {
		fmt.Fprintf(&b, "Last heights read: %s.\n", hs)
	}
	fmt.Fprintf(&b, "What to do: restore %s from a backup or snapshot taken while the node was stopped;\n", e.dataDir)
	fmt.Fprintf(&b, "or erase it with `cortd comet unsafe-reset-all --home %s` (keys and config are kept) and\n", e.home)
	b.WriteString("rejoin by state sync ([statesync] in config.toml) or by syncing blocks from peers.\n")
	b.WriteString("Validators: keep data/priv_validator_state.json aside and put it back after the reset,\n")
	b.WriteString("so that the node never signs a height twice.")
	return b.String()
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return line
}

// probeStores reads the heights of the application state, the block store and the
// CometBFT state before the node opens them, each behind a recover: a corrupted store is
// then named for sure (the node itself would panic somewhere inside the SDK or CometBFT),
// and the heights are known for the message even when a later read fails. Stores that do
// not exist are not created (a fresh home stays fresh).
func probeStores(home string, cfg *cmtcfg.Config, appBackend dbm.BackendType) (storeHeights, error) {
	h := unknownHeights()
	appDir := filepath.Join(home, "data") // where the SDK's start opens application.db
	dbDir := cfg.DBDir()
	var failed *storeError // the first store that cannot be read; the others are still read for their heights
	probe := func(name, dir string, height *int64, read func() (int64, error)) {
		if !exists(filepath.Join(dir, name)) {
			return
		}
		v, err := readStore(read)
		if err != nil {
			if failed == nil {
				failed = &storeError{store: name, dataDir: dir, home: home,
					problem: "cannot be read: it is corrupted or incomplete", cause: err.Error()}
			}
			return
		}
		*height = v
	}
	probe("application.db", appDir, &h.app, func() (int64, error) {
		db, err := dbm.NewDB("application", appBackend, appDir)
		if err != nil {
			return 0, err
		}
		defer db.Close()
		return rootmulti.GetLatestVersion(db), nil
	})
	probe("blockstore.db", dbDir, &h.blocks, func() (int64, error) {
		db, err := cmtcfg.DefaultDBProvider(&cmtcfg.DBContext{ID: "blockstore", Config: cfg})
		if err != nil {
			return 0, err
		}
		defer db.Close()
		return store.NewBlockStore(db).Height(), nil
	})
	probe("state.db", dbDir, &h.state, func() (int64, error) {
		db, err := cmtcfg.DefaultDBProvider(&cmtcfg.DBContext{ID: "state", Config: cfg})
		if err != nil {
			return 0, err
		}
		defer db.Close()
		st, err := sm.NewStore(db, sm.StoreOptions{}).Load()
		return st.LastBlockHeight, err
	})
	if failed != nil {
		failed.heights = h
		return h, failed
	}
	return h, nil
}

// readStore runs one read, turning a panic of the store code into an error.
func readStore(read func() (int64, error)) (v int64, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%v", r)
		}
	}()
	return read()
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// CometBFT's handshake errors reach us as text only (it formats them with %v).
var (
	appAheadRe  = regexp.MustCompile(`app block height \((\d+)\) is higher than core \((\d+)\)`)
	appBehindRe = regexp.MustCompile(`app block height \((\d+)\) is too far below block store base \((\d+)\)`)
	appHashRe   = regexp.MustCompile(`latest CometBFT block \((\d+)\) LastAppHash \([0-9A-F]*\) does not match app's AppHash`)
	genesisRe   = regexp.MustCompile(`genesis of module (\S+) rejected`)

	sourceLocationRe = regexp.MustCompile(` ?\[[^\]\s]+\.go:\d+\]`)
)

// explainStartError turns the errors of a failed start that come from inconsistent stores
// or a rejected genesis into one operator message; other errors pass unchanged.
func explainStartError(err error, home string, cfg *cmtcfg.Config, h storeHeights) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	dbDir := cfg.DBDir()
	se := &storeError{dataDir: dbDir, home: home, heights: h}
	switch {
	case appAheadRe.MatchString(msg):
		m := appAheadRe.FindStringSubmatch(msg)
		se.store = "blockstore.db"
		se.problem = fmt.Sprintf("ends at height %s but the application state is at height %s: the block store "+
			"lost its last blocks (a cut journal, or an older copy put back)", m[2], m[1])
		return se
	case appBehindRe.MatchString(msg):
		m := appBehindRe.FindStringSubmatch(msg)
		se.store, se.dataDir = "application.db", filepath.Join(home, "data")
		se.problem = fmt.Sprintf("is at height %s, below the oldest block the block store keeps (%s): replaying "+
			"blocks cannot bring it forward (an older copy put back on a pruned node)", m[1], m[2])
		return se
	case appHashRe.MatchString(msg):
		m := appHashRe.FindStringSubmatch(msg)
		se.store, se.dataDir = "application.db", filepath.Join(home, "data")
		se.problem = fmt.Sprintf("does not match the block store at height %s: its app hash differs from the "+
			"one the chain committed (the stores come from different copies, or the application state is damaged)", m[1])
		return se
	case genesisRe.MatchString(msg):
		m := genesisRe.FindStringSubmatch(msg)
		_, detail, _ := strings.Cut(msg, m[0])
		detail = sourceLocationRe.ReplaceAllString(detail, "") // errorsmod's [file.go:line]: noise for an operator
		return fmt.Errorf("cortd cannot start: the genesis in %s is rejected by module %s%s\n"+
			"`cortd genesis validate --home %s` reports the same. Fix genesis.json, then erase what this failed start\n"+
			"stored (CometBFT keeps the rejected genesis in data/state.db) with `cortd comet unsafe-reset-all --home %s`,\n"+
			"and start again.", cfg.GenesisFile(), m[1], strings.TrimRight(detail, "\n"), home, home)
	case isStorageFailure(msg):
		if name := storeNamedIn(msg); name != "" {
			se.store = name
			se.problem = "cannot be read: it is corrupted or incomplete"
			se.cause = msg
			return se
		}
	}
	return err
}

// storageFailureRe matches what the database libraries say about damaged files. Only
// these count as a damaged store: other failures (a missing upgrade handler, a bad config)
// must not be answered with advice to erase data.
var storageFailureRe = regexp.MustCompile(`(?i)leveldb|pebble|rocksdb|corrupt|bad magic|checksum`)

func isStorageFailure(msg string) bool { return storageFailureRe.MatchString(msg) }

var storeNameRe = regexp.MustCompile(`\b(application|blockstore|state|evidence|tx_index)\.db\b`)

func storeNamedIn(msg string) string { return storeNameRe.FindString(msg) }

// storeOfFrames names the store whose code was running where a panic started: the
// innermost frame that belongs to a store's package decides. funcs are fully qualified
// function names, innermost first.
func storeOfFrames(funcs []string) string {
	for _, f := range funcs {
		switch {
		case strings.HasPrefix(f, "github.com/cometbft/cometbft/store."):
			return "blockstore.db"
		case strings.HasPrefix(f, "github.com/cometbft/cometbft/state/txindex"),
			strings.HasPrefix(f, "github.com/cometbft/cometbft/state/indexer"):
			return "tx_index.db"
		case strings.HasPrefix(f, "github.com/cometbft/cometbft/state."):
			return "state.db"
		case strings.HasPrefix(f, "github.com/cometbft/cometbft/evidence."):
			return "evidence.db"
		case strings.HasPrefix(f, "github.com/cosmos/cosmos-sdk/store/v2/snapshots"):
			return "snapshots"
		case strings.HasPrefix(f, "github.com/cosmos/cosmos-sdk/store/"),
			strings.HasPrefix(f, "github.com/cosmos/iavl"),
			strings.HasPrefix(f, "github.com/cosmos/cosmos-sdk/baseapp.(*BaseApp).LoadLatestVersion"),
			strings.HasPrefix(f, "github.com/cortnet/cortd/app.New"):
			return "application.db"
		}
	}
	return ""
}
