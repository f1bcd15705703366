package txwait

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	sdk "github.com/cosmos/cosmos-sdk/types"
)

// Lookup fetches a transaction from a block by its hex hash (authtx.QueryTx over the
// node's RPC in cortd).
type Lookup func(ctx context.Context, hash string) (*sdk.TxResponse, error)

// NotFound reports whether err is the node saying it has no such transaction in a block
// (CometBFT's RPC sends it as text: "tx (HASH) not found").
func NotFound(err error) bool {
	return err != nil && strings.Contains(err.Error(), ") not found")
}

// indexingDisabled reports whether the node keeps no transaction index at all, so no
// amount of waiting will find the transaction there.
func indexingDisabled(err error) bool {
	return err != nil && strings.Contains(err.Error(), "transaction indexing is disabled")
}

// NotIncludedError is a transaction the node accepted that was not in a block in time.
type NotIncludedError struct {
	Hash    string
	Timeout time.Duration
	// Last is the last lookup error other than "not found" (the node unreachable...).
	Last error
}

func (e *NotIncludedError) Error() string {
	msg := fmt.Sprintf("transaction %s was accepted by the node but is not in a block after %s (--%s)", e.Hash, e.Timeout, FlagWaitTimeout)
	if e.Last != nil {
		msg += fmt.Sprintf("; last lookup error: %v", e.Last)
	}
	return msg + fmt.Sprintf("\nwhat to do: it may still be included: check with `cortd q tx %s`; "+
		"if it stays unknown it was dropped from the mempool: send it again", e.Hash)
}

// ErrIndexingDisabled is returned by Wait when the node cannot look transactions up.
var ErrIndexingDisabled = errors.New("the node does not index transactions (config.toml [tx_index] indexer = \"null\"), " +
	"so the outcome cannot be confirmed\nwhat to do: send through a node that indexes (--node), or pass --no-wait and check the outcome elsewhere")

// Wait asks lookup for the transaction every poll until it is in a block, returning its
// result, or until timeout, returning a *NotIncludedError. Lookup errors other than "not
// found" (a node restarting, a dropped connection) are retried too: only the deadline ends
// the wait, except a node without a transaction index (ErrIndexingDisabled).
func Wait(ctx context.Context, lookup Lookup, hash string, timeout, poll time.Duration) (*sdk.TxResponse, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	ticker := time.NewTicker(poll)
	defer ticker.Stop()
	var last error
	for {
		res, err := lookup(ctx, hash)
		switch {
		case err == nil && res != nil && res.Height > 0:
			return res, nil
		case indexingDisabled(err):
			return nil, ErrIndexingDisabled
		case err != nil && !NotFound(err) && ctx.Err() == nil:
			last = err
		}
		select {
		case <-ctx.Done():
			return nil, &NotIncludedError{Hash: hash, Timeout: timeout, Last: last}
		case <-ticker.C:
		}
	}
}
