package keeper

import (
	"bytes"
	"context"
	"math/big"

	errorsmod "cosmossdk.io/errors"
	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"
	stakingtypes "github.com/cosmos/cosmos-sdk/x/staking/types"

	"github.com/cortnet/cortd/x/audits/types"
)

type candidate struct {
	operator sdk.ValAddress
	tokens   sdkmath.Int
}

// SelectAuditor draws one bonded validator with probability proportional to its bonded
// tokens, skipping the excluded operators (compared as address bytes, so an account
// address and a validator address of the same operator both match). The draw is
// r = seed (as a 256-bit big-endian integer) mod total; the validator whose cumulative
// token range [from, to) contains r is chosen, walking the bonded set in staking's power
// order (deterministic). The bias of the modulo is below total/2^256: negligible.
func (k Keeper) SelectAuditor(ctx context.Context, seed []byte, exclude []sdk.AccAddress) (sdk.ValAddress, error) {
	var (
		cands   []candidate
		total   = sdkmath.ZeroInt()
		iterErr error
	)
	err := k.staking.IterateBondedValidatorsByPower(ctx, func(_ int64, v stakingtypes.ValidatorI) bool {
		op, err := k.staking.ValidatorAddressCodec().StringToBytes(v.GetOperator())
		if err != nil {
			iterErr = err
			return true
		}
		for _, ex := range exclude {
			if bytes.Equal(op, ex) {
				return false
			}
		}
		tokens := v.GetValidatorPower() // bonded tokens
		if !tokens.IsPositive() {
			return false
		}
		cands = append(cands, candidate{operator: op, tokens: tokens})
		total = total.Add(tokens)
		return false
	})
	if err != nil {
		return nil, err
	}
	if iterErr != nil {
		return nil, iterErr
	}
	if !total.IsPositive() {
		return nil, errorsmod.Wrapf(types.ErrNoEligibleAuditor, "%d bonded validators after %d exclusions", len(cands), len(exclude))
	}
	r := sdkmath.NewIntFromBigInt(new(big.Int).SetBytes(seed)).Mod(total)
	cum := sdkmath.ZeroInt()
	for _, c := range cands {
		cum = cum.Add(c.tokens)
		if r.LT(cum) {
			return c.operator, nil
		}
	}
	// unreachable: r < total == cum after the loop
	return cands[len(cands)-1].operator, nil
}

// ComputeTally counts the current votes on an audit by bonded stake: it walks the bonded
// validators (their bonded tokens at this moment) and looks up each one's vote. A vote
// whose validator is no longer bonded does not count; the total is every bonded token.
// fraud = total > 0 and yes*3 >= total*2 (integers: exactly 2/3 is fraud).
func (k Keeper) ComputeTally(ctx context.Context, auditID uint64) (types.Tally, error) {
	t := types.Tally{YesStake: sdkmath.ZeroInt(), NoStake: sdkmath.ZeroInt(), TotalStake: sdkmath.ZeroInt()}
	var iterErr error
	err := k.staking.IterateBondedValidatorsByPower(ctx, func(_ int64, v stakingtypes.ValidatorI) bool {
		op, err := k.staking.ValidatorAddressCodec().StringToBytes(v.GetOperator())
		if err != nil {
			iterErr = err
			return true
		}
		tokens := v.GetValidatorPower() // bonded tokens
		t.TotalStake = t.TotalStake.Add(tokens)
		vote, found, err := k.getVote(ctx, auditID, op)
		if err != nil {
			iterErr = err
			return true
		}
		if !found {
			return false
		}
		switch vote.Option {
		case types.VOTE_OPTION_YES:
			t.YesStake = t.YesStake.Add(tokens)
			t.YesVoters++
		case types.VOTE_OPTION_NO:
			t.NoStake = t.NoStake.Add(tokens)
			t.NoVoters++
		}
		return false
	})
	if err != nil {
		return t, err
	}
	if iterErr != nil {
		return t, iterErr
	}
	t.Fraud = IsFraud(t.YesStake, t.TotalStake)
	return t, nil
}

// IsFraud is the decision rule: yes-voters hold at least 2/3 of the total bonded stake.
func IsFraud(yes, total sdkmath.Int) bool {
	return total.IsPositive() && yes.MulRaw(3).GTE(total.MulRaw(2))
}
