package networktest

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	sdkmath "cosmossdk.io/math"
	"github.com/cosmos/cosmos-sdk/client/grpc/cmtservice"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/query"
	"github.com/cosmos/gogoproto/proto"
	"github.com/stretchr/testify/require"

	"github.com/cortnet/cortd/sidecar/chain"
	"github.com/cortnet/cortd/sidecar/dashboard"
	cortnetwork "github.com/cortnet/cortd/testutil/network"
	datatypes "github.com/cortnet/cortd/x/data/types"
	modelstypes "github.com/cortnet/cortd/x/models/types"
	nodestypes "github.com/cortnet/cortd/x/nodes/types"
	paymentstypes "github.com/cortnet/cortd/x/payments/types"
	sessionstypes "github.com/cortnet/cortd/x/sessions/types"
)

// TestPagesOnNetwork starts one in-process validator (the only network of this
// test binary), creates a model, a node with a heartbeat, a session and a task by
// txs, and checks that every page shows the values the queries return and that the
// JSON twins are the queries' own answers.
func TestPagesOnNetwork(t *testing.T) {
	if testing.Short() {
		t.Skip("in-process network test")
	}
	cfg := cortnetwork.DefaultConfig(1)
	cfg.TimeoutCommit = 500 * time.Millisecond
	net := cortnetwork.New(t, cfg)
	val := net.Validators[0]
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	ctx := context.Background()
	c, err := chain.Dial(ctx, chain.Config{GRPC: val.AppConfig.GRPC.Address, RPC: val.RPCAddress, Log: log})
	require.NoError(t, err)
	defer c.Close()
	s, err := c.NewSigner(val.ClientCtx.Keyring, val.Moniker, chain.SignerConfig{})
	require.NoError(t, err)
	send := func(msg sdk.Msg) {
		t.Helper()
		res, err := s.Send(ctx, msg)
		require.NoError(t, err)
		require.Zero(t, res.Code, res.RawLog)
	}
	op := s.Address()
	send(&modelstypes.MsgRegisterModel{Sender: op, Id: "tiny", Name: "tiny", Architecture: "gpt2", WeightsUri: "hf://cortnet/tiny",
		WeightsSha256: strings.Repeat("1", 64), TokenizerSha256: strings.Repeat("2", 64), EmbeddingDim: 8, MemoryMib: 100})
	send(&nodestypes.MsgRegisterNode{Operator: op, NodeId: "n0", PoolId: 3, Stake: sdk.NewInt64Coin("ucor", 6_000_000_000),
		Endpoint: "http://127.0.0.1:8081", Spec: nodestypes.NodeSpec{CpuCores: 4, RamMib: 8192}, MemoryIndexMib: 1000, Models: []string{"tiny"}})
	send(&nodestypes.MsgHeartbeat{NodeAddress: op, NodeId: "n0", LoadedModels: []string{"tiny"}})
	send(&sessionstypes.MsgCreateSession{Owner: op, ModelId: "tiny", Redundancy: 1, Quorum: 1, PricePerTask: sdkmath.NewInt(1000),
		MaxTokens: 64, Deposit: sdkmath.NewInt(1_000_000)})
	send(&sessionstypes.MsgSubmitTask{Owner: op, SessionId: 1, Prompt: "Say hello.", PromptType: "completion",
		MaxTokens: 16, Temperature: sdkmath.LegacyZeroDec(), TopP: sdkmath.LegacyOneDec()})

	b := dashboard.NewBackend(c.Conn())
	srv, err := dashboard.New(dashboard.Config{Backend: b, Codec: c.Enc.Codec, Log: log})
	require.NoError(t, err)
	require.NoError(t, srv.RefreshCensus(ctx))
	h := srv.Handler()
	get := func(url string) string {
		t.Helper()
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, url, nil))
		body, _ := io.ReadAll(rec.Body)
		require.Equal(t, http.StatusOK, rec.Code, "%s: %s", url, body)
		return string(body)
	}
	// twin checks that the JSON twin's member equals the query's answer encoded by the chain codec.
	twin := func(url, key string, want proto.Message) {
		t.Helper()
		var got map[string]json.RawMessage
		require.NoError(t, json.Unmarshal([]byte(get(url)), &got), url)
		wantJSON, err := c.Enc.Codec.MarshalJSON(want)
		require.NoError(t, err)
		require.JSONEq(t, string(wantJSON), string(got[key]), "%s: %s", url, key)
	}

	// Overview: height, validators, census, escrow, open targets.
	body := get("/")
	blk, err := b.Comet.GetLatestBlock(ctx, &cmtservice.GetLatestBlockRequest{})
	require.NoError(t, err)
	require.Contains(t, body, `<b id="chain-id">`+cortnetwork.ChainID+`</b>`)
	require.Contains(t, body, `<b id="validators">1</b>`)
	require.Contains(t, body, `<b id="nodes-online">1 / 1</b>`)
	bal, err := b.Payments.SessionBalance(ctx, &paymentstypes.QuerySessionBalanceRequest{SessionId: 1})
	require.NoError(t, err)
	// The session's escrow is the only one, so the payments account holds its deposit.
	require.Contains(t, body, `<b id="escrow">`+amt(bal.Balance.Free.Add(bal.Balance.Reserved)))
	targets, err := b.Data.Targets(ctx, &datatypes.QueryTargetsRequest{Status: datatypes.TARGET_STATUS_OPEN, Pagination: &query.PageRequest{CountTotal: true, Limit: 1}})
	require.NoError(t, err)
	require.Contains(t, body, `<b id="open-targets">`+itoa(targets.Pagination.Total)+`</b>`)
	require.GreaterOrEqual(t, blk.SdkBlock.Header.Height, int64(5))

	// Nodes and the node page.
	node, err := b.Nodes.Node(ctx, &nodestypes.QueryNodeRequest{NodeId: "n0"})
	require.NoError(t, err)
	body = get("/nodes")
	require.Contains(t, body, `<a href="/nodes/n0">n0</a>`)
	require.Contains(t, body, `<td class="num stake">`+amt(node.Node.Stake))
	require.Contains(t, body, `<td class="num level">`+itoa(uint64(node.Node.Level))+`</td>`)
	nodes, err := b.Nodes.Nodes(ctx, &nodestypes.QueryNodesRequest{Pagination: &query.PageRequest{Limit: dashboard.DefaultPageSize, CountTotal: true}})
	require.NoError(t, err)
	twin("/nodes?format=json", "nodes", nodes)
	body = get("/nodes/n0")
	require.Contains(t, body, `<b id="stake">`+amt(node.Node.Stake))
	require.Contains(t, body, `<span id="loaded-models">tiny</span>`)
	twin("/nodes/n0?format=json", "node", node)

	// Sessions, the session and its task.
	sess, err := b.Sessions.Session(ctx, &sessionstypes.QuerySessionRequest{SessionId: 1})
	require.NoError(t, err)
	body = get("/sessions")
	require.Contains(t, body, `<tr data-session="1">`)
	require.Contains(t, body, `<td class="num free">`+amt(bal.Balance.Free))
	body = get("/sessions/1")
	require.Contains(t, body, `<b id="free">`+amt(bal.Balance.Free))
	require.Contains(t, body, `<b id="status">`+strings.ToLower(strings.TrimPrefix(sess.Session.Status.String(), "SESSION_STATUS_"))+`</b>`)
	require.Contains(t, body, `<tr data-task="1">`)
	twin("/sessions/1?format=json", "session", sess)
	twin("/sessions/1?format=json", "balance", bal)
	task, err := b.Sessions.Task(ctx, &sessionstypes.QueryTaskRequest{TaskId: 1})
	require.NoError(t, err)
	body = get("/tasks/1")
	require.Contains(t, body, `<b id="status">`+strings.ToLower(strings.TrimPrefix(task.Task.Status.String(), "TASK_STATUS_"))+`</b>`)
	for _, a := range task.Task.Assignments {
		require.Contains(t, body, `<tr data-node="`+a.NodeId+`">`)
	}
	twin("/tasks/1?format=json", "task", task)

	// Data and challenges: whatever the chain holds, the twins are its answers.
	pool, err := b.Data.Pool(ctx, &datatypes.QueryPoolRequest{})
	require.NoError(t, err)
	body = get("/data")
	require.Contains(t, body, `<b id="epoch">`+itoa(uint64(pool.Epoch.Epoch))+`</b>`)
	twin("/data?format=json", "pool", pool)
	get("/challenges")

	// Unknown ids are 404 on the real chain too.
	for _, u := range []string{"/nodes/nope", "/tasks/999", "/sessions/999", "/challenges/999", "/audits/999"} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, u, nil))
		require.Equal(t, http.StatusNotFound, rec.Code, u)
	}

	// Live: the node's websocket feeds /events with new blocks.
	lctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() { _ = srv.Live.Run(lctx, dashboard.FromClient(c, 10*time.Second), 0) }()
	require.Eventually(t, func() bool {
		l := srv.Live.Link()
		return l.State == "connected" && l.LastHeight > blk.SdkBlock.Header.Height
	}, 20*time.Second, 100*time.Millisecond)
}

// amt is the start of an amount as the pages write it: COR shown, the query's exact
// ucor amount in the title and data-ucor.
func amt(ucor sdkmath.Int) string {
	return `<span class="amt" title="` + ucor.String() + ` ucor" data-ucor="` + ucor.String() + `">`
}

func itoa(v uint64) string {
	b, _ := json.Marshal(v)
	return string(b)
}
