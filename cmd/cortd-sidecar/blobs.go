package main

import (
	"encoding/json"
	"log/slog"
	"net"

	"github.com/spf13/cobra"

	"github.com/cortnet/cortd/sidecar/blobs"
)

func init() { roleCommands = append(roleCommands, newBlobsCmd) }

func newBlobsCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "blobs", Short: "Content-addressed data files over HTTP (data hosting for local networks)"}
	cmd.AddCommand(newBlobsServeCmd(), newBlobsAddCmd(), newBlobsRmCmd())
	return cmd
}

func newBlobsServeCmd() *cobra.Command {
	var addr string
	cmd := &cobra.Command{
		Use:   "serve DIR",
		Short: "Serve the blobs of DIR at GET /sha256/<hex> (plus /healthz and /metrics)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ln, err := net.Listen("tcp", addr)
			if err != nil {
				return err
			}
			slog.Info("serving blobs", "dir", args[0], "addr", ln.Addr().String())
			return serveHTTP(cmd.Context(), ln, newHTTPServer(blobs.Store{Dir: args[0]}.Handler(slog.Default())), "blob server")
		},
	}
	cmd.Flags().StringVar(&addr, "addr", "127.0.0.1:8070", "listen address")
	return cmd
}

func newBlobsAddCmd() *cobra.Command {
	var base string
	cmd := &cobra.Command{
		Use:   "add DIR FILE",
		Short: "Copy FILE into DIR under its sha256; print {url, sha256, size} as JSON",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			b, err := blobs.Store{Dir: args[0]}.Add(args[1])
			if err != nil {
				return err
			}
			return json.NewEncoder(cmd.OutOrStdout()).Encode(struct {
				URL string `json:"url"`
				blobs.Blob
			}{b.URL(base), b})
		},
	}
	cmd.Flags().StringVar(&base, "base-url", "http://127.0.0.1:8070", "base URL of the server that serves DIR")
	return cmd
}

func newBlobsRmCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "rm DIR SHA256",
		Short: "Delete a blob",
		Args:  cobra.ExactArgs(2),
		RunE: func(_ *cobra.Command, args []string) error {
			return blobs.Store{Dir: args[0]}.Remove(args[1])
		},
	}
}
