package simulation

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"math/rand"

	"cosmossdk.io/collections"
	sdkmath "cosmossdk.io/math"

	"github.com/cosmos/cosmos-sdk/baseapp"
	sdk "github.com/cosmos/cosmos-sdk/types"
	simtypes "github.com/cosmos/cosmos-sdk/types/simulation"
	"github.com/cosmos/cosmos-sdk/x/simulation"
	stakingtypes "github.com/cosmos/cosmos-sdk/x/staking/types"

	"github.com/cortnet/cortd/x/challenges/keeper"
	"github.com/cortnet/cortd/x/challenges/types"
	"github.com/cortnet/cortd/x/internal/simx"
	nodestypes "github.com/cortnet/cortd/x/nodes/types"
)

// Operation weights (keys of the simulation's app params).
const (
	OpWeightSetOptIn        = "op_weight_msg_set_opt_in"
	OpWeightPostChallenge   = "op_weight_msg_post_challenge"
	OpWeightCommitPatch     = "op_weight_msg_commit_patch"
	OpWeightRevealPatch     = "op_weight_msg_reveal_patch"
	OpWeightRevealTests     = "op_weight_msg_reveal_tests"
	OpWeightSubmitScores    = "op_weight_msg_submit_scores"
	OpWeightWithdrawRewards = "op_weight_msg_challenges_withdraw_rewards"
	OpWeightReportUnavail   = "op_weight_msg_report_unavailable"
	OpWeightUpdateParams    = "op_weight_msg_challenges_update_params"

	walkLimit = 200
)

// Staking is what the operations read of x/staking: posters and evaluators operate
// bonded validators.
type Staking interface {
	GetValidator(ctx context.Context, addr sdk.ValAddress) (stakingtypes.Validator, error)
}

// Nodes is what the operations read of x/nodes: the nodes to opt in, who signs for them.
type Nodes interface {
	GetNode(ctx context.Context, id string) (nodestypes.Node, error)
	WalkNodes(ctx context.Context, limit int, fn func(nodestypes.Node) bool) error
}

// Deps is what the operations deliver through and read.
type Deps struct {
	simx.Env
	Staking Staking
	Nodes   Nodes
}

// WeightedOperations returns one operation per x/challenges message.
func WeightedOperations(appParams simtypes.AppParams, d Deps, k keeper.Keeper) simulation.WeightedOperations {
	weight := func(key string, def int) int {
		var w int
		appParams.GetOrGenerate(key, &w, nil, func(*rand.Rand) { w = def })
		return w
	}
	return simulation.WeightedOperations{
		simulation.NewWeightedOperation(weight(OpWeightSetOptIn, 10), SimulateMsgSetOptIn(d, k)),
		simulation.NewWeightedOperation(weight(OpWeightPostChallenge, 10), SimulateMsgPostChallenge(d, k)),
		simulation.NewWeightedOperation(weight(OpWeightCommitPatch, 40), SimulateMsgCommitPatch(d, k)),
		simulation.NewWeightedOperation(weight(OpWeightRevealPatch, 40), SimulateMsgRevealPatch(d, k)),
		simulation.NewWeightedOperation(weight(OpWeightRevealTests, 30), SimulateMsgRevealTests(d, k)),
		simulation.NewWeightedOperation(weight(OpWeightSubmitScores, 40), SimulateMsgSubmitScores(d, k)),
		simulation.NewWeightedOperation(weight(OpWeightWithdrawRewards, 5), SimulateMsgWithdrawRewards(d, k)),
		simulation.NewWeightedOperation(weight(OpWeightReportUnavail, 5), SimulateMsgReportUnavailable(d, k)),
		simulation.NewWeightedOperation(weight(OpWeightUpdateParams, 5), SimulateMsgUpdateParams(d, k)),
	}
}

// challenges returns up to walkLimit challenges, newest first, in one of statuses.
func challenges(ctx sdk.Context, k keeper.Keeper, statuses ...types.ChallengeStatus) ([]types.Challenge, error) {
	var out []types.Challenge
	n := 0
	err := k.Challenges.Walk(ctx, new(collections.Range[uint64]).Descending(), func(_ uint64, c types.Challenge) (bool, error) {
		n++
		for _, s := range statuses {
			if c.Status == s {
				out = append(out, c)
			}
		}
		return n >= walkLimit, nil
	})
	return out, err
}

// bondedAccount returns a random simulation account that operates a bonded validator.
func bondedAccount(r *rand.Rand, ctx sdk.Context, d Deps, accs []simtypes.Account, skip func(simtypes.Account) bool) (simtypes.Account, bool) {
	for _, i := range r.Perm(len(accs)) {
		v, err := d.Staking.GetValidator(ctx, sdk.ValAddress(accs[i].Address))
		if err == nil && v.IsBonded() && (skip == nil || !skip(accs[i])) {
			return accs[i], true
		}
	}
	return simtypes.Account{}, false
}

// digest is sha256 of the parts, each length-prefixed.
func digest(parts ...string) []byte {
	h := sha256.New()
	for _, p := range parts {
		var n [8]byte
		binary.BigEndian.PutUint64(n[:], uint64(len(p)))
		h.Write(n[:])
		h.Write([]byte(p))
	}
	return h.Sum(nil)
}

// Tests returns the poster's hidden tests of a challenge (archive sha256 and salt): a
// function of its problem statement, which carries a random nonce, so the reveal can
// recompute what the post committed to.
func Tests(problemStatement string) (sha256Hex string, salt []byte) {
	return hex.EncodeToString(digest("tests", problemStatement)), digest("tests salt", problemStatement)
}

// Patch returns a miner's patch and salt for a challenge, a function of both ids.
func Patch(challengeID uint64, nodeID string) (patch, salt []byte) {
	var id [8]byte
	binary.BigEndian.PutUint64(id[:], challengeID)
	return []byte("--- a/main.go\n+++ b/main.go\n@@ sim " + hex.EncodeToString(id[:]) + " " + nodeID + "\n"),
		digest("patch salt", string(id[:]), nodeID)
}

// Answer is a miner's answer and salt for a challenge of task type tt: Patch's patch, or
// for context selection a canonical file list (one or two paths drawn from the ids).
func Answer(tt types.TaskType, challengeID uint64, nodeID string) (answer, salt []byte) {
	patch, salt := Patch(challengeID, nodeID)
	if tt != types.TASK_TYPE_CONTEXT_SELECTION {
		return patch, salt
	}
	h := digest("answer", string(patch))
	paths := []string{"main.go"}
	if h[0]%2 == 1 {
		paths = append(paths, "pkg/"+hex.EncodeToString(h[1:4])+".go")
	}
	return types.EncodeFileList(paths), salt
}

// SimulateMsgSetOptIn opts a random node of a simulation account in (mostly) or out.
func SimulateMsgSetOptIn(d Deps, k keeper.Keeper) simtypes.Operation {
	return func(r *rand.Rand, app *baseapp.BaseApp, ctx sdk.Context, accs []simtypes.Account, _ string) (simtypes.OperationMsg, []simtypes.FutureOperation, error) {
		msg := &types.MsgSetOptIn{}
		var nodes []nodestypes.Node
		if err := d.Nodes.WalkNodes(ctx, walkLimit, func(n nodestypes.Node) bool {
			nodes = append(nodes, n)
			return false
		}); err != nil || len(nodes) == 0 {
			return d.NoOp(msg, "no node (%v)", err)
		}
		n := nodes[r.Intn(len(nodes))]
		op, ok := simx.Find(accs, n.Operator)
		if !ok {
			return d.NoOp(msg, "operator of %s is not a simulation account", n.Id)
		}
		msg = &types.MsgSetOptIn{Operator: n.Operator, NodeId: n.Id, OptIn: r.Intn(5) != 0}
		return d.Deliver(r, app, ctx, op, msg, nil)
	}
}

// SimulateMsgPostChallenge posts a challenge from a bonded validator's operator, with
// the tests commitment of Tests.
func SimulateMsgPostChallenge(d Deps, k keeper.Keeper) simtypes.Operation {
	return func(r *rand.Rand, app *baseapp.BaseApp, ctx sdk.Context, accs []simtypes.Account, _ string) (simtypes.OperationMsg, []simtypes.FutureOperation, error) {
		msg := &types.MsgPostChallenge{}
		p, err := k.GetParams(ctx)
		if err != nil {
			return d.NoOp(msg, "params: %v", err)
		}
		poster, ok := bondedAccount(r, ctx, d, accs, nil)
		if !ok {
			return d.NoOp(msg, "no bonded validator of a simulation account")
		}
		spent := sdk.NewCoins(p.PostingDeposit)
		if !d.BK.SpendableCoins(ctx, poster.Address).IsAllGTE(spent) {
			return d.NoOp(msg, "poster cannot pay %s", p.PostingDeposit)
		}
		statement := "Make the tests pass. nonce " + simx.RandomID(r, "n", 12)
		testsSha, salt := Tests(statement)
		snapSum := digest("snapshot", statement)
		maxMiners := 1 + uint32(r.Intn(int(p.MaxMiners)))
		taskType := types.TaskTypes[r.Intn(len(types.TaskTypes))]
		contextPaths, checklist, testCommand := []string{"main.go"}, []string{"tests pass"}, "go test ./..."
		if taskType == types.TASK_TYPE_CONTEXT_SELECTION {
			// the answer key is the hidden "tests"; no tests run
			contextPaths, checklist, testCommand = nil, nil, ""
		}
		msg = &types.MsgPostChallenge{
			Poster: poster.Address.String(), TaskType: taskType,
			Snapshot:         types.Snapshot{Url: "https://git.example/" + simx.RandomID(r, "repo", 8) + ".tar.gz", Sha256: hex.EncodeToString(snapSum), SizeBytes: 1 + uint64(r.Intn(1<<20))},
			ProblemStatement: statement, ContextPaths: contextPaths, Checklist: checklist,
			TestCommand: testCommand, TestsCommitment: types.TestsCommitment(testsSha, salt),
			MinMiners: 1, MaxMiners: maxMiners,
			ResponseWindowBlocks:   p.MinResponseWindowBlocks + uint64(r.Int63n(int64(p.MaxResponseWindowBlocks-p.MinResponseWindowBlocks+1))),
			EvaluationWindowBlocks: p.MinEvaluationWindowBlocks + uint64(r.Int63n(int64(p.MaxEvaluationWindowBlocks-p.MinEvaluationWindowBlocks+1))),
		}
		return d.Deliver(r, app, ctx, poster, msg, spent)
	}
}

// invitedSigner picks a random answer of a challenge in the right phase whose node signs
// with a simulation account, among those want accepts.
func invitedSigner(r *rand.Rand, ctx sdk.Context, d Deps, k keeper.Keeper, accs []simtypes.Account,
	cs []types.Challenge, want func(types.Answer) bool,
) (types.Challenge, types.Answer, simtypes.Account, bool) {
	for _, i := range r.Perm(len(cs)) {
		c := cs[i]
		for _, j := range r.Perm(len(c.Invited)) {
			a, err := k.Answers.Get(ctx, collections.Join(c.Id, c.Invited[j]))
			if err != nil || !want(a) {
				continue
			}
			n, err := d.Nodes.GetNode(ctx, a.NodeId)
			if err != nil {
				continue
			}
			if acc, ok := simx.Find(accs, n.Operator); ok {
				return c, a, acc, true
			}
			if acc, ok := simx.Find(accs, n.NodeAddress); ok {
				return c, a, acc, true
			}
		}
	}
	return types.Challenge{}, types.Answer{}, simtypes.Account{}, false
}

// SimulateMsgCommitPatch commits an invited miner's patch during the response window.
func SimulateMsgCommitPatch(d Deps, k keeper.Keeper) simtypes.Operation {
	return func(r *rand.Rand, app *baseapp.BaseApp, ctx sdk.Context, accs []simtypes.Account, _ string) (simtypes.OperationMsg, []simtypes.FutureOperation, error) {
		msg := &types.MsgCommitPatch{}
		cs, err := challenges(ctx, k, types.CHALLENGE_STATUS_COMMIT)
		if err != nil {
			return d.NoOp(msg, "walk: %v", err)
		}
		h := ctx.BlockHeight()
		var open []types.Challenge
		for _, c := range cs {
			if h < c.CommitEndHeight {
				open = append(open, c)
			}
		}
		c, a, signer, ok := invitedSigner(r, ctx, d, k, accs, open, func(a types.Answer) bool { return a.Commitment == "" })
		if !ok {
			return d.NoOp(msg, "no invited miner left to commit")
		}
		patch, salt := Answer(c.TaskType, c.Id, a.NodeId)
		msg = &types.MsgCommitPatch{Sender: signer.Address.String(), ChallengeId: c.Id, NodeId: a.NodeId, Commitment: types.PatchCommitment(patch, salt)}
		return d.Deliver(r, app, ctx, signer, msg, nil)
	}
}

// SimulateMsgRevealPatch reveals a committed patch during the reveal window.
func SimulateMsgRevealPatch(d Deps, k keeper.Keeper) simtypes.Operation {
	return func(r *rand.Rand, app *baseapp.BaseApp, ctx sdk.Context, accs []simtypes.Account, _ string) (simtypes.OperationMsg, []simtypes.FutureOperation, error) {
		msg := &types.MsgRevealPatch{}
		cs, err := challenges(ctx, k, types.CHALLENGE_STATUS_COMMIT, types.CHALLENGE_STATUS_REVEAL)
		if err != nil {
			return d.NoOp(msg, "walk: %v", err)
		}
		h := ctx.BlockHeight()
		var open []types.Challenge
		for _, c := range cs {
			if h >= c.CommitEndHeight && h < c.RevealEndHeight {
				open = append(open, c)
			}
		}
		c, a, signer, ok := invitedSigner(r, ctx, d, k, accs, open, func(a types.Answer) bool { return a.Commitment != "" && !a.Revealed })
		if !ok {
			return d.NoOp(msg, "no committed patch to reveal")
		}
		patch, salt := Answer(c.TaskType, c.Id, a.NodeId)
		msg = &types.MsgRevealPatch{Sender: signer.Address.String(), ChallengeId: c.Id, NodeId: a.NodeId, Patch: patch, Salt: hex.EncodeToString(salt)}
		return d.Deliver(r, app, ctx, signer, msg, nil)
	}
}

// SimulateMsgRevealTests reveals the tests of a challenge with revealed patches, by its
// poster, after the reveal window.
func SimulateMsgRevealTests(d Deps, k keeper.Keeper) simtypes.Operation {
	return func(r *rand.Rand, app *baseapp.BaseApp, ctx sdk.Context, accs []simtypes.Account, _ string) (simtypes.OperationMsg, []simtypes.FutureOperation, error) {
		msg := &types.MsgRevealTests{}
		cs, err := challenges(ctx, k, types.CHALLENGE_STATUS_COMMIT, types.CHALLENGE_STATUS_REVEAL, types.CHALLENGE_STATUS_TESTS)
		if err != nil {
			return d.NoOp(msg, "walk: %v", err)
		}
		h := ctx.BlockHeight()
		for _, i := range r.Perm(len(cs)) {
			c := cs[i]
			if h < c.RevealEndHeight || h >= c.TestsDeadlineHeight || c.Reveals == 0 {
				continue
			}
			poster, ok := simx.Find(accs, c.Poster)
			if !ok {
				continue
			}
			testsSha, salt := Tests(c.ProblemStatement)
			msg = &types.MsgRevealTests{
				Poster: c.Poster, ChallengeId: c.Id, TestsUrl: "https://git.example/tests/" + testsSha[:16] + ".tar.gz",
				TestsSha256: testsSha, TestsSizeBytes: 1 + uint64(r.Intn(1<<16)), Salt: hex.EncodeToString(salt),
			}
			return d.Deliver(r, app, ctx, poster, msg, nil)
		}
		return d.NoOp(msg, "no challenge awaiting its tests")
	}
}

// SimulateMsgSubmitScores scores every revealed patch of an evaluating challenge from a
// bonded validator's operator that has not scored it. Scores of one challenge cluster
// around a value drawn from the challenge id, so evaluators mostly agree.
func SimulateMsgSubmitScores(d Deps, k keeper.Keeper) simtypes.Operation {
	return func(r *rand.Rand, app *baseapp.BaseApp, ctx sdk.Context, accs []simtypes.Account, _ string) (simtypes.OperationMsg, []simtypes.FutureOperation, error) {
		msg := &types.MsgSubmitScores{}
		cs, err := challenges(ctx, k, types.CHALLENGE_STATUS_EVALUATING)
		if err != nil || len(cs) == 0 {
			return d.NoOp(msg, "no challenge being evaluated (%v)", err)
		}
		c := cs[r.Intn(len(cs))]
		if ctx.BlockHeight() >= c.EvaluationEndHeight {
			return d.NoOp(msg, "evaluation of %d ended", c.Id)
		}
		ev, ok := bondedAccount(r, ctx, d, accs, func(a simtypes.Account) bool {
			has, err := k.Submissions.Has(ctx, collections.Join(c.Id, a.Address))
			return err != nil || has
		})
		if !ok {
			return d.NoOp(msg, "every bonded validator scored challenge %d", c.Id)
		}
		var scores []types.MinerScore
		if err := k.Answers.Walk(ctx, collections.NewPrefixedPairRange[uint64, string](c.Id),
			func(_ collections.Pair[uint64, string], a types.Answer) (bool, error) {
				if a.Revealed {
					base := int(digest(a.NodeId, a.PatchSha256)[0]) * 39 // 0..9945
					scores = append(scores, types.MinerScore{NodeId: a.NodeId, ScoreBps: uint32(min(10_000, base+r.Intn(100)))})
				}
				return false, nil
			}); err != nil || len(scores) == 0 {
			return d.NoOp(msg, "no revealed patch on %d (%v)", c.Id, err)
		}
		msg = &types.MsgSubmitScores{Evaluator: ev.Address.String(), ChallengeId: c.Id, Scores: scores}
		return d.Deliver(r, app, ctx, ev, msg, nil)
	}
}

// SimulateMsgReportUnavailable reports an invited node that has not committed (to a
// challenge in COMMIT or REVEAL) from a bonded validator's operator without an unexpired
// report of it: as if its availability probe had failed.
func SimulateMsgReportUnavailable(d Deps, k keeper.Keeper) simtypes.Operation {
	return func(r *rand.Rand, app *baseapp.BaseApp, ctx sdk.Context, accs []simtypes.Account, _ string) (simtypes.OperationMsg, []simtypes.FutureOperation, error) {
		msg := &types.MsgReportUnavailable{}
		cs, err := challenges(ctx, k, types.CHALLENGE_STATUS_COMMIT, types.CHALLENGE_STATUS_REVEAL)
		if err != nil || len(cs) == 0 {
			return d.NoOp(msg, "no challenge in COMMIT or REVEAL (%v)", err)
		}
		for _, i := range r.Perm(len(cs)) {
			c := cs[i]
			for _, j := range r.Perm(len(c.Invited)) {
				a, err := k.Answers.Get(ctx, collections.Join(c.Id, c.Invited[j]))
				if err != nil || a.Commitment != "" {
					continue
				}
				reporter, ok := bondedAccount(r, ctx, d, accs, func(acc simtypes.Account) bool {
					rep, err := k.Reports.Get(ctx, collections.Join(a.NodeId, acc.Address))
					return err == nil && rep.ExpiresHeight > ctx.BlockHeight()
				})
				if !ok {
					continue
				}
				msg = &types.MsgReportUnavailable{Reporter: reporter.Address.String(), ChallengeId: c.Id, NodeId: a.NodeId}
				return d.Deliver(r, app, ctx, reporter, msg, nil)
			}
		}
		return d.NoOp(msg, "no invited node left to report")
	}
}

// SimulateMsgWithdrawRewards withdraws a node's pending challenge rewards.
func SimulateMsgWithdrawRewards(d Deps, k keeper.Keeper) simtypes.Operation {
	return func(r *rand.Rand, app *baseapp.BaseApp, ctx sdk.Context, accs []simtypes.Account, _ string) (simtypes.OperationMsg, []simtypes.FutureOperation, error) {
		msg := &types.MsgWithdrawRewards{}
		var ids []string
		n := 0
		if err := k.Pending.Walk(ctx, nil, func(id string, amount sdkmath.Int) (bool, error) {
			n++
			if amount.IsPositive() {
				ids = append(ids, id)
			}
			return n >= walkLimit, nil
		}); err != nil || len(ids) == 0 {
			return d.NoOp(msg, "no pending rewards (%v)", err)
		}
		id := ids[r.Intn(len(ids))]
		node, err := d.Nodes.GetNode(ctx, id)
		if err != nil {
			return d.NoOp(msg, "node %s: %v", id, err)
		}
		op, ok := simx.Find(accs, node.Operator)
		if !ok {
			return d.NoOp(msg, "operator of %s is not a simulation account", id)
		}
		msg = &types.MsgWithdrawRewards{Operator: node.Operator, NodeId: id}
		return d.Deliver(r, app, ctx, op, msg, nil)
	}
}

// UpdateParamsMsg randomizes the params, keeping the epoch identifier and the mint share.
func UpdateParamsMsg(r *rand.Rand, authority string, current types.Params) *types.MsgUpdateParams {
	p := RandomParams(r, current.PostingDeposit.Denom)
	p.EpochIdentifier, p.MintShare = current.EpochIdentifier, current.MintShare
	return &types.MsgUpdateParams{Authority: authority, Params: p}
}

// SimulateMsgUpdateParams replaces the params through the authority, as a passed
// governance proposal would.
func SimulateMsgUpdateParams(d Deps, k keeper.Keeper) simtypes.Operation {
	return func(r *rand.Rand, app *baseapp.BaseApp, ctx sdk.Context, _ []simtypes.Account, _ string) (simtypes.OperationMsg, []simtypes.FutureOperation, error) {
		p, err := k.GetParams(ctx)
		if err != nil {
			return d.NoOp(&types.MsgUpdateParams{}, "params: %v", err)
		}
		return d.DeliverAuthority(app, ctx, UpdateParamsMsg(r, k.Authority(), p))
	}
}

// ProposalMsgs are the governance proposal messages x/gov's simulation submits.
func ProposalMsgs(k keeper.Keeper) []simtypes.WeightedProposalMsg {
	return []simtypes.WeightedProposalMsg{
		simulation.NewWeightedProposalMsg(OpWeightUpdateParams, 3,
			func(r *rand.Rand, ctx sdk.Context, _ []simtypes.Account) sdk.Msg {
				p, err := k.GetParams(ctx)
				if err != nil {
					p = types.DefaultParams()
				}
				return UpdateParamsMsg(r, k.Authority(), p)
			}),
	}
}
