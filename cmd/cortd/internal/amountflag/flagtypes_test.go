package amountflag

import (
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/reflect/protoreflect"

	basev1beta1 "cosmossdk.io/api/cosmos/base/v1beta1"
)

func TestIntValue(t *testing.T) {
	v := intType{}.NewValue(nil, nil)
	got, err := v.Get(protoreflect.Value{})
	require.NoError(t, err)
	require.Equal(t, "", got.String(), "an amount not given stays unset")

	require.ErrorContains(t, v.Set("5000000ucor"), "write 5000000")
	require.NoError(t, v.Set("+0005000000"))
	got, err = v.Get(protoreflect.Value{})
	require.NoError(t, err)
	require.Equal(t, "5000000", got.String(), "canonical form reaches the message")
	require.Equal(t, "ucor", v.Type())
}

func TestCoinValue(t *testing.T) {
	v := coinType{}.NewValue(nil, nil)
	got, err := v.Get(protoreflect.Value{})
	require.NoError(t, err)
	require.False(t, got.IsValid(), "a coin not given leaves the field unset")

	require.ErrorContains(t, v.Set("6000000000"), "has no denom")
	require.NoError(t, v.Set("6000000000ucor"))
	got, err = v.Get(protoreflect.Value{})
	require.NoError(t, err)
	coin, ok := got.Message().Interface().(*basev1beta1.Coin)
	require.True(t, ok)
	require.Equal(t, "6000000000", coin.Amount)
	require.Equal(t, "ucor", coin.Denom)
	require.Equal(t, "6000000000ucor", v.String())
}
