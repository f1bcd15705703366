package cmd_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	svrcmd "github.com/cosmos/cosmos-sdk/server/cmd"

	"github.com/cortnet/cortd/cmd/cortd/cmd"
)

// run executes one cortd command. Commands without --home get a temporary one, so tests
// never touch ~/.cortd.
func run(t *testing.T, args ...string) {
	t.Helper()
	if !strings.Contains(strings.Join(args, " "), "--home") {
		args = append(args, "--home", t.TempDir())
	}
	root := cmd.NewRootCmd()
	root.SetArgs(args)
	require.NoError(t, svrcmd.Execute(root, "CORTD", t.TempDir()), strings.Join(args, " "))
}

// TestTestnetInitFiles writes three validator homes and checks that they share one valid
// genesis with every validator's gentx, in ucor, and that their ports and peers let them
// run side by side on one host.
func TestTestnetInitFiles(t *testing.T) {
	out := filepath.Join(t.TempDir(), "net")
	run(t, "testnet", "init-files", "--v", "3", "--output-dir", out, "--chain-id", "cort-unit-1")

	var genesis []byte
	for i, node := range []string{"node0", "node1", "node2"} {
		g, err := os.ReadFile(filepath.Join(out, node, "config", "genesis.json"))
		require.NoError(t, err)
		if i == 0 {
			genesis = g
		} else {
			require.Equal(t, string(genesis), string(g), "%s has the same genesis as node0", node)
		}
		run(t, "genesis", "validate", "--home", filepath.Join(out, node))
	}

	var doc struct {
		ChainID  string `json:"chain_id"`
		AppState struct {
			Genutil struct {
				GenTxs []json.RawMessage `json:"gen_txs"`
			} `json:"genutil"`
			Staking struct {
				Params struct {
					BondDenom string `json:"bond_denom"`
				} `json:"params"`
			} `json:"staking"`
		} `json:"app_state"`
	}
	require.NoError(t, json.Unmarshal(genesis, &doc))
	require.Equal(t, "cort-unit-1", doc.ChainID)
	require.Len(t, doc.AppState.Genutil.GenTxs, 3)
	require.Equal(t, "ucor", doc.AppState.Staking.Params.BondDenom)

	cfg1, err := os.ReadFile(filepath.Join(out, "node1", "config", "config.toml"))
	require.NoError(t, err)
	require.Contains(t, string(cfg1), `laddr = "tcp://127.0.0.1:26757"`, "node1 RPC is offset by the port step")
	require.Contains(t, string(cfg1), "@127.0.0.1:26656", "node1 peers with node0")
	require.Contains(t, string(cfg1), "@127.0.0.1:26856", "node1 peers with node2")
	require.NotContains(t, string(cfg1), "@127.0.0.1:26756", "node1 does not peer with itself")

	app1, err := os.ReadFile(filepath.Join(out, "node1", "config", "app.toml"))
	require.NoError(t, err)
	require.Contains(t, string(app1), `address = "tcp://127.0.0.1:1417"`)
	require.Contains(t, string(app1), `address = "127.0.0.1:9190"`)
}

func TestTestnetInitFilesRejectsBadInput(t *testing.T) {
	dir := t.TempDir()
	for _, args := range [][]string{
		{"--v", "0"},
		{"--port-step", "5"},
		{"--output-dir", dir}, // exists already
	} {
		root := cmd.NewRootCmd()
		out := filepath.Join(t.TempDir(), "net")
		full := append([]string{"testnet", "init-files", "--home", t.TempDir(), "--output-dir", out}, args...)
		root.SetArgs(full)
		require.Error(t, svrcmd.Execute(root, "CORTD", t.TempDir()), strings.Join(full, " "))
	}
}

// TestInitUsesUcor checks `cortd init` writes a genesis in the chain's denomination.
func TestInitUsesUcor(t *testing.T) {
	home := t.TempDir()
	run(t, "init", "unit", "--chain-id", "cort-unit-2", "--home", home)
	g, err := os.ReadFile(filepath.Join(home, "config", "genesis.json"))
	require.NoError(t, err)
	require.NotContains(t, string(g), `"stake"`)
	require.Contains(t, string(g), `"bond_denom": "ucor"`)
	require.Contains(t, string(g), `"mint_denom": "ucor"`)
	appToml, err := os.ReadFile(filepath.Join(home, "config", "app.toml"))
	require.NoError(t, err)
	require.Contains(t, string(appToml), "minimum-gas-prices = \"0ucor\"")
}
