package cmd

import (
	"encoding/hex"
	"errors"
	"fmt"
	"testing"

	"github.com/spf13/cobra"
	"github.com/stretchr/testify/require"

	"github.com/cosmos/cosmos-sdk/client/flags"

	"github.com/cortnet/cortd/cmd/cortd/internal/txwait"
)

// TestEveryBroadcastWaits: the wait flags (and the settling RunE) are on every command
// that can broadcast, autocli's and the SDK's, and on none that only signs or inspects.
func TestEveryBroadcastWaits(t *testing.T) {
	root := NewRootCmd()
	for _, path := range [][]string{
		{"tx", "models", "register"}, {"tx", "sessions", "submit"}, {"tx", "nodes", "add-stake"},
		{"tx", "bank", "send"}, {"tx", "broadcast"},
	} {
		c, _, err := root.Find(path)
		require.NoError(t, err, path)
		require.NotNil(t, c.Flags().Lookup(txwait.FlagNoWait), path)
		require.NotNil(t, c.Flags().Lookup(txwait.FlagWaitTimeout), path)
	}
	for _, path := range [][]string{{"tx", "sign"}, {"tx", "encode"}, {"tx", "multi-sign"}} {
		c, _, err := root.Find(path)
		require.NoError(t, err, path)
		require.Nil(t, c.Flags().Lookup(txwait.FlagNoWait), path)
	}
}

func TestNamePositionalArg(t *testing.T) {
	cmd := &cobra.Command{Use: "register [node-id] [pool-id] [stake] [endpoint] [memory-index-mib] [model-id...]"}
	for _, tc := range []struct{ in, want string }{
		{`invalid argument "6000" for "--2" flag: "6000" has no denom`, `argument [stake]: "6000" has no denom`},
		{`invalid argument "x" for "--7" flag: bad`, `argument [model-id...]: bad`},
		{`invalid argument "5cor" for "--stake" flag: nope`, `invalid argument "5cor" for "--stake" flag: nope`},
		{"session not found", "session not found"},
	} {
		require.EqualError(t, namePositionalArg(cmd, errors.New(tc.in)), tc.want)
	}
	require.NoError(t, namePositionalArg(cmd, nil))
	bare := &cobra.Command{Use: "fund"}
	require.EqualError(t, namePositionalArg(bare, errors.New(`invalid argument "1" for "--0" flag: bad`)), "argument 1: bad")
}

func TestExplainTxQueryError(t *testing.T) {
	_, hexErr := hex.DecodeString("zz")
	require.ErrorContains(t, explainTxQueryError("zz", hexErr), `"zz" is not a transaction hash: a hash is 64 hex characters`)
	_, lenErr := hex.DecodeString("abc")
	require.ErrorContains(t, explainTxQueryError("abc", lenErr), "is not a transaction hash")

	notFound := fmt.Errorf("RPC error -32603 - Internal error: tx (ABCD) not found")
	err := explainTxQueryError("ABCD", notFound)
	require.ErrorContains(t, err, "transaction ABCD not found (yet)")
	require.ErrorContains(t, err, "what to do:")

	other := errors.New("post failed: connection refused")
	require.Equal(t, other, explainTxQueryError("ABCD", other), "other errors pass unchanged")
}

// submitFlags is the part of `tx sessions submit`'s flag set applySubmitDefaults reads.
func submitFlags(t *testing.T) *cobra.Command {
	t.Helper()
	root := NewRootCmd()
	c, _, err := root.Find([]string{"tx", "sessions", "submit"})
	require.NoError(t, err)
	require.NotNil(t, c.PreRunE, "submit has its defaults hook")
	return c
}

func TestSubmitDefaultsKeepGivenValues(t *testing.T) {
	c := submitFlags(t)
	require.NoError(t, c.Flags().Set(flagTemperature, "0.5"))
	require.NoError(t, c.Flags().Set(flagMaxTokens, "16"))
	require.NoError(t, applySubmitDefaults(c, []string{"1", "hi"}), "no query when --max-tokens is given")
	require.Equal(t, "500000000000000000", c.Flags().Lookup(flagTemperature).Value.String(), "given value kept")
	require.Equal(t, "1000000000000000000", c.Flags().Lookup(flagTopP).Value.String(), "top_p defaults to 1")
	require.Equal(t, "16", c.Flags().Lookup(flagMaxTokens).Value.String())
}

func TestSubmitDefaultsRefusals(t *testing.T) {
	c := submitFlags(t)
	require.NoError(t, c.Flags().Set(flags.FlagOffline, "true"))
	require.EqualError(t, applySubmitDefaults(c, []string{"1", "hi"}),
		"--max-tokens is required with --offline: the session's max_tokens cannot be read from the chain")

	c = submitFlags(t)
	require.EqualError(t, applySubmitDefaults(c, []string{"one", "hi"}),
		`argument [session-id]: "one" is not a session id (a whole number)`)
}
