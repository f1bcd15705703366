// Command cortd-sidecar runs the node's off-chain roles. Each role is a
// subcommand in its own file; this file only wires the root.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	// One place turns SIGINT and SIGTERM into the cancellation of every command's
	// context (cmd.Context()): roles stop their loops and shut their servers down.
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	err := newRootCmd().ExecuteContext(ctx)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}
