package cmd_test

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	svrcmd "github.com/cosmos/cosmos-sdk/server/cmd"

	"github.com/cortnet/cortd/cmd/cortd/cmd"
)

// tomlValues reads a flat view of a config file CometBFT or the SDK wrote: "section.key"
// (or "key" before the first section) → the value with its quotes removed. Enough for the
// one-line scalars these tests read; arrays and inline tables are kept as written.
func tomlValues(t *testing.T, path string) map[string]string {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	out := map[string]string{}
	section := ""
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]") {
			section = strings.Trim(line, "[]") + "."
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			continue
		}
		out[section+strings.TrimSpace(k)] = strings.Trim(strings.TrimSpace(v), `"`)
	}
	require.NoError(t, sc.Err())
	return out
}

// listeners is every address node home's config files tell it to listen on, by name.
func listeners(t *testing.T, home string) map[string]string {
	t.Helper()
	c := tomlValues(t, filepath.Join(home, "config", "config.toml"))
	a := tomlValues(t, filepath.Join(home, "config", "app.toml"))
	return map[string]string{
		"p2p":        c["p2p.laddr"],
		"rpc":        c["rpc.laddr"],
		"pprof":      c["rpc.pprof_laddr"],
		"proxy_app":  c["proxy_app"],
		"prometheus": c["instrumentation.prometheus_listen_addr"],
		"api":        a["api.address"],
		"grpc":       a["grpc.address"],
	}
}

// port is the port of a listen address ("tcp://127.0.0.1:26657", "127.0.0.1:9090", ":26660").
func port(addr string) string {
	return addr[strings.LastIndex(addr, ":")+1:]
}

// requireDistinctPorts fails when two listeners, of one node or of two, share a port.
func requireDistinctPorts(t *testing.T, out string, n int) {
	t.Helper()
	owner := map[string]string{}
	for i := 0; i < n; i++ {
		for name, addr := range listeners(t, filepath.Join(out, fmt.Sprintf("node%d", i))) {
			if addr == "" {
				continue // off (pprof in the default layout)
			}
			p := port(addr)
			who := fmt.Sprintf("node%d %s (%s)", i, name, addr)
			require.NotContains(t, owner, p, "%s shares port %s with %s", who, p, owner[p])
			owner[p] = who
		}
	}
}

// --base-port puts every port of node i at base + i×step + a fixed offset, turns CometBFT's
// Prometheus and pprof on, and no two listeners of the 4 nodes share a port.
func TestTestnetInitFilesBasePort(t *testing.T) {
	out := filepath.Join(t.TempDir(), "net")
	run(t, "testnet", "init-files", "--v", "4", "--output-dir", out, "--chain-id", "cort-unit-1",
		"--base-port", "29000", "--port-step", "10", "--snapshot-interval", "20", "--snapshot-keep-recent", "3")

	requireDistinctPorts(t, out, 4)
	for i := 0; i < 4; i++ {
		home := filepath.Join(out, fmt.Sprintf("node%d", i))
		b := 29000 + 10*i
		require.Equal(t, map[string]string{
			"p2p":        fmt.Sprintf("tcp://127.0.0.1:%d", b),
			"rpc":        fmt.Sprintf("tcp://127.0.0.1:%d", b+1),
			"grpc":       fmt.Sprintf("127.0.0.1:%d", b+2),
			"api":        fmt.Sprintf("tcp://127.0.0.1:%d", b+3),
			"proxy_app":  fmt.Sprintf("tcp://127.0.0.1:%d", b+4),
			"prometheus": fmt.Sprintf("127.0.0.1:%d", b+5),
			"pprof":      fmt.Sprintf("127.0.0.1:%d", b+6),
		}, listeners(t, home), "node%d's ports", i)

		c := tomlValues(t, filepath.Join(home, "config", "config.toml"))
		require.Equal(t, "true", c["instrumentation.prometheus"], "node%d: CometBFT Prometheus on", i)
		peers := c["p2p.persistent_peers"]
		for j := 0; j < 4; j++ {
			if j == i {
				require.NotContains(t, peers, fmt.Sprintf("@127.0.0.1:%d", 29000+10*j), "node%d does not peer with itself", i)
			} else {
				require.Contains(t, peers, fmt.Sprintf("@127.0.0.1:%d", 29000+10*j), "node%d peers with node%d's p2p port", i, j)
			}
		}

		a := tomlValues(t, filepath.Join(home, "config", "app.toml"))
		require.Equal(t, "20", a["state-sync.snapshot-interval"])
		require.Equal(t, "3", a["state-sync.snapshot-keep-recent"])

		cl := tomlValues(t, filepath.Join(home, "config", "client.toml"))
		require.Equal(t, fmt.Sprintf("tcp://127.0.0.1:%d", b+1), cl["node"], "node%d's CLI talks to its own RPC", i)
	}

	// The gentx memos (how peers first find each other) name the p2p ports too.
	g, err := os.ReadFile(filepath.Join(out, "node0", "config", "genesis.json"))
	require.NoError(t, err)
	for j := 0; j < 4; j++ {
		require.Contains(t, string(g), fmt.Sprintf(`@127.0.0.1:%d"`, 29000+10*j))
	}
}

// Without --base-port the nodes keep the old layout (defaults + i×step) and proxy_app and
// Prometheus are offset too (they used to be 26658 and 26660 on every node); snapshots are
// on at the default interval.
func TestTestnetInitFilesDefaultLayoutHasDistinctPorts(t *testing.T) {
	out := filepath.Join(t.TempDir(), "net")
	run(t, "testnet", "init-files", "--v", "3", "--output-dir", out, "--chain-id", "cort-unit-1")
	requireDistinctPorts(t, out, 3)
	l := listeners(t, filepath.Join(out, "node2"))
	require.Equal(t, "tcp://127.0.0.1:26858", l["proxy_app"])
	require.Equal(t, "127.0.0.1:26860", l["prometheus"])
	require.Empty(t, l["pprof"], "pprof off: 6060 is any single node's default")
	a := tomlValues(t, filepath.Join(out, "node2", "config", "app.toml"))
	require.Equal(t, fmt.Sprint(cmd.DefaultSnapshotInterval), a["state-sync.snapshot-interval"])
	require.Equal(t, fmt.Sprint(cmd.DefaultSnapshotKeepRecent), a["state-sync.snapshot-keep-recent"])
}

// A layout that cannot work is refused before anything is written, with the reason.
func TestTestnetInitFilesRefusesBadPorts(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--base-port", "80"}, "at least 1024"},
		{[]string{"--base-port", "65530"}, "above 65535"},
		{[]string{"--v", "700", "--base-port", "29000", "--port-step", "100"}, "above 65535"},
		// node1's REST port 1317+7773 = 9090 is node0's gRPC port.
		{[]string{"--v", "2", "--port-step", "7773"}, "node0 grpc and node1 api would both listen on port 9090"},
	} {
		out := filepath.Join(t.TempDir(), "net")
		full := append([]string{"testnet", "init-files", "--home", t.TempDir(), "--output-dir", out, "--chain-id", "cort-unit-1"}, tc.args...)
		root := cmd.NewRootCmd()
		root.SetArgs(full)
		err := svrcmd.Execute(root, "CORTD", t.TempDir())
		require.ErrorContains(t, err, tc.want, strings.Join(tc.args, " "))
		_, statErr := os.Stat(out)
		require.ErrorIs(t, statErr, os.ErrNotExist, "nothing written for %v", tc.args)
	}
}

// `cortd init` writes an app.toml with state sync snapshots on and only the events
// searches use indexed (the SDK's empty list indexes every attribute of every event).
func TestInitTakesSnapshots(t *testing.T) {
	home := t.TempDir()
	run(t, "init", "unit", "--chain-id", "cort-unit-2", "--home", home)
	a := tomlValues(t, filepath.Join(home, "config", "app.toml"))
	require.Equal(t, "500", a["state-sync.snapshot-interval"])
	require.Equal(t, "2", a["state-sync.snapshot-keep-recent"])
	require.Equal(t, `["message.sender", "transfer.recipient", "tx.acc_seq", ]`, a["index-events"])
}
