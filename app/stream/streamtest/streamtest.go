// Package streamtest serves an event-stream hub to tests over an in-memory gRPC
// connection.
package streamtest

import (
	"context"
	"net"
	"testing"

	"github.com/cosmos/cosmos-sdk/codec"
	codectypes "github.com/cosmos/cosmos-sdk/codec/types"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/test/bufconn"

	"github.com/cortnet/cortd/app/stream"
	"github.com/cortnet/cortd/app/stream/types"
)

// Dial runs a gRPC server with the SDK's codec, as the node's, serving hub (nil: a
// node without the event stream), and returns a connection to it. Both end with
// the test.
func Dial(t testing.TB, hub *stream.Hub) *grpc.ClientConn {
	t.Helper()
	cdc := codec.NewProtoCodec(codectypes.NewInterfaceRegistry()).GRPCCodec()
	ln := bufconn.Listen(1 << 20)
	srv := grpc.NewServer(grpc.ForceServerCodec(cdc))
	if hub != nil {
		types.RegisterStreamServer(srv, hub)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(srv.Stop)
	conn, err := grpc.NewClient("passthrough:///bufnet",
		grpc.WithContextDialer(func(context.Context, string) (net.Conn, error) { return ln.Dial() }),
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.ForceCodec(cdc)))
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close() })
	return conn
}
