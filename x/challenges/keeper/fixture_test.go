package keeper_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	cmtproto "github.com/cometbft/cometbft/proto/tendermint/types"
	"github.com/stretchr/testify/require"

	"cosmossdk.io/collections"
	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	distrtypes "github.com/cosmos/cosmos-sdk/x/distribution/types"

	appparams "github.com/cortnet/cortd/app/params"
	"github.com/cortnet/cortd/testutil/keepers"
	"github.com/cortnet/cortd/x/challenges"
	"github.com/cortnet/cortd/x/challenges/keeper"
	"github.com/cortnet/cortd/x/challenges/types"
	nodestypes "github.com/cortnet/cortd/x/nodes/types"
)

const (
	denom = appparams.BondDenom
	model = "gpt2-tiny"
)

// testParams are the defaults with short windows for block-by-block tests.
func testParams() types.Params {
	p := types.DefaultParams()
	p.MinResponseWindowBlocks = 1
	p.MinEvaluationWindowBlocks = 1
	p.RevealWindowBlocks = 5
	p.TestsRevealWindowBlocks = 5
	p.RetentionBlocks = 20
	p.PostingDeposit = sdk.NewInt64Coin(denom, 1_000_000)
	p.MaxChallengesPerPosterPerEpoch = 2
	p.Quorum = 2
	p.MaxPatchBytes = 1024
	return p
}

// fixture: real staking (bonded validators v0.. with the given powers), real x/models and
// x/nodes with nodes n0..n{miners-1} (operators miner/i) opted in, and x/challenges.
type fixture struct {
	*keepers.StakingBase
	nodes *keepers.Nodes
	k     keeper.Keeper
	msg   types.MsgServer
	q     types.QueryServer
	vals  []sdk.ValAddress
}

func newFixture(t testing.TB, miners int, powers ...int64) *fixture {
	t.Helper()
	accts := keepers.NodesModuleAccounts()
	accts[types.ModuleName] = nil
	accts[types.RewardsPoolName] = nil
	sb := keepers.NewStakingBase(t, accts, append(keepers.NodesStoreKeys(), types.StoreKey), challenges.AppModule{})
	sb.Ctx = sb.Ctx.WithBlockHeader(cmtproto.Header{Height: 1, ChainID: "cort-test-1",
		LastBlockId: cmtproto.BlockID{Hash: bytes.Repeat([]byte{7}, 32)}})
	n := keepers.NewNodes(t, sb.Base)
	n.RegisterModel(t, sb.Base, model, 8, 500)
	k := keeper.NewKeeper(sb.Cdc, sb.StoreService(types.StoreKey), sb.Staking, n.Nodes, sb.Bank, sb.Account, n.Community, nil, authtypes.FeeCollectorName, sb.Authority)
	gs := types.DefaultGenesis()
	gs.Params = testParams()
	require.NoError(t, k.InitGenesis(sb.Ctx, gs))
	f := &fixture{StakingBase: sb, nodes: n, k: k, msg: keeper.NewMsgServerImpl(k), q: keeper.NewQueryServerImpl(k)}
	f.vals = sb.CreateBondedValidators(t, powers...)
	for i := range f.vals {
		sb.Fund(t, f.op(i), sdk.NewCoins(sdk.NewInt64Coin(denom, 100_000_000)))
	}
	for i := 0; i < miners; i++ {
		f.addMiner(t, i, true)
	}
	return f
}

func minerOp(i int) sdk.AccAddress { return keepers.NewAddr(fmt.Sprintf("miner/%d", i)) }
func nodeID(i int) string          { return fmt.Sprintf("n%d", i) }

func (f *fixture) addMiner(t testing.TB, i int, optIn bool) {
	t.Helper()
	f.nodes.RegisterNode(t, f.Base, minerOp(i), nodeID(i), 2_000, []string{model}, []string{model})
	if optIn {
		_, err := f.msg.SetOptIn(f.Ctx, &types.MsgSetOptIn{Operator: minerOp(i).String(), NodeId: nodeID(i), OptIn: true})
		require.NoError(t, err)
	}
}

// op is the operator account of validator i.
func (f *fixture) op(i int) sdk.AccAddress { return sdk.AccAddress(f.vals[i]) }

var (
	stranger      = keepers.NewAddr("stranger")
	testsSha      = strings.Repeat("ab", 32)
	testsSalt     = strings.Repeat("5a", 32)
	testsURL      = "https://example.org/tests.tar.gz"
	moduleAddr    = authtypes.NewModuleAddress(types.ModuleName)
	communityAddr = authtypes.NewModuleAddress(distrtypes.ModuleName)
)

func testsCommitment() string {
	salt, _ := types.DecodeSalt(testsSalt)
	return types.TestsCommitment(testsSha, salt)
}

// postMsg is a valid challenge from validator 0 for 2..3 miners, response window 10,
// evaluation window 10.
func (f *fixture) postMsg() *types.MsgPostChallenge {
	return &types.MsgPostChallenge{
		Poster: f.op(0).String(), TaskType: types.TASK_TYPE_BUGFIX,
		Snapshot:         types.Snapshot{Url: "https://example.org/repo.tar.gz", Sha256: strings.Repeat("cd", 32), SizeBytes: 4096},
		ProblemStatement: "the sum of an empty slice is wrong", ContextPaths: []string{"sum.go"},
		Checklist: []string{"fix Sum"}, TestCommand: "go test ./...", TestsCommitment: testsCommitment(),
		MinMiners: 2, MaxMiners: 3, ResponseWindowBlocks: 10, EvaluationWindowBlocks: 10,
	}
}

// post posts postMsg and runs the next block, whose EndBlock invites the miners.
func (f *fixture) post(t testing.TB) types.Challenge {
	t.Helper()
	res, err := f.msg.PostChallenge(f.Ctx, f.postMsg())
	require.NoError(t, err)
	require.Equal(t, types.CHALLENGE_STATUS_INVITING, f.challenge(t, res.ChallengeId).Status)
	f.nextBlock(t)
	return f.challenge(t, res.ChallengeId)
}

// endBlockWithHash runs the next height with the given previous-block hash.
func (f *fixture) endBlockWithHash(t testing.TB, hash []byte) {
	t.Helper()
	hdr := f.Ctx.BlockHeader()
	hdr.Height++
	hdr.LastBlockId = cmtproto.BlockID{Hash: hash}
	f.Ctx = f.Ctx.WithBlockHeader(hdr)
	require.NoError(t, f.k.EndBlocker(f.Ctx))
	f.checkInvariants(t)
}

func (f *fixture) challenge(t testing.TB, id uint64) types.Challenge {
	t.Helper()
	c, err := f.k.GetChallenge(f.Ctx, id)
	require.NoError(t, err)
	return c
}

// nodeIndex maps an invited node id back to its miner index.
func nodeIndex(id string) int {
	var i int
	_, _ = fmt.Sscanf(id, "n%d", &i)
	return i
}

func patchFor(node string) []byte {
	return []byte("--- a/sum.go\n+++ b/sum.go\n@@ fix by " + node + "\n")
}

var patchSalt = strings.Repeat("0f", 32)

func commitmentFor(node string) string {
	salt, _ := types.DecodeSalt(patchSalt)
	return types.PatchCommitment(patchFor(node), salt)
}

func (f *fixture) commit(t testing.TB, id uint64, node string) {
	t.Helper()
	_, err := f.msg.CommitPatch(f.Ctx, &types.MsgCommitPatch{
		Sender: minerOp(nodeIndex(node)).String(), ChallengeId: id, NodeId: node, Commitment: commitmentFor(node)})
	require.NoError(t, err)
}

func (f *fixture) revealMsg(id uint64, node string) *types.MsgRevealPatch {
	return &types.MsgRevealPatch{Sender: minerOp(nodeIndex(node)).String(), ChallengeId: id, NodeId: node,
		Patch: patchFor(node), Salt: patchSalt}
}

func (f *fixture) revealTestsMsg(id uint64) *types.MsgRevealTests {
	return &types.MsgRevealTests{Poster: f.op(0).String(), ChallengeId: id, TestsUrl: testsURL,
		TestsSha256: testsSha, TestsSizeBytes: 1000, Salt: testsSalt}
}

// nextBlock moves to the next height (a new previous-block hash) and runs EndBlock.
func (f *fixture) nextBlock(t testing.TB) {
	t.Helper()
	h := f.Ctx.BlockHeight() + 1
	hdr := f.Ctx.BlockHeader()
	hdr.Height = h
	hdr.LastBlockId = cmtproto.BlockID{Hash: bytes.Repeat([]byte{byte(h)}, 32)}
	f.Ctx = f.Ctx.WithBlockHeader(hdr)
	require.NoError(t, f.k.EndBlocker(f.Ctx))
	f.checkInvariants(t)
}

// runTo end-blocks every height up to h.
func (f *fixture) runTo(t testing.TB, h int64) {
	t.Helper()
	for f.Ctx.BlockHeight() < h {
		f.nextBlock(t)
	}
}

// at sets the height without running EndBlock (messages within one block).
func (f *fixture) at(h int64) {
	hdr := f.Ctx.BlockHeader()
	hdr.Height = h
	f.Ctx = f.Ctx.WithBlockHeader(hdr)
}

func (f *fixture) checkInvariants(t testing.TB) {
	t.Helper()
	msg, broken := keeper.AllInvariants(f.k)(f.Ctx)
	require.False(t, broken, msg)
}

// snapshot is every byte of the module store plus the balances a message could move.
type snapshot struct {
	kv       []string
	balances []sdk.Coins
}

func (f *fixture) snapshot() snapshot {
	var s snapshot
	it := f.Ctx.KVStore(f.Keys[types.StoreKey]).Iterator(nil, nil)
	defer it.Close()
	for ; it.Valid(); it.Next() {
		s.kv = append(s.kv, string(it.Key())+"="+string(it.Value()))
	}
	addrs := []sdk.AccAddress{moduleAddr, communityAddr, stranger}
	for i := range f.vals {
		addrs = append(addrs, f.op(i))
	}
	for _, a := range addrs {
		s.balances = append(s.balances, f.Bank.GetAllBalances(f.Ctx, a))
	}
	return s
}

// rejects runs fn, requires the error, and requires that nothing changed.
func (f *fixture) rejects(t *testing.T, want error, fn func() error) {
	t.Helper()
	before := f.snapshot()
	err := fn()
	require.ErrorIs(t, err, want)
	require.Equal(t, before, f.snapshot(), "a rejected message changed state")
}

func dec(s string) sdkmath.LegacyDec { return sdkmath.LegacyMustNewDecFromStr(s) }

var _ = nodestypes.ModuleName

func collectionsJoin3(epoch uint64, tt types.TaskType, node string) keeper.StatsKey {
	return collections.Join3(epoch, int32(tt), node)
}
