package recovery_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/stretchr/testify/require"
	protov2 "google.golang.org/protobuf/proto"

	"cosmossdk.io/log/v2"
	sdkmath "cosmossdk.io/math"

	dbm "github.com/cosmos/cosmos-db"
	"github.com/cosmos/cosmos-sdk/baseapp"
	codectypes "github.com/cosmos/cosmos-sdk/codec/types"
	"github.com/cosmos/cosmos-sdk/testutil/testdata"
	sdk "github.com/cosmos/cosmos-sdk/types"
	sdkerrors "github.com/cosmos/cosmos-sdk/types/errors"

	"github.com/cortnet/cortd/app/recovery"
)

// fakeTx is the smallest transaction runTx accepts: one message and no ante handler, so
// no signature is checked.
type fakeTx struct{}

func (fakeTx) GetMsgs() []sdk.Msg {
	return []sdk.Msg{&testdata.MsgCreateDog{Dog: &testdata.Dog{Name: "rex"}, Owner: sdk.AccAddress(make([]byte, 20)).String()}}
}

func (fakeTx) GetMsgsV2() ([]protov2.Message, error) { return nil, nil }

// panickingServer is a test-only message handler that overflows math.Int the way
// MsgSubmitTask did with a 2^256-1 price.
type panickingServer struct {
	testdata.UnimplementedMsgServer
}

func (panickingServer) CreateDog(context.Context, *testdata.MsgCreateDog) (*testdata.MsgCreateDogResponse, error) {
	overflowPanic()
	return &testdata.MsgCreateDogResponse{}, nil
}

func overflowPanic() {
	v := sdkmath.OneInt()
	for range 300 {
		v = v.MulRaw(2)
	}
	_ = v
}

// finalizeOne runs one block holding one transaction whose message handler panics, with
// or without the recovery handler, and returns the transaction's result.
func finalizeOne(t *testing.T, register bool) (*abci.ExecTxResult, string) {
	t.Helper()
	var nodeLog bytes.Buffer
	app := baseapp.NewBaseApp("recovery-test", log.NewNopLogger(), dbm.NewMemDB(),
		func([]byte) (sdk.Tx, error) { return fakeTx{}, nil })
	reg := codectypes.NewInterfaceRegistry()
	testdata.RegisterInterfaces(reg)
	app.SetInterfaceRegistry(reg)
	testdata.RegisterMsgServer(app.MsgServiceRouter(), panickingServer{})
	if register {
		app.AddRunTxRecoveryHandler(recovery.Handler(log.NewLogger(&nodeLog)))
	}
	require.NoError(t, app.LoadLatestVersion())
	_, err := app.InitChain(&abci.RequestInitChain{})
	require.NoError(t, err)
	res, err := app.FinalizeBlock(&abci.RequestFinalizeBlock{Height: 1, Txs: [][]byte{{1}}})
	require.NoError(t, err)
	require.Len(t, res.TxResults, 1)
	return res.TxResults[0], nodeLog.String()
}

func TestPanicReachesRawLogWithoutStack(t *testing.T) {
	// Without the handler, baseapp's default puts the stack in the log: what the test
	// guards against (and the proof that the fake transaction really panics in runTx).
	leaky, _ := finalizeOne(t, false)
	require.Equal(t, sdkerrors.ErrPanic.ABCICode(), leaky.Code, leaky.Log)
	require.Contains(t, leaky.Log, "goroutine")

	res, nodeLog := finalizeOne(t, true)
	require.Equal(t, sdkerrors.ErrPanic.ABCICode(), res.Code, "still code 111222")
	require.Contains(t, res.Log, "integer overflow", "the panic value stays (it is short and names no file)")
	require.NotContains(t, res.Log, "goroutine")
	require.NotContains(t, res.Log, ".go:")
	require.NotContains(t, res.Log, "stack")
	require.Less(t, len(res.Log), 300)
	// the node keeps the stack
	require.Contains(t, nodeLog, "panic recovered in a transaction")
	require.Contains(t, nodeLog, "overflowPanic")
}

func TestDetail(t *testing.T) {
	require.Equal(t, "integer overflow", recovery.Detail("integer overflow"))
	require.Equal(t, "first", recovery.Detail("first\nsecond /x/y.go:12"))
	require.Equal(t, "internal error", recovery.Detail("boom at /root/go/pkg/mod/x.go:12"))
	require.Equal(t, "internal error", recovery.Detail("goroutine 1 [running]:"))
	long := recovery.Detail(strings.Repeat("é", 200))
	require.LessOrEqual(t, len(long), 124)
	require.True(t, strings.HasSuffix(long, "…"))
}
