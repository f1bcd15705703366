package simulation

import (
	"crypto/sha256"
	"encoding/hex"
	"math/rand"

	"cosmossdk.io/collections"
	sdkmath "cosmossdk.io/math"

	"github.com/cosmos/cosmos-sdk/baseapp"
	sdk "github.com/cosmos/cosmos-sdk/types"
	simtypes "github.com/cosmos/cosmos-sdk/types/simulation"
	"github.com/cosmos/cosmos-sdk/x/simulation"

	"github.com/cortnet/cortd/x/data/keeper"
	"github.com/cortnet/cortd/x/data/types"
	"github.com/cortnet/cortd/x/internal/embedding"
	"github.com/cortnet/cortd/x/internal/simx"
)

// Operation weights (keys of the simulation's app params).
const (
	OpWeightSubmitData   = "op_weight_msg_submit_data"
	OpWeightClaimReward  = "op_weight_msg_claim_reward"
	OpWeightFundPool     = "op_weight_msg_fund_pool"
	OpWeightUpdateParams = "op_weight_msg_data_update_params"

	walkLimit = 200
)

// Deps is what the operations deliver through.
type Deps struct {
	simx.Env
}

// WeightedOperations returns one operation per x/data message.
func WeightedOperations(appParams simtypes.AppParams, d Deps, k keeper.Keeper) simulation.WeightedOperations {
	weight := func(key string, def int) int {
		var w int
		appParams.GetOrGenerate(key, &w, nil, func(*rand.Rand) { w = def })
		return w
	}
	return simulation.WeightedOperations{
		simulation.NewWeightedOperation(weight(OpWeightSubmitData, 30), SimulateMsgSubmitData(d, k)),
		simulation.NewWeightedOperation(weight(OpWeightClaimReward, 20), SimulateMsgClaimReward(d, k)),
		simulation.NewWeightedOperation(weight(OpWeightFundPool, 5), SimulateMsgFundPool(d, k)),
		simulation.NewWeightedOperation(weight(OpWeightUpdateParams, 5), SimulateMsgUpdateParams(d, k)),
	}
}

// SimulateMsgSubmitData fills a random open target: the embedding is the target's centre
// (distance 0, within any threshold), the claimed winner the first assigned model with
// the lowest loss, the bond what the size needs plus a little.
func SimulateMsgSubmitData(d Deps, k keeper.Keeper) simtypes.Operation {
	return func(r *rand.Rand, app *baseapp.BaseApp, ctx sdk.Context, accs []simtypes.Account, _ string) (simtypes.OperationMsg, []simtypes.FutureOperation, error) {
		msg := &types.MsgSubmitData{}
		p, err := k.Params.Get(ctx)
		if err != nil {
			return d.NoOp(msg, "params: %v", err)
		}
		var open []uint64
		n := 0
		if err := k.OpenTargets.Walk(ctx, nil, func(id uint64) (bool, error) {
			n++
			open = append(open, id)
			return n >= walkLimit, nil
		}); err != nil || len(open) == 0 {
			return d.NoOp(msg, "no open target (%v)", err)
		}
		t, err := k.GetTarget(ctx, open[r.Intn(len(open))])
		if err != nil || len(t.Models) == 0 {
			return d.NoOp(msg, "target: %v", err)
		}
		from, _ := simtypes.RandomAcc(r, accs)
		size := uint64(1 + r.Int63n(int64(p.MaxDataBytes)))
		bond := p.BondPerByte.Mul(sdkmath.NewIntFromUint64(size)).Add(sdkmath.NewInt(r.Int63n(1000)))
		spent := sdk.NewCoins(sdk.NewCoin(p.Denom, bond))
		if !d.BK.SpendableCoins(ctx, from.Address).IsAllGTE(spent) {
			return d.NoOp(msg, "submitter cannot bond %s", spent)
		}
		losses := make([]types.ModelLoss, len(t.Models))
		for i, id := range t.Models {
			losses[i] = types.ModelLoss{ModelId: id, Loss: sdkmath.LegacyNewDecWithPrec(int64(100+r.Intn(400)), 2)}
		}
		losses[0].Loss = sdkmath.LegacyNewDecWithPrec(int64(r.Intn(100)), 2) // the first model wins
		url := "https://data.example/" + simx.RandomID(r, "doc", 10)
		sum := sha256.Sum256([]byte(url))
		e := append([]int32(nil), t.Centre...)
		msg = &types.MsgSubmitData{
			Submitter: from.Address.String(), TargetId: t.Id, Url: url, Sha256: hex.EncodeToString(sum[:]),
			SizeBytes: size, ModelId: t.Models[0], Losses: losses, Embedding: e,
			DistanceSq: embedding.SquaredDistance(e, t.Centre), Bond: bond,
		}
		return d.Deliver(r, app, ctx, from, msg, spent)
	}
}

// SimulateMsgClaimReward claims a PASSED target's reward, from its claimable epoch on,
// from a random account (anyone may), walking the newest targets.
func SimulateMsgClaimReward(d Deps, k keeper.Keeper) simtypes.Operation {
	return func(r *rand.Rand, app *baseapp.BaseApp, ctx sdk.Context, accs []simtypes.Account, _ string) (simtypes.OperationMsg, []simtypes.FutureOperation, error) {
		msg := &types.MsgClaimReward{}
		es, err := k.Epoch.Get(ctx)
		if err != nil {
			return d.NoOp(msg, "epoch: %v", err)
		}
		var passed []uint64
		n := 0
		if err := k.Targets.Walk(ctx, new(collections.Range[uint64]).Descending(), func(id uint64, t types.Target) (bool, error) {
			n++
			if t.Status == types.TARGET_STATUS_PASSED && es.Epoch >= t.ClaimableEpoch {
				passed = append(passed, id)
			}
			return n >= walkLimit, nil
		}); err != nil || len(passed) == 0 {
			return d.NoOp(msg, "no passed target (%v)", err)
		}
		from, _ := simtypes.RandomAcc(r, accs)
		msg = &types.MsgClaimReward{Claimer: from.Address.String(), TargetId: passed[r.Intn(len(passed))]}
		return d.Deliver(r, app, ctx, from, msg, nil)
	}
}

// SimulateMsgFundPool adds to the rewards pool.
func SimulateMsgFundPool(d Deps, k keeper.Keeper) simtypes.Operation {
	return func(r *rand.Rand, app *baseapp.BaseApp, ctx sdk.Context, accs []simtypes.Account, _ string) (simtypes.OperationMsg, []simtypes.FutureOperation, error) {
		msg := &types.MsgFundPool{}
		p, err := k.Params.Get(ctx)
		if err != nil {
			return d.NoOp(msg, "params: %v", err)
		}
		from, _ := simtypes.RandomAcc(r, accs)
		amount := sdkmath.NewInt(1 + r.Int63n(100_000_000))
		spent := sdk.NewCoins(sdk.NewCoin(p.Denom, amount))
		if !d.BK.SpendableCoins(ctx, from.Address).IsAllGTE(spent) {
			return d.NoOp(msg, "funder cannot pay %s", spent)
		}
		msg = &types.MsgFundPool{Funder: from.Address.String(), Amount: amount}
		return d.Deliver(r, app, ctx, from, msg, spent)
	}
}

// UpdateParamsMsg randomizes the params, keeping the denom (the module holds funds in it),
// the epoch identifier and the dimension (the open targets use it).
func UpdateParamsMsg(r *rand.Rand, authority string, current types.Params) *types.MsgUpdateParams {
	p := RandomParams(r, current.Denom)
	p.EpochIdentifier, p.EmbeddingDim = current.EpochIdentifier, current.EmbeddingDim
	p.MintShare = current.MintShare
	return &types.MsgUpdateParams{Authority: authority, Params: p}
}

// SimulateMsgUpdateParams replaces the params through the authority, as a passed
// governance proposal would.
func SimulateMsgUpdateParams(d Deps, k keeper.Keeper) simtypes.Operation {
	return func(r *rand.Rand, app *baseapp.BaseApp, ctx sdk.Context, _ []simtypes.Account, _ string) (simtypes.OperationMsg, []simtypes.FutureOperation, error) {
		p, err := k.Params.Get(ctx)
		if err != nil {
			return d.NoOp(&types.MsgUpdateParams{}, "params: %v", err)
		}
		return d.DeliverAuthority(app, ctx, UpdateParamsMsg(r, k.Authority(), p))
	}
}

// ProposalMsgs are the governance proposal messages x/gov's simulation submits.
func ProposalMsgs(k keeper.Keeper) []simtypes.WeightedProposalMsg {
	return []simtypes.WeightedProposalMsg{
		simulation.NewWeightedProposalMsg(OpWeightUpdateParams, 3,
			func(r *rand.Rand, ctx sdk.Context, _ []simtypes.Account) sdk.Msg {
				p, err := k.Params.Get(ctx)
				if err != nil {
					p = types.DefaultParams()
				}
				return UpdateParamsMsg(r, k.Authority(), p)
			}),
	}
}
