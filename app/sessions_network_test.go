package app_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	abci "github.com/cometbft/cometbft/abci/types"

	sdkmath "cosmossdk.io/math"

	"github.com/cosmos/cosmos-sdk/client"
	clienttx "github.com/cosmos/cosmos-sdk/client/tx"
	servertypes "github.com/cosmos/cosmos-sdk/server/types"
	sdknetwork "github.com/cosmos/cosmos-sdk/testutil/network"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/cortnet/cortd/app"
	cortnetwork "github.com/cortnet/cortd/testutil/network"
	modelstypes "github.com/cortnet/cortd/x/models/types"
	nodestypes "github.com/cortnet/cortd/x/nodes/types"
	paymentstypes "github.com/cortnet/cortd/x/payments/types"
	sessionstypes "github.com/cortnet/cortd/x/sessions/types"
)

// TestNetworkSessionDeterminism starts two validators (half the power each, so every
// block needs both) and drives a session by txs: a model, two nodes (one per validator
// key) with heartbeats, a session of redundancy 2 and quorum 2, a task, precommits and
// commits. Each validator's own app is then queried directly (ABCI query on its committed
// state): both assigned the task to the same nodes in the same order and reached the same
// validated result and payments.
func TestNetworkSessionDeterminism(t *testing.T) {
	if testing.Short() {
		t.Skip("in-process network test")
	}
	cfg := cortnetwork.DefaultConfig(2)
	cfg.TimeoutCommit = time.Second
	var mu sync.Mutex
	apps := map[string]*app.App{}
	construct := cfg.AppConstructor
	cfg.AppConstructor = func(val sdknetwork.ValidatorI) servertypes.Application {
		a := construct(val)
		mu.Lock()
		apps[val.GetCtx().Config.RootDir] = a.(*app.App)
		mu.Unlock()
		return a
	}
	net := cortnetwork.New(t, cfg)
	v0, v1 := net.Validators[0], net.Validators[1]
	send := func(v *sdknetwork.Validator, msg sdk.Msg) {
		t.Helper()
		relay := v0.ClientCtx.WithKeyring(v.ClientCtx.Keyring)
		hash := broadcastFrom(t, cfg, relay, v.Moniker, v.Address, msg)
		require.NoError(t, waitForTx(net, v0.ClientCtx, hash))
	}

	send(v0, &modelstypes.MsgRegisterModel{
		Sender: v0.Address.String(), Id: "tiny", Name: "tiny", Architecture: "gpt2", WeightsUri: "hf://cortnet/tiny",
		WeightsSha256: strings.Repeat("1", 64), TokenizerSha256: strings.Repeat("2", 64), EmbeddingDim: 8, MemoryMib: 100,
	})
	for i, v := range []*sdknetwork.Validator{v0, v1} {
		id := []string{"n0", "n1"}[i]
		send(v, &nodestypes.MsgRegisterNode{
			Operator: v.Address.String(), NodeId: id, PoolId: 3, Stake: sdk.NewInt64Coin("ucor", 6_000_000_000),
			Endpoint: "http://127.0.0.1:8081", Spec: nodestypes.NodeSpec{CpuCores: 4, RamMib: 8192}, MemoryIndexMib: 1000,
			Models: []string{"tiny"},
		})
		send(v, &nodestypes.MsgHeartbeat{NodeAddress: v.Address.String(), NodeId: id, LoadedModels: []string{"tiny"}})
	}
	send(v0, &sessionstypes.MsgCreateSession{
		Owner: v0.Address.String(), ModelId: "tiny", Redundancy: 2, Quorum: 2, PricePerTask: sdkmath.NewInt(1000),
		MaxTokens: 64, Deposit: sdkmath.NewInt(1_000_000),
	})
	send(v0, &sessionstypes.MsgSubmitTask{
		Owner: v0.Address.String(), SessionId: 1, Prompt: "Say hello.", PromptType: "completion",
		MaxTokens: 16, Temperature: sdkmath.LegacyZeroDec(), TopP: sdkmath.LegacyOneDec(),
	})
	require.NoError(t, net.WaitForNextBlock())

	task := queryTask(t, apps[v0.Ctx.Config.RootDir], 1)
	require.Equal(t, sessionstypes.TASK_STATUS_PRECOMMIT, task.Status)
	require.Len(t, task.Assignments, 2)

	emb := []int32{1_000_000, 0, 0, 0, 0, 0, 0, 0}
	salt := make([]byte, 32)
	byNode := map[string]*sdknetwork.Validator{"n0": v0, "n1": v1}
	for _, a := range task.Assignments {
		v := byNode[a.NodeId]
		h := sessionstypes.PrecommitHash(1, a.NodeId, "Hello!", emb, 4, 2, salt)
		send(v, &sessionstypes.MsgPrecommit{Sender: v.Address.String(), TaskId: 1, NodeId: a.NodeId, Hash: h})
	}
	for _, a := range task.Assignments {
		v := byNode[a.NodeId]
		send(v, &sessionstypes.MsgCommit{Sender: v.Address.String(), TaskId: 1, NodeId: a.NodeId, ResultText: "Hello!",
			Embedding: emb, PromptTokens: 4, CompletionTokens: 2, Salt: salt})
	}
	require.NoError(t, net.WaitForNextBlock())
	require.NoError(t, net.WaitForNextBlock())

	t0 := queryTask(t, apps[v0.Ctx.Config.RootDir], 1)
	t1 := queryTask(t, apps[v1.Ctx.Config.RootDir], 1)
	require.Equal(t, sessionstypes.TASK_STATUS_VALIDATED, t0.Status)
	require.Equal(t, assignedIDs(task), assignedIDs(t0), "assignment order unchanged")
	require.Equal(t, t0, t1, "both validators hold the same task")
	for _, v := range []*sdknetwork.Validator{v0, v1} {
		var res paymentstypes.QueryPendingPaymentsResponse
		abciQuery(t, apps[v0.Ctx.Config.RootDir], "/cortd.payments.v1.Query/PendingPayments",
			&paymentstypes.QueryPendingPaymentsRequest{Operator: v.Address.String()}, &res)
		require.Equal(t, int64(1000), res.Amount.Int64())
	}
}

func assignedIDs(t sessionstypes.Task) []string {
	var out []string
	for _, a := range t.Assignments {
		out = append(out, a.NodeId)
	}
	return out
}

type protoMsg interface {
	Marshal() ([]byte, error)
	Unmarshal([]byte) error
}

// abciQuery runs a gRPC query through one app's ABCI Query on its committed state.
func abciQuery(t *testing.T, a *app.App, path string, req, res protoMsg) {
	t.Helper()
	bz, err := req.Marshal()
	require.NoError(t, err)
	resp, err := a.Query(context.Background(), &abci.RequestQuery{Path: path, Data: bz})
	require.NoError(t, err)
	require.Zero(t, resp.Code, resp.Log)
	require.NoError(t, res.Unmarshal(resp.Value))
}

func queryTask(t *testing.T, a *app.App, id uint64) sessionstypes.Task {
	t.Helper()
	var res sessionstypes.QueryTaskResponse
	abciQuery(t, a, "/cortd.sessions.v1.Query/Task", &sessionstypes.QueryTaskRequest{TaskId: id}, &res)
	return res.Task
}

// broadcastFrom signs msg with the named key of from and sends it; it returns the tx hash.
func broadcastFrom(t *testing.T, cfg sdknetwork.Config, clientCtx client.Context, keyName string, from sdk.AccAddress, msg sdk.Msg) string {
	t.Helper()
	txf := clienttx.Factory{}.
		WithChainID(cfg.ChainID).
		WithKeybase(clientCtx.Keyring).
		WithTxConfig(cfg.TxConfig).
		WithAccountRetriever(cfg.AccountRetriever).
		WithGas(1_000_000)
	txf, err := txf.Prepare(clientCtx.WithFromAddress(from))
	require.NoError(t, err)
	builder, err := txf.BuildUnsignedTx(msg)
	require.NoError(t, err)
	require.NoError(t, clienttx.Sign(context.Background(), txf, keyName, builder, true))
	bz, err := cfg.TxConfig.TxEncoder()(builder.GetTx())
	require.NoError(t, err)
	res, err := clientCtx.BroadcastTxSync(bz)
	require.NoError(t, err)
	require.Zero(t, res.Code, res.RawLog)
	return res.TxHash
}
