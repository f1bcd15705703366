package app

import (
	"context"
	"math/rand"
	"testing"

	"cosmossdk.io/log/v2"
	sdkmath "cosmossdk.io/math"
	"github.com/stretchr/testify/require"

	dbm "github.com/cosmos/cosmos-db"
	"github.com/cosmos/cosmos-sdk/crypto/keys/secp256k1"
	cryptotypes "github.com/cosmos/cosmos-sdk/crypto/types"
	storetypes "github.com/cosmos/cosmos-sdk/store/v2/types"
	simtestutil "github.com/cosmos/cosmos-sdk/testutil/sims"
	sdk "github.com/cosmos/cosmos-sdk/types"
	sdkerrors "github.com/cosmos/cosmos-sdk/types/errors"
	"github.com/cosmos/cosmos-sdk/x/auth/ante"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"
)

// countingPubKey counts the signature verifications done with it.
type countingPubKey struct {
	*secp256k1.PubKey
	verified *int
}

func (p countingPubKey) VerifySignature(msg, sig []byte) bool {
	*p.verified++
	return p.PubKey.VerifySignature(msg, sig)
}

// countingAccount is an account whose public key counts its verifications.
type countingAccount struct {
	sdk.AccountI
	pk cryptotypes.PubKey
}

func (a countingAccount) GetPubKey() cryptotypes.PubKey { return a.pk }

// countingAccounts is the app's account keeper handing out counting public keys.
type countingAccounts struct {
	ante.AccountKeeper
	verified *int
}

func (c countingAccounts) GetAccount(ctx context.Context, addr sdk.AccAddress) sdk.AccountI {
	acc := c.AccountKeeper.GetAccount(ctx, addr)
	if acc == nil || acc.GetPubKey() == nil {
		return acc
	}
	return countingAccount{AccountI: acc, pk: countingPubKey{PubKey: acc.GetPubKey().(*secp256k1.PubKey), verified: c.verified}}
}

// TestSignaturesCheckedAreNotVerifiedAgainInTheBlock: a tx whose signatures CheckTx
// verified is not verified again in the block, with the same gas and the same
// outcome; a tx not checked, one that failed its check, one simulated, and one whose
// signer's public key changed since are verified in the block as before.
func TestSignaturesCheckedAreNotVerifiedAgainInTheBlock(t *testing.T) {
	a := New(log.NewNopLogger(), dbm.NewMemDB(), true, simtestutil.NewAppOptionsWithFlagHome(t.TempDir()))
	base := a.NewContext(true).WithBlockHeight(5).WithChainID("cort-sigs").WithIsSigverifyTx(true)
	priv := secp256k1.GenPrivKey()
	addr := sdk.AccAddress(priv.PubKey().Address())
	acc := a.AccountKeeper.NewAccountWithAddress(base, addr)
	require.NoError(t, acc.SetPubKey(priv.PubKey()))
	a.AccountKeeper.SetAccount(base, acc)

	verified := 0
	ak := countingAccounts{AccountKeeper: a.AccountKeeper, verified: &verified}
	d := cachedSigVerification{
		verify: ante.NewSigVerificationDecorator(ak, a.TxConfig().SignModeHandler()),
		ak:     ak,
		seen:   newVerifiedSigs(16),
	}
	r := rand.New(rand.NewSource(1))
	signed := func(p cryptotypes.PrivKey) (sdk.Tx, []byte) {
		msg := &banktypes.MsgSend{FromAddress: addr.String(), ToAddress: sdk.AccAddress(make([]byte, 20)).String(),
			Amount: sdk.NewCoins(sdk.NewCoin("ucor", sdkmath.NewInt(1)))}
		tx, err := simtestutil.GenSignedMockTx(r, a.TxConfig(), []sdk.Msg{msg}, nil, 200_000, "cort-sigs",
			[]uint64{acc.GetAccountNumber()}, []uint64{0}, p)
		require.NoError(t, err)
		bz, err := a.TxConfig().TxEncoder()(tx)
		require.NoError(t, err)
		return tx, bz
	}
	run := func(mode sdk.ExecMode, tx sdk.Tx, bz []byte, simulate bool) (uint64, error) {
		ctx := base.WithExecMode(mode).WithTxBytes(bz).WithGasMeter(storetypes.NewGasMeter(1_000_000))
		_, err := d.AnteHandle(ctx, tx, simulate, func(c sdk.Context, _ sdk.Tx, _ bool) (sdk.Context, error) {
			require.True(t, c.IsSigverifyTx(), "the next decorators see signature checks on")
			return c, nil
		})
		return ctx.GasMeter().GasConsumed(), err
	}

	tx, bz := signed(priv)
	gasMiss, err := run(sdk.ExecModeFinalize, tx, bz, false)
	require.NoError(t, err)
	require.Equal(t, 1, verified, "not checked: verified in the block")

	_, err = run(sdk.ExecModeCheck, tx, bz, false)
	require.NoError(t, err)
	require.Equal(t, 2, verified)
	gasHit, err := run(sdk.ExecModeFinalize, tx, bz, false)
	require.NoError(t, err)
	require.Equal(t, 2, verified, "checked: not verified again in the block")
	require.Equal(t, gasMiss, gasHit, "the same gas either way")

	// A signature by another key fails its check, is not remembered, and fails in the block.
	forged, forgedBz := signed(secp256k1.GenPrivKey())
	_, err = run(sdk.ExecModeCheck, forged, forgedBz, false)
	require.ErrorIs(t, err, sdkerrors.ErrUnauthorized)
	_, err = run(sdk.ExecModeFinalize, forged, forgedBz, false)
	require.ErrorIs(t, err, sdkerrors.ErrUnauthorized)
	require.Equal(t, 4, verified)

	// Simulation verifies nothing and remembers nothing.
	sim, simBz := signed(priv)
	_, err = run(sdk.ExecModeSimulate, sim, simBz, true)
	require.NoError(t, err)
	_, err = run(sdk.ExecModeFinalize, sim, simBz, false)
	require.NoError(t, err)
	require.Equal(t, 5, verified, "simulated, then verified in the block")

	// The key holds the signer's public key as the state gives it: checked under one
	// key, the tx is verified again (and refused) once the account holds another.
	moved, movedBz := signed(priv)
	_, err = run(sdk.ExecModeCheck, moved, movedBz, false)
	require.NoError(t, err)
	require.Equal(t, 6, verified)
	other := a.AccountKeeper.GetAccount(base, addr)
	require.NoError(t, other.SetPubKey(secp256k1.GenPrivKey().PubKey()))
	a.AccountKeeper.SetAccount(base, other)
	_, err = run(sdk.ExecModeFinalize, moved, movedBz, false)
	require.ErrorIs(t, err, sdkerrors.ErrUnauthorized)
	require.Equal(t, 7, verified)
	require.Equal(t, uint64(1), d.seen.hits)
}

// TestVerifiedSigsForgetsTheOldestWhenFull: the cache is bounded; the oldest entry
// goes first, and adding a remembered key again does not take a second place.
func TestVerifiedSigsForgetsTheOldestWhenFull(t *testing.T) {
	v := newVerifiedSigs(2)
	k := func(b byte) (x [32]byte) { x[0] = b; return x }
	v.add(k(1))
	v.add(k(2))
	v.add(k(2))
	require.True(t, v.has(k(1)))
	v.add(k(3))
	require.False(t, v.has(k(1)), "the oldest went")
	require.True(t, v.has(k(2)))
	require.True(t, v.has(k(3)))
	v.add(k(4))
	require.False(t, v.has(k(2)))
	require.True(t, v.has(k(4)))
	require.Len(t, v.set, 2)
}
