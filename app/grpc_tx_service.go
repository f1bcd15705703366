package app

import (
	"context"

	gogogrpc "github.com/cosmos/gogoproto/grpc"
	grpcrecovery "github.com/grpc-ecosystem/go-grpc-middleware/recovery"
	"google.golang.org/grpc"

	txtypes "github.com/cosmos/cosmos-sdk/types/tx"

	streamtypes "github.com/cortnet/cortd/app/stream/types"
)

// RegisterGRPCServer registers the app's gRPC services as BaseApp does, except the
// tx service (Simulate, BroadcastTx, GetTx, …), which is served without BaseApp's
// query interceptor.
//
// That interceptor formats every request with fmt.Sprintf("%#v", req) for a debug
// log line, whether or not debug logging is on. For Simulate and BroadcastTx the
// request holds the tx bytes, printed one `0x..` element at a time through
// reflection: with sidecars sending txs of hundreds of messages it was 18 % of a
// loaded node's CPU. The tx service does not need what else the interceptor does
// (a query context at a height: its handlers run the tx against check state or ask
// CometBFT), so it keeps only the panic recovery.
func (app *App) RegisterGRPCServer(server gogogrpc.Server) {
	app.RegisterGRPCServerWithSkipCheckHeader(server, false)
}

// RegisterGRPCServerWithSkipCheckHeader is what the SDK's server calls (with
// grpc.skip-check-header from app.toml); see RegisterGRPCServer.
func (app *App) RegisterGRPCServerWithSkipCheckHeader(server gogogrpc.Server, skipCheckHeader bool) {
	app.BaseApp.RegisterGRPCServerWithSkipCheckHeader(directTxService{server}, skipCheckHeader)
	// The event stream is registered on the server itself: BaseApp's router takes
	// unary queries only.
	streamtypes.RegisterStreamServer(server, app.stream)
}

// CloseEventStreams ends the sidecars' event streams (cortd.stream.v1) and refuses
// new ones: the node's gRPC server stops gracefully, waiting for every open call,
// and an event stream never ends by itself. `cortd start` calls it on the signals
// that stop the node.
func (app *App) CloseEventStreams() { app.stream.Close() }

// directTxService passes every service through, the tx service with its
// generated handlers in place of BaseApp's wrapped ones.
type directTxService struct{ gogogrpc.Server }

func (s directTxService) RegisterService(sd *grpc.ServiceDesc, ss any) {
	if sd.ServiceName == txtypes.Service_serviceDesc.ServiceName {
		sd = recoveringService(&txtypes.Service_serviceDesc)
	}
	s.Server.RegisterService(sd, ss)
}

// recoveringService is desc with each unary handler behind a panic recovery (a
// panic becomes an Internal error, as under BaseApp's registration).
func recoveringService(desc *grpc.ServiceDesc) *grpc.ServiceDesc {
	recovery := grpcrecovery.UnaryServerInterceptor()
	methods := make([]grpc.MethodDesc, len(desc.Methods))
	for i, m := range desc.Methods {
		h := m.Handler
		methods[i] = grpc.MethodDesc{
			MethodName: m.MethodName,
			Handler: func(srv any, ctx context.Context, dec func(any) error, _ grpc.UnaryServerInterceptor) (any, error) {
				return h(srv, ctx, dec, recovery)
			},
		}
	}
	out := *desc
	out.Methods = methods
	return &out
}
