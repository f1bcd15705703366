package amountflag

import (
	"context"

	"google.golang.org/protobuf/reflect/protoreflect"

	basev1beta1 "cosmossdk.io/api/cosmos/base/v1beta1"
	"cosmossdk.io/client/v2/autocli/flag"
)

// IntScalar and CoinMessage name the proto types whose autocli flags Register replaces.
const (
	IntScalar   = "cosmos.Int"
	CoinMessage = protoreflect.FullName("cosmos.base.v1beta1.Coin")
)

// Register makes autocli parse every cosmos.Int field with ParseAmount and every Coin
// field with ParseCoin, flags and positional arguments alike. Without it a cosmos.Int
// field is a plain string flag: "5000000ucor" reaches signing and fails there (or on
// chain) with an error that does not say which form was expected.
func Register(b *flag.Builder) {
	b.DefineScalarFlagType(IntScalar, intType{})
	b.DefineMessageFlagType(CoinMessage, coinType{})
}

type intType struct{}

func (intType) NewValue(*context.Context, *flag.Builder) flag.Value { return &intValue{} }

// DefaultValue is empty: an amount not given stays unset, as it was with the string flag.
func (intType) DefaultValue() string { return "" }

// intValue holds a canonical whole number ("" while unset).
type intValue struct{ value string }

func (v *intValue) Set(s string) error {
	amount, err := ParseAmount(s)
	if err != nil {
		return err
	}
	v.value = amount.String()
	return nil
}

func (v *intValue) Get(protoreflect.Value) (protoreflect.Value, error) {
	return protoreflect.ValueOfString(v.value), nil
}

func (v *intValue) String() string { return v.value }

// Type is what help shows after the flag name: the unit of the number.
func (v *intValue) Type() string { return Denom }

type coinType struct{}

func (coinType) NewValue(*context.Context, *flag.Builder) flag.Value { return &coinValue{} }

func (coinType) DefaultValue() string { return "" }

// coinValue holds a parsed coin (nil while unset, which leaves the field unset).
type coinValue struct{ value *basev1beta1.Coin }

func (v *coinValue) Set(s string) error {
	amount, denom, err := ParseCoin(s)
	if err != nil {
		return err
	}
	v.value = &basev1beta1.Coin{Denom: denom, Amount: amount.String()}
	return nil
}

func (v *coinValue) Get(protoreflect.Value) (protoreflect.Value, error) {
	if v.value == nil {
		return protoreflect.Value{}, nil
	}
	return protoreflect.ValueOfMessage(v.value.ProtoReflect()), nil
}

func (v *coinValue) String() string {
	if v.value == nil {
		return ""
	}
	return v.value.Amount + v.value.Denom
}

func (v *coinValue) Type() string { return "coin" }
