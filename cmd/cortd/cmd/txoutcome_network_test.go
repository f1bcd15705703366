package cmd_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	svrcmd "github.com/cosmos/cosmos-sdk/server/cmd"
	sdknetwork "github.com/cosmos/cosmos-sdk/testutil/network"

	"github.com/cortnet/cortd/cmd/cortd/cmd"
	cortnetwork "github.com/cortnet/cortd/testutil/network"
	sessionstypes "github.com/cortnet/cortd/x/sessions/types"
)

// cli runs `cortd ARGS` in process against validator 0 of net, signing with its key, and
// returns stdout, stderr and the error main would exit non-zero with.
type cli struct {
	t    *testing.T
	net  *sdknetwork.Network
	home string
}

func (c cli) run(args ...string) (stdout, stderr string, err error) {
	c.t.Helper()
	val := c.net.Validators[0]
	args = append(args, "--home", c.home, "--node", val.RPCAddress)
	if args[0] == "tx" {
		args = append(args, "--keyring-dir", val.ClientCtx.KeyringDir, "--keyring-backend", "test",
			"--chain-id", c.net.Config.ChainID, "--from", val.Moniker, "--yes", "-o", "json")
	}
	var out, errOut bytes.Buffer
	root := cmd.NewRootCmd()
	root.SetArgs(args)
	root.SetOut(&out)
	root.SetErr(&errOut)
	err = svrcmd.Execute(root, "CORTD", c.home)
	return out.String(), errOut.String(), err
}

// txResult is the part of a printed TxResponse the test reads.
type txResult struct {
	Height    string `json:"height"`
	TxHash    string `json:"txhash"`
	Code      uint32 `json:"code"`
	Codespace string `json:"codespace"`
	RawLog    string `json:"raw_log"`
}

// settle lets a tx sent without waiting reach a block, so the next one's account sequence
// (read from committed state) follows it.
func settle(t *testing.T, net *sdknetwork.Network) {
	t.Helper()
	for range 2 {
		require.NoError(t, net.WaitForNextBlock())
	}
}

func decodeTx(t *testing.T, stdout string) txResult {
	t.Helper()
	var r txResult
	require.NoError(t, json.Unmarshal([]byte(strings.TrimSpace(stdout)), &r), "stdout: %s", stdout)
	return r
}

// TestTxOutcome drives `cortd tx` against a one-validator network: each command waits for
// its block and reports the block's outcome, exiting non-zero on a failure, a refusal or a
// timeout; --no-wait and --generate-only keep the SDK's behaviour; submit needs no sampling
// flags; amounts in the wrong form are refused before signing; `q tx` of an unknown hash
// explains itself.
func TestTxOutcome(t *testing.T) {
	if testing.Short() {
		t.Skip("in-process network test")
	}
	cfg := cortnetwork.DefaultConfig(1)
	cfg.TimeoutCommit = 500 * time.Millisecond
	net := cortnetwork.New(t, cfg)
	c := cli{t: t, net: net, home: t.TempDir()}
	model := []string{"tx", "models", "register", "tiny", "Tiny", "gpt2", "hf://cortnet/tiny",
		strings.Repeat("1", 64), strings.Repeat("2", 64), "8", "100"}

	// Success: the printed result is the block's, with a height.
	stdout, stderr, err := c.run(model...)
	require.NoError(t, err, "stderr: %s", stderr)
	ok := decodeTx(t, stdout)
	require.Zero(t, ok.Code)
	require.NotEqual(t, "0", ok.Height, "the result comes from a block")
	require.Contains(t, stderr, "waiting up to 1m0s for a block")

	// Failure in the block (CheckTx accepts a duplicate model): exit non-zero with the
	// module error and advice; stdout still carries the block's result.
	stdout, _, err = c.run(model...)
	require.Error(t, err)
	for _, want := range []string{"failed in block", "code 9 (codespace models)", "model already registered", "what to do: pick another model id"} {
		require.Contains(t, err.Error(), want)
	}
	dup := decodeTx(t, stdout)
	require.Equal(t, uint32(9), dup.Code)
	require.Equal(t, "models", dup.Codespace)

	// --no-wait keeps the SDK's behaviour: the same failing tx exits 0 with CheckTx's code 0.
	stdout, stderr, err = c.run(append(model, "--no-wait")...)
	require.NoError(t, err)
	require.Zero(t, decodeTx(t, stdout).Code)
	require.Equal(t, "0", decodeTx(t, stdout).Height)
	require.Contains(t, stderr, "not waiting for a block")
	settle(t, net) // the next tx must see this one's sequence

	// Refused by the node (ValidateBasic at CheckTx: empty name): non-zero, nothing waited.
	bad := append([]string{}, model...)
	bad[3], bad[4] = "bad", ""
	stdout, _, err = c.run(bad...)
	require.ErrorContains(t, err, "was refused by the node and not included in a block")
	require.ErrorContains(t, err, "invalid model name")
	require.NotZero(t, decodeTx(t, stdout).Code)

	// Not in a block within --wait-timeout: non-zero, the hash still printed.
	other := append([]string{}, model...)
	other[3] = "tiny2"
	stdout, _, err = c.run(append(other, "--wait-timeout", "1ms")...)
	require.ErrorContains(t, err, "is not in a block after 1ms (--wait-timeout)")
	late := decodeTx(t, stdout)
	require.NotEmpty(t, late.TxHash)
	settle(t, net)

	// --generate-only prints the unsigned tx and does not wait.
	unsignedTx, stderr, err := c.run(append(other, "--generate-only")...)
	require.NoError(t, err)
	require.Contains(t, unsignedTx, `"body"`)
	require.NotContains(t, stderr, "waiting")

	// submit without sampling flags: temperature 1, top_p 1, the session's max_tokens.
	_, stderr, err = c.run("tx", "sessions", "create", "tiny", "1", "1", "1000", "64", "1000000")
	require.NoError(t, err, stderr)
	stdout, stderr, err = c.run("tx", "sessions", "submit", "1", "Say hello.")
	require.NoError(t, err, stderr)
	require.Zero(t, decodeTx(t, stdout).Code)
	task, err := sessionstypes.NewQueryClient(net.Validators[0].ClientCtx).Task(context.Background(), &sessionstypes.QueryTaskRequest{TaskId: 1})
	require.NoError(t, err)
	require.Equal(t, uint32(64), task.Task.Sampling.MaxTokens)
	require.Equal(t, "1.000000000000000000", task.Task.Sampling.Temperature.String())
	require.Equal(t, "1.000000000000000000", task.Task.Sampling.TopP.String())

	// A coin where a bare number is expected, and the reverse: refused before signing
	// (nothing printed, no tx), naming the argument and the form to type.
	stdout, _, err = c.run("tx", "sessions", "deposit", "1", "5000000ucor")
	require.EqualError(t, err, `argument [amount]: "5000000ucor" is a coin, but this takes a bare whole number of ucor: write 5000000`)
	require.Empty(t, stdout)
	stdout, _, err = c.run("tx", "nodes", "add-stake", "n1", "6000000000")
	require.EqualError(t, err, `argument [amount]: "6000000000" has no denom: this takes a coin, e.g. 6000000000ucor`)
	require.Empty(t, stdout)
	_, _, err = c.run("tx", "sessions", "create", "tiny", "1", "1", "1000ucor", "64", "1000000", "--generate-only")
	require.EqualError(t, err, `argument [price-per-task]: "1000ucor" is a coin, but this takes a bare whole number of ucor: write 1000`)

	// Offline-style signing then `tx broadcast` (a hand-written SDK command): signing prints
	// a document as before; the broadcast waits and reports that tiny2 (included after the
	// timeout above) already exists.
	dir := t.TempDir()
	unsigned, signed := filepath.Join(dir, "unsigned.json"), filepath.Join(dir, "signed.json")
	require.NoError(t, os.WriteFile(unsigned, []byte(unsignedTx), 0o600))
	_, stderr, err = c.run("tx", "sign", unsigned, "--output-document", signed)
	require.NoError(t, err, stderr)
	stdout, _, err = c.run("tx", "broadcast", signed)
	require.ErrorContains(t, err, "failed in block")
	require.ErrorContains(t, err, "model already registered")
	require.Equal(t, uint32(9), decodeTx(t, stdout).Code)

	// q tx of an unknown hash: what it means, one line of advice, no usage text.
	unknown := strings.Repeat("AB", 32)
	stdout, stderr, err = c.run("q", "tx", unknown)
	require.ErrorContains(t, err, "transaction "+unknown+" not found (yet)")
	require.ErrorContains(t, err, "what to do:")
	require.NotContains(t, stdout+stderr, "Usage:")
}
