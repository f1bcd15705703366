package keeper

import (
	"context"
	"errors"

	"cosmossdk.io/collections"
	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"
	stakingtypes "github.com/cosmos/cosmos-sdk/x/staking/types"

	"github.com/cortnet/cortd/x/challenges/types"
)

func sdkCoins(c sdk.Coin) sdk.Coins { return sdk.NewCoins(c) }

func accAddr(s string) (sdk.AccAddress, error) { return sdk.AccAddressFromBech32(s) }

// bondedStake maps each bonded validator's operator (as address bytes) to its bonded
// tokens now.
func (k Keeper) bondedStake(ctx context.Context) (map[string]sdkmath.Int, error) {
	out := map[string]sdkmath.Int{}
	var iterErr error
	err := k.staking.IterateBondedValidatorsByPower(ctx, func(_ int64, v stakingtypes.ValidatorI) bool {
		op, err := k.staking.ValidatorAddressCodec().StringToBytes(v.GetOperator())
		if err != nil {
			iterErr = err
			return true
		}
		out[string(op)] = v.GetTokens() // all of a bonded validator's tokens are bonded
		return false
	})
	if err == nil {
		err = iterErr
	}
	return out, err
}

// counted is a submission that counts: its evaluator is bonded at aggregation.
type counted struct {
	key   collections.Pair[uint64, sdk.AccAddress]
	sub   types.ScoreSubmission
	stake sdkmath.Int
}

// aggregate ends the evaluation: submissions of evaluators still bonded count, weighted
// by their bonded tokens now. Fewer than quorum → VOID (NO_QUORUM). Otherwise every
// revealed answer gets the stake-weighted median of its scores, a committed but
// unrevealed answer scores 0, each counted evaluator's scores are compared with the
// medians (agreement record), and the scores enter the miners' stats of the open epoch.
func (k Keeper) aggregate(ctx context.Context, p types.Params, c *types.Challenge) error {
	stake, err := k.bondedStake(ctx)
	if err != nil {
		return err
	}
	var subs []counted
	err = k.Submissions.Walk(ctx, collections.NewPrefixedPairRange[uint64, sdk.AccAddress](c.Id),
		func(key collections.Pair[uint64, sdk.AccAddress], s types.ScoreSubmission) (bool, error) {
			if st, ok := stake[string(key.K2())]; ok && st.IsPositive() {
				subs = append(subs, counted{key: key, sub: s, stake: st})
			}
			return false, nil
		})
	if err != nil {
		return err
	}
	if uint32(len(subs)) < p.Quorum {
		return k.void(ctx, p, c, types.VOID_REASON_NO_QUORUM)
	}
	epoch, err := k.Epoch.Get(ctx)
	if err != nil {
		return err
	}
	var answers []types.Answer
	err = k.Answers.Walk(ctx, collections.NewPrefixedPairRange[uint64, string](c.Id),
		func(_ collections.Pair[uint64, string], a types.Answer) (bool, error) {
			answers = append(answers, a)
			return false, nil
		})
	if err != nil {
		return err
	}
	medians := map[string]uint32{}
	var final []types.MinerScore
	for _, a := range answers {
		if a.Commitment == "" {
			continue // never answered: not scored, not counted
		}
		score := uint32(0)
		if a.Revealed {
			votes := make([]Vote, 0, len(subs))
			for _, s := range subs {
				for _, ms := range s.sub.Scores {
					if ms.NodeId == a.NodeId {
						votes = append(votes, Vote{ScoreBps: ms.ScoreBps, Stake: s.stake})
					}
				}
			}
			score, _ = WeightedMedian(votes)
			medians[a.NodeId] = score
		}
		a.ScoreBps, a.Scored = score, true
		if err := k.Answers.Set(ctx, collections.Join(c.Id, a.NodeId), a); err != nil {
			return err
		}
		if err := k.addStats(ctx, epoch, c.TaskType, a.NodeId, score); err != nil {
			return err
		}
		final = append(final, types.MinerScore{NodeId: a.NodeId, ScoreBps: score})
	}
	for _, s := range subs {
		if err := k.recordAgreement(ctx, p, c.Id, s, medians); err != nil {
			return err
		}
	}
	c.Status = types.CHALLENGE_STATUS_SCORED
	if err := k.finish(ctx, p, c); err != nil {
		return err
	}
	return emit(ctx, &types.EventChallengeScored{ChallengeId: c.Id, Scores: final, Evaluators: uint32(len(subs))})
}

// recordAgreement counts an evaluator's scores within / beyond the tolerance of the medians.
func (k Keeper) recordAgreement(ctx context.Context, p types.Params, id uint64, s counted, medians map[string]uint32) error {
	r, err := k.GetEvaluatorRecord(ctx, s.key.K2())
	if err != nil {
		return err
	}
	r.Submissions++
	for _, ms := range s.sub.Scores {
		med, ok := medians[ms.NodeId]
		if !ok {
			continue
		}
		d := int64(ms.ScoreBps) - int64(med)
		if d < 0 {
			d = -d
		}
		if d > int64(p.AgreementToleranceBps) {
			r.Disagreed++
			r.LastDisagreementChallenge = id
		} else {
			r.Agreed++
		}
	}
	return k.EvaluatorRecords.Set(ctx, s.key.K2(), r)
}

// addStats adds one scored answer to a node's stats of (epoch, task type).
func (k Keeper) addStats(ctx context.Context, epoch uint64, tt types.TaskType, nodeID string, score uint32) error {
	key := collections.Join3(epoch, int32(tt), nodeID)
	st, err := k.MinerStats.Get(ctx, key)
	if errors.Is(err, collections.ErrNotFound) {
		st = types.MinerStats{Epoch: epoch, TaskType: tt, NodeId: nodeID}
	} else if err != nil {
		return err
	}
	st.SumBps += uint64(score)
	st.Count++
	return k.MinerStats.Set(ctx, key, st)
}
