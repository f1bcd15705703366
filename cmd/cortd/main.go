// Command cortd is the node of the cortd network: CometBFT consensus, the application
// state machine, and the REST/gRPC/RPC endpoints.
package main

import (
	"fmt"
	"os"

	svrcmd "github.com/cosmos/cosmos-sdk/server/cmd"

	"github.com/cortnet/cortd/app"
	"github.com/cortnet/cortd/cmd/cortd/cmd"
)

func main() {
	rootCmd := cmd.NewRootCmd()
	if err := svrcmd.Execute(rootCmd, "CORTD", app.DefaultNodeHome); err != nil {
		fmt.Fprintln(rootCmd.OutOrStderr(), err)
		os.Exit(1)
	}
}
