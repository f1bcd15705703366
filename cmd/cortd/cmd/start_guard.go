package cmd

import (
	"fmt"
	"path/filepath"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"

	"github.com/cosmos/cosmos-sdk/server"
)

// guardStart wraps the SDK's start command so that a node refuses a genesis.json other
// than the one its data was created from, and so that a damaged store or a rejected
// genesis ends in one operator message and exit code 1 instead of a goroutine dump (the
// SDK and CometBFT panic on unreadable stores; they do it in this goroutine, while the
// node is being built, so a recover here catches them).
func guardStart(start *cobra.Command) {
	run := start.RunE
	start.RunE = func(cmd *cobra.Command, args []string) (err error) {
		serverCtx := server.GetServerContextFromCmd(cmd)
		applyMemoryDefaults(serverCtx.Logger, nil)
		cfg := serverCtx.Config
		home := cfg.RootDir
		heights, err := probeStores(home, cfg, server.GetAppDBBackend(serverCtx.Viper))
		if err != nil {
			return err
		}
		if err := checkGenesisRecord(cfg, heights, serverCtx.Logger); err != nil {
			return err
		}
		defer closeStreamsOnQuit()()
		defer func() {
			r := recover()
			if r == nil {
				return
			}
			funcs := panicFrames()
			msg := fmt.Sprint(r)
			if name := storeOfFrames(funcs); name != "" && isStorageFailure(msg) {
				dir := cfg.DBDir()
				if name == "application.db" || name == "snapshots" {
					dir = filepath.Join(home, "data")
				}
				err = &storeError{store: name, dataDir: dir, home: home,
					problem: "cannot be read: it is corrupted or incomplete", cause: msg, heights: heights}
				return
			}
			if serverCtx.Viper.GetBool(server.FlagTrace) {
				err = fmt.Errorf("cortd stopped on an unexpected error while starting: %s\n%s", msg, debug.Stack())
				return
			}
			err = fmt.Errorf("cortd stopped on an unexpected error while starting: %s\n"+
				"(run again with --trace to print where it happened)", firstLine(msg))
		}()
		return explainStartError(run(cmd, args), home, cfg, heights)
	}
}

// panicFrames lists the functions on the stack of a panic in progress, innermost first.
// Called from a deferred recover, the panicking frames are still on the stack.
func panicFrames() []string {
	pcs := make([]uintptr, 128)
	n := runtime.Callers(2, pcs)
	frames := runtime.CallersFrames(pcs[:n])
	var out []string
	for {
		f, more := frames.Next()
		out = append(out, f.Function)
		if !more {
			return out
		}
	}
}
