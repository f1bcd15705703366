package main

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"time"

	"github.com/spf13/cobra"

	"github.com/cortnet/cortd/sidecar/chain"
	"github.com/cortnet/cortd/sidecar/dashboard"
)

func init() { roleCommands = append(roleCommands, newDashboardCmd) }

func newDashboardCmd() *cobra.Command {
	var grpcAddr, rpcAddr, listen string
	var queryTimeout, census, stall time.Duration
	cmd := &cobra.Command{
		Use:   "dashboard",
		Short: "Network dashboard: nodes, sessions, data, challenges, live from the chain's events",
		Long: "Serves the network dashboard (HTML pages with JSON twins at ?format=json, /events, /healthz, /metrics). " +
			"It reads only public queries and events, so it can point at any node.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			dctx, cancel := context.WithTimeout(ctx, 30*time.Second)
			// A fixed chain id: the dashboard never signs, and reading the id from the node
			// would keep it from starting while the node is down (pages say so instead).
			c, err := chain.Dial(dctx, chain.Config{GRPC: grpcAddr, RPC: rpcAddr, ChainID: "dashboard", QueryTimeout: queryTimeout, Log: slog.Default()})
			cancel()
			if err != nil {
				return err
			}
			defer c.Close()
			srv, err := dashboard.New(dashboard.Config{Backend: dashboard.NewBackend(c.Conn()), Codec: c.Enc.Codec,
				QueryTimeout: queryTimeout, CensusEvery: census, Log: slog.Default()})
			if err != nil {
				return err
			}
			srv.Start(ctx)
			go func() {
				if err := srv.Live.Run(ctx, dashboard.FromClient(c, stall), stall); err != nil && !errors.Is(err, context.Canceled) {
					slog.Warn("dashboard live feed stopped", "err", err)
				}
			}()
			ln, err := net.Listen("tcp", listen)
			if err != nil {
				return err
			}
			slog.Info("dashboard serving", "url", "http://"+ln.Addr().String()+"/", "grpc", grpcAddr, "rpc", rpcAddr)
			return serveHTTP(ctx, ln, newHTTPServer(srv.Handler()), "dashboard")
		},
	}
	f := cmd.Flags()
	f.StringVar(&grpcAddr, "grpc", "127.0.0.1:9090", "the node's gRPC address")
	f.StringVar(&rpcAddr, "rpc", "tcp://127.0.0.1:26657", "the node's CometBFT RPC address (block and module events over its websocket)")
	f.StringVar(&listen, "listen", "127.0.0.1:8090", "address of the dashboard, /healthz and /metrics")
	f.DurationVar(&queryTimeout, "query-timeout", 5*time.Second, "bound on each query a page makes")
	f.DurationVar(&census, "census-every", 30*time.Second, "how often the overview's node census walks the node list (paged)")
	f.DurationVar(&stall, "stall", 20*time.Second, "no block for this long marks the node's websocket as dropped (and resubscribes)")
	return cmd
}
