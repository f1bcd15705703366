package app_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/cosmos/cosmos-sdk/client"
	txtypes "github.com/cosmos/cosmos-sdk/types/tx"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"

	"github.com/cortnet/cortd/app"
)

// recordingServer keeps what the app registers, to call handlers directly.
type recordingServer struct {
	descs map[string]*grpc.ServiceDesc
	impls map[string]any
}

func (r *recordingServer) RegisterService(sd *grpc.ServiceDesc, ss any) {
	r.descs[sd.ServiceName], r.impls[sd.ServiceName] = sd, ss
}

func (r *recordingServer) call(t *testing.T, srv any, service, method string, req any) (any, error) {
	t.Helper()
	for _, m := range r.descs[service].Methods {
		if m.MethodName == method {
			// No gRPC metadata in the context: BaseApp's query interceptor refuses such a call.
			return m.Handler(srv, context.Background(), func(in any) error {
				*in.(*txtypes.TxDecodeRequest) = *req.(*txtypes.TxDecodeRequest)
				return nil
			}, nil)
		}
	}
	t.Fatalf("%s/%s not registered", service, method)
	return nil, nil
}

func mustEmptyTx(t *testing.T, a *app.App) []byte {
	t.Helper()
	bz, err := a.TxConfig().TxEncoder()(a.TxConfig().NewTxBuilder().GetTx())
	require.NoError(t, err)
	return bz
}

type panickingTxService struct {
	txtypes.UnimplementedServiceServer
}

func (panickingTxService) TxDecode(context.Context, *txtypes.TxDecodeRequest) (*txtypes.TxDecodeResponse, error) {
	panic("handler bug")
}

// The tx service is registered without BaseApp's query interceptor (whose debug
// line formats every request's tx bytes), keeps a panic recovery, and every other
// service keeps the interceptor.
func TestTxServiceSkipsTheQueryInterceptor(t *testing.T) {
	a := newGenesisTestApp(t)
	a.RegisterTxService(client.Context{}.WithTxConfig(a.TxConfig())) // as the server does before gRPC
	for _, skipCheckHeader := range []bool{false, true} {
		rec := &recordingServer{descs: map[string]*grpc.ServiceDesc{}, impls: map[string]any{}}
		// The SDK's server calls RegisterGRPCServerWithSkipCheckHeader.
		a.RegisterGRPCServerWithSkipCheckHeader(rec, skipCheckHeader)
		checkTxServiceRegistration(t, a, rec)
	}
	rec := &recordingServer{descs: map[string]*grpc.ServiceDesc{}, impls: map[string]any{}}
	a.RegisterGRPCServer(rec)
	checkTxServiceRegistration(t, a, rec)
}

func checkTxServiceRegistration(t *testing.T, a *app.App, rec *recordingServer) {
	t.Helper()
	txName := txtypes.Service_serviceDesc.ServiceName
	require.Contains(t, rec.descs, txName)
	require.Contains(t, rec.descs, banktypes.Query_serviceDesc.ServiceName)
	require.Len(t, rec.descs[txName].Methods, len(txtypes.Service_serviceDesc.Methods))

	// A call with no metadata is served: no query context is made for it. The
	// bytes are not a tx: the tx decoder's own error, not the interceptor's.
	_, err := rec.call(t, rec.impls[txName], txName, "TxDecode", &txtypes.TxDecodeRequest{TxBytes: []byte{0xff}})
	require.Error(t, err)
	require.NotContains(t, err.Error(), "metadata")
	require.NotEqual(t, codes.Internal, status.Code(err), "not a recovered panic: %v", err)
	// An empty tx decodes.
	res, err := rec.call(t, rec.impls[txName], txName, "TxDecode", &txtypes.TxDecodeRequest{TxBytes: mustEmptyTx(t, a)})
	require.NoError(t, err)
	require.NotNil(t, res.(*txtypes.TxDecodeResponse).Tx)

	// A panicking handler answers Internal, as under BaseApp's registration.
	_, err = rec.call(t, panickingTxService{}, txName, "TxDecode", &txtypes.TxDecodeRequest{})
	require.Equal(t, codes.Internal, status.Code(err))

	// Another service still goes through the interceptor (which refuses a call
	// without metadata).
	bank := rec.descs[banktypes.Query_serviceDesc.ServiceName]
	for _, m := range bank.Methods {
		if m.MethodName == "Params" {
			_, err := m.Handler(rec.impls[bank.ServiceName], context.Background(), func(any) error { return nil }, nil)
			require.ErrorContains(t, err, "unable to retrieve metadata")
		}
	}
}
