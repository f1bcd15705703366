package cmd

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	cmtcfg "github.com/cometbft/cometbft/config"

	"cosmossdk.io/log/v2"
)

// genesisRecordFile holds the sha256 of the genesis.json a home first started with, in
// `sha256sum` format. It lives in the data folder, beside the chain it belongs to, so that
// `cortd comet unsafe-reset-all` (which erases that folder) forgets it with the chain.
const genesisRecordFile = "genesis.sha256"

// genesisChangedError is the refusal to start a home whose genesis.json is not the one its
// data was created from.
type genesisChangedError struct {
	genesisFile, recordFile string
	now, recorded           string
	home                    string
	heights                 storeHeights
}

func (e *genesisChangedError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "refusing to start: %s has changed since this node first started with it\n", e.genesisFile)
	fmt.Fprintf(&b, "  sha256 now:      %s\n", e.now)
	fmt.Fprintf(&b, "  sha256 recorded: %s (%s, written at the first start)\n", e.recorded, e.recordFile)
	fmt.Fprintf(&b, "The data in this home belongs to the chain of the recorded genesis%s; CometBFT keeps that\n", e.heights.upTo())
	b.WriteString("genesis in data/state.db and would silently ignore the edited file.\n")
	fmt.Fprintf(&b, "To go on with that chain: put back the genesis.json whose sha256 is %s.\n", e.recorded)
	fmt.Fprintf(&b, "To start a new chain from the edited file: erase this node's chain data first with\n"+
		"  cortd comet unsafe-reset-all --home %s\n(keys and config are kept), then start again.", e.home)
	return b.String()
}

// checkGenesisRecord compares the sha256 of genesis.json with the one recorded when the
// home first started, and records it when there is none. CometBFT stores the genesis doc
// in state.db at the first start and uses that copy from then on, so a genesis.json edited
// later is ignored without a word: the node would run a chain other than the one its
// operator reads in the file. A home whose state.db does not exist yet has no chain, and
// takes whatever genesis.json says (the record is rewritten).
func checkGenesisRecord(cfg *cmtcfg.Config, heights storeHeights, logger log.Logger) error {
	genFile := cfg.GenesisFile()
	bz, err := os.ReadFile(genFile)
	if errors.Is(err, fs.ErrNotExist) {
		return nil // the SDK names the missing file itself
	}
	if err != nil {
		return fmt.Errorf("reading %s: %w", genFile, err)
	}
	sum := sha256.Sum256(bz)
	now := hex.EncodeToString(sum[:])
	dataDir := cfg.DBDir()
	recordFile := filepath.Join(dataDir, genesisRecordFile)
	_, statErr := os.Stat(filepath.Join(dataDir, "state.db"))
	chainExists := statErr == nil

	prev, err := os.ReadFile(recordFile)
	switch {
	case err == nil:
		recorded, _, _ := strings.Cut(strings.TrimSpace(string(prev)), " ")
		if recorded == now {
			return nil
		}
		if chainExists {
			return &genesisChangedError{genesisFile: genFile, recordFile: recordFile, now: now,
				recorded: recorded, home: cfg.RootDir, heights: heights}
		}
	case errors.Is(err, fs.ErrNotExist):
		if chainExists {
			// a home started before this check existed: its genesis cannot be known, so
			// the file as it is now becomes the reference
			logger.Info("recording the genesis sha256 of an existing home", "sha256", now, "file", recordFile)
		}
	default:
		return fmt.Errorf("reading %s: %w", recordFile, err)
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return err
	}
	line := fmt.Sprintf("%s  %s\n", now, filepath.Base(genFile))
	if err := os.WriteFile(recordFile, []byte(line), 0o600); err != nil {
		return fmt.Errorf("recording the genesis sha256: %w", err)
	}
	return nil
}
