package app

import (
	errorsmod "cosmossdk.io/errors"

	sdk "github.com/cosmos/cosmos-sdk/types"
	sdkerrors "github.com/cosmos/cosmos-sdk/types/errors"
	"github.com/cosmos/cosmos-sdk/x/auth/ante"
)

// NewAnteHandler is the SDK's standard ante chain (x/auth/ante.NewAnteHandler, the same
// decorators in the same order) with two changes:
//   - unordered transactions are enabled: sidecars send high-rate messages (heartbeats,
//     precommits, commits) without a sequence, identified by a short timeout timestamp,
//     so they never collide on account sequences;
//   - a signature CheckTx verified is not verified again in the block (sigcache.go).
func NewAnteHandler(options ante.HandlerOptions) (sdk.AnteHandler, error) {
	if options.AccountKeeper == nil || options.BankKeeper == nil || options.SignModeHandler == nil {
		return nil, errorsmod.Wrap(sdkerrors.ErrLogic, "account keeper, bank keeper and sign mode handler are required for the ante handler")
	}
	options.SigVerifyOptions = append(options.SigVerifyOptions,
		ante.WithUnorderedTxGasCost(ante.DefaultUnorderedTxGasCost),
		ante.WithMaxUnorderedTxTimeoutDuration(ante.DefaultMaxTimeoutDuration),
	)
	return sdk.ChainAnteDecorators(
		ante.NewSetUpContextDecorator(), // outermost: sets the gas meter
		ante.NewExtensionOptionsDecorator(options.ExtensionOptionChecker),
		ante.NewValidateBasicDecorator(),
		ante.NewTxTimeoutHeightDecorator(),
		ante.NewValidateMemoDecorator(options.AccountKeeper),
		ante.NewConsumeGasForTxSizeDecorator(options.AccountKeeper),
		ante.NewDeductFeeDecorator(options.AccountKeeper, options.BankKeeper, options.FeegrantKeeper, options.TxFeeChecker),
		ante.NewSetPubKeyDecorator(options.AccountKeeper), // before every signature check
		ante.NewValidateSigCountDecorator(options.AccountKeeper),
		ante.NewSigGasConsumeDecorator(options.AccountKeeper, options.SigGasConsumer),
		cachedSigVerification{
			verify: ante.NewSigVerificationDecorator(options.AccountKeeper, options.SignModeHandler, options.SigVerifyOptions...),
			ak:     options.AccountKeeper,
			seen:   newVerifiedSigs(verifiedSigsSize),
		},
		ante.NewIncrementSequenceDecorator(options.AccountKeeper),
	), nil
}
