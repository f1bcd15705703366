// Package recovery turns a panic inside a transaction into a short error. baseapp's
// default recovery puts the panic value and the whole Go stack into the error, and the
// error's text is the result's raw_log: every client (and anyone probing with hostile
// input) would read the node's source paths, versions and call chain. The stack belongs
// in the node's log.
package recovery

import (
	"fmt"
	"runtime/debug"
	"strings"

	errorsmod "cosmossdk.io/errors"
	"cosmossdk.io/log/v2"

	"github.com/cosmos/cosmos-sdk/baseapp"
	sdkerrors "github.com/cosmos/cosmos-sdk/types/errors"
)

// maxDetail bounds the part of the panic value that reaches raw_log.
const maxDetail = 120

// Handler logs a recovered panic with its stack on the node and returns ErrPanic (code
// 111222, as before) with at most the first line of the panic value, and nothing that
// looks like a stack frame. Register it with BaseApp.AddRunTxRecoveryHandler: it runs
// after baseapp's out-of-gas handler and before the default one, which it replaces for
// every other panic (CheckTx, simulation and FinalizeBlock all go through runTx).
func Handler(logger log.Logger) baseapp.RecoveryHandler {
	return func(recovered any) error {
		value := fmt.Sprint(recovered)
		logger.Error("panic recovered in a transaction", "panic", value, "stack", string(debug.Stack()))
		return errorsmod.Wrapf(sdkerrors.ErrPanic, "transaction panicked: %s (details in the node's log)", Detail(value))
	}
}

// Detail is what of a panic value a client may see: its first line, cut to maxDetail
// bytes, or nothing when it names a source file or a goroutine.
func Detail(value string) string {
	line, _, _ := strings.Cut(value, "\n")
	if strings.Contains(line, ".go:") || strings.Contains(line, "goroutine") {
		return "internal error"
	}
	if len(line) > maxDetail {
		line = strings.ToValidUTF8(line[:maxDetail], "") + "…"
	}
	return line
}
