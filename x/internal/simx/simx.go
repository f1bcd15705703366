// Package simx holds what the x/<mod>/simulation packages share: delivering a signed
// message from a simulation account, delivering an authority message the way governance
// does, picking accounts, and counting what each operation did. It is test tooling (the
// SDK's simulation framework), never part of a block's state transition.
package simx

import (
	"context"
	"errors"
	"fmt"
	"math/rand"

	"github.com/cosmos/cosmos-sdk/baseapp"
	"github.com/cosmos/cosmos-sdk/client"
	simtestutil "github.com/cosmos/cosmos-sdk/testutil/sims"
	sdk "github.com/cosmos/cosmos-sdk/types"
	sdkerrors "github.com/cosmos/cosmos-sdk/types/errors"
	simtypes "github.com/cosmos/cosmos-sdk/types/simulation"
)

// AccountKeeper is what delivery needs of x/auth.
type AccountKeeper interface {
	GetAccount(ctx context.Context, addr sdk.AccAddress) sdk.AccountI
}

// BankKeeper is what delivery and the operations need of x/bank.
type BankKeeper interface {
	SpendableCoins(ctx context.Context, addr sdk.AccAddress) sdk.Coins
	GetBalance(ctx context.Context, addr sdk.AccAddress, denom string) sdk.Coin
}

// Env is what every operation of a module delivers through.
type Env struct {
	AK     AccountKeeper
	BK     BankKeeper
	TxGen  client.TxConfig
	Module string
	// Authority is the module's authority (gov), the signer of its authority messages.
	Authority string
	// Rec, if set, counts the outcome of every operation.
	Rec Recorder
}

// Ready reports whether the env can deliver (the app gave the module its keepers).
func (e Env) Ready() bool { return e.AK != nil && e.BK != nil && e.TxGen != nil }

// NoOp is an operation that did not apply in the current state, with the reason.
func (e Env) NoOp(msg sdk.Msg, reason string, args ...any) (simtypes.OperationMsg, []simtypes.FutureOperation, error) {
	why := fmt.Sprintf(reason, args...)
	e.record(sdk.MsgTypeURL(msg), Skipped, why)
	return simtypes.NoOpMsg(e.Module, sdk.MsgTypeURL(msg), why), nil, nil
}

// Deliver signs msg with from's key and delivers it in the current block, paying random
// fees out of what spent leaves spendable. A message the chain rejects with an error is
// a no-op with the error as its reason (the operation's pre-checks could not foresee it:
// the rejection is the chain doing its job); a panic inside the transaction (ErrPanic)
// is a bug and fails the simulation.
func (e Env) Deliver(r *rand.Rand, app *baseapp.BaseApp, ctx sdk.Context, from simtypes.Account, msg sdk.Msg, spent sdk.Coins) (simtypes.OperationMsg, []simtypes.FutureOperation, error) {
	typeURL := sdk.MsgTypeURL(msg)
	acc := e.AK.GetAccount(ctx, from.Address)
	if acc == nil {
		return e.NoOp(msg, "signer %s has no account", from.Address)
	}
	spendable := e.BK.SpendableCoins(ctx, from.Address)
	left, neg := spendable.SafeSub(spent...)
	if neg {
		return e.NoOp(msg, "signer cannot pay %s", spent)
	}
	fees, err := simtypes.RandomFees(r, ctx, left)
	if err != nil {
		return e.NoOp(msg, "no fees: %v", err)
	}
	tx, err := simtestutil.GenSignedMockTx(r, e.TxGen, []sdk.Msg{msg}, fees, simtestutil.DefaultGenTxGas,
		ctx.ChainID(), []uint64{acc.GetAccountNumber()}, []uint64{acc.GetSequence()}, from.PrivKey)
	if err != nil {
		return simtypes.NoOpMsg(e.Module, typeURL, "unable to generate mock tx"), nil, err
	}
	if _, _, err := app.SimDeliver(e.TxGen.TxEncoder(), tx); err != nil {
		return e.rejected(msg, err)
	}
	e.record(typeURL, Delivered, "")
	return simtypes.NewOperationMsg(msg, true, ""), nil, nil
}

// DeliverAuthority runs an authority message (MsgUpdateParams...) through the app's
// message router on the block's state, as x/gov does when a passed proposal executes:
// the handler's ValidateBasic-equivalent checks and authority check run as on chain.
func (e Env) DeliverAuthority(app *baseapp.BaseApp, ctx sdk.Context, msg sdk.Msg) (simtypes.OperationMsg, []simtypes.FutureOperation, error) {
	typeURL := sdk.MsgTypeURL(msg)
	handler := app.MsgServiceRouter().Handler(msg)
	if handler == nil {
		return simtypes.NoOpMsg(e.Module, typeURL, "no handler"), nil, fmt.Errorf("no handler for %s", typeURL)
	}
	cache, write := ctx.CacheContext()
	if _, err := safeHandle(handler, cache, msg); err != nil {
		return e.rejected(msg, err)
	}
	write()
	e.record(typeURL, Delivered, "")
	return simtypes.NewOperationMsg(msg, true, "authority"), nil, nil
}

func safeHandle(h baseapp.MsgServiceHandler, ctx sdk.Context, msg sdk.Msg) (res *sdk.Result, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: %v", sdkerrors.ErrPanic, r)
		}
	}()
	return h(ctx, msg)
}

func (e Env) rejected(msg sdk.Msg, err error) (simtypes.OperationMsg, []simtypes.FutureOperation, error) {
	typeURL := sdk.MsgTypeURL(msg)
	if errors.Is(err, sdkerrors.ErrPanic) {
		e.record(typeURL, Rejected, err.Error())
		return simtypes.NoOpMsg(e.Module, typeURL, "panic"), nil, fmt.Errorf("%s panicked: %w", typeURL, err)
	}
	e.record(typeURL, Rejected, err.Error())
	reason := err.Error()
	if len(reason) > 200 {
		reason = reason[:200]
	}
	return simtypes.NoOpMsg(e.Module, typeURL, "rejected: "+reason), nil, nil
}

// Find returns the simulation account of a bech32 address.
func Find(accs []simtypes.Account, bech32 string) (simtypes.Account, bool) {
	addr, err := sdk.AccAddressFromBech32(bech32)
	if err != nil {
		return simtypes.Account{}, false
	}
	return simtypes.FindAccount(accs, addr)
}

// RandomID returns prefix-<n random lowercase letters and digits>, a valid id everywhere.
func RandomID(r *rand.Rand, prefix string, n int) string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[r.Intn(len(alphabet))]
	}
	return prefix + "-" + string(b)
}

// Outcomes of an operation, as a Recorder receives them.
const (
	Delivered = "delivered"
	Rejected  = "rejected"
	Skipped   = "skipped"
)

// Recorder counts what the operations did, per message type URL and outcome (the app
// simulation's test implements it; the running app has none).
type Recorder interface {
	Record(typeURL, outcome, reason string)
}

func (e Env) record(typeURL, outcome, reason string) {
	if e.Rec != nil {
		e.Rec.Record(typeURL, outcome, reason)
	}
}
