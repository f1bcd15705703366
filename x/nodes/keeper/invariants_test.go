package keeper_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/cortnet/cortd/testutil/keepers"
	"github.com/cortnet/cortd/x/nodes/keeper"
	"github.com/cortnet/cortd/x/nodes/types"
)

// TestInvariantsUnderRandomMessages sends random registrations, stake changes, updates,
// heartbeats, unbondings, withdrawals, pool funding, role grants, task reports, slashes,
// period ends and blocks (many of them invalid on purpose) and checks after every step
// that the module account holds exactly stakes + unbonding + unpaid rewards and that the
// indexes match the nodes. Ends with a genesis round trip of the final state.
func TestInvariantsUnderRandomMessages(t *testing.T) {
	for seed := uint64(1); seed <= 6; seed++ {
		t.Run(fmt.Sprintf("seed%d", seed), func(t *testing.T) {
			f := newFixture(t, func(p *types.Params) {
				p.UnbondingBlocks = 15
				p.MaxSettlementsPerBlock = 3
				p.MaxUnbondingsPerBlock = 2
				p.HeartbeatIntervalBlocks = 3
			})
			rng := rand.New(rand.NewPCG(seed, 7))
			actors := []sdk.AccAddress{op1, op2, keepers.NewAddr("carol")}
			for _, a := range actors {
				f.Fund(t, a, sdk.NewCoins(coin(int64(3+rng.IntN(6))*minStake+rng.Int64N(1000))))
			}
			pick := func() sdk.AccAddress { return actors[rng.IntN(len(actors))] }
			models := []string{"small", "medium", "big", "nope", "retired"}
			succeeded := map[string]int{}
			count := func(name string, err error) {
				if err == nil {
					succeeded[name]++
				}
			}
			for step := range 400 {
				id := fmt.Sprintf("n%d", rng.IntN(8))
				sender := pick()
				// most messages about an existing node come from its operator, so that
				// valid paths are exercised as much as rejections
				if n, err := f.k.GetNode(f.Ctx, id); err == nil && rng.IntN(3) > 0 {
					sender = sdk.MustAccAddressFromBech32(n.Operator)
				}
				switch rng.IntN(14) {
				case 0, 1:
					msg := registerMsg(sender, id)
					msg.Stake = coin(minStake - 1 + rng.Int64N(3))
					msg.Models = []string{models[rng.IntN(len(models))]}
					_, err := f.msg.RegisterNode(f.Ctx, msg)
					count("RegisterNode", err)
				case 2:
					_, err := f.msg.AddStake(f.Ctx, &types.MsgAddStake{Operator: sender.String(), NodeId: id, Amount: coin(1 + rng.Int64N(1000))})
					count("AddStake", err)
				case 3:
					_, err := f.msg.UpdateNode(f.Ctx, &types.MsgUpdateNode{Operator: sender.String(), NodeId: id, Endpoint: "http://x:1",
						Spec: spec(), MemoryIndexMib: uint64(1 + rng.IntN(60_000)), Models: []string{models[rng.IntN(len(models))]}})
					count("UpdateNode", err)
				case 5: // a live network: every node heartbeats
					all, err := f.q.Nodes(f.Ctx, &types.QueryNodesRequest{})
					require.NoError(t, err)
					for _, n := range all.Nodes {
						_, err := f.msg.Heartbeat(f.Ctx, &types.MsgHeartbeat{NodeAddress: n.NodeAddress, NodeId: n.Id})
						count("Heartbeat", err)
					}
				case 4:
					_, err := f.msg.Heartbeat(f.Ctx, &types.MsgHeartbeat{NodeAddress: sender.String(), NodeId: id, LoadedModels: []string{models[rng.IntN(2)]}})
					count("Heartbeat", err)
				case 6:
					_, err := f.msg.UnbondNode(f.Ctx, &types.MsgUnbondNode{Operator: sender.String(), NodeId: id})
					count("UnbondNode", err)
				case 7:
					_, err := f.msg.WithdrawRewards(f.Ctx, &types.MsgWithdrawRewards{Operator: sender.String(), NodeId: id})
					count("WithdrawRewards", err)
				case 8:
					_, err := f.msg.FundRewardsPool(f.Ctx, &types.MsgFundRewardsPool{Sender: sender.String(), Amount: coin(rng.Int64N(60 * cor))})
					count("FundRewardsPool", err)
				case 9:
					roles := []string{"a", "b", "c", "d", "e", "f"}[:rng.IntN(7)]
					authority := f.Authority
					if rng.IntN(3) == 0 {
						authority = sender.String()
					}
					_, err := f.msg.SetOperatorRoles(f.Ctx, &types.MsgSetOperatorRoles{Authority: authority, Operator: sender.String(), Roles: roles})
					count("SetOperatorRoles", err)
				case 10:
					_ = f.k.RecordAssignment(f.Ctx, id)
					_ = f.k.RecordPrecommit(f.Ctx, id, rng.IntN(2) == 0)
					_ = f.k.RecordCommit(f.Ctx, id, rng.IntN(2) == 0)
					if rng.IntN(2) == 0 {
						_ = f.k.RecordValidated(f.Ctx, id)
					} else {
						_ = f.k.RecordRejected(f.Ctx, id)
					}
				case 11:
					if rng.IntN(3) > 0 {
						break
					}
					_, err := f.k.SlashNode(f.Ctx, id, decStr(fmt.Sprintf("0.%d", 1+rng.IntN(9))), "test")
					count("SlashNode", err)
				case 12, 13:
					require.NoError(t, f.k.ClosePeriod(f.Ctx))
				}
				// every step is a block: end it, start the next
				require.NoError(t, f.k.EndBlocker(f.Ctx))
				f.atHeight(f.Ctx.BlockHeight() + 1)
				require.NoError(t, f.k.BeginBlocker(f.Ctx))
				msg, broken := keeper.AllInvariants(f.k)(f.Ctx)
				require.False(t, broken, "step %d: %s", step, msg)
			}
			for _, name := range []string{"RegisterNode", "Heartbeat", "UnbondNode", "WithdrawRewards", "SlashNode"} {
				require.Positive(t, succeeded[name], "%s never succeeded: the sequence is too hostile to test much", name)
			}
			gs, err := f.k.ExportGenesis(f.Ctx)
			require.NoError(t, err)
			require.NoError(t, gs.Validate(), "exported state validates")
			g := newFixture(t)
			require.NoError(t, g.k.InitGenesis(g.Ctx, gs))
			again, err := g.k.ExportGenesis(g.Ctx)
			require.NoError(t, err)
			require.Equal(t, gs, again)
		})
	}
}
