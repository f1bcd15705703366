package types

import (
	"context"

	sdk "github.com/cosmos/cosmos-sdk/types"
)

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
