package keeper_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"

	auditstypes "github.com/cortnet/cortd/x/audits/types"
	nodestypes "github.com/cortnet/cortd/x/nodes/types"
	paymentskeeper "github.com/cortnet/cortd/x/payments/keeper"
	paymentstypes "github.com/cortnet/cortd/x/payments/types"
	"github.com/cortnet/cortd/x/sessions/types"
)

// TestSessionAuditsConserveFunds drives random sequences of validated tasks, audit
// outcomes (pass, fraud upheld, fraud voted down, missed), withdrawals and session
// closes, and checks after every step the x/sessions (with the audit invariant),
// x/payments and x/nodes invariants and that the ucor held by the actors, the escrow,
// the node stakes and the community pool never changes: audits move money, never create
// or lose it.
func TestSessionAuditsConserveFunds(t *testing.T) {
	for seed := uint64(1); seed <= 8; seed++ {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 99))
			f := newAuditFixture(t, func(p *types.Params) { p.AuditFractionBps = 7000 })
			f.addNodes(t, 4, true)
			f.Fund(t, alice, coins(1_000_000))
			newSession := func() uint64 {
				res, err := f.msg.CreateSession(f.Ctx, createMsg(3, 2, 20_000))
				require.NoError(t, err)
				return res.SessionId
			}
			sid := newSession()
			held := f.totalHeld(t)
			frauds := 0
			for step := range 40 {
				switch r := rng.IntN(10); {
				case r < 5:
					f.validatedTask(t, sid)
				case r < 7:
					op := opAddr(1 + rng.IntN(f.nOps))
					if f.pending(t, op) > 0 {
						_, err := paymentskeeper.NewMsgServerImpl(f.pay).WithdrawPayments(f.Ctx, &paymentstypes.MsgWithdrawPayments{Operator: op.String()})
						require.NoError(t, err)
					}
				case r < 8:
					_, err := f.msg.CloseSession(f.Ctx, &types.MsgCloseSession{Owner: alice.String(), SessionId: sid})
					require.NoError(t, err)
					sid = newSession()
				default:
					f.block(t)
				}
				// act on one open audit, if any
				var open []types.Task
				require.NoError(t, f.k.Tasks.Walk(f.Ctx, nil, func(_ uint64, task types.Task) (bool, error) {
					if task.AuditStatus == types.TASK_AUDIT_STATUS_OPEN {
						open = append(open, task)
					}
					return false, nil
				}))
				if len(open) > 0 {
					task := open[rng.IntN(len(open))]
					a, err := f.audits.GetAudit(f.Ctx, task.AuditId)
					require.NoError(t, err)
					if a.Status == auditstypes.AUDIT_STATUS_PENDING {
						paid := validatedNodes(task)
						switch rng.IntN(4) {
						case 0:
							_, err := f.auditsMsg.AuditPass(f.Ctx, &auditstypes.MsgAuditPass{Auditor: a.Auditor, AuditId: a.Id})
							require.NoError(t, err)
						case 1:
							bad := paid[rng.IntN(len(paid))]
							a = f.reportAndVote(t, a, true, bad)
							require.Equal(t, auditstypes.AUDIT_STATUS_FRAUD, a.Status)
							frauds++
							// the operator tops the stake up again (new coins: counted in held)
							// so enough nodes stay eligible for redundancy 3
							n := f.node(t, bad)
							topUp := sdk.NewCoin(denom, minStake(t, f).Sub(n.Stake))
							f.Fund(t, opOf(bad), sdk.NewCoins(topUp))
							_, err := f.nodes.NodesMsg.AddStake(f.Ctx, &nodestypes.MsgAddStake{Operator: opOf(bad).String(), NodeId: bad, Amount: topUp})
							require.NoError(t, err)
							held = held.Add(topUp.Amount)
						case 2:
							f.reportAndVote(t, a, false, paid[0])
						default:
							f.runUntil(t, a.DeadlineHeight)
						}
					}
				}
				f.checkAllInvariants(t)
				require.Equal(t, held, f.totalHeld(t), "step %d: ucor created or lost", step)
			}
			t.Logf("seed %d: %d frauds upheld, height %d", seed, frauds, f.Ctx.BlockHeight())
		})
	}
}

// minStake is pool 3's minimum stake.
func minStake(t testing.TB, f *auditFixture) sdkmath.Int {
	p, err := f.nodes.Nodes.Params.Get(f.Ctx)
	require.NoError(t, err)
	pool, ok := p.Pool(3)
	require.True(t, ok)
	return pool.MinStake
}

// validatedNodes lists the task's paid (VALIDATED) nodes.
func validatedNodes(task types.Task) []string {
	var out []string
	for _, a := range task.Assignments {
		if a.Status == types.ASSIGNMENT_STATUS_VALIDATED {
			out = append(out, a.NodeId)
		}
	}
	return out
}
