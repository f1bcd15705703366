package router

import (
	"context"

	sdkmath "cosmossdk.io/math"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/query"

	"github.com/cortnet/cortd/sidecar/chain"
	modelstypes "github.com/cortnet/cortd/x/models/types"
	nodestypes "github.com/cortnet/cortd/x/nodes/types"
	paymentstypes "github.com/cortnet/cortd/x/payments/types"
	sessionstypes "github.com/cortnet/cortd/x/sessions/types"
)

// backend is everything the router asks of the chain. The router runs on
// chainBackend (the sidecar's chain client and the router's signer); tests run
// it on a fake, so that admission, budgets, top-up caps, disconnects and error
// bodies are tested on the same code paths a live router takes.
type backend interface {
	// Address is the router's account: it owns the sessions and pays for them.
	Address() string
	// Model returns a model's record (a gRPC NotFound status when unknown).
	Model(ctx context.Context, id string) (modelstypes.Model, error)
	// ActiveModels pages through the active models.
	ActiveModels(ctx context.Context, page []byte) ([]modelstypes.Model, []byte, error)
	// EligibleNodes counts the nodes that may serve the model now.
	EligibleNodes(ctx context.Context, model string, minLevel uint32) (int, error)
	// SessionsByOwner pages through the sessions of owner.
	SessionsByOwner(ctx context.Context, owner string, page []byte) ([]sessionstypes.Session, []byte, error)
	// FreeEscrow is the session's escrow not reserved by tasks.
	FreeEscrow(ctx context.Context, session uint64) (sdkmath.Int, error)
	// Tasks reads tasks by id (those found, in order, and the ids not in state).
	Tasks(ctx context.Context, ids []uint64) ([]sessionstypes.Task, []uint64, error)
	// Send sends an ordered tx and waits for its block.
	Send(ctx context.Context, msgs ...sdk.Msg) (*sdk.TxResponse, error)
	// Submit sends one request's tasks, together, in the router's next unordered
	// tx (shared with the other requests of the block) and waits for its block. It
	// returns that tx and the index of the first of msgs in it; msgs land or fail
	// together, and a failure is theirs alone.
	Submit(ctx context.Context, msgs ...sdk.Msg) (*sdk.TxResponse, int, error)
}

// chainBackend is the live backend: the sidecar's chain client, the router's
// signer, and the batcher every submission goes through.
type chainBackend struct {
	c     *chain.Client
	s     *chain.Signer
	batch *chain.Batcher
}

func (b chainBackend) Address() string { return b.s.Address() }

func (b chainBackend) Model(ctx context.Context, id string) (modelstypes.Model, error) {
	qctx, cancel := b.c.QueryCtx(ctx)
	defer cancel()
	res, err := b.c.Models.Model(qctx, &modelstypes.QueryModelRequest{Id: id})
	if err != nil {
		return modelstypes.Model{}, err
	}
	return res.Model, nil
}

func (b chainBackend) ActiveModels(ctx context.Context, page []byte) ([]modelstypes.Model, []byte, error) {
	qctx, cancel := b.c.QueryCtx(ctx)
	defer cancel()
	res, err := b.c.Models.Models(qctx, &modelstypes.QueryModelsRequest{Status: modelstypes.MODEL_STATUS_ACTIVE,
		Pagination: &query.PageRequest{Key: page, Limit: 100}})
	if err != nil {
		return nil, nil, err
	}
	return res.Models, nextKey(res.Pagination), nil
}

func (b chainBackend) EligibleNodes(ctx context.Context, model string, minLevel uint32) (int, error) {
	qctx, cancel := b.c.QueryCtx(ctx)
	defer cancel()
	res, err := b.c.Nodes.EligibleNodes(qctx, &nodestypes.QueryEligibleNodesRequest{ModelId: model, MinLevel: minLevel})
	if err != nil {
		return 0, err
	}
	return len(res.Nodes), nil
}

func (b chainBackend) SessionsByOwner(ctx context.Context, owner string, page []byte) ([]sessionstypes.Session, []byte, error) {
	qctx, cancel := b.c.QueryCtx(ctx)
	defer cancel()
	res, err := b.c.Sessions.SessionsByOwner(qctx, &sessionstypes.QuerySessionsByOwnerRequest{Owner: owner,
		Pagination: &query.PageRequest{Key: page, Limit: 100}})
	if err != nil {
		return nil, nil, err
	}
	return res.Sessions, nextKey(res.Pagination), nil
}

func (b chainBackend) FreeEscrow(ctx context.Context, session uint64) (sdkmath.Int, error) {
	qctx, cancel := b.c.QueryCtx(ctx)
	defer cancel()
	res, err := b.c.Payments.SessionBalance(qctx, &paymentstypes.QuerySessionBalanceRequest{SessionId: session})
	if err != nil {
		return sdkmath.Int{}, err
	}
	return res.Balance.Free, nil
}

func (b chainBackend) Tasks(ctx context.Context, ids []uint64) ([]sessionstypes.Task, []uint64, error) {
	return b.c.Tasks(ctx, ids)
}

func (b chainBackend) Send(ctx context.Context, msgs ...sdk.Msg) (*sdk.TxResponse, error) {
	return b.s.Send(ctx, msgs...)
}

func (b chainBackend) Submit(ctx context.Context, msgs ...sdk.Msg) (*sdk.TxResponse, int, error) {
	return b.batch.Send(ctx, msgs...)
}

// batchStats are the batcher's counters for /metrics (nil without a chain).
func (b chainBackend) batchStats() *chain.BatcherStats {
	if b.batch == nil {
		return nil
	}
	return &b.batch.Stats
}

// signerStats are the router's signer's counters for /metrics (nil without a chain).
func (b chainBackend) signerStats() *chain.SignerStats {
	if b.s == nil {
		return nil
	}
	return &b.s.Stats
}

func nextKey(p *query.PageResponse) []byte {
	if p == nil {
		return nil
	}
	return p.NextKey
}
