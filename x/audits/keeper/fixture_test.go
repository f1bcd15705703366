package keeper_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"cosmossdk.io/collections"

	sdk "github.com/cosmos/cosmos-sdk/types"

	appparams "github.com/cortnet/cortd/app/params"
	"github.com/cortnet/cortd/testutil/keepers"
	"github.com/cortnet/cortd/x/audits"
	"github.com/cortnet/cortd/x/audits/keeper"
	"github.com/cortnet/cortd/x/audits/types"
)

const (
	subjectModule = "data"
	denom         = appparams.BondDenom
)

// call is one handler invocation as the test handler saw it.
type call struct {
	ID      uint64
	Subject string
	Outcome types.Outcome
	Status  types.AuditStatus
}

// testHandler records every call; when fail is set it writes (mints to sink) and then
// fails, so a test can see that its writes were discarded; when panicWith is set it
// panics.
type testHandler struct {
	base      *keepers.Base
	calls     []call
	figures   [][]types.Figure // the figures of each call, in call order
	fail      error
	panicWith any
}

var sink = keepers.NewAddr("handler-sink")

func (h *testHandler) handle(ctx sdk.Context, a types.Audit, outcome types.Outcome, figures ...types.Figure) error {
	h.calls = append(h.calls, call{ID: a.Id, Subject: a.SubjectId, Outcome: outcome, Status: a.Status})
	h.figures = append(h.figures, figures)
	coins := sdk.NewCoins(sdk.NewInt64Coin(denom, 1))
	if err := h.base.Bank.MintCoins(ctx, "mint", coins); err != nil {
		return err
	}
	if err := h.base.Bank.SendCoinsFromModuleToAccount(ctx, "mint", sink, coins); err != nil {
		return err
	}
	if h.panicWith != nil {
		panic(h.panicWith)
	}
	return h.fail
}

// fixture is a real x/audits keeper over real auth, bank and staking keepers with bonded
// validators v0, v1, ... of the given powers.
type fixture struct {
	*keepers.StakingBase
	k    keeper.Keeper
	msg  types.MsgServer
	q    types.QueryServer
	h    *testHandler
	vals []sdk.ValAddress
}

func newFixtureWithParams(t testing.TB, params types.Params, powers ...int64) *fixture {
	t.Helper()
	sb := keepers.NewStakingBase(t, nil, []string{types.StoreKey}, audits.AppModule{})
	k := keeper.NewKeeper(sb.Cdc, sb.StoreService(types.StoreKey), sb.Staking, sb.Authority)
	h := &testHandler{base: sb.Base}
	k.SetRouter(types.NewRouter().AddRoute(subjectModule, h.handle))
	gs := types.DefaultGenesis()
	gs.Params = params
	require.NoError(t, k.InitGenesis(sb.Ctx, gs))
	f := &fixture{StakingBase: sb, k: k, msg: keeper.NewMsgServerImpl(k), q: keeper.NewQueryServerImpl(k), h: h}
	if len(powers) > 0 {
		f.vals = sb.CreateBondedValidators(t, powers...)
	}
	return f
}

func newFixture(t testing.TB, powers ...int64) *fixture {
	return newFixtureWithParams(t, types.DefaultParams(), powers...)
}

// op is the operator account of validator i.
func (f *fixture) op(i int) sdk.AccAddress { return sdk.AccAddress(f.vals[i]) }

// ops returns the operator accounts of the given validators (an exclusion list).
func (f *fixture) ops(idx ...int) []sdk.AccAddress {
	out := make([]sdk.AccAddress, len(idx))
	for j, i := range idx {
		out[j] = f.op(i)
	}
	return out
}

func (f *fixture) open(t testing.TB, subjectID string, exclude ...sdk.AccAddress) uint64 {
	t.Helper()
	id, err := f.k.OpenAudit(f.Ctx, subjectModule, subjectID, exclude, nil)
	require.NoError(t, err)
	return id
}

func (f *fixture) audit(t testing.TB, id uint64) types.Audit {
	t.Helper()
	a, err := f.k.GetAudit(f.Ctx, id)
	require.NoError(t, err)
	return a
}

func (f *fixture) record(t testing.TB, acc sdk.AccAddress) types.AuditorRecord {
	t.Helper()
	r, err := f.k.GetAuditorRecord(f.Ctx, acc)
	require.NoError(t, err)
	return r
}

// nextBlock moves to the next height and runs the module's begin and end block.
func (f *fixture) nextBlock(t testing.TB) {
	t.Helper()
	f.Ctx = f.Ctx.WithBlockHeight(f.Ctx.BlockHeight() + 1)
	require.NoError(t, f.k.BeginBlocker(f.Ctx))
	require.NoError(t, f.k.EndBlocker(f.Ctx))
}

// runTo runs blocks until height h has been end-blocked.
func (f *fixture) runTo(t testing.TB, h int64) {
	t.Helper()
	for f.Ctx.BlockHeight() < h {
		f.nextBlock(t)
	}
}

func (f *fixture) resetEvents() {
	f.Ctx = f.Ctx.WithEventManager(sdk.NewEventManager())
}

func (f *fixture) hasEvent(name string) bool {
	for _, ev := range f.Ctx.EventManager().Events() {
		if ev.Type == "cortd.audits.v1."+name {
			return true
		}
	}
	return false
}

// snapshot captures everything a rejected message or call could change: the exported
// state, the queue and indexes, the handler calls and the handler's sink balance.
type snapshot struct {
	state *types.GenesisState
	queue []collections.Pair[int64, uint64]
	open  []uint64
	calls int
	sink  sdk.Coin
}

func (f *fixture) snapshot(t testing.TB) snapshot {
	t.Helper()
	gs, err := f.k.ExportGenesis(f.Ctx)
	require.NoError(t, err)
	s := snapshot{state: gs, calls: len(f.h.calls), sink: f.Balance(sink, denom)}
	require.NoError(t, f.k.Queue.Walk(f.Ctx, nil, func(k collections.Pair[int64, uint64]) (bool, error) {
		s.queue = append(s.queue, k)
		return false, nil
	}))
	require.NoError(t, f.k.Open.Walk(f.Ctx, nil, func(id uint64) (bool, error) {
		s.open = append(s.open, id)
		return false, nil
	}))
	return s
}

// auditorIndex returns which validator was assigned the audit.
func (f *fixture) auditorIndex(t testing.TB, id uint64) int {
	t.Helper()
	a := f.audit(t, id)
	for i, v := range f.vals {
		if v.String() == a.AuditorValidator {
			return i
		}
	}
	t.Fatalf("auditor %s is not a fixture validator", a.AuditorValidator)
	return -1
}

var errHandler = errors.New("subject module exploded")

var stranger = keepers.NewAddr("stranger")

// AddrOf is the validator address of the test validator called name.
func (f *fixture) AddrOf(name string) sdk.ValAddress {
	return sdk.ValAddress(keepers.OperatorAddr(name))
}
