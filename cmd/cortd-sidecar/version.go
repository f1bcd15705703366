package main

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"

	"github.com/cortnet/cortd/sidecar/engine/kernelinfo"
)

// Version is set at build time with -ldflags "-X main.Version=...".
var Version = "dev"

func newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version, Go toolchain and the engine's kernel path",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			commit := "unknown"
			if bi, ok := debug.ReadBuildInfo(); ok {
				for _, s := range bi.Settings {
					if s.Key == "vcs.revision" {
						commit = s.Value
					}
				}
			}
			fmt.Fprintf(cmd.OutOrStdout(), "cortd-sidecar %s (commit %s, %s, %s/%s, kernels %s)\n",
				Version, commit, runtime.Version(), runtime.GOOS, runtime.GOARCH, kernelinfo.Path())
			return nil
		},
	}
}
