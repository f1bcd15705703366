package types

import (
	"context"

	sdkmath "cosmossdk.io/math"

	"cosmossdk.io/core/address"

	sdk "github.com/cosmos/cosmos-sdk/types"
	stakingtypes "github.com/cosmos/cosmos-sdk/x/staking/types"

	nodestypes "github.com/cortnet/cortd/x/nodes/types"
)

// StakingKeeper is what x/challenges reads from x/staking. *stakingkeeper.Keeper satisfies it.
type StakingKeeper interface {
	IterateBondedValidatorsByPower(ctx context.Context, fn func(index int64, validator stakingtypes.ValidatorI) (stop bool)) error
	GetValidator(ctx context.Context, addr sdk.ValAddress) (stakingtypes.Validator, error)
	ValidatorAddressCodec() address.Codec
}

// NodesKeeper is what x/challenges reads from x/nodes (its stable keeper API).
type NodesKeeper interface {
	GetNode(ctx context.Context, id string) (nodestypes.Node, error)
	GetParams(ctx context.Context) (nodestypes.Params, error)
}

// BankKeeper moves posting deposits.
type BankKeeper interface {
	SendCoinsFromAccountToModule(ctx context.Context, sender sdk.AccAddress, recipientModule string, amt sdk.Coins) error
	SendCoinsFromModuleToAccount(ctx context.Context, senderModule string, recipient sdk.AccAddress, amt sdk.Coins) error
	SendCoinsFromModuleToModule(ctx context.Context, senderModule, recipientModule string, amt sdk.Coins) error
	SpendableCoins(ctx context.Context, addr sdk.AccAddress) sdk.Coins
	GetBalance(ctx context.Context, addr sdk.AccAddress, denom string) sdk.Coin
	GetAllBalances(ctx context.Context, addr sdk.AccAddress) sdk.Coins
}

// AccountKeeper gives the module account's address.
type AccountKeeper interface {
	GetModuleAddress(name string) sdk.AccAddress
}

// DistributionKeeper receives forfeited deposits into the community pool.
type DistributionKeeper interface {
	FundCommunityPool(ctx context.Context, amount sdk.Coins, sender sdk.AccAddress) error
}

// MintSource reports what x/mint minted this block (the block provision); may be nil.
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
