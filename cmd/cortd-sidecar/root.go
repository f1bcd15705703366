package main

import (
	"log/slog"
	"os"

	"github.com/spf13/cobra"
)

// roleCommands holds the constructors of the roles that register themselves from
// their own file (`func init() { roleCommands = append(roleCommands, newXCmd) }`),
// so adding a role never touches this file.
var roleCommands []func() *cobra.Command

// newRootCmd builds the command tree.
func newRootCmd() *cobra.Command {
	var level string
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
			return nil
		},
	}
	root.PersistentFlags().StringVar(&level, "log-level", "info", "log level: debug, info, warn, error")
	root.AddCommand(newModelCmd(), newServeCmd(), newVersionCmd(), newMinerCmd(), newRouterCmd())
	for _, c := range roleCommands {
		root.AddCommand(c())
	}
	return root
}
