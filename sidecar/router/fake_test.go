package router

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	errorsmod "cosmossdk.io/errors"
	sdkmath "cosmossdk.io/math"
	codectypes "github.com/cosmos/cosmos-sdk/codec/types"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/gogoproto/proto"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/cortnet/cortd/sidecar/chain"
	modelstypes "github.com/cortnet/cortd/x/models/types"
	paymentstypes "github.com/cortnet/cortd/x/payments/types"
	sessionstypes "github.com/cortnet/cortd/x/sessions/types"
)

// fakeChain is a chain for the router's tests: one active model "m" served by
// enough nodes, one session per model with real escrow accounting (creation and
// deposits add, each task takes price × redundancy), and tasks that validate at
// once. Errors and hooks let a test break any step.
type fakeChain struct {
	mu         sync.Mutex
	price      uint64
	redundancy uint64
	free       map[uint64]uint64 // session -> free escrow
	sessions   []sessionstypes.Session
	tasks      map[uint64]sessionstypes.Task
	deposits   []uint64 // every deposit: openings and top-ups
	submitted  [][]uint64
	submits    int // SendUnordered calls
	// reads of the model record, the eligible nodes and the free escrow
	modelReads, eligibleReads, balanceReads int

	// phantomFree is added to what FreeEscrow reports: escrow that concurrent
	// requests spend between the router's check and its submission.
	phantomFree uint64

	errModel, errEligible, errModels, errSessions, errBalance, errSend, errSubmit error
	// onModel runs in Model (a test cancels the client's request there).
	onModel func()
	// gate, when set, holds every SendUnordered until it is closed; the tasks are
	// created whatever the caller's context says (the tx is in a block), but a
	// cancelled context then returns ErrNotIncluded, as chain.WaitTx does.
	gate chan struct{}
}

func newFakeChain() *fakeChain {
	return &fakeChain{price: 1000, redundancy: 3, free: map[uint64]uint64{}, tasks: map[uint64]sessionstypes.Task{}}
}

func (f *fakeChain) Address() string { return "cor1router" }

func (f *fakeChain) Model(_ context.Context, id string) (modelstypes.Model, error) {
	f.mu.Lock()
	f.modelReads++
	f.mu.Unlock()
	if f.onModel != nil {
		f.onModel()
	}
	if f.errModel != nil {
		return modelstypes.Model{}, f.errModel
	}
	if id != "m" {
		return modelstypes.Model{}, status.Error(codes.NotFound, "model not found")
	}
	return modelstypes.Model{Id: "m", Status: modelstypes.MODEL_STATUS_ACTIVE, EmbeddingDim: 2}, nil
}

func (f *fakeChain) ActiveModels(context.Context, []byte) ([]modelstypes.Model, []byte, error) {
	if f.errModels != nil {
		return nil, nil, f.errModels
	}
	return []modelstypes.Model{{Id: "m", Status: modelstypes.MODEL_STATUS_ACTIVE}}, nil, nil
}

func (f *fakeChain) EligibleNodes(context.Context, string, uint32) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.eligibleReads++
	return 3, f.errEligible
}

func (f *fakeChain) SessionsByOwner(context.Context, string, []byte) ([]sessionstypes.Session, []byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.sessions, nil, f.errSessions
}

func (f *fakeChain) FreeEscrow(_ context.Context, id uint64) (sdkmath.Int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.balanceReads++
	if f.errBalance != nil {
		return sdkmath.Int{}, f.errBalance
	}
	return sdkmath.NewIntFromUint64(f.free[id] + f.phantomFree), nil
}

func (f *fakeChain) Tasks(_ context.Context, ids []uint64) ([]sessionstypes.Task, []uint64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []sessionstypes.Task
	var missing []uint64
	for _, id := range ids {
		if t, ok := f.tasks[id]; ok {
			out = append(out, t)
		} else {
			missing = append(missing, id)
		}
	}
	return out, missing, nil
}

func (f *fakeChain) Send(_ context.Context, msgs ...sdk.Msg) (*sdk.TxResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.errSend != nil {
		return nil, f.errSend
	}
	var resps []proto.Message
	for _, m := range msgs {
		switch m := m.(type) {
		case *sessionstypes.MsgCreateSession:
			id := uint64(len(f.sessions) + 1)
			f.sessions = append(f.sessions, sessionstypes.Session{Id: id, ModelId: m.ModelId, Status: sessionstypes.SESSION_STATUS_ACTIVE,
				Redundancy: m.Redundancy, Quorum: m.Quorum, MaxTokens: m.MaxTokens, PricePerTask: m.PricePerTask})
			f.free[id] += m.Deposit.Uint64()
			f.deposits = append(f.deposits, m.Deposit.Uint64())
			resps = append(resps, &sessionstypes.MsgCreateSessionResponse{SessionId: id})
		case *sessionstypes.MsgDeposit:
			f.free[m.SessionId] += m.Amount.Uint64()
			f.deposits = append(f.deposits, m.Amount.Uint64())
			resps = append(resps, &sessionstypes.MsgDepositResponse{})
		default:
			return nil, fmt.Errorf("fake: unexpected ordered msg %T", m)
		}
	}
	return txResponse(resps...), nil
}

func (f *fakeChain) Submit(ctx context.Context, msgs ...sdk.Msg) (*sdk.TxResponse, int, error) {
	f.mu.Lock()
	f.submits++
	gate := f.gate
	f.mu.Unlock()
	if gate != nil {
		<-gate
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.errSubmit != nil {
		return nil, 0, f.errSubmit
	}
	res, err := f.execSubmits(msgs, true)
	if err != nil {
		var te *chain.TxError
		if errors.As(err, &te) {
			te.Height = 7 // executed in a block and reverted
		}
		return nil, 0, err
	}
	if ctx.Err() != nil { // the tx is in its block, but a cancelled wait never saw it
		return nil, 0, fmt.Errorf("%w: tx within 1m0s", chain.ErrNotIncluded)
	}
	return res, 0, nil
}

// refusedPrompt is a prompt the fake chain refuses (ErrInvalidPrompt).
const refusedPrompt = "refuse me"

// execSubmits runs a tx of task submissions as the chain does: atomically, each
// message reserving price × redundancy of its session's free escrow, a failing one
// named by its index and reverting the tx. apply=false is a simulation. Lock held.
func (f *fakeChain) execSubmits(msgs []sdk.Msg, apply bool) (*sdk.TxResponse, error) {
	free := map[uint64]uint64{}
	for k, v := range f.free {
		free[k] = v
	}
	tasks := map[uint64]sessionstypes.Task{}
	var resps []proto.Message
	var ids []uint64
	for i, m := range msgs {
		st := m.(*sessionstypes.MsgSubmitTask)
		var err error
		switch need := f.price * f.redundancy; {
		case st.Prompt == refusedPrompt:
			err = errorsmod.Wrap(sessionstypes.ErrInvalidPrompt, "prompt not allowed")
		case free[st.SessionId] < need:
			err = errorsmod.Wrap(paymentstypes.ErrInsufficientEscrow, "session escrow does not cover the amount")
		default:
			free[st.SessionId] -= need
		}
		if err != nil {
			cs, code, log := errorsmod.ABCIInfo(errorsmod.Wrapf(err, "failed to execute message; message index: %d", i), false)
			return nil, &chain.TxError{Hash: "ABCD", Codespace: cs, Code: code, Log: log}
		}
		id := uint64(len(f.tasks) + len(tasks) + 1)
		tasks[id] = sessionstypes.Task{Id: id, SessionId: st.SessionId, Status: sessionstypes.TASK_STATUS_VALIDATED, ResultText: "ok " + st.Prompt,
			ConsensusNode: "n1", EndedHeight: 7, Assignments: []sessionstypes.Assignment{{NodeId: "n1", Embedding: []int32{600_000, -800_000}, PromptTokens: 2}}}
		ids = append(ids, id)
		resps = append(resps, &sessionstypes.MsgSubmitTaskResponse{TaskId: id})
	}
	if apply {
		f.free = free
		for id, t := range tasks {
			f.tasks[id] = t
		}
		f.submitted = append(f.submitted, ids)
	}
	return txResponse(resps...), nil
}

// txResponse is an executed tx's response carrying msg responses, as chain.MsgResponse reads them.
func txResponse(resps ...proto.Message) *sdk.TxResponse {
	var data sdk.TxMsgData
	for _, r := range resps {
		a, err := codectypes.NewAnyWithValue(r)
		if err != nil {
			panic(err)
		}
		data.MsgResponses = append(data.MsgResponses, a)
	}
	bz, err := proto.Marshal(&data)
	if err != nil {
		panic(err)
	}
	return &sdk.TxResponse{TxHash: "ABCD", Height: 7, Data: hex.EncodeToString(bz)}
}

// logBuffer collects the router's log lines (slog text) for assertions.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// testClock is a settable clock, starting on a whole minute.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

type fakeRouter struct {
	*Router
	chain *fakeChain
	clock *testClock
	logs  *logBuffer
	h     http.Handler
}

// newFakeRouter is a router on a fake chain: price 1000, redundancy 3, quorum 2,
// deposit 1,000,000 unless cfg.Sessions sets them; keys sk-a and sk-b unless set.
func newFakeRouter(t testing.TB, cfg Config) *fakeRouter {
	t.Helper()
	if cfg.Sessions.Redundancy == 0 {
		cfg.Sessions = SessionConfig{Redundancy: 3, Quorum: 2, PricePerTask: sdkmath.NewInt(1000), MaxTokens: 32, Deposit: sdkmath.NewInt(1_000_000)}
	}
	if cfg.Keys == nil {
		cfg.Keys = map[string]bool{"sk-a": true, "sk-b": true}
	}
	if cfg.TaskBackstop == 0 {
		cfg.TaskBackstop = 5 * time.Millisecond // the fake sends no block events: the backstop reads
	}
	fc := newFakeChain()
	logs := &logBuffer{}
	r, err := newRouter(cfg, fc, slog.New(slog.NewTextHandler(logs, nil)))
	require.NoError(t, err)
	clock := &testClock{t: time.Unix(1_800_000_000, 0).Truncate(time.Minute)}
	r.now = clock.now
	return &fakeRouter{Router: r, chain: fc, clock: clock, logs: logs, h: r.Handler()}
}

// call sends one request and returns the recorder.
func (f *fakeRouter) call(t *testing.T, path, key, body string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest("POST", path, strings.NewReader(body))
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	rec := httptest.NewRecorder()
	f.h.ServeHTTP(rec, req)
	return rec
}

const chatBody = `{"model":"m","messages":[{"role":"user","content":"hi"}]}`

// embedBody is an embeddings request with n inputs.
func embedBody(n int) string {
	in := make([]string, n)
	for i := range in {
		in[i] = fmt.Sprintf("%q", fmt.Sprint("input ", i))
	}
	return `{"model":"m","input":[` + strings.Join(in, ",") + `]}`
}

func apiErr(t *testing.T, rec *httptest.ResponseRecorder) errBody {
	t.Helper()
	var e errBody
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &e), rec.Body.String())
	require.NotEmpty(t, e.Error.Message, rec.Body.String())
	return e
}

type errorString string

func (e errorString) Error() string { return string(e) }

func contextWithCancel() (context.Context, context.CancelFunc) {
	return context.WithCancel(context.Background())
}

func itoa(v uint64) string { return strconv.FormatUint(v, 10) }
