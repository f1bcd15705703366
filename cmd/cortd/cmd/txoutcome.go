package cmd

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/cosmos/cosmos-sdk/client"
	"github.com/cosmos/cosmos-sdk/client/flags"
	sdk "github.com/cosmos/cosmos-sdk/types"
	authtx "github.com/cosmos/cosmos-sdk/x/auth/tx"

	"github.com/cortnet/cortd/cmd/cortd/internal/txwait"
)

// neverBroadcast are the SDK's tx commands that carry the tx flags but only build, sign or
// inspect transactions.
var neverBroadcast = map[string]bool{
	"sign": true, "sign-batch": true, "multi-sign": true, "multisign-batch": true,
	"validate-signatures": true, "encode": true, "decode": true, "simulate": true,
}

// reportTxOutcomes makes every command under txCmd that can broadcast (autocli's and the
// hand-written ones alike: they all carry --broadcast-mode) wait for its transaction to be
// in a block and report the real outcome (package txwait). It runs once the tree is built.
func reportTxOutcomes(txCmd *cobra.Command) {
	var walk func(parent *cobra.Command)
	walk = func(parent *cobra.Command) {
		for _, c := range parent.Commands() {
			walk(c)
			if c.RunE == nil || c.Flags().Lookup(flags.FlagBroadcastMode) == nil || parent == txCmd && neverBroadcast[c.Name()] {
				continue
			}
			txwait.AddFlags(c)
			c.RunE = settleBroadcast(c.RunE)
		}
	}
	walk(txCmd)
}

// settleBroadcast runs a tx command with its output going through a txwait.Recorder, then
// settles the broadcast response the recorder held back. Generating, simulating, offline
// and aux signing print documents, never a response: they run untouched.
func settleBroadcast(run func(*cobra.Command, []string) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		for _, f := range []string{flags.FlagGenerateOnly, flags.FlagDryRun, flags.FlagOffline, flags.FlagAux} {
			if on, _ := cmd.Flags().GetBool(f); on {
				return namePositionalArg(cmd, run(cmd, args))
			}
		}
		opts, err := txwait.ReadOptions(cmd.Flags())
		if err != nil {
			return err
		}
		clientCtx, err := finalClientContext(cmd)
		if err != nil {
			return err
		}
		out := cmd.OutOrStdout()
		rec := txwait.NewRecorder(out, clientCtx.Codec)
		// autocli prints to cmd.OutOrStdout(); the SDK's own commands to the context's Output.
		cmd.SetOut(rec)
		if err := client.SetCmdClientContext(cmd, client.GetClientContextFromCmd(cmd).WithOutput(rec)); err != nil {
			return err
		}
		err = run(cmd, args)
		cmd.SetOut(out)
		if err != nil {
			return namePositionalArg(cmd, err)
		}
		res := rec.Response()
		if res == nil { // nothing was broadcast (the confirmation prompt was declined)
			return nil
		}
		printer := clientCtx.WithOutput(out)
		settler := txwait.Settler{
			Options: opts,
			Async:   clientCtx.BroadcastMode == flags.BroadcastAsync,
			Lookup: func(ctx context.Context, hash string) (*sdk.TxResponse, error) {
				return authtx.QueryTx(clientCtx.WithCmdContext(ctx), hash)
			},
			Print: func(r *sdk.TxResponse) error { return printer.PrintProto(r) },
			Notes: cmd.ErrOrStderr(),
		}
		return settler.Settle(cmd.Context(), res)
	}
}

// finalClientContext is the context the command broadcasts with, as far as waiting needs
// it: the node, the output format and the broadcast mode, with flags over client.toml the
// way client.GetClientTxContext orders them (without its keyring look-ups, which may ask
// for a passphrase).
func finalClientContext(cmd *cobra.Command) (client.Context, error) {
	ctx := client.GetClientContextFromCmd(cmd)
	f := cmd.Flags()
	if ctx.Client == nil || f.Changed(flags.FlagNode) {
		if uri, _ := f.GetString(flags.FlagNode); uri != "" {
			node, err := client.NewClientFromNode(uri)
			if err != nil {
				return ctx, err
			}
			ctx = ctx.WithNodeURI(uri).WithClient(node)
		}
	}
	if ctx.OutputFormat == "" || f.Changed(flags.FlagOutput) {
		format, _ := f.GetString(flags.FlagOutput)
		ctx = ctx.WithOutputFormat(format)
	}
	if ctx.BroadcastMode == "" || f.Changed(flags.FlagBroadcastMode) {
		mode, _ := f.GetString(flags.FlagBroadcastMode)
		ctx = ctx.WithBroadcastMode(mode)
	}
	return ctx, nil
}

// positionalErr is how autocli reports a positional argument its flag type refused: it
// parses positional arguments as flags named by their index.
var positionalErr = regexp.MustCompile(`^invalid argument ".*" for "--([0-9]+)" flag: `)

// namePositionalArg names the argument in such an error after the command's usage line
// ("argument [deposit]: ..." instead of `for "--5" flag`).
func namePositionalArg(cmd *cobra.Command, err error) error {
	if err == nil {
		return nil
	}
	m := positionalErr.FindStringSubmatch(err.Error())
	if m == nil {
		return err
	}
	i, _ := strconv.Atoi(m[1])
	names := strings.Fields(cmd.Use)[1:]
	name := fmt.Sprintf("argument %d", i+1)
	switch {
	case i < len(names):
		name = "argument " + names[i]
	case len(names) > 0 && strings.HasSuffix(names[len(names)-1], "...]"):
		name = "argument " + names[len(names)-1]
	}
	return fmt.Errorf("%s: %s", name, strings.TrimPrefix(err.Error(), m[0]))
}
