package keepers

import (
	"context"

	sdk "github.com/cosmos/cosmos-sdk/types"
	distrtypes "github.com/cosmos/cosmos-sdk/x/distribution/types"

	bankkeeper "github.com/cosmos/cosmos-sdk/x/bank/keeper"
)

// CommunityPool stands in for x/distribution's FundCommunityPool in module tests without
// a staking keeper: it moves the coins into the distribution module account exactly as
// the real keeper does (and counts them, where the real one books them in its fee pool).
// Fixtures must list distrtypes.ModuleName among NewBase's module accounts.
type CommunityPool struct {
	Bank   bankkeeper.BaseKeeper
	Funded sdk.Coins
}

// FundCommunityPool sends amount from sender to the distribution module account.
func (c *CommunityPool) FundCommunityPool(ctx context.Context, amount sdk.Coins, sender sdk.AccAddress) error {
	if err := c.Bank.SendCoinsFromAccountToModule(ctx, sender, distrtypes.ModuleName, amount); err != nil {
		return err
	}
	c.Funded = c.Funded.Add(amount...)
	return nil
}
