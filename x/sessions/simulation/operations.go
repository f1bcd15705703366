package simulation

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math/rand"

	"cosmossdk.io/collections"
	sdkmath "cosmossdk.io/math"

	"github.com/cosmos/cosmos-sdk/baseapp"
	sdk "github.com/cosmos/cosmos-sdk/types"
	simtypes "github.com/cosmos/cosmos-sdk/types/simulation"
	"github.com/cosmos/cosmos-sdk/x/simulation"

	"github.com/cortnet/cortd/x/internal/embedding"
	"github.com/cortnet/cortd/x/internal/simx"
	modelstypes "github.com/cortnet/cortd/x/models/types"
	nodestypes "github.com/cortnet/cortd/x/nodes/types"
	paymentstypes "github.com/cortnet/cortd/x/payments/types"
	"github.com/cortnet/cortd/x/sessions/keeper"
	"github.com/cortnet/cortd/x/sessions/types"
)

// Operation weights (keys of the simulation's app params). Precommits and commits weigh
// most: every assigned node has to answer within the windows for tasks to validate.
const (
	OpWeightCreateSession = "op_weight_msg_create_session"
	OpWeightDeposit       = "op_weight_msg_session_deposit"
	OpWeightCloseSession  = "op_weight_msg_close_session"
	OpWeightSubmitTask    = "op_weight_msg_submit_task"
	OpWeightPrecommit     = "op_weight_msg_precommit"
	OpWeightCommit        = "op_weight_msg_commit"
	OpWeightUpdateParams  = "op_weight_msg_sessions_update_params"

	walkLimit = 200
	// maxActiveSessions bounds the open sessions; minActiveSessions is what CloseSession leaves.
	maxActiveSessions = 12
	minActiveSessions = 3
)

// Models is what the operations read of x/models.
type Models interface {
	WalkModels(ctx context.Context, limit uint32, fn func(modelstypes.Model) bool) error
	GetActiveModel(ctx context.Context, id string) (modelstypes.Model, error)
}

// Nodes is what the operations read of x/nodes: who signs for an assigned node.
type Nodes interface {
	GetNode(ctx context.Context, id string) (nodestypes.Node, error)
}

// Escrows is what the operations read of x/payments: a session's free escrow.
type Escrows interface {
	GetBalance(ctx context.Context, sessionID uint64) (paymentstypes.SessionBalance, error)
}

// Deps is what the operations deliver through and read.
type Deps struct {
	simx.Env
	Models  Models
	Nodes   Nodes
	Escrows Escrows
}

// WeightedOperations returns one operation per x/sessions message.
func WeightedOperations(appParams simtypes.AppParams, d Deps, k keeper.Keeper) simulation.WeightedOperations {
	weight := func(key string, def int) int {
		var w int
		appParams.GetOrGenerate(key, &w, nil, func(*rand.Rand) { w = def })
		return w
	}
	return simulation.WeightedOperations{
		simulation.NewWeightedOperation(weight(OpWeightCreateSession, 10), SimulateMsgCreateSession(d, k)),
		simulation.NewWeightedOperation(weight(OpWeightDeposit, 5), SimulateMsgDeposit(d, k)),
		simulation.NewWeightedOperation(weight(OpWeightCloseSession, 4), SimulateMsgCloseSession(d, k)),
		simulation.NewWeightedOperation(weight(OpWeightSubmitTask, 40), SimulateMsgSubmitTask(d, k)),
		simulation.NewWeightedOperation(weight(OpWeightPrecommit, 100), SimulateMsgPrecommit(d, k)),
		simulation.NewWeightedOperation(weight(OpWeightCommit, 100), SimulateMsgCommit(d, k)),
		simulation.NewWeightedOperation(weight(OpWeightUpdateParams, 5), SimulateMsgUpdateParams(d, k)),
	}
}

// sessions returns up to walkLimit sessions, newest first, that keep.
func sessions(ctx sdk.Context, k keeper.Keeper, keep func(types.Session) bool) ([]types.Session, error) {
	var out []types.Session
	n := 0
	err := k.Sessions.Walk(ctx, new(collections.Range[uint64]).Descending(), func(_ uint64, s types.Session) (bool, error) {
		n++
		if keep(s) {
			out = append(out, s)
		}
		return n >= walkLimit, nil
	})
	return out, err
}

// tasks returns up to walkLimit tasks, newest first, that keep.
func tasks(ctx sdk.Context, k keeper.Keeper, keep func(types.Task) bool) ([]types.Task, error) {
	var out []types.Task
	n := 0
	err := k.Tasks.Walk(ctx, new(collections.Range[uint64]).Descending(), func(_ uint64, t types.Task) (bool, error) {
		n++
		if keep(t) {
			out = append(out, t)
		}
		return n >= walkLimit, nil
	})
	return out, err
}

func isActive(s types.Session) bool { return s.Status == types.SESSION_STATUS_ACTIVE }

// SimulateMsgCreateSession opens a session on a random active model with a deposit for a
// few tasks.
func SimulateMsgCreateSession(d Deps, k keeper.Keeper) simtypes.Operation {
	return func(r *rand.Rand, app *baseapp.BaseApp, ctx sdk.Context, accs []simtypes.Account, _ string) (simtypes.OperationMsg, []simtypes.FutureOperation, error) {
		msg := &types.MsgCreateSession{}
		p, err := k.Params.Get(ctx)
		if err != nil {
			return d.NoOp(msg, "params: %v", err)
		}
		active, err := sessions(ctx, k, isActive)
		if err != nil || len(active) >= maxActiveSessions {
			return d.NoOp(msg, "%d active sessions (%v)", len(active), err)
		}
		var models []string
		if err := d.Models.WalkModels(ctx, walkLimit, func(m modelstypes.Model) bool {
			if m.Status == modelstypes.MODEL_STATUS_ACTIVE {
				models = append(models, m.Id)
			}
			return false
		}); err != nil || len(models) == 0 {
			return d.NoOp(msg, "no active model (%v)", err)
		}
		redundancy := p.MinRedundancy + uint32(r.Intn(int(p.MaxRedundancy-p.MinRedundancy+1)))
		span := p.MaxPricePerTask.Sub(p.MinPricePerTask)
		if !span.IsInt64() || span.Int64() > 1_000_000 {
			span = sdkmath.NewInt(1_000_000)
		}
		price := p.MinPricePerTask.Add(sdkmath.NewInt(r.Int63n(span.Int64() + 1)))
		deposit := price.MulRaw(int64(redundancy)).MulRaw(int64(r.Intn(20)))
		owner, _ := simtypes.RandomAcc(r, accs)
		spent := sdk.NewCoins(sdk.NewCoin(d.denom(ctx), deposit))
		if !d.BK.SpendableCoins(ctx, owner.Address).IsAllGTE(spent) {
			return d.NoOp(msg, "owner cannot deposit %s", spent)
		}
		mode := types.VERIFICATION_MODE_UNSPECIFIED
		switch r.Intn(4) {
		case 0:
			mode = types.VERIFICATION_MODE_EMBEDDING
		case 1:
			mode = types.VERIFICATION_MODE_EXACT
		}
		msg = &types.MsgCreateSession{
			Owner: owner.Address.String(), ModelId: models[r.Intn(len(models))], Redundancy: redundancy,
			Quorum: 1 + uint32(r.Intn(int(redundancy))), PricePerTask: price, MaxTokens: 1 + uint32(r.Intn(int(p.MaxTokensCap))),
			Deposit: deposit, Verification: mode,
		}
		return d.Deliver(r, app, ctx, owner, msg, spent)
	}
}

// denom is the escrow denom (the bond denom in the simulation's genesis).
func (d Deps) denom(ctx sdk.Context) string { return sdk.DefaultBondDenom }

// SimulateMsgDeposit funds a random active session from a random account.
func SimulateMsgDeposit(d Deps, k keeper.Keeper) simtypes.Operation {
	return func(r *rand.Rand, app *baseapp.BaseApp, ctx sdk.Context, accs []simtypes.Account, _ string) (simtypes.OperationMsg, []simtypes.FutureOperation, error) {
		msg := &types.MsgDeposit{}
		active, err := sessions(ctx, k, isActive)
		if err != nil || len(active) == 0 {
			return d.NoOp(msg, "no active session (%v)", err)
		}
		s := active[r.Intn(len(active))]
		from, _ := simtypes.RandomAcc(r, accs)
		amount := s.PricePerTask.MulRaw(int64(s.Redundancy)).MulRaw(int64(1 + r.Intn(10)))
		spent := sdk.NewCoins(sdk.NewCoin(d.denom(ctx), amount))
		if !amount.IsPositive() || !d.BK.SpendableCoins(ctx, from.Address).IsAllGTE(spent) {
			return d.NoOp(msg, "sender cannot deposit %s", spent)
		}
		msg = &types.MsgDeposit{Sender: from.Address.String(), SessionId: s.Id, Amount: amount}
		return d.Deliver(r, app, ctx, from, msg, spent)
	}
}

// SimulateMsgCloseSession closes an active session that can take no task, or a random
// one while more than minActiveSessions stay open.
func SimulateMsgCloseSession(d Deps, k keeper.Keeper) simtypes.Operation {
	return func(r *rand.Rand, app *baseapp.BaseApp, ctx sdk.Context, accs []simtypes.Account, _ string) (simtypes.OperationMsg, []simtypes.FutureOperation, error) {
		msg := &types.MsgCloseSession{}
		p, err := k.Params.Get(ctx)
		if err != nil {
			return d.NoOp(msg, "params: %v", err)
		}
		active, err := sessions(ctx, k, isActive)
		if err != nil || len(active) == 0 {
			return d.NoOp(msg, "no active session (%v)", err)
		}
		// Sessions that can take no task (model retired, priced above the max) close
		// first; otherwise a random one while more than minActiveSessions stay open.
		var stuck []types.Session
		for _, s := range active {
			if _, err := d.Models.GetActiveModel(ctx, s.ModelId); err != nil || s.PricePerTask.GT(p.MaxPricePerTask) {
				stuck = append(stuck, s)
			}
		}
		var s types.Session
		switch {
		case len(stuck) > 0:
			s = stuck[r.Intn(len(stuck))]
		case len(active) > minActiveSessions:
			s = active[r.Intn(len(active))]
		default:
			return d.NoOp(msg, "%d active sessions", len(active))
		}
		owner, ok := simx.Find(accs, s.Owner)
		if !ok {
			return d.NoOp(msg, "owner of session %d is not a simulation account", s.Id)
		}
		msg = &types.MsgCloseSession{Owner: s.Owner, SessionId: s.Id}
		return d.Deliver(r, app, ctx, owner, msg, nil)
	}
}

// SimulateMsgSubmitTask submits a completion or chat task to a random active session.
func SimulateMsgSubmitTask(d Deps, k keeper.Keeper) simtypes.Operation {
	return func(r *rand.Rand, app *baseapp.BaseApp, ctx sdk.Context, accs []simtypes.Account, _ string) (simtypes.OperationMsg, []simtypes.FutureOperation, error) {
		msg := &types.MsgSubmitTask{}
		p, err := k.Params.Get(ctx)
		if err != nil {
			return d.NoOp(msg, "params: %v", err)
		}
		active, err := sessions(ctx, k, isActive)
		if err != nil || len(active) == 0 {
			return d.NoOp(msg, "no active session (%v)", err)
		}
		s := active[r.Intn(len(active))]
		owner, ok := simx.Find(accs, s.Owner)
		if !ok {
			return d.NoOp(msg, "owner of session %d is not a simulation account", s.Id)
		}
		// What the chain refuses a session outright: its model retired, its price above
		// today's max_price_per_task (a governance change). The owner closes such a session.
		if _, err := d.Models.GetActiveModel(ctx, s.ModelId); err != nil {
			return d.NoOp(msg, "model of session %d: %v", s.Id, err)
		}
		if s.PricePerTask.GT(p.MaxPricePerTask) {
			return d.NoOp(msg, "session %d priced above max_price_per_task", s.Id)
		}
		if b, err := d.Escrows.GetBalance(ctx, s.Id); err != nil || b.Free.LT(s.PricePerTask.MulRaw(int64(s.Redundancy))) {
			return d.NoOp(msg, "session %d escrow cannot reserve a task (%v)", s.Id, err)
		}
		promptType := types.PromptTypeCompletion
		if r.Intn(2) == 0 {
			promptType = types.PromptTypeChat
		}
		msg = &types.MsgSubmitTask{
			Owner: s.Owner, SessionId: s.Id, Prompt: simtypes.RandStringOfLength(r, 1+r.Intn(200)), PromptType: promptType,
			MaxTokens: 1 + uint32(r.Intn(int(s.MaxTokens))), Temperature: sdkmath.LegacyNewDecWithPrec(int64(r.Intn(200)), 2),
			TopP: sdkmath.LegacyNewDecWithPrec(int64(1+r.Intn(100)), 2), TopK: uint32(r.Intn(100)),
		}
		if r.Intn(2) == 0 {
			msg.Seed = r.Uint64()
		}
		return d.Deliver(r, app, ctx, owner, msg, nil)
	}
}

// Answer is what a simulated node computes for a task: a pure function of the task and
// the node, so the commit reveals exactly what the precommit hashed. About one answer in
// ten is a dissenting one (another text, an orthogonal embedding).
type Answer struct {
	Text             string
	Embedding        []int32
	PromptTokens     uint64
	CompletionTokens uint64
	Salt             []byte
}

// NodeAnswer returns node nodeID's answer to t.
func NodeAnswer(t types.Task, nodeID string) Answer {
	h := sha256.New()
	var id [8]byte
	binary.BigEndian.PutUint64(id[:], t.Id)
	h.Write(id[:])
	h.Write([]byte(nodeID))
	salt := h.Sum(nil)
	dissent := salt[0] < 26 && t.EmbeddingDim > 1
	text := fmt.Sprintf("simulated answer to task %d", t.Id)
	e := make([]int32, t.EmbeddingDim)
	if dissent {
		text += " (dissenting)"
		e[1] = embedding.Scale
	} else if len(e) > 0 {
		e[0] = embedding.Scale
	}
	completion := uint64(min(t.Sampling.MaxTokens, 5))
	return Answer{Text: text, Embedding: e, PromptTokens: uint64(len(t.Prompt)/4 + 1), CompletionTokens: completion, Salt: salt}
}

// assignedTo picks a random task in status with an assignment in aStatus whose node
// signs with a simulation account.
func assignedTo(r *rand.Rand, ctx sdk.Context, d Deps, k keeper.Keeper, accs []simtypes.Account,
	status types.TaskStatus, aStatus types.AssignmentStatus,
) (types.Task, string, simtypes.Account, bool) {
	ts, err := tasks(ctx, k, func(t types.Task) bool { return t.Status == status && t.Deadline >= ctx.BlockHeight() })
	if err != nil || len(ts) == 0 {
		return types.Task{}, "", simtypes.Account{}, false
	}
	for _, i := range r.Perm(len(ts)) {
		t := ts[i]
		for _, a := range t.Assignments {
			if a.Status != aStatus {
				continue
			}
			n, err := d.Nodes.GetNode(ctx, a.NodeId)
			if err != nil {
				continue
			}
			if acc, ok := simx.Find(accs, n.NodeAddress); ok {
				return t, a.NodeId, acc, true
			}
			if acc, ok := simx.Find(accs, n.Operator); ok {
				return t, a.NodeId, acc, true
			}
		}
	}
	return types.Task{}, "", simtypes.Account{}, false
}

// SimulateMsgPrecommit precommits an assigned node's answer to a task in its precommit
// phase.
func SimulateMsgPrecommit(d Deps, k keeper.Keeper) simtypes.Operation {
	return func(r *rand.Rand, app *baseapp.BaseApp, ctx sdk.Context, accs []simtypes.Account, _ string) (simtypes.OperationMsg, []simtypes.FutureOperation, error) {
		msg := &types.MsgPrecommit{}
		t, nodeID, signer, ok := assignedTo(r, ctx, d, k, accs, types.TASK_STATUS_PRECOMMIT, types.ASSIGNMENT_STATUS_ASSIGNED)
		if !ok {
			return d.NoOp(msg, "no task awaiting a precommit of a simulated node")
		}
		a := NodeAnswer(t, nodeID)
		msg = &types.MsgPrecommit{
			Sender: signer.Address.String(), TaskId: t.Id, NodeId: nodeID,
			Hash: types.PrecommitHash(t.Id, nodeID, a.Text, a.Embedding, a.PromptTokens, a.CompletionTokens, a.Salt),
		}
		return d.Deliver(r, app, ctx, signer, msg, nil)
	}
}

// SimulateMsgCommit reveals a precommitted answer of a task in its commit phase.
func SimulateMsgCommit(d Deps, k keeper.Keeper) simtypes.Operation {
	return func(r *rand.Rand, app *baseapp.BaseApp, ctx sdk.Context, accs []simtypes.Account, _ string) (simtypes.OperationMsg, []simtypes.FutureOperation, error) {
		msg := &types.MsgCommit{}
		t, nodeID, signer, ok := assignedTo(r, ctx, d, k, accs, types.TASK_STATUS_COMMIT, types.ASSIGNMENT_STATUS_PRECOMMITTED)
		if !ok {
			return d.NoOp(msg, "no task awaiting a commit of a simulated node")
		}
		a := NodeAnswer(t, nodeID)
		msg = &types.MsgCommit{
			Sender: signer.Address.String(), TaskId: t.Id, NodeId: nodeID, ResultText: a.Text, Embedding: a.Embedding,
			PromptTokens: a.PromptTokens, CompletionTokens: a.CompletionTokens, Salt: a.Salt,
		}
		return d.Deliver(r, app, ctx, signer, msg, nil)
	}
}

// SimulateMsgUpdateParams replaces the params with random valid ones, through the
// authority as a passed governance proposal would.
func SimulateMsgUpdateParams(d Deps, k keeper.Keeper) simtypes.Operation {
	return func(r *rand.Rand, app *baseapp.BaseApp, ctx sdk.Context, _ []simtypes.Account, _ string) (simtypes.OperationMsg, []simtypes.FutureOperation, error) {
		return d.DeliverAuthority(app, ctx, &types.MsgUpdateParams{Authority: k.Authority(), Params: RandomParams(r)})
	}
}

// ProposalMsgs are the governance proposal messages x/gov's simulation submits.
func ProposalMsgs(k keeper.Keeper) []simtypes.WeightedProposalMsg {
	return []simtypes.WeightedProposalMsg{
		simulation.NewWeightedProposalMsg(OpWeightUpdateParams, 3,
			func(r *rand.Rand, _ sdk.Context, _ []simtypes.Account) sdk.Msg {
				return &types.MsgUpdateParams{Authority: k.Authority(), Params: RandomParams(r)}
			}),
	}
}
