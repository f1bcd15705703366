package keeper

import (
	"context"

	errorsmod "cosmossdk.io/errors"
	sdkmath "cosmossdk.io/math"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/cortnet/cortd/x/models/types"
)

// RegisterModel validates the description, escrows the deposit (unless the authority
// registers), stores the model as active and emits EventModelRegistered. Every check runs
// before the first write, so a rejected message changes nothing.
func (s msgServer) RegisterModel(ctx context.Context, msg *types.MsgRegisterModel) (*types.MsgRegisterModelResponse, error) {
	if err := msg.ValidateBasic(); err != nil {
		return nil, err
	}
	params, err := s.Params.Get(ctx)
	if err != nil {
		return nil, err
	}
	fields := msg.Fields()
	if err := fields.ValidateAgainstParams(params); err != nil {
		return nil, err
	}
	has, err := s.Models.Has(ctx, msg.Id)
	if err != nil {
		return nil, err
	}
	if has {
		return nil, errorsmod.Wrapf(types.ErrModelExists, "%q", msg.Id)
	}

	byAuthority := msg.Sender == s.authority
	owner := msg.Sender
	if msg.Owner != "" && msg.Owner != msg.Sender {
		if !byAuthority {
			return nil, errorsmod.Wrap(types.ErrUnauthorized, "only the authority may register a model for another owner")
		}
		owner = msg.Owner
	}

	deposit := sdk.NewCoin(params.RegistrationDeposit.Denom, sdkmath.ZeroInt())
	if !byAuthority && params.RegistrationDeposit.IsPositive() {
		deposit = params.RegistrationDeposit
		sender := sdk.MustAccAddressFromBech32(msg.Sender)
		if err := s.bank.SendCoinsFromAccountToModule(ctx, sender, types.ModuleName, sdk.NewCoins(deposit)); err != nil {
			return nil, errorsmod.Wrapf(err, "escrowing registration deposit %s", deposit)
		}
	}

	sdkCtx := sdk.UnwrapSDKContext(ctx)
	model := types.Model{
		Id:               msg.Id,
		Name:             msg.Name,
		Architecture:     msg.Architecture,
		WeightsUri:       msg.WeightsUri,
		WeightsSha256:    msg.WeightsSha256,
		TokenizerSha256:  msg.TokenizerSha256,
		ManifestSha256:   msg.ManifestSha256,
		EmbeddingDim:     msg.EmbeddingDim,
		MemoryMib:        msg.MemoryMib,
		Modality:         msg.Modality,
		Owner:            owner,
		Status:           types.MODEL_STATUS_ACTIVE,
		Deposit:          deposit,
		RegisteredHeight: sdkCtx.BlockHeight(),
	}
	if err := s.Models.Set(ctx, model.Id, model); err != nil {
		return nil, err
	}
	depositStr := ""
	if deposit.IsPositive() {
		depositStr = deposit.String()
	}
	if err := sdkCtx.EventManager().EmitTypedEvent(&types.EventModelRegistered{
		Id: model.Id, Owner: owner, Architecture: model.Architecture, EmbeddingDim: model.EmbeddingDim,
		MemoryMib: model.MemoryMib, WeightsSha256: model.WeightsSha256, Deposit: depositStr,
		ManifestSha256: model.ManifestSha256, WeightsUri: model.WeightsUri, Modality: model.Modality,
	}); err != nil {
		return nil, err
	}
	s.Logger(ctx).Info("model registered", "id", model.Id, "owner", owner, "architecture", model.Architecture, "modality", model.Modality.Name())
	return &types.MsgRegisterModelResponse{Id: model.Id}, nil
}
