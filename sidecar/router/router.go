package router

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"math/bits"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	sdkmath "cosmossdk.io/math"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"golang.org/x/sync/singleflight"
	"golang.org/x/time/rate"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/cortnet/cortd/sidecar/chain"
	modelstypes "github.com/cortnet/cortd/x/models/types"
	paymentstypes "github.com/cortnet/cortd/x/payments/types"
	sessionstypes "github.com/cortnet/cortd/x/sessions/types"
)

// Config configures a Router.
type Config struct {
	Sessions SessionConfig
	Keys     map[string]bool // API keys; empty: no authentication (loopback use only)
	// RatePerMinute and Burst limit each API key's requests (0: no limit).
	RatePerMinute, Burst int
	// TaskRatePerMinute and TaskBurst limit each API key's tasks: every input of a
	// request is one task per redundant node (inputs × redundancy), so one 16-input
	// embeddings request at redundancy 3 is 48 tasks (0: no limit). TaskBurst
	// defaults to one full embeddings request and may not be less.
	TaskRatePerMinute, TaskBurst int
	// Budgets cap the ucor spent per key and in all per minute and per day.
	Budgets Budgets
	// TopUpCapPerDay caps the ucor the router's key deposits into its sessions
	// (openings and top-ups) in any 24 hours (0: no cap).
	TopUpCapPerDay uint64
	// AuthLimit bounds failed authentications per client address.
	AuthLimit AuthLimit
	// Timeout bounds one request from submission to the validated result (default 2 min).
	Timeout time.Duration
	// WriteGrace is how long a ready answer has to reach the client (default 30 s;
	// see ServerConfig).
	WriteGrace time.Duration
	// MaxBodyBytes bounds a request body (default 1 MiB).
	MaxBodyBytes int64
	// MaxEmbeddingInputs bounds the strings of one embeddings request, each a task
	// (default 16).
	MaxEmbeddingInputs int
	// ModelsDir is a folder of model folders like a miner's --models: a chat
	// completion is rendered with <ModelsDir>/<model id>/tokenizer_config.json's
	// chat_template; without one (or without ModelsDir) the prompt is the plain
	// transcript "role: content\n...assistant:".
	ModelsDir string
	// Batch bounds the txs that carry the submissions of concurrent requests (one
	// tx per block by default; Batch.MaxMsgs = 1 is one tx per request's task).
	Batch chain.BatcherConfig
	// SubmitWindow keeps a session's submits in txs not yet landed within the chain's
	// max_queued_per_session (queuewindow.go): none of the router's txs then fails in
	// its block for a full queue (the tx would revert whole, be split and sent again),
	// but the submits past the bound wait for the next block, which caps a session at
	// about max_queued_per_session per two blocks under load. Off by default: measured
	// on 2 cores at ~300 requests/s, the failures cost less throughput than the wait.
	SubmitWindow bool
	// TaskBackstop is how often every awaited task is read even without an event
	// saying it ended (default 10 s): answers arrive with the block events that end
	// their tasks; this only bounds the cost of a missed event.
	TaskBackstop time.Duration
	// ViewTTL is how long the router reuses what it read of a model (its record and
	// eligible node count) and of a session's free escrow (default 1 s, about a
	// block): reading them once a block instead of once a request keeps the node's
	// query load flat as traffic grows.
	ViewTTL time.Duration
	// MaxInFlight bounds the chain tasks the router waits on at once (0: no bound):
	// past it requests get 503 "overloaded" with Retry-After and are not charged.
	MaxInFlight int
}

// Router serves the OpenAI-compatible API.
type Router struct {
	cfg       Config
	b         backend
	log       *slog.Logger
	sess      *sessions
	lim       *limiter
	tasks     *taskLimiter // nil: no task rate
	budgets   *budgets
	auth      *authLimiter // nil: no limit on failed authentications
	unitPrice uint64       // ucor per task (price per result)
	now       func() time.Time
	met       metrics
	tmpl      *templates
	watch     *chain.TaskWatcher // hands each request its task when it ends
	views     modelViews
	inflight  atomic.Int64 // chain tasks of admitted requests not yet answered
}

// New makes a router that funds its sessions from signer's key.
func New(cfg Config, c *chain.Client, s *chain.Signer, log *slog.Logger) (*Router, error) {
	cb := &chainBackend{c: c, s: s}
	r, err := newRouter(cfg, cb, log)
	if err != nil || s == nil || c == nil { // no chain: tests of what is decided before it
		return r, err
	}
	if cfg.Batch.SameFate == nil {
		cfg.Batch.SameFate = queueFullFate
	}
	if cfg.Batch.Contended == nil {
		cfg.Batch.Contended = queueFullInBlock
	}
	ctx := context.Background()
	if cfg.SubmitWindow && cfg.Batch.Window == nil {
		w := newQueueWindow()
		go w.follow(ctx, c, 5*time.Minute, r.log)
		cfg.Batch.Window = w.key
	}
	cb.batch = s.NewBatcher(cfg.Batch)
	// One subscription for the process's life: the batcher sends the block's
	// submissions just before the next block is expected, and the watcher reads the
	// tasks each block ended (one query per block, whatever the requests in flight).
	go func() {
		_ = c.Subscribe(ctx, chain.SubscribeConfig{}, func(b chain.Block) {
			if !b.FromTx {
				cb.batch.OnBlock(b.Height)
				r.watch.OnBlock(ctx, b)
			}
		}, func(string) { r.watch.OnGap() })
	}()
	return r, nil
}

func newRouter(cfg Config, b backend, log *slog.Logger) (*Router, error) {
	sc := cfg.Sessions
	if sc.Redundancy == 0 || sc.Quorum == 0 || sc.Quorum > sc.Redundancy {
		return nil, errors.New("router: redundancy and quorum must be positive, quorum ≤ redundancy")
	}
	if sc.PricePerTask.IsNil() || !sc.PricePerTask.IsPositive() || sc.Deposit.IsNil() || !sc.Deposit.IsPositive() || sc.MaxTokens == 0 {
		return nil, errors.New("router: price per task, deposit and max tokens must be positive")
	}
	if !sc.PricePerTask.IsUint64() || !sc.Deposit.IsUint64() {
		return nil, errors.New("router: price per task and deposit must fit in 64 bits of ucor")
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 2 * time.Minute
	}
	if cfg.WriteGrace <= 0 {
		cfg.WriteGrace = defaultWriteGrace
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = 1 << 20
	}
	if cfg.MaxEmbeddingInputs <= 0 {
		cfg.MaxEmbeddingInputs = 16
	}
	if cfg.TaskBackstop <= 0 {
		cfg.TaskBackstop = 10 * time.Second
	}
	if cfg.ViewTTL <= 0 {
		cfg.ViewTTL = time.Second
	}
	if log == nil {
		log = slog.Default()
	}
	r := &Router{cfg: cfg, b: b, log: log, lim: newLimiter(cfg.RatePerMinute, cfg.Burst),
		budgets: newBudgets(cfg.Budgets), auth: newAuthLimiter(cfg.AuthLimit),
		unitPrice: sc.PricePerTask.Uint64(), now: time.Now, tmpl: &templates{dir: cfg.ModelsDir}}
	if err := r.checkLimits(); err != nil {
		return nil, err
	}
	if cfg.TaskRatePerMinute > 0 {
		r.tasks = &taskLimiter{perMinute: cfg.TaskRatePerMinute, burst: r.cfg.TaskBurst, byKey: map[string]*rate.Limiter{}}
	}
	r.met.inflight = &r.inflight
	r.watch = chain.NewTaskWatcher(b.Tasks)
	r.watch.Backstop = cfg.TaskBackstop
	go r.watch.Run(context.Background())
	r.sess = &sessions{b: b, cfg: sc, log: log, now: func() time.Time { return r.now() }, ids: map[string]uint64{},
		free: map[uint64]escrowView{}, viewTTL: cfg.ViewTTL}
	if cfg.TopUpCapPerDay > 0 {
		r.sess.capDay = newWindow(cfg.TopUpCapPerDay, 24*time.Hour, dayBuckets)
	}
	return r, nil
}

// checkLimits refuses limits that no full request could ever pass (the largest
// request is one embeddings request with MaxEmbeddingInputs inputs): a router
// configured so would answer some valid requests with a 429 forever.
func (r *Router) checkLimits() error {
	hi, maxTasks := bits.Mul64(uint64(r.cfg.MaxEmbeddingInputs), uint64(r.cfg.Sessions.Redundancy))
	hi2, maxCost := bits.Mul64(maxTasks, r.unitPrice)
	if hi != 0 || hi2 != 0 {
		return errors.New("router: max embedding inputs × redundancy × price overflows 64 bits of ucor")
	}
	if r.cfg.TaskRatePerMinute > 0 {
		if r.cfg.TaskBurst <= 0 {
			r.cfg.TaskBurst = int(min(maxTasks, 1<<30))
		}
		if uint64(r.cfg.TaskBurst) < maxTasks {
			return fmt.Errorf("router: a task burst of %d is less than one full embeddings request (%d inputs × redundancy %d = %d tasks): raise the burst or lower the max embedding inputs",
				r.cfg.TaskBurst, r.cfg.MaxEmbeddingInputs, r.cfg.Sessions.Redundancy, maxTasks)
		}
	}
	for _, b := range []struct {
		name  string
		limit uint64
	}{{"key budget per minute", r.cfg.Budgets.KeyPerMinute}, {"key budget per day", r.cfg.Budgets.KeyPerDay},
		{"global budget per minute", r.cfg.Budgets.GlobalPerMinute}, {"global budget per day", r.cfg.Budgets.GlobalPerDay}} {
		if b.limit > 0 && b.limit < maxCost {
			return fmt.Errorf("router: a %s of %d ucor is less than one full embeddings request (%d tasks × %d ucor = %d ucor): raise it or lower the max embedding inputs",
				b.name, b.limit, maxTasks, r.unitPrice, maxCost)
		}
	}
	if c := r.cfg.TopUpCapPerDay; c > 0 && c < r.cfg.Sessions.Deposit.Uint64() {
		return fmt.Errorf("router: a top-up cap of %d ucor per day is less than one deposit (%s ucor)", c, r.cfg.Sessions.Deposit)
	}
	return nil
}

// receipt identifies the on-chain record of an answer.
type receipt struct {
	TaskID uint64
	Sha256 string
	Height int64 // the block whose EndBlock validated the task
	// Submitted is the block that included the submission: Height − Submitted is the
	// protocol's latency in blocks (3 at the floor: assign, precommit, commit).
	Submitted int64
}

func (rc receipt) setHeaders(w http.ResponseWriter) { setReceiptHeaders(w, []receipt{rc}) }

// setReceiptHeaders writes the receipts of one answer; an answer made of several
// tasks (an embeddings request with an array input) lists them comma-separated in
// input order.
func setReceiptHeaders(w http.ResponseWriter, rcs []receipt) {
	ids, shas, heights, subs := make([]string, len(rcs)), make([]string, len(rcs)), make([]string, len(rcs)), make([]string, len(rcs))
	for i, rc := range rcs {
		ids[i], shas[i], heights[i], subs[i] = fmt.Sprint(rc.TaskID), rc.Sha256, fmt.Sprint(rc.Height), fmt.Sprint(rc.Submitted)
	}
	w.Header().Set("X-Cortd-Task-Id", strings.Join(ids, ","))
	w.Header().Set("X-Cortd-Result-Sha256", strings.Join(shas, ","))
	w.Header().Set("X-Cortd-Height", strings.Join(heights, ","))
	w.Header().Set("X-Cortd-Submitted-Height", strings.Join(subs, ","))
}

// answer is a validated result.
type answer struct {
	Text                           string
	PromptTokens, CompletionTokens uint64
	Receipt                        receipt
}

// checkModel answers 404 for an unknown or retired model and 503 when no node can
// serve it now: both before anything is charged. It returns the model's record.
func (r *Router) checkModel(ctx context.Context, model string) (modelstypes.Model, *apiError) {
	if v, ok := r.views.get(model, r.now(), r.cfg.ViewTTL); ok {
		return v, nil
	}
	// One read per model at a time: when the view expires under load, the requests
	// arriving meanwhile share the read instead of each asking the chain.
	type checked struct {
		m modelstypes.Model
		e *apiError
	}
	v, _, _ := r.views.sf.Do(model, func() (any, error) {
		m, e := r.readModel(context.WithoutCancel(ctx), model)
		if e == nil {
			r.views.put(model, m, r.now())
		}
		return checked{m, e}, nil
	})
	c := v.(checked)
	return c.m, c.e
}

// readModel reads the model's record and its eligible node count.
func (r *Router) readModel(ctx context.Context, model string) (modelstypes.Model, *apiError) {
	m, err := r.b.Model(ctx, model)
	if status.Code(err) == codes.NotFound || (err == nil && m.Status != modelstypes.MODEL_STATUS_ACTIVE) {
		return modelstypes.Model{}, &apiError{Status: http.StatusNotFound, Type: "invalid_request_error", Param: "model", Code: "model_not_found",
			Message: fmt.Sprintf("The model `%s` does not exist or is retired.", model)}
	}
	if err != nil {
		return modelstypes.Model{}, r.internalError(ctx, "reading the model", err, "model", model)
	}
	n, err := r.b.EligibleNodes(ctx, model, r.cfg.Sessions.MinLevel)
	if err != nil {
		return modelstypes.Model{}, r.internalError(ctx, "reading the nodes that serve the model", err, "model", model)
	}
	if n < int(r.cfg.Sessions.Redundancy) {
		return modelstypes.Model{}, unavailable(fmt.Sprintf("%d node(s) serve %s now; %d are needed", n, model, r.cfg.Sessions.Redundancy))
	}
	return m, nil
}

// modelViews remembers, per model, a record that passed checkModel and when: an
// active model with enough nodes. Refusals and errors are never remembered.
type modelViews struct {
	mu sync.Mutex
	m  map[string]modelView
	sf singleflight.Group
}

type modelView struct {
	model modelstypes.Model
	at    time.Time
}

func (v *modelViews) get(id string, now time.Time, ttl time.Duration) (modelstypes.Model, bool) {
	v.mu.Lock()
	defer v.mu.Unlock()
	e, ok := v.m[id]
	if !ok || now.Sub(e.at) >= ttl || now.Before(e.at) {
		return modelstypes.Model{}, false
	}
	return e.model, true
}

func (v *modelViews) put(id string, m modelstypes.Model, now time.Time) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.m == nil {
		v.m = map[string]modelView{}
	}
	v.m[id] = modelView{model: m, at: now}
}

func unavailable(msg string) *apiError {
	return &apiError{Status: http.StatusServiceUnavailable, Type: "server_error", Code: "model_unavailable", Message: msg}
}

// run submits the prompt as a task and waits for its validated result.
func (r *Router) run(ctx context.Context, t *ticket, model, prompt, promptType string, maxTokens uint32, temperature, topP float64, seed uint64) (answer, *apiError) {
	ctx, cancel := context.WithTimeout(ctx, r.cfg.Timeout)
	defer cancel()
	ids, e := r.submit(ctx, t, model, []*sessionstypes.MsgSubmitTask{{Prompt: prompt, PromptType: promptType,
		MaxTokens: maxTokens, Temperature: decimal(temperature), TopP: decimal(topP), Seed: seed}})
	if e != nil {
		return answer{}, e
	}
	task, e := r.wait(ctx, t, ids, ids[0])
	if e != nil {
		return answer{}, e
	}
	a := answer{Text: task.ResultText, Receipt: receiptOf(task)}
	if as := consensusAssignment(task); as != nil {
		a.PromptTokens, a.CompletionTokens = as.PromptTokens, as.CompletionTokens
	}
	return a, nil
}

// errClientGone answers a request whose client left (nobody reads it) or whose
// router timeout passed before its tasks were submitted.
func errClientGone(err error) *apiError {
	if errors.Is(err, context.DeadlineExceeded) {
		return &apiError{Status: http.StatusGatewayTimeout, Type: "server_error", Code: "timeout",
			Message: "The request timed out before its tasks were submitted; nothing was charged."}
	}
	return &apiError{Status: 499, Type: "invalid_request_error", Code: "client_closed_request",
		Message: "The client closed the request before its tasks were submitted; nothing was charged."}
}

// submit sends the tasks (owner and session filled in here) together in the
// router's next unordered tx, which carries the submissions of every request of
// the block (backend.Submit), after making sure the model's session can pay for
// all of them, and returns their ids in order: each from its message's response
// in that tx (the request's first message index plus its own).
//
// Disconnects: nothing is submitted once the request's context has ended (the
// client left, or the router's timeout passed); the reservation is given back.
// Once the tx is sent it is followed to its block on a context the client cannot
// cancel, so that its task ids and cost are always known and logged: the chain
// charges submitted tasks whether or not anyone is still waiting for them, and so
// does the key's budget.
func (r *Router) submit(ctx context.Context, t *ticket, model string, msgs []*sessionstypes.MsgSubmitTask) ([]uint64, *apiError) {
	if err := ctx.Err(); err != nil { // gone already: do not even fund a session for it
		t.release()
		r.log.Info("router: request ended before submission; nothing submitted or charged", "key", t.keyID,
			"model", model, "tasks", t.tasks, "reason", err)
		return nil, errClientGone(err)
	}
	sid, gen, err := r.sess.forModel(ctx, model, len(msgs))
	if err == nil {
		defer r.sess.submitted(len(msgs))
	}
	if err != nil {
		t.release()
		var capErr *topUpCapError
		if errors.As(err, &capErr) {
			return nil, capErr.apiError()
		}
		if ctx.Err() != nil {
			return nil, errClientGone(ctx.Err())
		}
		return nil, r.internalError(ctx, "funding the model's session", err, "model", model)
	}
	sdkMsgs := make([]sdk.Msg, len(msgs))
	for i, m := range msgs {
		m.Owner, m.SessionId = r.b.Address(), sid
		sdkMsgs[i] = m
	}
	// gone is checked right before each send: the last point where nothing has been spent.
	gone := func() *apiError {
		err := ctx.Err()
		if err == nil {
			return nil
		}
		t.release()
		r.log.Info("router: request ended before submission; nothing submitted or charged", "key", t.keyID,
			"model", model, "tasks", t.tasks, "reason", err)
		return errClientGone(err)
	}
	if e := gone(); e != nil {
		return nil, e
	}
	// Unordered: many requests submit at once from the router's one key.
	res, first, err := r.b.Submit(context.WithoutCancel(ctx), sdkMsgs...)
	// Concurrent requests used the free escrow between the check and the submission
	// (their submissions share the block's tx, so several can find it short at once):
	// top up and submit again. Each top-up adds a whole deposit, so a few rounds
	// always cover what the requests in flight took.
	for round := 0; chain.Is(err, paymentstypes.ErrInsufficientEscrow) && round < escrowRounds; round++ {
		var terr error
		if gen, terr = r.sess.topUp(ctx, sid, len(msgs), gen); terr != nil {
			t.release()
			var capErr *topUpCapError
			if errors.As(terr, &capErr) {
				return nil, capErr.apiError()
			}
			return nil, r.internalError(ctx, "funding the model's session", terr, "model", model, "session", sid)
		}
		if e := gone(); e != nil {
			return nil, e
		}
		res, first, err = r.b.Submit(context.WithoutCancel(ctx), sdkMsgs...)
	}
	if chain.Is(err, sessionstypes.ErrInvalidPrompt) || chain.Is(err, sessionstypes.ErrInvalidSampling) {
		t.release()
		r.log.Info("router: the chain refused the tasks", "key", t.keyID, "model", model, "err", err)
		if chain.Is(err, sessionstypes.ErrInvalidPrompt) {
			return nil, badRequest("The chain refused the prompt: it is over the chain's size limit or not allowed.", "")
		}
		return nil, badRequest("The chain refused the sampling parameters.", "")
	}
	if chain.Is(err, sessionstypes.ErrQueueFull) {
		// The session holds max_queued_per_session tasks waiting for nodes: the
		// network is busy, not the chain unreachable. The tx failed, so nothing was
		// charged; the client may retry after a block or two.
		t.release()
		r.log.Info("router: the model's session has its maximum of tasks queued", "key", t.keyID, "model", model,
			"session", sid, "tasks", t.tasks, "err", err)
		return nil, tooMany("queue_full", queueFullRetry,
			"The network has as many of this model's tasks queued as it accepts; retry in a few seconds.")
	}
	if err != nil {
		if definitelyNotIncluded(err) {
			t.release()
		} else {
			// The tx may still be in a block: keep its cost counted.
			t.commit()
			r.log.Warn("router: submission outcome unknown; its cost stays counted against the key", "key", t.keyID,
				"model", model, "session", sid, "tasks", t.tasks, "cost_ucor", t.cost, "err", err)
		}
		return nil, r.internalError(ctx, "submitting the task", err, "model", model, "session", sid)
	}
	t.commit()
	ids := make([]uint64, len(msgs))
	for i := range msgs {
		var out sessionstypes.MsgSubmitTaskResponse
		if err := chain.MsgResponse(res, first+i, &out); err != nil || out.TaskId == 0 {
			r.log.Error("router: tasks submitted but their ids are not in the tx response", "key", t.keyID, "tx", res.TxHash,
				"model", model, "session", sid, "tasks", t.tasks, "cost_ucor", t.cost, "err", err)
			return nil, r.internalError(ctx, "reading the submitted task ids", err, "tx", res.TxHash)
		}
		ids[i] = out.TaskId
	}
	r.log.Info("tasks submitted", "key", t.keyID, "tasks", ids, "cost_ucor", t.cost, "session", sid, "model", model,
		"type", msgs[0].PromptType, "height", res.Height, "tx", res.TxHash, "client_gone", ctx.Err() != nil)
	return ids, nil
}

// queueFullRetry is the Retry-After of a submission refused because the session's
// queue is full: a couple of blocks, in which assignments drain it.
const queueFullRetry = 2 * time.Second

// definitelyNotIncluded reports whether a failed unordered submission is known
// not to be in any block: refused at CheckTx or failed in its block (its messages
// reverted), refused in simulation (never sent), or not included by its timeout
// timestamp (chain.ErrNotIncluded is final for unordered txs).
func definitelyNotIncluded(err error) bool {
	var te *chain.TxError
	var se *chain.SimulationError
	return errors.As(err, &te) || errors.As(err, &se) || errors.Is(err, chain.ErrNotIncluded)
}

// wait returns the task once it has ended (the watcher reads it in the block that
// ends it), or an error when ctx does (then 504) or the task left state unseen;
// only a validated task is returned. ids are all the tasks of the request (for the
// log when the client has gone: they stay paid).
func (r *Router) wait(ctx context.Context, t *ticket, ids []uint64, id uint64) (sessionstypes.Task, *apiError) {
	task, err := r.watch.Wait(ctx, id)
	switch {
	case err == nil && task.Status != sessionstypes.TASK_STATUS_VALIDATED:
		return task, unavailable(fmt.Sprintf("task %d ended %s: no validated result", id, task.Status))
	case err == nil:
		return task, nil
	case errors.Is(err, context.Canceled):
		r.log.Info("router: client gone while its tasks run; they stay paid", "key", t.keyID, "tasks", ids, "cost_ucor", t.cost)
		return sessionstypes.Task{}, errClientGone(err)
	case errors.Is(err, context.DeadlineExceeded):
		return sessionstypes.Task{}, &apiError{Status: http.StatusGatewayTimeout, Type: "server_error", Code: "timeout",
			Message: fmt.Sprintf("task %d has no validated result within %s", id, r.cfg.Timeout)}
	default:
		return sessionstypes.Task{}, r.internalError(ctx, "reading the task", err, "task", id)
	}
}

func receiptOf(t sessionstypes.Task) receipt {
	return receipt{TaskID: t.Id, Sha256: hex.EncodeToString(t.ResultSha256), Height: t.EndedHeight, Submitted: t.SubmittedHeight}
}

// consensusAssignment is the assignment of the node whose result is the consensus.
func consensusAssignment(t sessionstypes.Task) *sessionstypes.Assignment {
	for i := range t.Assignments {
		if t.Assignments[i].NodeId == t.ConsensusNode {
			return &t.Assignments[i]
		}
	}
	return nil
}

// decimal renders a float as a LegacyDec with 6 decimals (the chain holds no floats).
func decimal(v float64) sdkmath.LegacyDec {
	d, err := sdkmath.LegacyNewDecFromStr(strings.TrimRight(strings.TrimRight(fmt.Sprintf("%.6f", v), "0"), "."))
	if err != nil {
		return sdkmath.LegacyZeroDec()
	}
	return d
}
