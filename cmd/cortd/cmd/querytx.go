package cmd

import (
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	authcmd "github.com/cosmos/cosmos-sdk/x/auth/client/cli"

	"github.com/cortnet/cortd/cmd/cortd/internal/txwait"
)

// queryTxCmd is the SDK's `q tx` with its hash errors explained: the node's "RPC error
// -32603 - Internal error: tx (…) not found" becomes what it means for someone who just
// sent a transaction.
func queryTxCmd() *cobra.Command {
	cmd := authcmd.QueryTxCmd()
	run := cmd.RunE
	cmd.RunE = func(c *cobra.Command, args []string) error {
		err := run(c, args)
		if err == nil {
			return nil
		}
		if typ, _ := c.Flags().GetString(authcmd.FlagType); typ != authcmd.TypeHash {
			return err
		}
		return explainTxQueryError(args[0], err)
	}
	return cmd
}

// explainTxQueryError rewrites the errors of looking a transaction up by hash.
func explainTxQueryError(hash string, err error) error {
	var hexErr hex.InvalidByteError
	switch {
	case errors.As(err, &hexErr) || errors.Is(err, hex.ErrLength):
		return fmt.Errorf("%q is not a transaction hash: a hash is 64 hex characters (the txhash that `cortd tx` prints)", hash)
	case txwait.NotFound(err):
		return fmt.Errorf("transaction %s not found (yet): it is not in a block on this node\n"+
			"what to do: a transaction sent moments ago needs a block, so ask again in a few seconds "+
			"(or `cortd q wait-tx %s`); one that stays unknown was never included: send it again", hash, hash)
	}
	return err
}
