package types

import (
	"context"

	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"

	modelstypes "github.com/cortnet/cortd/x/models/types"
)

// BankKeeper is what x/nodes needs from x/bank: escrow of stakes, payment of rewards.
type BankKeeper interface {
	SendCoinsFromAccountToModule(ctx context.Context, senderAddr sdk.AccAddress, recipientModule string, amt sdk.Coins) error
	SendCoinsFromModuleToAccount(ctx context.Context, senderModule string, recipientAddr sdk.AccAddress, amt sdk.Coins) error
	SendCoinsFromModuleToModule(ctx context.Context, senderModule, recipientModule string, amt sdk.Coins) error
	GetBalance(ctx context.Context, addr sdk.AccAddress, denom string) sdk.Coin
	GetAllBalances(ctx context.Context, addr sdk.AccAddress) sdk.Coins
}

// AccountKeeper is what x/nodes needs from x/auth.
type AccountKeeper interface {
	GetModuleAddress(moduleName string) sdk.AccAddress
}

// ModelsKeeper is the x/models dependency: a served model must exist, be active, and fit
// the node's memory index.
type ModelsKeeper interface {
	GetActiveModel(ctx context.Context, id string) (modelstypes.Model, error)
}

// CommunityPool receives slashed stake (x/distribution's keeper in the app). The sender is
// the nodes module account.
type CommunityPool interface {
	FundCommunityPool(ctx context.Context, amount sdk.Coins, sender sdk.AccAddress) error
}

// MintSource tells how much x/mint minted in the current block, so the mint share can be
// moved from the fee collector to the rewards pool. Optional: nil disables the mint share.
type MintSource interface {
	BlockProvision(ctx context.Context) (sdk.Coin, error)
}

// MintShares reports every rewards pool's current mint_share (x/nodes, x/challenges,
// x/data) so that a MsgUpdateParams changing this module's share keeps the three summing
// to at most 1 (x/internal/mintshare.CheckTotal). The app implements it over the three
// keepers' params and sets it with SetMintShares.
type MintShares interface {
	// VisitMintShares calls fn with each pool's module name and mint_share, in a fixed
	// order.
	VisitMintShares(ctx context.Context, fn func(module string, share sdkmath.LegacyDec)) error
}
