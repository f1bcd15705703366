package types_test

import (
	"math"
	"math/rand"
	"testing"

	"github.com/stretchr/testify/require"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/cortnet/cortd/x/payments/types"
)

// TestEventTaskSettledIsTypedEventToEvent: the hand-written encoding equals the SDK's
// reflection-based one, on edge values (empty and nil lists, non-ASCII, HTML characters,
// invalid UTF-8, the largest integers) and random ones.
func TestEventTaskSettledIsTypedEventToEvent(t *testing.T) {
	edge := []string{"", "cor1payee", "100ucor", `q"uote\`, "<b>&</b>", "tab\tnl\n", "\x00\x7f", "héllo 世界", "\xff\xfe bad", "\u2028"}
	r := rand.New(rand.NewSource(3))
	str := func(i int) string {
		if i < len(edge) {
			return edge[i]
		}
		b := make([]byte, r.Intn(16))
		for j := range b {
			b[j] = byte(r.Intn(256))
		}
		return edge[r.Intn(len(edge))] + string(b)
	}
	for i := 0; i < 300; i++ {
		ev := &types.EventTaskSettled{SessionId: r.Uint64(), TaskId: uint64(i), Price: str(i), Returned: str(i + 3)}
		switch i % 4 {
		case 0:
			ev.SessionId, ev.TaskId = math.MaxUint64, 0
		case 1:
			ev.Payees = []string{}
		default:
			for j := 0; j < 1+r.Intn(4); j++ {
				ev.Payees = append(ev.Payees, str(r.Intn(20)))
			}
		}
		want, err := sdk.TypedEventToEvent(ev)
		require.NoError(t, err)
		require.Equal(t, want, ev.ABCIEvent(), "%v", ev)
	}
}
