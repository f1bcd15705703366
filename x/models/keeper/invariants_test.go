package keeper_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/cortnet/cortd/testutil/keepers"
	"github.com/cortnet/cortd/x/models/types"
)

// TestDepositsInvariantUnderRandomMessages sends random registrations, retirements and
// param changes from random senders (many of them invalid) and checks after every step
// that the module account holds exactly the deposits of the registered models.
func TestDepositsInvariantUnderRandomMessages(t *testing.T) {
	for seed := uint64(1); seed <= 5; seed++ {
		t.Run(fmt.Sprintf("seed%d", seed), func(t *testing.T) {
			f := newFixture(t)
			rng := rand.New(rand.NewPCG(seed, 42))
			actors := []sdk.AccAddress{alice, bob, keepers.NewAddr("carol")}
			for _, a := range actors {
				f.Fund(t, a, sdk.NewCoins(sdk.NewInt64Coin(denom, int64(rng.IntN(5))*100_000_000)))
			}
			authority := sdk.MustAccAddressFromBech32(f.Authority)
			for step := range 200 {
				id := fmt.Sprintf("m%d", rng.IntN(12))
				sender := actors[rng.IntN(len(actors))]
				if rng.IntN(10) == 0 {
					sender = authority
				}
				switch rng.IntN(4) {
				case 0, 1:
					msg := validMsg(sender, id)
					if rng.IntN(4) == 0 {
						msg.EmbeddingDim = 0 // invalid on purpose
					}
					_, _ = f.msg.RegisterModel(f.Ctx, msg)
				case 2:
					_, _ = f.msg.RetireModel(f.Ctx, &types.MsgRetireModel{Sender: sender.String(), Id: id})
				case 3:
					p := types.DefaultParams()
					p.RegistrationDeposit = sdk.NewInt64Coin(denom, int64(rng.IntN(3))*50_000_000)
					_, _ = f.msg.UpdateParams(f.Ctx, &types.MsgUpdateParams{Authority: sender.String(), Params: p})
				}
				msg, broken := f.invariant()
				require.False(t, broken, "step %d: %s", step, msg)
			}
		})
	}
}
