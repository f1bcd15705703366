package main

import (
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"

	"github.com/spf13/cobra"
)

// roleCommands holds the constructors of the roles that register themselves from
// their own file (`func init() { roleCommands = append(roleCommands, newXCmd) }`),
// so adding a role never touches this file.
var roleCommands []func() *cobra.Command

// newRootCmd builds the command tree.
func newRootCmd() *cobra.Command {
	var level, pprofAddr string
	root := &cobra.Command{
		Use:           "cortd-sidecar",
		Short:         "Off-chain roles of a cortd node: inference engine, model tools",
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			var l slog.Level
			if err := l.UnmarshalText([]byte(level)); err != nil {
				return err
			}
			slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: l})))
			return servePprof(pprofAddr)
		},
	}
	root.PersistentFlags().StringVar(&level, "log-level", "info", "log level: debug, info, warn, error")
	root.PersistentFlags().StringVar(&pprofAddr, "pprof", "", "serve Go's profiles (/debug/pprof/) on this loopback host:port, for finding where a role's CPU goes (off when empty)")
	root.AddCommand(newModelCmd(), newServeCmd(), newVersionCmd(), newMinerCmd(), newRouterCmd())
	for _, c := range roleCommands {
		root.AddCommand(c())
	}
	return root
}

// servePprof serves net/http/pprof on addr, which must be a loopback address: profiles
// show memory contents (prompts, keys in flight) and must not be reachable from outside.
func servePprof(addr string) error {
	if addr == "" {
		return nil
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("--pprof %q: %w", addr, err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return fmt.Errorf("--pprof %q: only a loopback address (127.0.0.1:PORT) is allowed", addr)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("--pprof: %w", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	slog.Info("serving profiles", "addr", ln.Addr().String())
	go func() { _ = http.Serve(ln, mux) }() //nolint:gosec // loopback only, checked above
	return nil
}
