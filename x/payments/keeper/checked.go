package keeper

import (
	errorsmod "cosmossdk.io/errors"
	sdkmath "cosmossdk.io/math"

	"github.com/cortnet/cortd/x/payments/types"
)

// Overflow-checked arithmetic for every escrow path. math.Int panics past 256 bits; a
// panic inside a message handler is recovered by baseapp but is not a clear error, and in
// BeginBlock/EndBlock it halts the chain. These helpers turn it into ErrAmountOverflow
// (x/sessions bounds prices so honest use never gets near it). Callers compute every new
// value with them before their first write, so a failure leaves state unchanged.

func checkedAdd(what string, a, b sdkmath.Int) (sdkmath.Int, error) {
	r, err := a.SafeAdd(b)
	if err != nil {
		return sdkmath.Int{}, errorsmod.Wrapf(types.ErrAmountOverflow, "%s: %v", what, err)
	}
	return r, nil
}

func checkedSub(what string, a, b sdkmath.Int) (sdkmath.Int, error) {
	r, err := a.SafeSub(b)
	if err != nil {
		return sdkmath.Int{}, errorsmod.Wrapf(types.ErrAmountOverflow, "%s: %v", what, err)
	}
	return r, nil
}

func checkedMul(what string, a sdkmath.Int, n int) (sdkmath.Int, error) {
	r, err := a.SafeMul(sdkmath.NewInt(int64(n)))
	if err != nil {
		return sdkmath.Int{}, errorsmod.Wrapf(types.ErrAmountOverflow, "%s: %v", what, err)
	}
	return r, nil
}
