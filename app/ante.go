package app

import (
	errorsmod "cosmossdk.io/errors"

	sdk "github.com/cosmos/cosmos-sdk/types"
	sdkerrors "github.com/cosmos/cosmos-sdk/types/errors"
	"github.com/cosmos/cosmos-sdk/x/auth/ante"
)

// NewAnteHandler is the SDK's standard ante chain with unordered transactions enabled:
// sidecars send high-rate messages (heartbeats, precommits, commits) without a sequence,
// identified by a short timeout timestamp, so they never collide on account sequences.
func NewAnteHandler(options ante.HandlerOptions) (sdk.AnteHandler, error) {
	if options.AccountKeeper == nil || options.BankKeeper == nil || options.SignModeHandler == nil {
		return nil, errorsmod.Wrap(sdkerrors.ErrLogic, "account keeper, bank keeper and sign mode handler are required for the ante handler")
	}
	options.SigVerifyOptions = append(options.SigVerifyOptions,
		ante.WithUnorderedTxGasCost(ante.DefaultUnorderedTxGasCost),
		ante.WithMaxUnorderedTxTimeoutDuration(ante.DefaultMaxTimeoutDuration),
	)
	return ante.NewAnteHandler(options)
}
