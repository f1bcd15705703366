package keeper

import (
	"fmt"

	"cosmossdk.io/collections"
	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/cortnet/cortd/x/nodes/types"
)

// EscrowInvariant checks that the nodes module account holds exactly the stakes (bonded
// and unbonding) plus the settled, unwithdrawn rewards of all nodes, in the params denom
// and nothing else: nothing stranded, nothing missing.
func EscrowInvariant(k Keeper) sdk.Invariant {
	return func(ctx sdk.Context) (string, bool) {
		p, err := k.Params.Get(ctx)
		if err != nil {
			return sdk.FormatInvariant(types.ModuleName, "escrow", err.Error()), true
		}
		stakes, unbonding, rewards := sdkmath.ZeroInt(), sdkmath.ZeroInt(), sdkmath.ZeroInt()
		err = k.Nodes.Walk(ctx, nil, func(_ string, n types.Node) (bool, error) {
			if n.Status == types.NODE_STATUS_UNBONDING {
				unbonding = unbonding.Add(n.Stake)
			} else {
				stakes = stakes.Add(n.Stake)
			}
			rewards = rewards.Add(n.AccruedRewards)
			return false, nil
		})
		if err != nil {
			return sdk.FormatInvariant(types.ModuleName, "escrow", err.Error()), true
		}
		expected := sdk.NewCoins(sdk.NewCoin(p.Denom, stakes.Add(unbonding).Add(rewards)))
		held := k.bank.GetAllBalances(ctx, k.moduleAddress())
		return sdk.FormatInvariant(types.ModuleName, "escrow", fmt.Sprintf(
			"module account holds %s; stakes %s + unbonding %s + unpaid rewards %s = %s",
			held, stakes, unbonding, rewards, expected)), !held.Equal(expected)
	}
}

// IndexInvariant checks the operator records' bonded counts and the indexes against the
// nodes (the state the settlement and eligibility code trust).
func IndexInvariant(k Keeper) sdk.Invariant {
	return func(ctx sdk.Context) (string, bool) {
		bonded := map[string]uint32{}
		var indexEntries, modelEntries int
		var problem string
		err := k.Nodes.Walk(ctx, nil, func(_ string, n types.Node) (bool, error) {
			if n.Status == types.NODE_STATUS_ACTIVE {
				bonded[n.Operator]++
			}
			modelEntries += len(n.Models)
			indexEntries++
			return false, nil
		})
		if err == nil {
			err = k.Operators.Walk(ctx, nil, func(addr string, op types.Operator) (bool, error) {
				if op.BondedNodes != bonded[addr] && problem == "" {
					problem = fmt.Sprintf("operator %s bonded_nodes %d, nodes say %d", addr, op.BondedNodes, bonded[addr])
				}
				delete(bonded, addr)
				return false, nil
			})
		}
		if err != nil {
			return sdk.FormatInvariant(types.ModuleName, "index", err.Error()), true
		}
		if problem == "" && len(bonded) > 0 {
			problem = "bonded nodes without an operator record"
		}
		var byOperator, byModel int
		_ = k.NodesByOperator.Walk(ctx, nil, func(_ collections.Pair[string, string]) (bool, error) { byOperator++; return false, nil })
		_ = k.NodesByModel.Walk(ctx, nil, func(_ collections.Pair[string, string]) (bool, error) { byModel++; return false, nil })
		if problem == "" && (byOperator != indexEntries || byModel != modelEntries) {
			problem = fmt.Sprintf("index sizes: by operator %d (nodes %d), by model %d (served %d)", byOperator, indexEntries, byModel, modelEntries)
		}
		return sdk.FormatInvariant(types.ModuleName, "index", problem), problem != ""
	}
}

// AllInvariants runs every x/nodes invariant. x/crisis is retired in SDK v0.54, so tests
// and simulations call this after each step instead of a crisis module.
func AllInvariants(k Keeper) sdk.Invariant {
	return func(ctx sdk.Context) (string, bool) {
		if msg, broken := EscrowInvariant(k)(ctx); broken {
			return msg, true
		}
		return IndexInvariant(k)(ctx)
	}
}
