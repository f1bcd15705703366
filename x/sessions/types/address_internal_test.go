package types

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	sdk "github.com/cosmos/cosmos-sdk/types"
)

// validAddress remembers the last address it accepted, and answers every string as
// the bech32 decoding does, whatever was checked before it.
func TestValidAddressAnswersAsDecodingDoes(t *testing.T) {
	var inputs []string
	for i := range 4 {
		a := sdk.AccAddress([]byte(fmt.Sprintf("address-number-%05d", i))).String()
		bad := a[:len(a)-1] + string("qpzry9x8"[i]) // a checksum that no longer holds
		if bad == a {
			bad = a[:len(a)-1] + "l"
		}
		inputs = append(inputs, a, a, bad, a[:len(a)-2], "", a+"q", a)
	}
	for i, in := range inputs {
		_, decodeErr := sdk.AccAddressFromBech32(in)
		err := validAddress("sender", in)
		require.Equal(t, decodeErr == nil, err == nil, "input %d %q: %v / %v", i, in, decodeErr, err)
		if err != nil {
			require.ErrorIs(t, err, ErrInvalidAddress)
		}
	}
	last := lastValidAddress.Load()
	require.NotNil(t, last)
	require.Equal(t, inputs[len(inputs)-1], *last, "the last accepted address is remembered")
}
