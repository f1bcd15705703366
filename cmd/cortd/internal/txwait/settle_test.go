package txwait

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/spf13/cobra"
	"github.com/stretchr/testify/require"

	sdk "github.com/cosmos/cosmos-sdk/types"
	sdkerrors "github.com/cosmos/cosmos-sdk/types/errors"

	modelstypes "github.com/cortnet/cortd/x/models/types"
	paymentstypes "github.com/cortnet/cortd/x/payments/types"
)

// fakeNode answers lookups with "not found" until the tx is found after `after` calls.
type fakeNode struct {
	calls int
	after int
	found *sdk.TxResponse
	err   error // returned instead of "not found" while not yet found, when set
}

func (n *fakeNode) lookup(_ context.Context, hash string) (*sdk.TxResponse, error) {
	n.calls++
	if n.found != nil && n.calls > n.after {
		return n.found, nil
	}
	if n.err != nil {
		return nil, n.err
	}
	return nil, fmt.Errorf("RPC error -32603 - Internal error: tx (%s) not found", hash)
}

type printed struct{ list []*sdk.TxResponse }

func (p *printed) print(res *sdk.TxResponse) error { p.list = append(p.list, res); return nil }

func settler(node *fakeNode, p *printed, notes *bytes.Buffer, opts Options) Settler {
	if opts.Timeout == 0 {
		opts.Timeout = 2 * time.Second
	}
	opts.Poll = time.Millisecond
	return Settler{Options: opts, Lookup: node.lookup, Print: p.print, Notes: notes}
}

func TestSettleSuccessPrintsTheBlockResult(t *testing.T) {
	final := &sdk.TxResponse{TxHash: "AB", Height: 7, GasUsed: 1234}
	node := &fakeNode{after: 3, found: final}
	var p printed
	var notes bytes.Buffer
	err := settler(node, &p, &notes, Options{}).Settle(context.Background(), &sdk.TxResponse{TxHash: "AB"})
	require.NoError(t, err)
	require.Equal(t, []*sdk.TxResponse{final}, p.list, "only the final result is printed")
	require.Equal(t, 4, node.calls)
	require.Contains(t, notes.String(), "waiting up to 2s for a block (--no-wait to skip)")
}

func TestSettleFailureInBlock(t *testing.T) {
	final := &sdk.TxResponse{TxHash: "AB", Height: 9, Code: modelstypes.ErrModelExists.ABCICode(),
		Codespace: modelstypes.ModuleName, RawLog: `failed to execute message; message index: 0: "tiny": model already registered`}
	var p printed
	err := settler(&fakeNode{found: final}, &p, &bytes.Buffer{}, Options{}).Settle(context.Background(), &sdk.TxResponse{TxHash: "AB"})
	var failed *FailedError
	require.ErrorAs(t, err, &failed)
	require.True(t, failed.InBlock)
	require.Equal(t, []*sdk.TxResponse{final}, p.list)
	msg := err.Error()
	require.Contains(t, msg, "transaction AB failed in block 9")
	require.Contains(t, msg, "code 9 (codespace models)")
	require.Contains(t, msg, "model already registered")
	require.Contains(t, msg, "what to do: pick another model id")
}

func TestSettleRefusedByTheNode(t *testing.T) {
	res := &sdk.TxResponse{TxHash: "AB", Code: sdkerrors.ErrInsufficientFee.ABCICode(), Codespace: "sdk", RawLog: "insufficient fees"}
	node := &fakeNode{}
	for _, opts := range []Options{{}, {NoWait: true}} { // refused means failed, waiting or not
		var p printed
		err := settler(node, &p, &bytes.Buffer{}, opts).Settle(context.Background(), res)
		var failed *FailedError
		require.ErrorAs(t, err, &failed)
		require.False(t, failed.InBlock)
		require.Contains(t, err.Error(), "was refused by the node and not included in a block: code 13 (codespace sdk): insufficient fees")
		require.Contains(t, err.Error(), "what to do: raise the fee")
		require.Equal(t, []*sdk.TxResponse{res}, p.list, "the node's answer is printed as before")
	}
	require.Zero(t, node.calls, "a refused tx is not looked up")
}

func TestSettleNoWaitAndAsyncKeepTheSDKBehaviour(t *testing.T) {
	res := &sdk.TxResponse{TxHash: "AB"}
	for _, s := range []func(Settler) Settler{
		func(s Settler) Settler { s.Options.NoWait = true; return s },
		func(s Settler) Settler { s.Async = true; return s },
	} {
		node := &fakeNode{}
		var p printed
		var notes bytes.Buffer
		require.NoError(t, s(settler(node, &p, &notes, Options{})).Settle(context.Background(), res))
		require.Equal(t, []*sdk.TxResponse{res}, p.list)
		require.Zero(t, node.calls)
		require.Contains(t, notes.String(), "`cortd q tx AB`")
	}
}

func TestSettleTimeout(t *testing.T) {
	res := &sdk.TxResponse{TxHash: "AB"}
	var p printed
	err := settler(&fakeNode{}, &p, &bytes.Buffer{}, Options{Timeout: 30 * time.Millisecond}).Settle(context.Background(), res)
	var late *NotIncludedError
	require.ErrorAs(t, err, &late)
	require.Contains(t, err.Error(), "transaction AB was accepted by the node but is not in a block after 30ms (--wait-timeout)")
	require.Contains(t, err.Error(), "check with `cortd q tx AB`")
	require.NotContains(t, err.Error(), "last lookup error", "not found is the expected answer while waiting")
	require.Equal(t, []*sdk.TxResponse{res}, p.list, "the hash is still printed")
}

func TestWaitRetriesOtherErrorsAndReportsTheLast(t *testing.T) {
	node := &fakeNode{err: errors.New("connection refused")}
	_, err := Wait(context.Background(), node.lookup, "AB", 20*time.Millisecond, time.Millisecond)
	var late *NotIncludedError
	require.ErrorAs(t, err, &late)
	require.Greater(t, node.calls, 1, "a lookup error does not end the wait")
	require.Contains(t, err.Error(), "last lookup error: connection refused")

	// An error that clears: the tx is found.
	node = &fakeNode{err: errors.New("connection refused"), after: 2, found: &sdk.TxResponse{TxHash: "AB", Height: 3}}
	res, err := Wait(context.Background(), node.lookup, "AB", time.Second, time.Millisecond)
	require.NoError(t, err)
	require.Equal(t, int64(3), res.Height)
}

func TestWaitStopsWhenTheNodeHasNoIndex(t *testing.T) {
	node := &fakeNode{err: errors.New("RPC error -32603 - Internal error: transaction indexing is disabled")}
	_, err := Wait(context.Background(), node.lookup, "AB", time.Minute, time.Millisecond)
	require.ErrorIs(t, err, ErrIndexingDisabled)
	require.Equal(t, 1, node.calls)
	require.Contains(t, err.Error(), "--no-wait")
}

func TestAdvice(t *testing.T) {
	require.Contains(t, Advice(paymentstypes.ModuleName, paymentstypes.ErrInsufficientEscrow.ABCICode()), "cortd tx sessions deposit")
	require.Contains(t, Advice("sdk", sdkerrors.ErrOutOfGas.ABCICode()), "--gas auto")
	require.Contains(t, Advice("sessions", 999), "x/sessions/README.md lists its errors")
	require.Equal(t, "the log says why; fix the transaction and send it again", Advice("bank", 999))
}

func TestReadOptions(t *testing.T) {
	cmd := &cobra.Command{}
	opts, err := ReadOptions(cmd.Flags())
	require.NoError(t, err)
	require.True(t, opts.NoWait, "a command without the flags does not wait")

	AddFlags(cmd)
	opts, err = ReadOptions(cmd.Flags())
	require.NoError(t, err)
	require.Equal(t, Options{Timeout: DefaultTimeout, Poll: DefaultPoll}, opts)

	require.NoError(t, cmd.Flags().Set(FlagWaitTimeout, "0s"))
	_, err = ReadOptions(cmd.Flags())
	require.ErrorContains(t, err, "--wait-timeout must be positive")

	require.NoError(t, cmd.Flags().Set(FlagWaitTimeout, "5s"))
	require.NoError(t, cmd.Flags().Set(FlagNoWait, "true"))
	opts, err = ReadOptions(cmd.Flags())
	require.NoError(t, err)
	require.True(t, opts.NoWait)
	require.Equal(t, 5*time.Second, opts.Timeout)
}
