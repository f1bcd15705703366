package keeper_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	sdkmath "cosmossdk.io/math"

	paymentstypes "github.com/cortnet/cortd/x/payments/types"
	"github.com/cortnet/cortd/x/sessions/types"
)

func TestCreateSessionRejections(t *testing.T) {
	cases := []struct {
		name   string
		mutate func(m *types.MsgCreateSession)
		err    error
	}{
		{"redundancy over max", func(m *types.MsgCreateSession) { m.Redundancy = 11; m.Quorum = 1 }, types.ErrInvalidRedundancy},
		{"zero redundancy", func(m *types.MsgCreateSession) { m.Redundancy = 0 }, types.ErrInvalidRedundancy},
		{"quorum over redundancy", func(m *types.MsgCreateSession) { m.Quorum = 4 }, types.ErrInvalidRedundancy},
		{"zero quorum", func(m *types.MsgCreateSession) { m.Quorum = 0 }, types.ErrInvalidRedundancy},
		{"price below min", func(m *types.MsgCreateSession) { m.PricePerTask = sdkmath.ZeroInt() }, types.ErrInvalidPrice},
		{"negative deposit", func(m *types.MsgCreateSession) { m.Deposit = sdkmath.NewInt(-1) }, types.ErrInvalidPrice},
		{"max tokens over cap", func(m *types.MsgCreateSession) { m.MaxTokens = 5000 }, types.ErrInvalidMaxTokens},
		{"zero max tokens", func(m *types.MsgCreateSession) { m.MaxTokens = 0 }, types.ErrInvalidMaxTokens},
		{"level over 10", func(m *types.MsgCreateSession) { m.MinLevel = 11 }, types.ErrInvalidLevel},
		{"unknown model", func(m *types.MsgCreateSession) { m.ModelId = "nope" }, types.ErrModelUnavailable},
		{"bad owner", func(m *types.MsgCreateSession) { m.Owner = "cor1bad" }, types.ErrInvalidAddress},
		{"deposit over balance", func(m *types.MsgCreateSession) { m.Deposit = sdkmath.NewInt(1_001) }, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			f.Fund(t, alice, coins(1_000))
			before := f.snapshot(t)
			m := createMsg(3, 2, 1_000)
			tc.mutate(m)
			_, err := f.msg.CreateSession(f.Ctx, m)
			require.Error(t, err)
			if tc.err != nil {
				require.ErrorIs(t, err, tc.err)
			}
			require.Equal(t, before, f.snapshot(t), "state unchanged")
		})
	}
}

func TestSubmitTaskQueueFull(t *testing.T) {
	f := newFixture(t, func(p *types.Params) { p.MaxQueuedPerSession = 2 })
	sid := f.session(t, 1, 1, 10*price)
	f.submit(t, sid)
	f.submit(t, sid)
	before := f.snapshot(t)
	_, err := f.msg.SubmitTask(f.Ctx, submitMsg(sid))
	require.ErrorIs(t, err, types.ErrQueueFull)
	require.Equal(t, before, f.snapshot(t))
}

func TestSubmitTaskRejections(t *testing.T) {
	f := newFixture(t)
	sid := f.session(t, 3, 2, 250) // covers 0 tasks at 3 × 100
	before := f.snapshot(t)
	cases := []struct {
		name   string
		mutate func(m *types.MsgSubmitTask)
		err    error
	}{
		{"underfunded session", func(*types.MsgSubmitTask) {}, paymentstypes.ErrInsufficientEscrow},
		{"stranger", func(m *types.MsgSubmitTask) { m.Owner = stranger.String() }, types.ErrNotOwner},
		{"unknown session", func(m *types.MsgSubmitTask) { m.SessionId = 9 }, types.ErrSessionNotFound},
		{"empty prompt", func(m *types.MsgSubmitTask) { m.Prompt = "" }, types.ErrInvalidPrompt},
		{"prompt too long", func(m *types.MsgSubmitTask) { m.Prompt = string(make([]byte, 16_385)) }, types.ErrInvalidPrompt},
		{"max tokens over session cap", func(m *types.MsgSubmitTask) { m.MaxTokens = 257 }, types.ErrInvalidSampling},
		{"top_p zero", func(m *types.MsgSubmitTask) { m.TopP = sdkmath.LegacyZeroDec() }, types.ErrInvalidSampling},
		{"negative temperature", func(m *types.MsgSubmitTask) { m.Temperature = sdkmath.LegacyNewDec(-1) }, types.ErrInvalidSampling},
	}
	for _, tc := range cases {
		m := submitMsg(sid)
		tc.mutate(m)
		_, err := f.msg.SubmitTask(f.Ctx, m)
		require.ErrorIs(t, err, tc.err, tc.name)
		require.Equal(t, before, f.snapshot(t), tc.name)
	}
}

// TestTwoTasksRaceForTheLastEscrow: the escrow covers one task and a half; the first
// task reserves, the second is rejected and changes nothing.
func TestTwoTasksRaceForTheLastEscrow(t *testing.T) {
	f := newFixture(t)
	sid := f.session(t, 2, 1, 300)
	f.submit(t, sid)
	before := f.snapshot(t)
	_, err := f.msg.SubmitTask(f.Ctx, submitMsg(sid))
	require.ErrorIs(t, err, paymentstypes.ErrInsufficientEscrow)
	require.Equal(t, before, f.snapshot(t))
	require.Equal(t, int64(100), f.escrow(t, sid).Free.Int64())
	require.Equal(t, int64(200), f.escrow(t, sid).Reserved.Int64())
	// a deposit by anyone makes room
	f.Fund(t, stranger, coins(100))
	_, err = f.msg.Deposit(f.Ctx, &types.MsgDeposit{Sender: stranger.String(), SessionId: sid, Amount: sdkmath.NewInt(100)})
	require.NoError(t, err)
	f.submit(t, sid)
	require.Equal(t, uint32(2), f.sess(t, sid).Queued)
	f.checkInvariants(t)
}

func TestPrecommitRejections(t *testing.T) {
	f := newFixture(t)
	f.addNodes(t, 3, true)
	sid := f.session(t, 2, 1, 1_000)
	id, nodes := f.assignOne(t, sid)
	var outsider string
	for i := 1; i <= 3; i++ {
		if nodeID(i) != nodes[0] && nodeID(i) != nodes[1] {
			outsider = nodeID(i)
		}
	}
	require.NoError(t, f.precommit(id, nodes[0], res("a", east...)))
	before := f.snapshot(t)

	require.ErrorIs(t, f.precommit(id, outsider, res("x", east...)), types.ErrNotAssigned, "unassigned node")
	require.ErrorIs(t, f.precommit(99, nodes[1], res("x", east...)), types.ErrTaskNotFound)
	_, err := f.msg.Precommit(f.Ctx, &types.MsgPrecommit{Sender: stranger.String(), TaskId: id, NodeId: nodes[1], Hash: make([]byte, 32)})
	require.ErrorIs(t, err, types.ErrNotNodeKey, "someone else's node")
	_, err = f.msg.Precommit(f.Ctx, &types.MsgPrecommit{Sender: opOf(nodes[1]).String(), TaskId: id, NodeId: nodes[1], Hash: []byte{1}})
	require.ErrorIs(t, err, types.ErrInvalidHash)
	require.ErrorIs(t, f.precommit(id, nodes[0], res("a2", east...)), types.ErrAlreadyPrecommitted, "double precommit")
	copied := res("b", east...)
	copied.hashOverride = res("a", east...).hash(id, nodes[0])
	require.ErrorIs(t, f.precommit(id, nodes[1], copied), types.ErrDuplicateHash, "copied precommit hash")
	require.ErrorIs(t, f.commit(id, nodes[0], res("a", east...)), types.ErrWrongPhase, "reveal before the commit phase")

	// late: past the deadline before EndBlock processed it
	deadline := f.task(t, id).Deadline
	f.Ctx = f.Ctx.WithBlockHeight(deadline + 1)
	require.ErrorIs(t, f.precommit(id, nodes[1], res("b", east...)), types.ErrLate, "late precommit")
	f.Ctx = f.Ctx.WithBlockHeight(deadline)
	require.Equal(t, before, f.snapshot(t), "every rejection left state unchanged")
}

func TestCommitRejections(t *testing.T) {
	f := newFixture(t)
	f.addNodes(t, 2, true)
	sid := f.session(t, 2, 1, 1_000)
	id, nodes := f.assignOne(t, sid)
	good := res("Hello", eastNorth...)
	require.NoError(t, f.precommit(id, nodes[0], good))
	require.NoError(t, f.precommit(id, nodes[1], res("Hi", east...)))
	f.endBlock(t)
	require.Equal(t, types.TASK_STATUS_COMMIT, f.task(t, id).Status)
	before := f.snapshot(t)

	changed := func(m func(r *result)) result {
		r := res("Hello", eastNorth...)
		r.emb = append([]int32(nil), eastNorth...)
		m(&r)
		return r
	}
	cases := []struct {
		name string
		r    result
		err  error
	}{
		{"text changed", changed(func(r *result) { r.text = "Hellp" }), types.ErrHashMismatch},
		{"embedding changed", changed(func(r *result) { r.emb = append([]int32(nil), east...) }), types.ErrHashMismatch},
		{"prompt tokens changed", changed(func(r *result) { r.pt++ }), types.ErrHashMismatch},
		{"completion tokens changed", changed(func(r *result) { r.ct++ }), types.ErrHashMismatch},
		{"salt changed", changed(func(r *result) { r.salt = make([]byte, types.SaltSize) }), types.ErrHashMismatch},
		{"short salt", changed(func(r *result) { r.salt = []byte{1} }), types.ErrInvalidResult},
		{"wrong dim", changed(func(r *result) { r.emb = []int32{1_000_000, 0, 0} }), types.ErrInvalidEmbedding},
		{"not normalised", changed(func(r *result) { r.emb = []int32{500_000, 0, 0, 0} }), types.ErrInvalidEmbedding},
		{"component out of range", changed(func(r *result) { r.emb = []int32{1_000_001, 0, 0, 0} }), types.ErrInvalidEmbedding},
		{"too many tokens", changed(func(r *result) { r.ct = 65 }), types.ErrInvalidResult},
	}
	for _, tc := range cases {
		require.ErrorIs(t, f.commit(id, nodes[0], tc.r), tc.err, tc.name)
		require.Equal(t, before, f.snapshot(t), tc.name)
	}
	// another node's reveal copied under one's own node id does not match one's precommit
	require.ErrorIs(t, f.commit(id, nodes[1], good), types.ErrHashMismatch, "copied reveal")

	require.NoError(t, f.commit(id, nodes[0], good))
	mid := f.snapshot(t)
	require.ErrorIs(t, f.commit(id, nodes[0], good), types.ErrAlreadyCommitted, "double commit")
	require.Equal(t, mid, f.snapshot(t))

	// late commit: past the deadline
	f.Ctx = f.Ctx.WithBlockHeight(f.task(t, id).Deadline + 1)
	require.ErrorIs(t, f.commit(id, nodes[1], res("Hi", east...)), types.ErrLate, "late commit")
	require.Equal(t, mid, f.snapshot(t))
}

func TestCommitWithoutPrecommit(t *testing.T) {
	f := newFixture(t)
	f.addNodes(t, 2, true)
	sid := f.session(t, 2, 1, 1_000)
	id, nodes := f.assignOne(t, sid)
	require.NoError(t, f.precommit(id, nodes[0], res("a", east...)))
	// still in the precommit phase: a node that has not precommitted cannot reveal
	require.ErrorIs(t, f.commit(id, nodes[1], res("b", east...)), types.ErrNoPrecommit)
}

func TestDepositAndUpdateParamsRejections(t *testing.T) {
	f := newFixture(t)
	sid := f.session(t, 1, 1, 100)
	before := f.snapshot(t)
	_, err := f.msg.Deposit(f.Ctx, &types.MsgDeposit{Sender: stranger.String(), SessionId: sid, Amount: sdkmath.NewInt(5)})
	require.Error(t, err, "stranger has no funds")
	_, err = f.msg.Deposit(f.Ctx, &types.MsgDeposit{Sender: alice.String(), SessionId: 42, Amount: sdkmath.NewInt(5)})
	require.ErrorIs(t, err, types.ErrSessionNotFound)
	_, err = f.msg.Deposit(f.Ctx, &types.MsgDeposit{Sender: alice.String(), SessionId: sid, Amount: sdkmath.ZeroInt()})
	require.ErrorIs(t, err, types.ErrInvalidPrice)
	_, err = f.msg.UpdateParams(f.Ctx, &types.MsgUpdateParams{Authority: alice.String(), Params: types.DefaultParams()})
	require.ErrorIs(t, err, types.ErrUnauthorized)
	bad := types.DefaultParams()
	bad.MaxRedundancy = 17
	_, err = f.msg.UpdateParams(f.Ctx, &types.MsgUpdateParams{Authority: f.Authority, Params: bad})
	require.ErrorIs(t, err, types.ErrInvalidParams)
	require.Equal(t, before, f.snapshot(t))
	_, err = f.msg.UpdateParams(f.Ctx, &types.MsgUpdateParams{Authority: f.Authority, Params: types.DefaultParams()})
	require.NoError(t, err)
}
