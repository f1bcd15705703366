package txwait

import (
	"fmt"

	errorsmod "cosmossdk.io/errors"

	sdkerrors "github.com/cosmos/cosmos-sdk/types/errors"

	auditstypes "github.com/cortnet/cortd/x/audits/types"
	challengestypes "github.com/cortnet/cortd/x/challenges/types"
	datatypes "github.com/cortnet/cortd/x/data/types"
	modelstypes "github.com/cortnet/cortd/x/models/types"
	nodestypes "github.com/cortnet/cortd/x/nodes/types"
	paymentstypes "github.com/cortnet/cortd/x/payments/types"
	sessionstypes "github.com/cortnet/cortd/x/sessions/types"
)

type errKey struct {
	codespace string
	code      uint32
}

// advice holds one line for the errors users meet most, keyed by the registered errors
// themselves so a renumbering cannot leave a line on the wrong error.
var advice = map[errKey]string{}

func init() {
	for err, line := range map[*errorsmod.Error]string{
		sdkerrors.ErrInsufficientFunds: "the account lacks the coins for the amount plus fees: check `cortd q bank balances ADDRESS` and fund it",
		sdkerrors.ErrInsufficientFee:   "raise the fee with --fees (e.g. 2000ucor) or --gas-prices to at least the node's minimum-gas-prices",
		sdkerrors.ErrOutOfGas:          "raise --gas, or let the CLI estimate it: --gas auto --gas-adjustment 1.5",
		sdkerrors.ErrWrongSequence:     "another transaction from this account was in flight: wait for it to be in a block, then send again",
		sdkerrors.ErrTxInMempoolCache:  "the same transaction was already sent: check it with `cortd q tx HASH`",
		sdkerrors.ErrMempoolIsFull:     "the node's mempool is full: send again in a few blocks",
		sdkerrors.ErrUnknownAddress:    "the account does not exist on chain until it receives coins: fund it first",
		sdkerrors.ErrInvalidChainID:    "pass the network's --chain-id (`cortd status` shows it)",
		sdkerrors.ErrTxTimeoutHeight:   "the transaction's --timeout-height passed before it got into a block: send it again",

		modelstypes.ErrModelExists:   "pick another model id; `cortd q models list` shows the registered ones",
		modelstypes.ErrModelNotFound: "check the id against `cortd q models list`",
		modelstypes.ErrNotOwner:      "only the model's owner may do this: check --from against `cortd q models model ID`",

		nodestypes.ErrNodeExists:        "pick another node id; `cortd q nodes list` shows the registered ones",
		nodestypes.ErrNodeNotFound:      "check the node id against `cortd q nodes by-operator ADDRESS`",
		nodestypes.ErrNotOperator:       "only the node's operator may do this: check --from against `cortd q nodes node NODE_ID`",
		nodestypes.ErrInsufficientStake: "stake at least the pool's minimum: `cortd q nodes pools` lists them",
		nodestypes.ErrUnknownPool:       "use a pool id from `cortd q nodes pools`",
		nodestypes.ErrUnknownModel:      "the model is unknown or retired: `cortd q models list` shows the active ones",

		sessionstypes.ErrSessionNotFound:  "check the session id: `cortd q sessions sessions OWNER` lists an owner's sessions",
		sessionstypes.ErrNotOwner:         "the session belongs to another account: send from its owner (--from) or use one of yours (`cortd q sessions sessions ADDRESS`)",
		sessionstypes.ErrSessionNotActive: "the session is closing or closed: open a new one with `cortd tx sessions create`",
		sessionstypes.ErrQueueFull:        "wait for queued tasks to be taken (`cortd q sessions queue --session-id ID`), then submit again",
		sessionstypes.ErrInvalidSampling:  "--max-tokens must be at most the session's max_tokens (`cortd q sessions session ID`), --temperature in [0, 10], --top-p in (0, 1]",
		sessionstypes.ErrModelUnavailable: "the session's model is unknown or retired: `cortd q models list` shows the active ones",
		sessionstypes.ErrInvalidPrice:     "amounts are positive whole numbers of ucor, and the price at most the max_price_per_task of `cortd q sessions params`",

		paymentstypes.ErrInsufficientEscrow: "the session's escrow does not cover it: add some with `cortd tx sessions deposit SESSION_ID AMOUNT` (`cortd q payments session-balance SESSION_ID` shows what is free)",

		datatypes.ErrBondTooSmall: "raise the bond to bond_per_byte × size (`cortd q data params`)",
	} {
		advice[errKey{err.Codespace(), err.ABCICode()}] = line
	}
}

// moduleCodespaces are the codespaces of cortd's own modules, whose README lists errors.
var moduleCodespaces = map[string]bool{
	auditstypes.ModuleName: true, challengestypes.ModuleName: true, datatypes.ModuleName: true,
	modelstypes.ModuleName: true, nodestypes.ModuleName: true, paymentstypes.ModuleName: true,
	sessionstypes.ModuleName: true,
}

// Advice is one line on what to do about a transaction that failed with code in codespace.
func Advice(codespace string, code uint32) string {
	if line, ok := advice[errKey{codespace, code}]; ok {
		return line
	}
	if moduleCodespaces[codespace] {
		return fmt.Sprintf("the %s module refused the message for the reason in the log; x/%s/README.md lists its errors, "+
			"and `cortd q %s --help` the state you can check", codespace, codespace, codespace)
	}
	return "the log says why; fix the transaction and send it again"
}
