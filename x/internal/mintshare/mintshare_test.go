package mintshare_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/cortnet/cortd/x/internal/mintshare"
)

type provision struct {
	coin sdk.Coin
	err  error
}

func (p provision) BlockProvision(context.Context) (sdk.Coin, error) { return p.coin, p.err }

type balance sdkmath.Int

func (b balance) GetBalance(_ context.Context, _ sdk.AccAddress, denom string) sdk.Coin {
	return sdk.NewCoin(denom, sdkmath.Int(b))
}

func TestAmount(t *testing.T) {
	ctx := context.Background()
	fc := sdk.AccAddress("fee_collector_______")
	tenth := sdkmath.LegacyNewDecWithPrec(1, 1)
	minted := provision{coin: sdk.NewInt64Coin("ucor", 1_005)}
	plenty := balance(sdkmath.NewInt(1_000_000))

	cases := []struct {
		name  string
		mint  mintshare.Source
		bank  balance
		share sdkmath.LegacyDec
		denom string
		want  int64
	}{
		{"10% truncated", minted, plenty, tenth, "ucor", 100},
		{"capped at the fee collector", minted, balance(sdkmath.NewInt(7)), tenth, "ucor", 7},
		{"zero share", minted, plenty, sdkmath.LegacyZeroDec(), "ucor", 0},
		{"no mint source", nil, plenty, tenth, "ucor", 0},
		{"other denom", minted, plenty, tenth, "uatom", 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := mintshare.Amount(ctx, tc.mint, tc.bank, fc, tc.share, tc.denom)
			require.NoError(t, err)
			require.Equal(t, tc.want, got.Int64())
		})
	}

	_, err := mintshare.Amount(ctx, provision{err: errors.New("boom")}, plenty, fc, tenth, "ucor")
	require.ErrorContains(t, err, "boom")
}
