package router

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	sdkmath "cosmossdk.io/math"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/cortnet/cortd/sidecar/chain"
	modelstypes "github.com/cortnet/cortd/x/models/types"
	nodestypes "github.com/cortnet/cortd/x/nodes/types"
	paymentstypes "github.com/cortnet/cortd/x/payments/types"
	sessionstypes "github.com/cortnet/cortd/x/sessions/types"
)

// Config configures a Router.
type Config struct {
	Sessions SessionConfig
	Keys     map[string]bool // API keys; empty: no authentication (loopback use only)
	// RatePerMinute and Burst limit each API key (0: no limit).
	RatePerMinute, Burst int
	// Timeout bounds one request from submission to the validated result (default 2 min).
	Timeout time.Duration
	// MaxBodyBytes bounds a request body (default 1 MiB).
	MaxBodyBytes int64
	// MaxEmbeddingInputs bounds the strings of one embeddings request, each a task
	// (default 16).
	MaxEmbeddingInputs int
}

// Router serves the OpenAI-compatible API.
type Router struct {
	cfg  Config
	c    *chain.Client
	s    *chain.Signer
	log  *slog.Logger
	sess *sessions
	lim  *limiter
	met  metrics
}

// New makes a router that funds its sessions from signer's key.
func New(cfg Config, c *chain.Client, s *chain.Signer, log *slog.Logger) (*Router, error) {
	sc := cfg.Sessions
	if sc.Redundancy == 0 || sc.Quorum == 0 || sc.Quorum > sc.Redundancy {
		return nil, errors.New("router: redundancy and quorum must be positive, quorum ≤ redundancy")
	}
	if sc.PricePerTask.IsNil() || !sc.PricePerTask.IsPositive() || sc.Deposit.IsNil() || !sc.Deposit.IsPositive() || sc.MaxTokens == 0 {
		return nil, errors.New("router: price per task, deposit and max tokens must be positive")
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 2 * time.Minute
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = 1 << 20
	}
	if cfg.MaxEmbeddingInputs <= 0 {
		cfg.MaxEmbeddingInputs = 16
	}
	if log == nil {
		log = slog.Default()
	}
	return &Router{cfg: cfg, c: c, s: s, log: log,
		sess: &sessions{c: c, s: s, cfg: sc, ids: map[string]uint64{}},
		lim:  newLimiter(cfg.RatePerMinute, cfg.Burst)}, nil
}

// receipt identifies the on-chain record of an answer.
type receipt struct {
	TaskID uint64
	Sha256 string
	Height int64
}

func (rc receipt) setHeaders(w http.ResponseWriter) { setReceiptHeaders(w, []receipt{rc}) }

// setReceiptHeaders writes the receipts of one answer; an answer made of several
// tasks (an embeddings request with an array input) lists them comma-separated in
// input order.
func setReceiptHeaders(w http.ResponseWriter, rcs []receipt) {
	ids, shas, heights := make([]string, len(rcs)), make([]string, len(rcs)), make([]string, len(rcs))
	for i, rc := range rcs {
		ids[i], shas[i], heights[i] = fmt.Sprint(rc.TaskID), rc.Sha256, fmt.Sprint(rc.Height)
	}
	w.Header().Set("X-Cortd-Task-Id", strings.Join(ids, ","))
	w.Header().Set("X-Cortd-Result-Sha256", strings.Join(shas, ","))
	w.Header().Set("X-Cortd-Height", strings.Join(heights, ","))
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
	qctx, cancel := r.c.QueryCtx(ctx)
	defer cancel()
	res, err := r.c.Models.Model(qctx, &modelstypes.QueryModelRequest{Id: model})
	if status.Code(err) == codes.NotFound || (err == nil && res.Model.Status != modelstypes.MODEL_STATUS_ACTIVE) {
		return modelstypes.Model{}, &apiError{Status: http.StatusNotFound, Type: "invalid_request_error", Param: "model", Code: "model_not_found",
			Message: fmt.Sprintf("The model `%s` does not exist or is retired.", model)}
	}
	if err != nil {
		return modelstypes.Model{}, unavailable("reading the model: " + err.Error())
	}
	el, err := r.c.Nodes.EligibleNodes(qctx, &nodestypes.QueryEligibleNodesRequest{ModelId: model, MinLevel: r.cfg.Sessions.MinLevel})
	if err != nil {
		return modelstypes.Model{}, unavailable("reading eligible nodes: " + err.Error())
	}
	if len(el.Nodes) < int(r.cfg.Sessions.Redundancy) {
		return modelstypes.Model{}, unavailable(fmt.Sprintf("%d node(s) serve %s now; %d are needed", len(el.Nodes), model, r.cfg.Sessions.Redundancy))
	}
	return res.Model, nil
}

func unavailable(msg string) *apiError {
	return &apiError{Status: http.StatusServiceUnavailable, Type: "server_error", Code: "model_unavailable", Message: msg}
}

// run submits the prompt as a task and waits for its validated result.
func (r *Router) run(ctx context.Context, model, prompt, promptType string, maxTokens uint32, temperature, topP float64, seed uint64) (answer, *apiError) {
	ctx, cancel := context.WithTimeout(ctx, r.cfg.Timeout)
	defer cancel()
	ids, e := r.submit(ctx, model, []*sessionstypes.MsgSubmitTask{{Prompt: prompt, PromptType: promptType,
		MaxTokens: maxTokens, Temperature: decimal(temperature), TopP: decimal(topP), Seed: seed}})
	if e != nil {
		return answer{}, e
	}
	task, e := r.wait(ctx, ids[0])
	if e != nil {
		return answer{}, e
	}
	a := answer{Text: task.ResultText, Receipt: receiptOf(task)}
	if as := consensusAssignment(task); as != nil {
		a.PromptTokens, a.CompletionTokens = as.PromptTokens, as.CompletionTokens
	}
	return a, nil
}

// submit sends the tasks (owner and session filled in here) in one unordered tx,
// after making sure the model's session can pay for all of them, and returns their
// ids in order.
func (r *Router) submit(ctx context.Context, model string, msgs []*sessionstypes.MsgSubmitTask) ([]uint64, *apiError) {
	sid, err := r.sess.forModel(ctx, model, len(msgs))
	if err != nil {
		return nil, unavailable(err.Error())
	}
	sdkMsgs := make([]sdk.Msg, len(msgs))
	for i, m := range msgs {
		m.Owner, m.SessionId = r.s.Address(), sid
		sdkMsgs[i] = m
	}
	// Unordered: many requests submit at once from the router's one key.
	res, err := r.s.SendUnordered(ctx, sdkMsgs...)
	if chain.Is(err, paymentstypes.ErrInsufficientEscrow) {
		// Concurrent requests used the free escrow between the check and the submission.
		if terr := r.sess.topUp(ctx, sid, len(msgs)); terr != nil {
			return nil, unavailable(terr.Error())
		}
		res, err = r.s.SendUnordered(ctx, sdkMsgs...)
	}
	if chain.Is(err, sessionstypes.ErrInvalidPrompt) || chain.Is(err, sessionstypes.ErrInvalidSampling) {
		return nil, badRequest(err.Error(), "")
	}
	if err != nil {
		return nil, unavailable("submitting the task: " + err.Error())
	}
	ids := make([]uint64, len(msgs))
	for i := range msgs {
		var out sessionstypes.MsgSubmitTaskResponse
		if err := chain.MsgResponse(res, i, &out); err != nil || out.TaskId == 0 {
			return nil, unavailable("no task id in the submission's response")
		}
		ids[i] = out.TaskId
	}
	r.log.Info("tasks submitted", "tasks", ids, "session", sid, "model", model, "type", msgs[0].PromptType, "height", res.Height)
	return ids, nil
}

// wait polls the task until it ends or ctx does (then 504); only a validated task
// is returned.
func (r *Router) wait(ctx context.Context, id uint64) (sessionstypes.Task, *apiError) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		qctx, cancel := r.c.QueryCtx(ctx)
		res, err := r.c.Sessions.Task(qctx, &sessionstypes.QueryTaskRequest{TaskId: id})
		cancel()
		if err == nil && res.Task.Status.Terminal() {
			if res.Task.Status != sessionstypes.TASK_STATUS_VALIDATED {
				return res.Task, unavailable(fmt.Sprintf("task %d ended %s: no validated result", id, res.Task.Status))
			}
			return res.Task, nil
		}
		select {
		case <-ctx.Done():
			return sessionstypes.Task{}, &apiError{Status: http.StatusGatewayTimeout, Type: "server_error", Code: "timeout",
				Message: fmt.Sprintf("task %d has no validated result within %s", id, r.cfg.Timeout)}
		case <-t.C:
		}
	}
}

func receiptOf(t sessionstypes.Task) receipt {
	return receipt{TaskID: t.Id, Sha256: hex.EncodeToString(t.ResultSha256), Height: t.EndedHeight}
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
