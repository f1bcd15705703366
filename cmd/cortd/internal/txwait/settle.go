package txwait

import (
	"context"
	"fmt"
	"io"

	sdk "github.com/cosmos/cosmos-sdk/types"
)

// FailedError is a transaction with a non-zero code: refused by the node before any block
// (CheckTx) or failed when its block executed it.
type FailedError struct {
	Res *sdk.TxResponse
	// InBlock tells a failure in a block (fees paid, nothing else changed) from a refusal.
	InBlock bool
}

func (e *FailedError) Error() string {
	where := "was refused by the node and not included in a block"
	if e.InBlock {
		where = fmt.Sprintf("failed in block %d (fees were paid, nothing else changed)", e.Res.Height)
	}
	return fmt.Sprintf("transaction %s %s: code %d (codespace %s): %s\nwhat to do: %s",
		e.Res.TxHash, where, e.Res.Code, e.Res.Codespace, e.Res.RawLog, Advice(e.Res.Codespace, e.Res.Code))
}

// Settler turns the node's answer to a broadcast into the command's final output and exit.
type Settler struct {
	Options Options
	// Async is --broadcast-mode async: the node answered before CheckTx, so there is
	// nothing to report yet and the SDK's behaviour is kept (as with --no-wait).
	Async  bool
	Lookup Lookup
	// Print writes a response to the command's output, as the SDK would have.
	Print func(*sdk.TxResponse) error
	// Notes gets one-line progress notes (stderr), never the output proper.
	Notes io.Writer
}

// Settle prints the outcome of the broadcast whose answer is res and returns an error when
// the transaction was refused, failed in its block, or was not in a block in time.
func (s Settler) Settle(ctx context.Context, res *sdk.TxResponse) error {
	if res.Code != 0 {
		if err := s.Print(res); err != nil {
			return err
		}
		return &FailedError{Res: res}
	}
	if s.Async || s.Options.NoWait {
		if err := s.Print(res); err != nil {
			return err
		}
		fmt.Fprintf(s.Notes, "not waiting for a block; check the outcome with `cortd q tx %s`\n", res.TxHash)
		return nil
	}
	fmt.Fprintf(s.Notes, "transaction %s accepted by the node; waiting up to %s for a block (--%s to skip)\n",
		res.TxHash, s.Options.Timeout, FlagNoWait)
	final, err := Wait(ctx, s.Lookup, res.TxHash, s.Options.Timeout, s.Options.Poll)
	if err != nil {
		// The node's answer still carries the hash for whoever checks later.
		if perr := s.Print(res); perr != nil {
			return perr
		}
		return err
	}
	if err := s.Print(final); err != nil {
		return err
	}
	if final.Code != 0 {
		return &FailedError{Res: final, InBlock: true}
	}
	return nil
}
