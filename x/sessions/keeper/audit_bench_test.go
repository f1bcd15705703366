package keeper_test

import (
	"crypto/sha256"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"cosmossdk.io/collections"
	sdkmath "cosmossdk.io/math"

	storetypes "github.com/cosmos/cosmos-sdk/store/v2/types"
	sdk "github.com/cosmos/cosmos-sdk/types"

	auditstypes "github.com/cortnet/cortd/x/audits/types"
	"github.com/cortnet/cortd/x/sessions/types"
)

// benchDrawFixture stores n validated redundancy-3 tasks waiting for their draw at the
// next height (stored directly: the draw reads only the task) under bonded validators.
func benchDrawFixture(b *testing.B, n int, bps uint32) *auditFixture {
	f := newAuditFixture(b, func(p *types.Params) {
		p.AuditFractionBps = bps
		p.MaxAuditDrawsPerBlock = uint32(n)
	}, 10, 20, 30, 40)
	h := f.Ctx.BlockHeight()
	for i := 1; i <= n; i++ {
		id := uint64(i)
		sum := sha256.Sum256([]byte(fmt.Sprint(i)))
		t := types.Task{Id: id, SessionId: 1, ModelId: model, Status: types.TASK_STATUS_VALIDATED,
			Reserved: sdkmath.NewInt(300), Paid: sdkmath.NewInt(300), EndedHeight: h - 1, ResultSha256: sum[:],
			AuditStatus: types.TASK_AUDIT_STATUS_DRAW_PENDING}
		for j := range 3 {
			t.Assignments = append(t.Assignments, types.Assignment{NodeId: nodeID(j + 1), Operator: opAddr(i*3 + j).String(),
				Status: types.ASSIGNMENT_STATUS_VALIDATED})
		}
		require.NoError(b, f.k.Tasks.Set(f.Ctx, id, t))
		require.NoError(b, f.k.AuditQueue.Set(f.Ctx, collections.Join(h, id)))
	}
	return f
}

// BenchmarkAuditDraw200: one EndBlock running 200 sampling draws (the default
// max_audit_draws_per_block): at the default 1% almost none is sampled (hash + task
// write each); at 100% every one opens an x/audits audit (auditor selection over 4
// bonded validators, audit records and indexes). Each iteration runs on a cache of the
// same state.
func BenchmarkAuditDraw200(b *testing.B) {
	for _, bps := range []uint32{100, types.BasisPoints} {
		b.Run(fmt.Sprintf("bps=%d", bps), func(b *testing.B) {
			f := benchDrawFixture(b, 200, bps)
			for b.Loop() {
				ctx, _ := f.Ctx.CacheContext()
				ctx = ctx.WithEventManager(sdk.NewEventManager())
				require.NoError(b, f.k.EndBlocker(ctx))
			}
		})
	}
}

// TestAuditGas logs the gas of the session-audit steps (store reads and writes at the
// SDK's default KV costs) for the README. Run: go test ./x/sessions/keeper -run AuditGas -v
func TestAuditGas(t *testing.T) {
	gas := func(f *auditFixture, name string, fn func() error) uint64 {
		f.Ctx = f.Ctx.WithGasMeter(storetypes.NewInfiniteGasMeter())
		require.NoError(t, fn(), name)
		used := f.Ctx.GasMeter().GasConsumed()
		t.Logf("gas %-55s %d", name, used)
		return used
	}
	f := newAuditFixture(t, nil)
	f.addNodes(t, 3, true)
	sid := f.session(t, 3, 2, 1_000)
	id, _ := f.validatedTask(t, sid)
	require.Positive(t, gas(f, "EndBlock: draw opening 1 audit (3 validators)", func() error { return f.k.EndBlocker(f.Ctx) }))
	a, err := f.audits.GetAudit(f.Ctx, f.task(t, id).AuditId)
	require.NoError(t, err)
	require.Positive(t, gas(f, "MsgAuditPass of a session task (handler included)", func() error {
		_, err := f.auditsMsg.AuditPass(f.Ctx, &auditstypes.MsgAuditPass{Auditor: a.Auditor, AuditId: a.Id})
		return err
	}))

	g := newAuditFixture(t, nil)
	g.addNodes(t, 3, true)
	_, nodes, a := g.openAudit(t, g.session(t, 3, 2, 1_000))
	fraud := a
	fraud.Report = &auditstypes.FraudReport{FailedCheck: types.AuditCheckEmbedding, Figures: []auditstypes.Figure{
		{Name: types.FraudFigureName(nodes[0]), Value: "embedding:0.4"}, {Name: types.FraudFigureName(nodes[1]), Value: "embedding:0.4"},
	}}
	require.Positive(t, gas(g, "fraud handler: 2 nodes slashed and clawed back", func() error {
		return g.k.AuditHandler()(g.Ctx, fraud, auditstypes.OUTCOME_FRAUD)
	}))
}
