package keeper

import (
	"context"

	"cosmossdk.io/collections"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/cortnet/cortd/x/challenges/types"
)

// EndBlocker processes due queue entries, prunes expired availability reports (each at
// most max_queue_per_block), then up to max_epoch_close_per_block entries of the epoch
// closes in progress.
func (k Keeper) EndBlocker(ctx context.Context) error {
	p, err := k.Params.Get(ctx)
	if err != nil {
		return err
	}
	if err := k.processQueue(ctx, p); err != nil {
		return err
	}
	if err := k.pruneReports(ctx, p); err != nil {
		return err
	}
	// Epoch closes in progress get their page after the deadlines.
	return k.runCloses(ctx, p, int(p.MaxEpochClosePerBlock))
}

// processQueue handles due queue entries in (height, id) order, at most
// max_queue_per_block per block; the rest wait for the next block (their windows are
// enforced by height in the handlers, so a late transition changes nothing).
func (k Keeper) processQueue(ctx context.Context, p types.Params) error {
	h := height(ctx)
	var due []collections.Pair[int64, uint64]
	rng := new(collections.Range[collections.Pair[int64, uint64]]).
		EndInclusive(collections.Join(h, ^uint64(0)))
	err := k.Queue.Walk(ctx, rng, func(key collections.Pair[int64, uint64]) (bool, error) {
		due = append(due, key)
		return uint32(len(due)) >= p.MaxQueuePerBlock, nil
	})
	if err != nil {
		return err
	}
	for _, key := range due {
		if err := k.Queue.Remove(ctx, key); err != nil {
			return err
		}
		c, err := k.Challenges.Get(ctx, key.K2())
		if err != nil {
			return err
		}
		if err := k.advance(ctx, p, &c); err != nil {
			return err
		}
	}
	return nil
}

// advance moves a challenge whose queue entry is due to its next status, requeues it at
// the next deadline and stores it.
func (k Keeper) advance(ctx context.Context, p types.Params, c *types.Challenge) error {
	h := height(ctx)
	switch c.Status {
	case types.CHALLENGE_STATUS_INVITING:
		return k.inviteMiners(ctx, p, c)
	case types.CHALLENGE_STATUS_COMMIT, types.CHALLENGE_STATUS_REVEAL:
		switch {
		case h >= c.RevealEndHeight && c.Reveals == 0, h >= c.CommitEndHeight && c.Commits == 0:
			return k.void(ctx, p, c, types.VOID_REASON_NO_ANSWERS)
		case h >= c.RevealEndHeight:
			c.Status = types.CHALLENGE_STATUS_TESTS
		default:
			c.Status = types.CHALLENGE_STATUS_REVEAL
		}
		if err := k.Queue.Set(ctx, collections.Join(queueHeight(*c), c.Id)); err != nil {
			return err
		}
		return k.Challenges.Set(ctx, c.Id, *c)
	case types.CHALLENGE_STATUS_TESTS:
		return k.void(ctx, p, c, types.VOID_REASON_TESTS_NOT_REVEALED)
	case types.CHALLENGE_STATUS_EVALUATING:
		return k.aggregate(ctx, p, c)
	default:
		return k.prune(ctx, c)
	}
}

// finish makes a challenge final (SCORED or VOID) and queues its prune.
func (k Keeper) finish(ctx context.Context, p types.Params, c *types.Challenge) error {
	c.FinalHeight = height(ctx)
	c.PruneHeight = c.FinalHeight + int64(p.RetentionBlocks)
	if err := k.Queue.Set(ctx, collections.Join(c.PruneHeight, c.Id)); err != nil {
		return err
	}
	return k.Challenges.Set(ctx, c.Id, *c)
}

// void ends a challenge without scores. A poster who missed the tests deadline forfeits
// the deposit to the community pool; otherwise an unreturned deposit goes back.
func (k Keeper) void(ctx context.Context, p types.Params, c *types.Challenge, reason types.VoidReason) error {
	forfeited := ""
	if !c.DepositReturned {
		if reason == types.VOID_REASON_TESTS_NOT_REVEALED {
			if c.Deposit.IsPositive() {
				if err := k.distr.FundCommunityPool(ctx, sdkCoins(c.Deposit), k.moduleAddr()); err != nil {
					return err
				}
				forfeited = c.Deposit.String()
			}
		} else {
			poster, err := accAddr(c.Poster)
			if err != nil {
				return err
			}
			if err := k.returnDeposit(ctx, c, poster); err != nil {
				return err
			}
		}
	}
	c.Status, c.VoidReason = types.CHALLENGE_STATUS_VOID, reason
	if err := k.finish(ctx, p, c); err != nil {
		return err
	}
	return emit(ctx, &types.EventChallengeVoided{ChallengeId: c.Id, Reason: reason, Forfeited: forfeited})
}

// prune drops the patch bytes of a final challenge's answers (hashes, salts and scores
// stay) and its score submissions (the evaluators' agreement records stay).
func (k Keeper) prune(ctx context.Context, c *types.Challenge) error {
	if err := k.Submissions.Clear(ctx, collections.NewPrefixedPairRange[uint64, sdk.AccAddress](c.Id)); err != nil {
		return err
	}
	var keys []collections.Pair[uint64, string]
	var answers []types.Answer
	err := k.Answers.Walk(ctx, collections.NewPrefixedPairRange[uint64, string](c.Id),
		func(key collections.Pair[uint64, string], a types.Answer) (bool, error) {
			keys = append(keys, key)
			answers = append(answers, a)
			return false, nil
		})
	if err != nil {
		return err
	}
	for i, a := range answers {
		if len(a.Patch) == 0 {
			continue
		}
		a.Patch = nil
		if err := k.Answers.Set(ctx, keys[i], a); err != nil {
			return err
		}
	}
	c.PatchesPruned = true
	return k.Challenges.Set(ctx, c.Id, *c)
}
