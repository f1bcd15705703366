package keeper_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/cortnet/cortd/x/nodes/types"
)

func TestRegisterNodeEscrowsStake(t *testing.T) {
	f := newFixture(t)
	f.Fund(t, op1, sdk.NewCoins(coin(minStake+5)))
	msg := registerMsg(op1, "n1")
	msg.Models = []string{"medium", "small"} // stored sorted
	msg.NodeAddress = nodeKey1.String()
	_, err := f.msg.RegisterNode(f.Ctx, msg)
	require.NoError(t, err)

	n, err := f.k.GetNode(f.Ctx, "n1")
	require.NoError(t, err)
	require.Equal(t, op1.String(), n.Operator)
	require.Equal(t, nodeKey1.String(), n.NodeAddress)
	require.Equal(t, types.NODE_STATUS_ACTIVE, n.Status)
	require.Equal(t, []string{"medium", "small"}, n.Models)
	require.Equal(t, minStake, n.Stake.Int64())
	require.Equal(t, uint32(0), n.Level)
	require.Equal(t, int64(5), f.Balance(op1, denom).Amount.Int64())
	require.Equal(t, minStake, f.moduleBalance(types.ModuleName))
	require.True(t, f.hasEvent("cortd.nodes.v1.EventNodeRegistered"))

	op, err := f.q.Operator(f.Ctx, &types.QueryOperatorRequest{Operator: op1.String()})
	require.NoError(t, err)
	require.Equal(t, uint32(1), op.Operator.BondedNodes)
	f.checkInvariants(t)
}

func TestRegisterNodeDefaultsNodeAddressToOperator(t *testing.T) {
	f := newFixture(t)
	n := f.register(t, op1, "n1")
	require.Equal(t, op1.String(), n.NodeAddress)
}

func TestRegisterNodeRejections(t *testing.T) {
	cases := []struct {
		name   string
		mutate func(m *types.MsgRegisterNode)
		err    error
	}{
		{"below min stake", func(m *types.MsgRegisterNode) { m.Stake = coin(minStake - 1) }, types.ErrInsufficientStake},
		{"unknown model", func(m *types.MsgRegisterNode) { m.Models = []string{"small", "nope"} }, types.ErrUnknownModel},
		{"retired model", func(m *types.MsgRegisterNode) { m.Models = []string{"retired"} }, types.ErrUnknownModel},
		{"model larger than memory index", func(m *types.MsgRegisterNode) { m.Models = []string{"big"} }, types.ErrModelTooLarge},
		{"unknown pool", func(m *types.MsgRegisterNode) { m.PoolId = 9 }, types.ErrUnknownPool},
		{"wrong denom", func(m *types.MsgRegisterNode) { m.Stake = sdk.NewInt64Coin("uatom", minStake) }, types.ErrInvalidDenom},
		{"zero stake", func(m *types.MsgRegisterNode) { m.Stake = coin(0) }, types.ErrInvalidAmount},
		{"bad node id", func(m *types.MsgRegisterNode) { m.NodeId = "a b" }, types.ErrInvalidID},
		{"bad operator", func(m *types.MsgRegisterNode) { m.Operator = "cosmos1xyz" }, types.ErrInvalidAddress},
		{"bad node address", func(m *types.MsgRegisterNode) { m.NodeAddress = "nope" }, types.ErrInvalidAddress},
		{"bad endpoint scheme", func(m *types.MsgRegisterNode) { m.Endpoint = "ftp://host" }, types.ErrInvalidEndpoint},
		{"endpoint too long", func(m *types.MsgRegisterNode) { m.Endpoint = "http://h/" + strings.Repeat("a", 300) }, types.ErrInvalidEndpoint},
		{"no cpu", func(m *types.MsgRegisterNode) { m.Spec.CpuCores = 0 }, types.ErrInvalidSpec},
		{"gpu count without vram", func(m *types.MsgRegisterNode) { m.Spec.VramMib = 0 }, types.ErrInvalidSpec},
		{"zero memory index", func(m *types.MsgRegisterNode) { m.MemoryIndexMib = 0 }, types.ErrInvalidMemoryIndex},
		{"memory index above machine", func(m *types.MsgRegisterNode) { m.MemoryIndexMib = 100_000 }, types.ErrInvalidMemoryIndex},
		{"no models", func(m *types.MsgRegisterNode) { m.Models = nil }, types.ErrInvalidModels},
		{"duplicate model", func(m *types.MsgRegisterNode) { m.Models = []string{"small", "small"} }, types.ErrInvalidModels},
		{"too many models", func(m *types.MsgRegisterNode) {
			m.Models = nil
			for i := range 33 {
				m.Models = append(m.Models, nodeID(i))
			}
		}, types.ErrInvalidModels},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			f.Fund(t, op1, sdk.NewCoins(coin(2*minStake)))
			before := f.snapshot(t)
			msg := registerMsg(op1, "n1")
			tc.mutate(msg)
			_, err := f.msg.RegisterNode(f.Ctx, msg)
			require.ErrorIs(t, err, tc.err)
			require.Equal(t, before, f.snapshot(t), "state unchanged")
		})
	}
}

func TestRegisterNodeTwice(t *testing.T) {
	f := newFixture(t)
	f.register(t, op1, "n1")
	f.Fund(t, op2, sdk.NewCoins(coin(minStake)))
	before := f.snapshot(t)
	_, err := f.msg.RegisterNode(f.Ctx, registerMsg(op2, "n1"))
	require.ErrorIs(t, err, types.ErrNodeExists)
	require.Equal(t, before, f.snapshot(t))
}

func TestRegisterNodeInsufficientFunds(t *testing.T) {
	f := newFixture(t)
	f.Fund(t, op1, sdk.NewCoins(coin(minStake-1)))
	before := f.snapshot(t)
	_, err := f.msg.RegisterNode(f.Ctx, registerMsg(op1, "n1"))
	require.ErrorContains(t, err, "insufficient funds")
	require.Equal(t, before, f.snapshot(t))
}
