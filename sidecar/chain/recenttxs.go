package chain

import (
	"encoding/hex"
	"strings"
	"sync"

	sdk "github.com/cosmos/cosmos-sdk/types"

	streamtypes "github.com/cortnet/cortd/app/stream/types"
)

// recentTxBlocks is how many blocks of tx results a Client keeps from its event
// stream: a sender looks its tx up within a block or two of its landing.
const recentTxBlocks = 64

// recentTxs holds the results of the txs in the last blocks the event stream
// delivered, by hash. FindTx answers from it before asking the node: the SDK's
// GetTx loads the tx's whole block from CometBFT's store on every lookup, and
// batching senders look up every tx they send (6 % of a loaded node's CPU).
// It only confirms: a hash it does not hold is looked up on the node as before.
type recentTxs struct {
	mu     sync.Mutex
	byHash map[string]*sdk.TxResponse
	blocks [][]string // hashes per delivered block, oldest first
}

// add records a block's tx results.
func (r *recentTxs) add(height int64, txs []streamtypes.TxEvents) {
	if len(txs) == 0 {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.byHash == nil {
		r.byHash = map[string]*sdk.TxResponse{}
	}
	hashes := make([]string, 0, len(txs))
	for _, tx := range txs {
		if len(tx.Hash) == 0 {
			continue
		}
		h := strings.ToUpper(hex.EncodeToString(tx.Hash))
		hashes = append(hashes, h)
		// As the SDK's GetTx fills it, less what no caller reads (the tx itself,
		// its events and the block time).
		r.byHash[h] = &sdk.TxResponse{
			Height: height, TxHash: h, Codespace: tx.Codespace, Code: tx.Code,
			Data: strings.ToUpper(hex.EncodeToString(tx.Data)), RawLog: tx.Log,
			GasWanted: tx.GasWanted, GasUsed: tx.GasUsed,
		}
	}
	r.blocks = append(r.blocks, hashes)
	for len(r.blocks) > recentTxBlocks {
		for _, h := range r.blocks[0] {
			delete(r.byHash, h)
		}
		r.blocks = r.blocks[1:]
	}
}

// get returns the tx's result when a recent block held it.
func (r *recentTxs) get(hash string) *sdk.TxResponse {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.byHash[strings.ToUpper(hash)]
}
