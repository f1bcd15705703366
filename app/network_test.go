package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/cosmos/cosmos-sdk/client"
	clienttx "github.com/cosmos/cosmos-sdk/client/tx"
	"github.com/cosmos/cosmos-sdk/codec"
	sdknetwork "github.com/cosmos/cosmos-sdk/testutil/network"
	sdk "github.com/cosmos/cosmos-sdk/types"
	txtypes "github.com/cosmos/cosmos-sdk/types/tx"

	cortnetwork "github.com/cortnet/cortd/testutil/network"
	modelstypes "github.com/cortnet/cortd/x/models/types"
)

// TestNetworkRegisterModel starts two validators in process, registers a model with a tx
// signed by validator 1's key (validator 0 holds the only RPC endpoint and relays it, so
// both validators, each with half the power, must sign the block that includes it), and
// reads it back over real
// gRPC and REST.
func TestNetworkRegisterModel(t *testing.T) {
	if testing.Short() {
		t.Skip("in-process network test")
	}
	cfg := cortnetwork.DefaultConfig(2)
	net := cortnetwork.New(t, cfg)
	sender := net.Validators[1]
	served := net.Validators[0]

	msg := &modelstypes.MsgRegisterModel{
		Sender: sender.Address.String(), Id: "gpt2-net", Name: "GPT-2 over the network", Architecture: "gpt2",
		WeightsUri: "hf://cortnet/gpt2", WeightsSha256: strings.Repeat("1", 64), TokenizerSha256: strings.Repeat("2", 64),
		EmbeddingDim: 768, MemoryMib: 700,
	}
	// validator 0 serves RPC; the key lives in validator 1's keyring
	relay := served.ClientCtx.WithKeyring(sender.ClientCtx.Keyring)
	txHash := broadcast(t, cfg, relay, sender.Moniker, msg)
	require.NoError(t, waitForTx(net, served.ClientCtx, txHash))

	conn, err := grpc.NewClient(served.AppConfig.GRPC.Address,
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.ForceCodec(codec.NewProtoCodec(cfg.InterfaceRegistry).GRPCCodec())))
	require.NoError(t, err)
	defer conn.Close()

	q := modelstypes.NewQueryClient(conn)
	res, err := q.Model(context.Background(), &modelstypes.QueryModelRequest{Id: "gpt2-net"})
	require.NoError(t, err)
	require.Equal(t, sender.Address.String(), res.Model.Owner)
	require.Equal(t, uint32(768), res.Model.EmbeddingDim)
	require.Equal(t, modelstypes.MODEL_STATUS_ACTIVE, res.Model.Status)
	require.Equal(t, "100000000ucor", res.Model.Deposit.String())

	list, err := q.Models(context.Background(), &modelstypes.QueryModelsRequest{})
	require.NoError(t, err)
	require.Len(t, list.Models, 1)

	// The same model over REST (grpc-gateway).
	resp, err := http.Get(served.APIAddress + "/cortd/models/v1/models")
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	var rest struct {
		Models []struct {
			ID    string `json:"id"`
			Owner string `json:"owner"`
		} `json:"models"`
	}
	require.NoError(t, json.Unmarshal(body, &rest))
	require.Len(t, rest.Models, 1)
	require.Equal(t, "gpt2-net", rest.Models[0].ID)
	require.Equal(t, sender.Address.String(), rest.Models[0].Owner)

	// A duplicate registration is rejected by the chain with the module's error.
	dupHash := broadcast(t, cfg, relay, sender.Moniker, msg)
	err = waitForTx(net, served.ClientCtx, dupHash)
	require.ErrorContains(t, err, "model already registered")
}

// broadcast signs msg with the validator's key and sends it; it returns the tx hash.
func broadcast(t *testing.T, cfg sdknetwork.Config, clientCtx client.Context, keyName string, msg sdk.Msg) string {
	t.Helper()
	txf := clienttx.Factory{}.
		WithChainID(cfg.ChainID).
		WithKeybase(clientCtx.Keyring).
		WithTxConfig(cfg.TxConfig).
		WithAccountRetriever(cfg.AccountRetriever).
		WithGas(400_000)
	txf, err := txf.Prepare(clientCtx.WithFromAddress(sdk.MustAccAddressFromBech32(msg.(interface{ GetSender() string }).GetSender())))
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

// waitForTx waits until the tx is in a block and returns its execution error, if any.
func waitForTx(net *sdknetwork.Network, clientCtx client.Context, hash string) error {
	svc := txtypes.NewServiceClient(clientCtx)
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if err := net.WaitForNextBlock(); err != nil {
			return err
		}
		res, err := svc.GetTx(context.Background(), &txtypes.GetTxRequest{Hash: hash})
		if err != nil {
			continue
		}
		if res.TxResponse.Code != 0 {
			return fmt.Errorf("tx failed with code %d: %s", res.TxResponse.Code, res.TxResponse.RawLog)
		}
		return nil
	}
	return fmt.Errorf("tx %s not included within 30s", hash)
}
