package keeper

import (
	"context"
	"errors"

	"cosmossdk.io/collections"
	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/cortnet/cortd/x/nodes/types"
)

// entitleNode computes the reward of node n's record of period s, once SCORE has counted
// every operator's qualified nodes: the month rate from the formula (ComputeReward), then
// the period's share of it. A full period pays (monthly × period_seconds + carry) /
// MonthSeconds and carries the remainder on the node; the period the node registered in
// pays pro rata to the blocks it was registered (JoinPeriodAmount). The entitlement is
// added to the settlement's owed sum; PAY pays it.
func (k Keeper) entitleNode(ctx context.Context, p types.Params, s *types.Settlement, n types.Node) error {
	key := collections.Join(n.Id, s.Period)
	rec, err := k.Records.Get(ctx, key)
	if errors.Is(err, collections.ErrNotFound) {
		return nil // not settled in this period (unbonding, or registered after it)
	} else if err != nil {
		return err
	}
	op, err := k.getOperator(ctx, n.Operator)
	if err != nil {
		return err
	}
	var qualifiedNodes uint32
	var observed []string
	// The count and the observed roles describe the period only while SCORE's mark is on
	// the record (an operator whose record was removed since, after unbonding every node,
	// keeps no bonus).
	if op.SettlingPeriod == s.Period {
		qualifiedNodes, observed = op.QualifiedNodes, op.ObservedRoles
	}
	in := types.RewardInput{
		Level:          rec.LevelBefore,
		Scores:         types.Scores{Uptime: rec.Uptime, Precommit: rec.PrecommitScore, Commit: rec.CommitScore, Validation: rec.ValidationAccuracy, Total: rec.TotalScore},
		Disqualified:   rec.Disqualification != "",
		Roles:          countRoles(op.Roles, observed),
		QualifiedNodes: qualifiedNodes,
		NewOperator:    p.NewOperatorIn(op.FirstPeriod, s.Period),
	}
	reward := types.ComputeReward(p, in)
	monthly := reward.Monthly()
	var amount sdkmath.Int
	if rec.ActiveBlocks >= rec.PeriodBlocks {
		amount, n.RewardCarry = types.PeriodAmount(monthly, rec.PeriodSeconds, n.RewardCarry)
		if err := k.Nodes.Set(ctx, n.Id, n); err != nil {
			return err
		}
	} else {
		amount = types.JoinPeriodAmount(monthly, rec.PeriodSeconds, rec.ActiveBlocks, rec.PeriodBlocks)
	}
	rec.Bonus, rec.Roles, rec.OperatorQualifiedNodes, rec.NewOperator = reward.Bonus, in.Roles, qualifiedNodes, in.NewOperator
	rec.MonthlyBase, rec.MonthlyLevel, rec.MonthlyPrize = reward.MonthlyBase, reward.MonthlyLevel, reward.MonthlyPrize
	rec.RewardEntitled = amount
	if err := k.Records.Set(ctx, key, rec); err != nil {
		return err
	}
	s.Owed = s.Owed.Add(amount)
	return sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(&types.EventNodePeriodSettled{
		NodeId: n.Id, Period: s.Period, Uptime: rec.Uptime.String(), PrecommitScore: rec.PrecommitScore.String(),
		TotalScore: rec.TotalScore.String(), LevelBefore: rec.LevelBefore, LevelAfter: rec.LevelAfter,
		RewardEntitled: sdk.NewCoin(p.Denom, amount).String(), Qualified: rec.Qualified,
		Disqualification: rec.Disqualification, MonthlyAmount: sdk.NewCoin(p.Denom, monthly).String(),
		PeriodSeconds: rec.PeriodSeconds,
	})
}

// countRoles counts the distinct roles of two sorted, duplicate-free lists (governance
// granted, observed): a role in both counts once.
func countRoles(granted, observed []string) uint32 {
	var n uint32
	i, j := 0, 0
	for i < len(granted) || j < len(observed) {
		switch {
		case j >= len(observed) || (i < len(granted) && granted[i] < observed[j]):
			i++
		case i >= len(granted) || observed[j] < granted[i]:
			j++
		default: // equal
			i++
			j++
		}
		n++
	}
	return n
}
