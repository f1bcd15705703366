// Package txwait makes `cortd tx ...` report a transaction's real outcome. The SDK prints
// the node's CheckTx answer and exits 0, so a transaction that then fails in its block (or
// never gets into one) looks like a success. Here the broadcast answer is taken out of the
// command's output (Recorder), the transaction is looked up until it is in a block (Wait),
// and the final result is printed in its place; a refusal, a failure in the block and a
// transaction not included in time come back as errors, so the command exits non-zero
// (Settle). Advice adds one line on what to do for the errors users meet most.
package txwait

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// Flag names and the default wait.
const (
	FlagNoWait      = "no-wait"
	FlagWaitTimeout = "wait-timeout"

	DefaultTimeout = 60 * time.Second
	// DefaultPoll is how often the node is asked for the transaction: about a block on
	// localnet, cheap for the node.
	DefaultPoll = 500 * time.Millisecond
)

// Options say whether and how long to wait for inclusion.
type Options struct {
	NoWait  bool
	Timeout time.Duration
	Poll    time.Duration
}

// AddFlags adds --no-wait and --wait-timeout to a command that broadcasts.
func AddFlags(cmd *cobra.Command) {
	f := cmd.Flags()
	f.Bool(FlagNoWait, false, "print the node's first answer (CheckTx) and return without waiting for a block "+
		"(the SDK's behaviour; exits non-zero only when the node refused the transaction)")
	f.Duration(FlagWaitTimeout, DefaultTimeout, "how long to wait for the transaction to be in a block; past it the "+
		"command exits with status 1 (the transaction may still be included later: check with `cortd q tx HASH`)")
}

// ReadOptions reads the flags AddFlags added; a command without them does not wait.
func ReadOptions(f *pflag.FlagSet) (Options, error) {
	opts := Options{Timeout: DefaultTimeout, Poll: DefaultPoll}
	if f.Lookup(FlagNoWait) == nil {
		opts.NoWait = true
		return opts, nil
	}
	var err error
	if opts.NoWait, err = f.GetBool(FlagNoWait); err != nil {
		return opts, err
	}
	if opts.Timeout, err = f.GetDuration(FlagWaitTimeout); err != nil {
		return opts, err
	}
	if opts.Timeout <= 0 {
		return opts, fmt.Errorf("--%s must be positive (got %s); use --%s not to wait", FlagWaitTimeout, opts.Timeout, FlagNoWait)
	}
	return opts, nil
}
