package keeper_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/cortnet/cortd/testutil/keepers"
	"github.com/cortnet/cortd/x/models"
	"github.com/cortnet/cortd/x/nodes"
	nodestypes "github.com/cortnet/cortd/x/nodes/types"
	"github.com/cortnet/cortd/x/payments"
	paymentskeeper "github.com/cortnet/cortd/x/payments/keeper"
	paymentstypes "github.com/cortnet/cortd/x/payments/types"
	"github.com/cortnet/cortd/x/sessions"
	"github.com/cortnet/cortd/x/sessions/keeper"
	"github.com/cortnet/cortd/x/sessions/types"
)

const (
	denom = "ucor"
	model = "tiny"
	dim   = 4
	price = int64(100)
)

var (
	alice    = keepers.NewAddr("alice")
	stranger = keepers.NewAddr("stranger")
)

func opAddr(i int) sdk.AccAddress { return keepers.NewAddr(fmt.Sprintf("op%d", i)) }
func nodeID(i int) string         { return fmt.Sprintf("node-%04d", i) }

// fixture is a real x/sessions keeper over real x/payments, x/nodes, x/models, auth and
// bank keepers.
type fixture struct {
	*keepers.Base
	nodes *keepers.Nodes
	pay   paymentskeeper.Keeper
	k     keeper.Keeper
	msg   types.MsgServer
	q     types.QueryServer
	nOps  int
}

// testParams: short windows so tests walk through every state in a few blocks.
func testParams() types.Params {
	p := types.DefaultParams()
	p.PrecommitWindowBlocks = 5
	p.CommitWindowBlocks = 5
	p.QueueTimeoutBlocks = 10
	p.RetentionBlocks = 20
	p.MaxReassignments = 2
	return p
}

func newFixture(t testing.TB, mutate ...func(*types.Params)) *fixture {
	t.Helper()
	accounts := keepers.NodesModuleAccounts()
	accounts[paymentstypes.ModuleName] = nil
	base := keepers.NewBase(t, accounts, append(keepers.NodesStoreKeys(), paymentstypes.StoreKey, types.StoreKey),
		nodes.AppModule{}, models.AppModule{}, payments.AppModule{}, sessions.AppModule{})
	nk := keepers.NewNodes(t, base, func(p *nodestypes.Params) {
		p.HeartbeatIntervalBlocks = 1_000_000 // nodes stay active for the whole test
	})
	nk.RegisterModel(t, base, model, dim, 1_000)
	pk := paymentskeeper.NewKeeper(base.Cdc, base.StoreService(paymentstypes.StoreKey), base.Bank, base.Account, base.Authority)
	require.NoError(t, pk.InitGenesis(base.Ctx, &paymentstypes.GenesisState{Params: paymentstypes.Params{Denom: denom}}))
	k := keeper.NewKeeper(base.Cdc, base.StoreService(types.StoreKey), nk.Models, nk.Nodes, pk, base.Authority)
	gs := types.DefaultGenesis()
	gs.Params = testParams()
	for _, m := range mutate {
		m(&gs.Params)
	}
	require.NoError(t, gs.Validate())
	require.NoError(t, k.InitGenesis(base.Ctx, gs))
	return &fixture{Base: base, nodes: nk, pay: pk, k: k, msg: keeper.NewMsgServerImpl(k), q: keeper.NewQueryServerImpl(k)}
}

// addNodes registers n more nodes serving the model (operator op<i> signs for node-<i>).
func (f *fixture) addNodes(t testing.TB, n int, loaded bool) {
	t.Helper()
	for range n {
		f.nOps++
		var warm []string
		if loaded {
			warm = []string{model}
		}
		f.nodes.RegisterNode(t, f.Base, opAddr(f.nOps), nodeID(f.nOps), 2_000, []string{model}, warm)
	}
}

func coins(v int64) sdk.Coins { return sdk.NewCoins(sdk.NewInt64Coin(denom, v)) }

func createMsg(redundancy, quorum uint32, deposit int64) *types.MsgCreateSession {
	return &types.MsgCreateSession{
		Owner: alice.String(), ModelId: model, Redundancy: redundancy, Quorum: quorum,
		PricePerTask: sdkmath.NewInt(price), MaxTokens: 256, Deposit: sdkmath.NewInt(deposit),
	}
}

// session funds alice with deposit and opens a session.
func (f *fixture) session(t testing.TB, redundancy, quorum uint32, deposit int64) uint64 {
	t.Helper()
	f.Fund(t, alice, coins(deposit))
	res, err := f.msg.CreateSession(f.Ctx, createMsg(redundancy, quorum, deposit))
	require.NoError(t, err)
	return res.SessionId
}

func submitMsg(sessionID uint64) *types.MsgSubmitTask {
	return &types.MsgSubmitTask{
		Owner: alice.String(), SessionId: sessionID, Prompt: "Say hello.", PromptType: "completion",
		MaxTokens: 64, Temperature: sdkmath.LegacyZeroDec(), TopP: sdkmath.LegacyOneDec(), Seed: 7,
	}
}

func (f *fixture) submit(t testing.TB, sessionID uint64) uint64 {
	t.Helper()
	res, err := f.msg.SubmitTask(f.Ctx, submitMsg(sessionID))
	require.NoError(t, err)
	return res.TaskId
}

// endBlock runs EndBlock at the current height, then moves to the next height.
func (f *fixture) endBlock(t testing.TB) {
	t.Helper()
	require.NoError(t, f.k.EndBlocker(f.Ctx))
	f.Ctx = f.Ctx.WithBlockHeight(f.Ctx.BlockHeight() + 1)
}

func (f *fixture) task(t testing.TB, id uint64) types.Task {
	t.Helper()
	res, err := f.q.Task(f.Ctx, &types.QueryTaskRequest{TaskId: id})
	require.NoError(t, err)
	return res.Task
}

func (f *fixture) sess(t testing.TB, id uint64) types.Session {
	t.Helper()
	s, err := f.k.GetSession(f.Ctx, id)
	require.NoError(t, err)
	return s
}

func (f *fixture) escrow(t testing.TB, id uint64) paymentstypes.SessionBalance {
	t.Helper()
	b, err := f.pay.GetBalance(f.Ctx, id)
	require.NoError(t, err)
	return b
}

func (f *fixture) pending(t testing.TB, op sdk.AccAddress) int64 {
	t.Helper()
	v, err := f.pay.GetPending(f.Ctx, op.String())
	require.NoError(t, err)
	return v.Int64()
}

// assigned returns the node ids of the task's assignments in assignment order.
func assigned(task types.Task) []string {
	out := make([]string, len(task.Assignments))
	for i, a := range task.Assignments {
		out[i] = a.NodeId
	}
	return out
}

// opOf returns the operator of a node id made by addNodes.
func opOf(node string) sdk.AccAddress {
	var i int
	_, _ = fmt.Sscanf(node, "node-%04d", &i)
	return opAddr(i)
}

// result is what a miner reveals.
type result struct {
	text         string
	emb          []int32
	pt, ct       uint64
	salt         []byte
	hashOverride []byte
}

func res(text string, emb ...int32) result {
	salt := make([]byte, types.SaltSize)
	copy(salt, text)
	return result{text: text, emb: emb, pt: 5, ct: 12, salt: salt}
}

var (
	east      = []int32{1_000_000, 0, 0, 0}
	eastNorth = []int32{999_000, 44_710, 0, 0} // cos ≈ 0.999 to east
	north     = []int32{0, 1_000_000, 0, 0}    // orthogonal to east
)

func (r result) hash(taskID uint64, node string) []byte {
	if r.hashOverride != nil {
		return r.hashOverride
	}
	return types.PrecommitHash(taskID, node, r.text, r.emb, r.pt, r.ct, r.salt)
}

func (f *fixture) precommit(taskID uint64, node string, r result) error {
	_, err := f.msg.Precommit(f.Ctx, &types.MsgPrecommit{Sender: opOf(node).String(), TaskId: taskID, NodeId: node, Hash: r.hash(taskID, node)})
	return err
}

func (f *fixture) commit(taskID uint64, node string, r result) error {
	_, err := f.msg.Commit(f.Ctx, &types.MsgCommit{
		Sender: opOf(node).String(), TaskId: taskID, NodeId: node, ResultText: r.text, Embedding: r.emb,
		PromptTokens: r.pt, CompletionTokens: r.ct, Salt: r.salt,
	})
	return err
}

// snapshot captures everything a message could change: x/sessions, x/payments and x/nodes
// state and the balances of the actors and the escrow account.
type snapshot struct {
	sessions *types.GenesisState
	payments *paymentstypes.GenesisState
	nodes    *nodestypes.GenesisState
	balances []sdk.Coin
}

func (f *fixture) snapshot(t testing.TB) snapshot {
	t.Helper()
	s, err := f.k.ExportGenesis(f.Ctx)
	require.NoError(t, err)
	p, err := f.pay.ExportGenesis(f.Ctx)
	require.NoError(t, err)
	n, err := f.nodes.Nodes.ExportGenesis(f.Ctx)
	require.NoError(t, err)
	bals := []sdk.Coin{f.Balance(alice, denom), f.Balance(stranger, denom), f.moduleBalance()}
	for i := 1; i <= f.nOps; i++ {
		bals = append(bals, f.Balance(opAddr(i), denom))
	}
	return snapshot{s, p, n, bals}
}

func (f *fixture) moduleBalance() sdk.Coin {
	return f.Bank.GetBalance(f.Ctx, f.Account.GetModuleAddress(paymentstypes.ModuleName), denom)
}

func (f *fixture) checkInvariants(t testing.TB) {
	t.Helper()
	msg, broken := keeper.AllInvariants(f.k)(f.Ctx)
	require.False(t, broken, msg)
	msg, broken = paymentskeeper.AllInvariants(f.pay)(f.Ctx)
	require.False(t, broken, msg)
}

func (f *fixture) hasEvent(typ string) bool {
	for _, ev := range f.Ctx.EventManager().Events() {
		if ev.Type == typ {
			return true
		}
	}
	return false
}

// runToCommitPhase submits a task on a fresh session, assigns it, and precommits rs[i]
// from the i-th assigned node (nil entries skip that node).
func (f *fixture) assignOne(t testing.TB, sessionID uint64) (uint64, []string) {
	t.Helper()
	id := f.submit(t, sessionID)
	f.endBlock(t)
	task := f.task(t, id)
	require.Equal(t, types.TASK_STATUS_PRECOMMIT, task.Status)
	return id, assigned(task)
}
