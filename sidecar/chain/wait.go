package chain

import (
	"context"
	"fmt"
	"time"

	sdk "github.com/cosmos/cosmos-sdk/types"
	txtypes "github.com/cosmos/cosmos-sdk/types/tx"
)

// WaitTx polls the node's tx index until the tx is in a block or timeout passes.
// A tx executed with an error returns its response and a *TxError; a tx not found
// in time returns ErrNotIncluded. Query errors (a node restarting) are retried
// until the timeout: the wait ends on time whatever the node does.
func (c *Client) WaitTx(ctx context.Context, hash string, timeout time.Duration) (*sdk.TxResponse, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	const poll = 400 * time.Millisecond
	t := time.NewTicker(poll)
	defer t.Stop()
	var lastErr error
	for {
		qctx, qcancel := c.QueryCtx(ctx)
		res, err := c.Tx.GetTx(qctx, &txtypes.GetTxRequest{Hash: hash})
		qcancel()
		if err == nil && res.TxResponse != nil {
			r := res.TxResponse
			if r.Code != 0 {
				return r, &TxError{Hash: hash, Codespace: r.Codespace, Code: r.Code, Log: r.RawLog, Height: r.Height}
			}
			return r, nil
		}
		lastErr = err
		select {
		case <-ctx.Done():
			if lastErr != nil {
				return nil, fmt.Errorf("%w: %s within %s (last query error: %v)", ErrNotIncluded, hash, timeout, lastErr)
			}
			return nil, fmt.Errorf("%w: %s within %s", ErrNotIncluded, hash, timeout)
		case <-t.C:
		}
	}
}
