// Package keeper holds x/sessions state: sessions, the task queue, assignments, the
// precommit → commit → validation state machine, deadlines and pruning.
package keeper

import (
	"context"
	"errors"

	"github.com/cosmos/gogoproto/proto"

	"cosmossdk.io/collections"
	"cosmossdk.io/core/store"
	errorsmod "cosmossdk.io/errors"
	"cosmossdk.io/log/v2"

	"github.com/cosmos/cosmos-sdk/codec"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/cortnet/cortd/x/sessions/types"
)

type (
	u64Pair = collections.Pair[uint64, uint64]
	hPair   = collections.Pair[int64, uint64]
	sPair   = collections.Pair[string, uint64]
)

// Keeper owns sessions and tasks.
type Keeper struct {
	cdc          codec.BinaryCodec
	storeService store.KVStoreService
	models       types.ModelsKeeper
	nodes        types.NodesKeeper
	payments     types.PaymentsKeeper
	authority    string

	Schema        collections.Schema
	Params        collections.Item[types.Params]
	NextSessionID collections.Sequence
	NextTaskID    collections.Sequence
	Sessions      collections.Map[uint64, types.Session]
	// SessionsByOwner indexes (owner, session id).
	SessionsByOwner collections.KeySet[sPair]
	Tasks           collections.Map[uint64, types.Task]
	// TasksBySession indexes (session id, task id).
	TasksBySession collections.KeySet[u64Pair]
	// Queue holds (ready height, task id) of queued tasks. Task ids are global and
	// increasing, so among tasks ready at the same height id order is submission order:
	// FIFO globally and per session; a task that found too few nodes is re-keyed to the
	// next height, behind the tasks already waiting.
	Queue collections.KeySet[hPair]
	// Deadlines holds (height, task id) of every task not ended: at the end of that
	// height its current state times out.
	Deadlines collections.KeySet[hPair]
	// PruneQueue holds (height, task id): at that height the task's bulky payloads go.
	PruneQueue collections.KeySet[hPair]
	// NodeTasks indexes (node id, task id) for live assignments: what a miner polls.
	NodeTasks collections.KeySet[sPair]
	// Results holds each revealed result's text, embedding and salt by (task id, node id).
	Results collections.Map[collections.Pair[uint64, string], types.Result]
	// AuditQueue holds (draw height, task id) of validated tasks awaiting the audit
	// sampling draw; PruneDeferred the tasks whose pruning waits for their audit (audit.go).
	AuditQueue    collections.KeySet[hPair]
	PruneDeferred collections.KeySet[uint64]
	// Precommitted holds (height, task id) of the tasks that received a precommit in that
	// block, or whose precommit deadline opened their commit phase; its EndBlock opens the
	// commit phase of those every assignment has precommitted, announces the openings
	// (EventCommitPhase) and removes them, so it is empty between blocks (announce.go).
	Precommitted collections.KeySet[hPair]

	// audits is set once after construction (SetAudits): x/audits is built after this
	// keeper. A pointer, so every copy of the keeper sees it.
	audits *auditsRef
}

// NewKeeper builds the keeper. authority is the bech32 address allowed to update params.
func NewKeeper(cdc codec.BinaryCodec, storeService store.KVStoreService, models types.ModelsKeeper,
	nodes types.NodesKeeper, payments types.PaymentsKeeper, authority string,
) Keeper {
	if _, err := sdk.AccAddressFromBech32(authority); err != nil {
		panic("x/sessions: invalid authority address: " + err.Error())
	}
	sb := collections.NewSchemaBuilder(storeService)
	hKey := collections.PairKeyCodec(collections.Int64Key, collections.Uint64Key)
	k := Keeper{
		cdc: cdc, storeService: storeService, models: models, nodes: nodes, payments: payments, authority: authority,
		Params:          collections.NewItem(sb, types.ParamsKey, "params", codec.CollValue[types.Params](cdc)),
		NextSessionID:   collections.NewSequence(sb, types.NextSessionIDKey, "next_session_id"),
		NextTaskID:      collections.NewSequence(sb, types.NextTaskIDKey, "next_task_id"),
		Sessions:        collections.NewMap(sb, types.SessionsKey, "sessions", collections.Uint64Key, codec.CollValue[types.Session](cdc)),
		SessionsByOwner: collections.NewKeySet(sb, types.SessionsByOwnerKey, "sessions_by_owner", collections.PairKeyCodec(collections.StringKey, collections.Uint64Key)),
		Tasks:           collections.NewMap(sb, types.TasksKey, "tasks", collections.Uint64Key, codec.CollValue[types.Task](cdc)),
		TasksBySession:  collections.NewKeySet(sb, types.TasksBySessionKey, "tasks_by_session", collections.PairKeyCodec(collections.Uint64Key, collections.Uint64Key)),
		Queue:           collections.NewKeySet(sb, types.QueueKey, "queue", hKey),
		Deadlines:       collections.NewKeySet(sb, types.DeadlinesKey, "deadlines", hKey),
		PruneQueue:      collections.NewKeySet(sb, types.PruneQueueKey, "prune_queue", hKey),
		NodeTasks:       collections.NewKeySet(sb, types.NodeTasksKey, "node_tasks", collections.PairKeyCodec(collections.StringKey, collections.Uint64Key)),
		Results: collections.NewMap(sb, types.ResultsKey, "results",
			collections.PairKeyCodec(collections.Uint64Key, collections.StringKey), codec.CollValue[types.Result](cdc)),
		AuditQueue:    collections.NewKeySet(sb, types.AuditQueueKey, "audit_queue", hKey),
		PruneDeferred: collections.NewKeySet(sb, types.PruneDeferredKey, "prune_deferred", collections.Uint64Key),
		Precommitted:  collections.NewKeySet(sb, types.PrecommittedKey, "precommitted", hKey),
		audits:        &auditsRef{},
	}
	schema, err := sb.Build()
	if err != nil {
		panic(err)
	}
	k.Schema = schema
	return k
}

// Authority returns the module authority address.
func (k Keeper) Authority() string { return k.authority }

// Logger returns a module logger.
func (k Keeper) Logger(ctx context.Context) log.Logger {
	return sdk.UnwrapSDKContext(ctx).Logger().With("module", "x/"+types.ModuleName)
}

// GetSession returns a session or ErrSessionNotFound.
func (k Keeper) GetSession(ctx context.Context, id uint64) (types.Session, error) {
	s, err := k.Sessions.Get(ctx, id)
	if errors.Is(err, collections.ErrNotFound) {
		return s, errorsmod.Wrapf(types.ErrSessionNotFound, "%d", id)
	}
	return s, err
}

// GetTask returns a task or ErrTaskNotFound.
func (k Keeper) GetTask(ctx context.Context, id uint64) (types.Task, error) {
	t, err := k.Tasks.Get(ctx, id)
	if errors.Is(err, collections.ErrNotFound) {
		return t, errorsmod.Wrapf(types.ErrTaskNotFound, "%d", id)
	}
	return t, err
}

// WithResults returns the task with every stored result (text, embedding, salt) filled
// into its assignments, as queries and exports show it.
func (k Keeper) WithResults(ctx context.Context, t types.Task) (types.Task, error) {
	for i := range t.Assignments {
		r, err := k.Results.Get(ctx, collections.Join(t.Id, t.Assignments[i].NodeId))
		if errors.Is(err, collections.ErrNotFound) {
			continue
		}
		if err != nil {
			return t, err
		}
		t.Assignments[i].ResultText = r.ResultText
		t.Assignments[i].Embedding = r.Embedding
		t.Assignments[i].Salt = r.Salt
	}
	return t, nil
}

// atomic runs f on a cached context and writes it (with its events) only when f
// succeeds: a message that fails after some writes leaves state unchanged even when
// called outside a transaction (tests, EndBlock). Inside a transaction (the context
// carries its bytes) f runs directly: baseapp already runs each tx on a branch of the
// store that it drops whole when any message fails, and branching every module's store
// once more per message was 4 % of a loaded node's CPU.
func atomic(ctx context.Context, f func(ctx sdk.Context) error) error {
	sdkCtx := sdk.UnwrapSDKContext(ctx)
	if len(sdkCtx.TxBytes()) > 0 {
		return f(sdkCtx)
	}
	cache, write := sdkCtx.CacheContext()
	if err := f(cache); err != nil {
		return err
	}
	write()
	return nil
}

// emit emits a typed event. The per-task events encode themselves (types.ABCIEvent, the
// same attributes as EmitTypedEvent without its JSON round trip); the rest go through
// the SDK.
func emit(ctx context.Context, ev proto.Message) error {
	em := sdk.UnwrapSDKContext(ctx).EventManager()
	if e, ok := ev.(types.ABCIEvent); ok {
		em.EmitEvent(e.ABCIEvent())
		return nil
	}
	return em.EmitTypedEvent(ev)
}

// setDeadline moves a task's deadline key from its current deadline to h.
func (k Keeper) setDeadline(ctx context.Context, t *types.Task, h int64) error {
	if t.Deadline != 0 {
		if err := k.Deadlines.Remove(ctx, collections.Join(t.Deadline, t.Id)); err != nil {
			return err
		}
	}
	t.Deadline = h
	return k.Deadlines.Set(ctx, collections.Join(h, t.Id))
}
