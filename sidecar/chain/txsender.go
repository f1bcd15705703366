package chain

import (
	"context"
	"crypto/sha256"
	"fmt"
	"time"

	sdk "github.com/cosmos/cosmos-sdk/types"
	txtypes "github.com/cosmos/cosmos-sdk/types/tx"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// TxSender is what a Batcher needs of the chain, split into the steps whose
// failures mean different things: a refused simulation sent nothing, a refused
// CheckTx left nothing in the mempool, a transport error may have left the tx in
// it, and only the chain's own clock says when a tx can no longer land. A
// Signer's sender (Signer.TxSender) is the real one; tests use fakes.
type TxSender interface {
	// SignUnordered simulates msgs (gas) and signs them as one unordered tx whose
	// timeout timestamp is about ttl ahead and unique for the key. A message the
	// chain refuses fails here as a *SimulationError: nothing was sent. (A Signer's
	// sender signs most batches with predicted gas instead, and a refused message
	// then fails the tx in its block; see gasModel.)
	SignUnordered(ctx context.Context, ttl time.Duration, msgs []sdk.Msg) (txBytes []byte, timeout time.Time, err error)
	// Broadcast hands the tx to the node (CheckTx); a refusal is a *TxError.
	Broadcast(ctx context.Context, txBytes []byte) error
	// FindTx returns the tx's result once it is in a block, and nil with no error
	// while it is not.
	FindTx(ctx context.Context, hash string) (*sdk.TxResponse, error)
	// BlockTime is the time of the latest committed block: once it is past a tx's
	// timeout timestamp the tx can never be included.
	BlockTime(ctx context.Context) (time.Time, error)
}

// TxHash is the hash CometBFT indexes a tx under (upper-case hex of its sha256),
// known before the tx is sent, so that a broadcast whose answer was lost can
// still be followed.
func TxHash(txBytes []byte) string {
	return fmt.Sprintf("%X", sha256.Sum256(txBytes))
}

// TxSender is the signer as a Batcher's sender.
func (s *Signer) TxSender() TxSender { return signerSender{s} }

type signerSender struct{ s *Signer }

func (ss signerSender) SignUnordered(ctx context.Context, ttl time.Duration, msgs []sdk.Msg) ([]byte, time.Time, error) {
	return ss.s.signUnorderedBatch(ctx, ttl, msgs)
}

func (ss signerSender) SignUnorderedGas(ctx context.Context, ttl time.Duration, msgs []sdk.Msg, gasUsed uint64) ([]byte, time.Time, error) {
	return ss.s.signUnorderedGas(ctx, ttl, msgs, gasUsed)
}

func (ss signerSender) RaiseGas() float64 { return ss.s.RaiseGas() }

func (ss signerSender) Distrust() { ss.s.Distrust() }

func (ss signerSender) Predicted(hash string) bool { return ss.s.Predicted(hash) }

func (ss signerSender) Landed(msgs []sdk.Msg, gasUsed uint64) { ss.s.Landed(msgs, gasUsed) }

func (ss signerSender) Broadcast(ctx context.Context, txBytes []byte) error {
	_, err := ss.s.c.Broadcast(ctx, txBytes)
	if err == nil {
		ss.s.Stats.Sent.Add(1)
	}
	return err
}

func (ss signerSender) FindTx(ctx context.Context, hash string) (*sdk.TxResponse, error) {
	return ss.s.c.FindTx(ctx, hash)
}

func (ss signerSender) BlockTime(ctx context.Context) (time.Time, error) {
	return ss.s.c.BlockTime(ctx)
}

// FindTx reads a tx from the node's index: its response once it is in a block
// (whatever its code), nil and no error while it is not there. A tx in a block
// this client's event stream delivered lately is answered from there (recentTxs).
func (c *Client) FindTx(ctx context.Context, hash string) (*sdk.TxResponse, error) {
	if res := c.recent.get(hash); res != nil {
		return res, nil
	}
	qctx, cancel := c.QueryCtx(ctx)
	defer cancel()
	res, err := c.Tx.GetTx(qctx, &txtypes.GetTxRequest{Hash: hash})
	if status.Code(err) == codes.NotFound {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("chain: tx %s: %w", hash, err)
	}
	return res.TxResponse, nil
}

// BlockTime is the time of the latest block the node committed.
func (c *Client) BlockTime(ctx context.Context) (time.Time, error) {
	qctx, cancel := c.QueryCtx(ctx)
	defer cancel()
	st, err := c.rpc.Status(qctx)
	if err != nil {
		return time.Time{}, fmt.Errorf("chain: status: %w", err)
	}
	return st.SyncInfo.LatestBlockTime, nil
}
