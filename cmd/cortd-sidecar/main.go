// Command cortd-sidecar runs the node's off-chain roles. Each role is a
// subcommand in its own file; this file only wires the root.
package main

import (
	"fmt"
	"os"
)

func main() {
	if err := newRootCmd().Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}
