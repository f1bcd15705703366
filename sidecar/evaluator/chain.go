package evaluator

import (
	"context"
	"fmt"
	"time"

	"github.com/cosmos/cosmos-sdk/types/query"

	"github.com/cortnet/cortd/sidecar/chain"
	"github.com/cortnet/cortd/x/challenges/types"
)

// Chain is what the evaluator role needs of the chain (GRPCChain in production,
// a fake in tests).
type Chain interface {
	Height(ctx context.Context) (int64, error)
	// Evaluating lists the challenges in EVALUATING status.
	Evaluating(ctx context.Context) ([]types.Challenge, error)
	Challenge(ctx context.Context, id uint64) (types.Challenge, error)
	// Answers lists a challenge's answers (with the patch bytes).
	Answers(ctx context.Context, id uint64) ([]types.Answer, error)
	// Submitted reports whether evaluator already scored the challenge.
	Submitted(ctx context.Context, id uint64, evaluator string) (bool, error)
	SubmitScores(ctx context.Context, msg *types.MsgSubmitScores) error
	// Watch calls onReveal with the challenge of every EventTestsRevealed and
	// onGap when events may have been missed, until ctx ends.
	Watch(ctx context.Context, onReveal func(id uint64), onGap func())
	Address() string
}

// GRPCChain implements Chain with the sidecar's chain client and signer.
type GRPCChain struct {
	C *chain.Client
	S *chain.Signer
	Q types.QueryClient
}

// NewGRPCChain wraps a client and the evaluator's signer.
func NewGRPCChain(c *chain.Client, s *chain.Signer) *GRPCChain {
	return &GRPCChain{C: c, S: s, Q: types.NewQueryClient(c.Conn())}
}

func (g *GRPCChain) Address() string { return g.S.Address() }

func (g *GRPCChain) Height(ctx context.Context) (int64, error) { return g.C.Height(ctx) }

// maxPages bounds a listing (100 per page): a chain with more open challenges or
// answers than this is served over several polls.
const maxPages = 50

func (g *GRPCChain) Evaluating(ctx context.Context) ([]types.Challenge, error) {
	var out []types.Challenge
	var key []byte
	for range maxPages {
		qctx, cancel := g.C.QueryCtx(ctx)
		res, err := g.Q.Challenges(qctx, &types.QueryChallengesRequest{
			Status: types.CHALLENGE_STATUS_EVALUATING, Pagination: &query.PageRequest{Key: key, Limit: 100}})
		cancel()
		if err != nil {
			return out, err
		}
		out = append(out, res.Challenges...)
		if res.Pagination == nil || len(res.Pagination.NextKey) == 0 {
			break
		}
		key = res.Pagination.NextKey
	}
	return out, nil
}

func (g *GRPCChain) Challenge(ctx context.Context, id uint64) (types.Challenge, error) {
	qctx, cancel := g.C.QueryCtx(ctx)
	defer cancel()
	res, err := g.Q.Challenge(qctx, &types.QueryChallengeRequest{Id: id})
	if err != nil {
		return types.Challenge{}, err
	}
	return res.Challenge, nil
}

func (g *GRPCChain) Answers(ctx context.Context, id uint64) ([]types.Answer, error) {
	var out []types.Answer
	var key []byte
	for range maxPages {
		qctx, cancel := g.C.QueryCtx(ctx)
		res, err := g.Q.Answers(qctx, &types.QueryAnswersRequest{ChallengeId: id, Pagination: &query.PageRequest{Key: key, Limit: 100}})
		cancel()
		if err != nil {
			return nil, err
		}
		out = append(out, res.Answers...)
		if res.Pagination == nil || len(res.Pagination.NextKey) == 0 {
			return out, nil
		}
		key = res.Pagination.NextKey
	}
	return nil, fmt.Errorf("challenge %d: more than %d pages of answers", id, maxPages)
}

func (g *GRPCChain) Submitted(ctx context.Context, id uint64, evaluator string) (bool, error) {
	var key []byte
	for range maxPages {
		qctx, cancel := g.C.QueryCtx(ctx)
		res, err := g.Q.Submissions(qctx, &types.QuerySubmissionsRequest{ChallengeId: id, Pagination: &query.PageRequest{Key: key, Limit: 100}})
		cancel()
		if err != nil {
			return false, err
		}
		for _, s := range res.Submissions {
			if s.Evaluator == evaluator {
				return true, nil
			}
		}
		if res.Pagination == nil || len(res.Pagination.NextKey) == 0 {
			return false, nil
		}
		key = res.Pagination.NextKey
	}
	return false, nil
}

func (g *GRPCChain) SubmitScores(ctx context.Context, msg *types.MsgSubmitScores) error {
	_, err := g.S.Send(ctx, msg)
	return err
}

func (g *GRPCChain) Watch(ctx context.Context, onReveal func(uint64), onGap func()) {
	_ = g.C.Subscribe(ctx, chain.SubscribeConfig{TxEvents: true, Idle: 30 * time.Second}, func(b chain.Block) {
		for _, ev := range b.Typed() {
			if e, ok := ev.(*types.EventTestsRevealed); ok {
				onReveal(e.ChallengeId)
			}
		}
	}, func(string) { onGap() })
}
