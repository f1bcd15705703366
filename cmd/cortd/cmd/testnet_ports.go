package cmd

import (
	"fmt"
	"sort"
)

// minBasePort keeps --base-port out of the privileged range (below 1024 needs root).
const minBasePort = 1024

// Offsets from a node's first port under --base-port. B+7..B+9 are not used by cortd, so
// scripts can give a node's sidecars ports next to it (scripts/devnet.sh does).
const (
	offP2P = iota
	offRPC
	offGRPC
	offAPI // REST; gRPC-web is served on the same listener in SDK v0.54
	offProxyApp
	offPrometheus
	offPprof
)

// nodePorts is every port one node listens on. ProxyApp is bound only when the app runs
// out of process; Pprof 0 means off.
type nodePorts struct {
	P2P, RPC, GRPC, API, ProxyApp, Prometheus, Pprof int
}

// named lists the ports that are on, with the names config files use for them.
func (p nodePorts) named() map[string]int {
	m := map[string]int{"p2p": p.P2P, "rpc": p.RPC, "grpc": p.GRPC, "api": p.API, "proxy_app": p.ProxyApp, "prometheus": p.Prometheus}
	if p.Pprof != 0 {
		m["pprof"] = p.Pprof
	}
	return m
}

// testnetPorts is node i's ports. With --base-port every port is base + i×step + offset.
// Without it, the layout init-files always had: CometBFT's and the SDK's defaults plus
// i×step, now with proxy_app and Prometheus offset too; pprof stays off there because
// node 0 would take 6060, the default of any single node on the host.
func testnetPorts(args testnetArgs, i int) nodePorts {
	off := i * args.portStep
	if args.basePort == 0 {
		return nodePorts{
			P2P: 26656 + off, RPC: 26657 + off, ProxyApp: 26658 + off, Prometheus: 26660 + off,
			API: 1317 + off, GRPC: 9090 + off,
		}
	}
	b := args.basePort + off
	return nodePorts{
		P2P: b + offP2P, RPC: b + offRPC, GRPC: b + offGRPC, API: b + offAPI,
		ProxyApp: b + offProxyApp, Prometheus: b + offPrometheus, Pprof: b + offPprof,
	}
}

// checkTestnetPorts refuses a layout in which a port is above 65535 or two listeners (of
// one node or of two) share a port, naming both.
func checkTestnetPorts(args testnetArgs) error {
	owner := map[int]string{}
	for i := 0; i < args.numValidators; i++ {
		named := testnetPorts(args, i).named()
		names := make([]string, 0, len(named))
		for name := range named {
			names = append(names, name)
		}
		sort.Strings(names) // the same error on every run
		for _, name := range names {
			port := named[name]
			who := fmt.Sprintf("node%d %s", i, name)
			if port > 65535 {
				return fmt.Errorf("%s port %d is above 65535: lower --%s, --%s or --%s", who, port, flagBasePort, flagPortStep, flagNumValidators)
			}
			if prev, dup := owner[port]; dup {
				return fmt.Errorf("%s and %s would both listen on port %d: choose another --%s or --%s", prev, who, port, flagPortStep, flagBasePort)
			}
			owner[port] = who
		}
	}
	return nil
}
