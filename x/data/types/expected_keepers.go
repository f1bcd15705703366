package types

import (
	"context"

	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"

	modelstypes "github.com/cortnet/cortd/x/models/types"
)

// ModelsKeeper is what x/data reads from x/models (the x/models keeper in the app).
type ModelsKeeper interface {
	GetModel(ctx context.Context, id string) (modelstypes.Model, error)
	// WalkModels visits models in id order until fn returns true or limit were visited.
	WalkModels(ctx context.Context, limit uint32, fn func(modelstypes.Model) bool) error
}

// BankKeeper moves bonds, pool funds and rewards through the module account.
type BankKeeper interface {
	SendCoinsFromAccountToModule(ctx context.Context, senderAddr sdk.AccAddress, recipientModule string, amt sdk.Coins) error
	SendCoinsFromModuleToAccount(ctx context.Context, senderModule string, recipientAddr sdk.AccAddress, amt sdk.Coins) error
	SendCoinsFromModuleToModule(ctx context.Context, senderModule, recipientModule string, amt sdk.Coins) error
	GetBalance(ctx context.Context, addr sdk.AccAddress, denom string) sdk.Coin
}

// MintSource tells what x/mint minted this block (nodeskeeper.MintProvision in the app).
type MintSource interface {
	BlockProvision(ctx context.Context) (sdk.Coin, error)
}

// AccountKeeper gives the module account address.
type AccountKeeper interface {
	GetModuleAddress(moduleName string) sdk.AccAddress
}

// CommunityPool receives the community share of forfeited bonds (x/distribution in the app).
type CommunityPool interface {
	FundCommunityPool(ctx context.Context, amount sdk.Coins, sender sdk.AccAddress) error
}

// AuditsKeeper opens audits of filled targets (x/audits).
type AuditsKeeper interface {
	OpenAudit(ctx context.Context, subjectModule, subjectID string, exclude []sdk.AccAddress, payloadHash []byte) (uint64, error)
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
