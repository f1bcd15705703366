package keeper

import (
	"context"
	"sort"
	"strconv"

	"cosmossdk.io/collections"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/cortnet/cortd/x/internal/seed"
	nodestypes "github.com/cortnet/cortd/x/nodes/types"
	"github.com/cortnet/cortd/x/sessions/types"
)

// AssignDomain separates the assignment seed from other uses of the block hash.
const AssignDomain = "cortd/sessions/assign/v1"

// candidate is an eligible node as the shuffle sees it.
type candidate struct {
	id, operator string
	weight       uint64 // level + 1
	loaded       bool
}

// pool is a list of candidates with cumulative weights: cum[i] = Σ weight[0..i].
type pool struct {
	c   []candidate
	cum []uint64
}

func newPool(c []candidate) pool {
	p := pool{c: c, cum: make([]uint64, len(c))}
	var w uint64
	for i, x := range c {
		w += x.weight
		p.cum[i] = w
	}
	return p
}

func (p pool) total() uint64 {
	if len(p.cum) == 0 {
		return 0
	}
	return p.cum[len(p.cum)-1]
}

// candidates are the eligible nodes of one (model, min level) split into those that
// report the model loaded (warm) and the others (cold).
type candidates struct{ warm, cold pool }

// assigner picks nodes for tasks within one EndBlock. Eligible nodes are read once per
// (model, min level) per block, at most max_candidate_scan of them, in node id order.
// The cache is a map used only for lookups, never iterated.
type assigner struct {
	k     Keeper
	p     types.Params
	seed  [32]byte
	cache map[string]candidates
}

func (k Keeper) newAssigner(ctx context.Context, p types.Params) *assigner {
	// seed = sha256(domain ‖ previous block's header hash). See README: a proposer can
	// grind only by withholding blocks.
	return &assigner{k: k, p: p, cache: map[string]candidates{},
		seed: seed.DomainFirst(AssignDomain, sdk.UnwrapSDKContext(ctx).BlockHeader().LastBlockId.Hash)}
}

func (a *assigner) candidates(ctx context.Context, modelID string, minLevel uint32) candidates {
	key := modelID + "\x00" + strconv.FormatUint(uint64(minLevel), 10)
	if c, ok := a.cache[key]; ok {
		return c
	}
	var warm, cold []candidate
	// The model's footprint, for the spec check below. An unknown or retired model has
	// no candidates (EligibleNodes would yield only its error).
	model, err := a.k.models.GetActiveModel(ctx, modelID)
	if err != nil {
		c := candidates{}
		a.cache[key] = c
		return c
	}
	scanned := uint32(0)
	for n, err := range a.k.nodes.EligibleNodes(ctx, modelID, minLevel) {
		if err != nil {
			// an unknown or retired model (or a read error) leaves no candidates
			warm, cold = nil, nil
			break
		}
		// Every node read counts toward the scan bound, held or not, so the work per
		// (model, min level) stays bounded.
		scanned++
		if CanHold(n.Spec, n.MemoryIndexMib, model.MemoryMib) {
			c := candidate{id: n.Id, operator: n.Operator, weight: uint64(n.Level) + 1}
			for _, m := range n.LoadedModels {
				if m == modelID {
					c.loaded = true
				}
			}
			if c.loaded {
				warm = append(warm, c)
			} else {
				cold = append(cold, c)
			}
		}
		if scanned >= a.p.MaxCandidateScan {
			break
		}
	}
	c := candidates{warm: newPool(warm), cold: newPool(cold)}
	a.cache[key] = c
	return c
}

// CanHold reports whether a node with this registered spec and memory index can hold a
// model needing memoryMiB. The memory index bounds every node (x/nodes checks it too). A
// node that declares GPUs (gpu_count > 0, hence vram_mib > 0: x/nodes accepts both zero
// or both positive) serves through a GPU server (vLLM, SGLang, llama.cpp, Ollama behind
// the openai backend) that keeps the weights in GPU memory, so the model must also fit
// its total VRAM (tensor parallelism spreads one model over all the node's GPUs); its
// RAM, which the memory index may include, cannot stand in for VRAM. A node without GPUs
// runs the CPU engine, which holds models in RAM: the memory index alone decides.
// Integer comparisons only.
func CanHold(spec nodestypes.NodeSpec, memoryIndexMiB, memoryMiB uint64) bool {
	if memoryMiB > memoryIndexMiB {
		return false
	}
	if spec.GpuCount > 0 || spec.VramMib > 0 {
		return memoryMiB <= spec.VramMib
	}
	return true
}

// draw returns a number in [0, w) from sha256(seed ‖ task id ‖ counter). The modulo
// bias is below w / 2^64 (w ≤ 11 × max_candidate_scan), negligible.
func (a *assigner) draw(taskID, counter uint64, w uint64) uint64 {
	return seed.Below(a.seed[:], w, taskID, counter)
}

// maxRejections bounds the draws that may land on an excluded node before pickFrom
// switches to an exact linear pass over the remaining candidates.
const maxRejections = 32

// pick chooses up to k distinct nodes for the task, never one already on it: a
// level-weighted shuffle (weight level+1, sampling without replacement) among candidates
// that report the model loaded, then, if those run out, among the others.
func (a *assigner) pick(ctx context.Context, t types.Task, minLevel uint32, k int) []candidate {
	c := a.candidates(ctx, t.ModelId, minLevel)
	var out []candidate
	counter := uint64(t.Reassignments) << 32 // fresh draws for each replacement round
	for _, p := range []pool{c.warm, c.cold} {
		out = a.pickFrom(p, t, out, k, &counter)
	}
	return out
}

// pickFrom adds weighted draws from p to out until out has k nodes or p is exhausted.
// A draw is a binary search in the cumulative weights; a draw that lands on a node
// already on the task or already picked is redrawn, which is exactly weighted sampling
// without replacement. After maxRejections redraws in a row it falls back to an exact
// linear pass over the nodes still available (small or mostly excluded pools).
func (a *assigner) pickFrom(p pool, t types.Task, out []candidate, k int, counter *uint64) []candidate {
	taken := func(id string) bool {
		if onTask(t, id) {
			return true
		}
		for _, c := range out {
			if c.id == id {
				return true
			}
		}
		return false
	}
	total := p.total()
	for len(out) < k && total > 0 {
		found := false
		for range maxRejections {
			r := a.draw(t.Id, *counter, total)
			*counter++
			i := sort.Search(len(p.cum), func(i int) bool { return p.cum[i] > r })
			if !taken(p.c[i].id) {
				out = append(out, p.c[i])
				found = true
				break
			}
		}
		if found {
			continue
		}
		var rest []candidate
		var w uint64
		for _, c := range p.c {
			if !taken(c.id) {
				rest = append(rest, c)
				w += c.weight
			}
		}
		if len(rest) == 0 {
			break
		}
		r := a.draw(t.Id, *counter, w)
		*counter++
		i := 0
		for ; r >= rest[i].weight; i++ {
			r -= rest[i].weight
		}
		out = append(out, rest[i])
	}
	return out
}

func onTask(t types.Task, nodeID string) bool {
	for _, a := range t.Assignments {
		if a.NodeId == nodeID {
			return true
		}
	}
	return false
}

// addAssignments appends the picked nodes to the task, reports them to x/nodes, indexes
// them for NodeAssignments, opens a precommit window and emits EventTaskAssigned.
func (k Keeper) addAssignments(ctx context.Context, p types.Params, t *types.Task, picked []candidate) error {
	h := sdk.UnwrapSDKContext(ctx).BlockHeight()
	ids := make([]string, len(picked))
	for i, c := range picked {
		ids[i] = c.id
		t.Assignments = append(t.Assignments, types.Assignment{
			NodeId: c.id, Operator: c.operator, Status: types.ASSIGNMENT_STATUS_ASSIGNED, AssignedHeight: h,
		})
		if err := k.record(ctx, func(ctx context.Context, id string) error {
			return k.nodes.RecordAssignmentFor(ctx, id, t.ModelId)
		}, c.id); err != nil {
			return err
		}
		if err := k.NodeTasks.Set(ctx, collections.Join(c.id, t.Id)); err != nil {
			return err
		}
	}
	t.Status = types.TASK_STATUS_PRECOMMIT
	if err := k.setDeadline(ctx, t, h+p.PrecommitWindowBlocks); err != nil {
		return err
	}
	return emit(ctx, &types.EventTaskAssigned{
		TaskId: t.Id, SessionId: t.SessionId, ModelId: t.ModelId, Prompt: t.Prompt, PromptType: t.PromptType,
		Sampling: t.Sampling, NodeIds: ids, PrecommitDeadline: t.Deadline, EmbeddingDim: t.EmbeddingDim,
		Verification: t.Verification.Effective(),
	})
}

// assignQueued examines up to max_assignments_per_block queued tasks that are ready, in
// (ready height, id) order, and assigns each to redundancy nodes when enough are
// eligible. A task that finds too few goes to the back of the queue (ready at the next
// height) and is tried again until its queue deadline.
func (k Keeper) assignQueued(ctx context.Context, p types.Params, a *assigner) error {
	h := sdk.UnwrapSDKContext(ctx).BlockHeight()
	keys, err := k.due(ctx, k.Queue, h, p.MaxAssignmentsPerBlock)
	if err != nil {
		return err
	}
	for _, key := range keys {
		id := key.K2()
		t, err := k.Tasks.Get(ctx, id)
		if err != nil {
			return err
		}
		sess, err := k.Sessions.Get(ctx, t.SessionId)
		if err != nil {
			return err
		}
		picked := a.pick(ctx, t, sess.MinLevel, int(sess.Redundancy))
		if err := k.Queue.Remove(ctx, key); err != nil {
			return err
		}
		if len(picked) < int(sess.Redundancy) {
			t.ReadyHeight = h + 1
			if err := k.Queue.Set(ctx, collections.Join(t.ReadyHeight, id)); err != nil {
				return err
			}
			if err := k.Tasks.Set(ctx, id, t); err != nil {
				return err
			}
			continue
		}
		t.AssignedHeight = sdk.UnwrapSDKContext(ctx).BlockHeight()
		if err := k.addAssignments(ctx, p, &t, picked); err != nil {
			return err
		}
		if err := k.Tasks.Set(ctx, id, t); err != nil {
			return err
		}
		sess.Queued--
		sess.Running++
		if err := k.Sessions.Set(ctx, sess.Id, sess); err != nil {
			return err
		}
	}
	return nil
}
