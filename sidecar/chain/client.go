package chain

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	rpchttp "github.com/cometbft/cometbft/rpc/client/http"
	sdk "github.com/cosmos/cosmos-sdk/types"
	txtypes "github.com/cosmos/cosmos-sdk/types/tx"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	modelstypes "github.com/cortnet/cortd/x/models/types"
	nodestypes "github.com/cortnet/cortd/x/nodes/types"
	paymentstypes "github.com/cortnet/cortd/x/payments/types"
	sessionstypes "github.com/cortnet/cortd/x/sessions/types"
)

// Config says where the chain is.
type Config struct {
	GRPC    string // host:port of the node's gRPC server
	RPC     string // CometBFT RPC, e.g. tcp://127.0.0.1:26657 (also serves the websocket)
	ChainID string // empty: read from the node's status
	// QueryTimeout bounds every single query (default 10 s).
	QueryTimeout time.Duration
	Log          *slog.Logger
}

// Client holds one gRPC connection and one CometBFT RPC client shared by every
// role and signer of the process.
type Client struct {
	cfg  Config
	Enc  Encoding
	conn *grpc.ClientConn
	rpc  *rpchttp.HTTP
	log  *slog.Logger
	// noStream is set once the node turned out to serve no event stream (logged once).
	noStream atomic.Bool
	// recent holds the tx results of the blocks the event stream delivered.
	recent recentTxs

	Models   modelstypes.QueryClient
	Nodes    nodestypes.QueryClient
	Sessions sessionstypes.QueryClient
	Payments paymentstypes.QueryClient
	Auth     authtypes.QueryClient
	Tx       txtypes.ServiceClient
}

// Dial connects (lazily: gRPC connects on first use) and reads the chain id when
// the config leaves it empty.
func Dial(ctx context.Context, cfg Config) (*Client, error) {
	if cfg.GRPC == "" || cfg.RPC == "" {
		return nil, errors.New("chain: both the gRPC address and the CometBFT RPC address are required")
	}
	if cfg.QueryTimeout <= 0 {
		cfg.QueryTimeout = 10 * time.Second
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	enc, err := NewEncoding()
	if err != nil {
		return nil, fmt.Errorf("chain: encoding: %w", err)
	}
	conn, err := grpc.NewClient(cfg.GRPC,
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.ForceCodec(enc.Codec.GRPCCodec()), grpc.MaxCallRecvMsgSize(64<<20)))
	if err != nil {
		return nil, fmt.Errorf("chain: grpc %s: %w", cfg.GRPC, err)
	}
	rpc, err := rpchttp.NewWithTimeout(cfg.RPC, "/websocket", uint(cfg.QueryTimeout/time.Second))
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("chain: rpc %s: %w", cfg.RPC, err)
	}
	c := &Client{
		cfg: cfg, Enc: enc, conn: conn, rpc: rpc, log: cfg.Log,
		Models:   modelstypes.NewQueryClient(conn),
		Nodes:    nodestypes.NewQueryClient(conn),
		Sessions: sessionstypes.NewQueryClient(conn),
		Payments: paymentstypes.NewQueryClient(conn),
		Auth:     authtypes.NewQueryClient(conn),
		Tx:       txtypes.NewServiceClient(conn),
	}
	if c.cfg.ChainID == "" {
		qctx, cancel := context.WithTimeout(ctx, cfg.QueryTimeout)
		defer cancel()
		st, err := rpc.Status(qctx)
		if err != nil {
			conn.Close()
			return nil, fmt.Errorf("chain: reading the chain id from %s: %w", cfg.RPC, err)
		}
		c.cfg.ChainID = st.NodeInfo.Network
	}
	return c, nil
}

// ChainID is the chain the client signs for.
func (c *Client) ChainID() string { return c.cfg.ChainID }

// Close releases the connection.
func (c *Client) Close() error { return c.conn.Close() }

// Conn is the gRPC connection, for query clients of modules this package does not list.
func (c *Client) Conn() *grpc.ClientConn { return c.conn }

// QueryCtx bounds one query by the configured timeout.
func (c *Client) QueryCtx(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, c.cfg.QueryTimeout)
}

// Height is the latest block height the node knows.
func (c *Client) Height(ctx context.Context) (int64, error) {
	qctx, cancel := c.QueryCtx(ctx)
	defer cancel()
	st, err := c.rpc.Status(qctx)
	if err != nil {
		return 0, fmt.Errorf("chain: status: %w", err)
	}
	return st.SyncInfo.LatestBlockHeight, nil
}

// Account reads an account's number and sequence (committed state).
func (c *Client) Account(ctx context.Context, addr string) (number, sequence uint64, err error) {
	qctx, cancel := c.QueryCtx(ctx)
	defer cancel()
	res, err := c.Auth.Account(qctx, &authtypes.QueryAccountRequest{Address: addr})
	if err != nil {
		return 0, 0, fmt.Errorf("chain: account %s: %w", addr, err)
	}
	var acc sdk.AccountI
	if err := c.Enc.Registry.UnpackAny(res.Account, &acc); err != nil {
		return 0, 0, fmt.Errorf("chain: account %s: %w", addr, err)
	}
	return acc.GetAccountNumber(), acc.GetSequence(), nil
}
