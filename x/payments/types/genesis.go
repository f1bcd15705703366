package types

import (
	errorsmod "cosmossdk.io/errors"
	sdkmath "cosmossdk.io/math"
)

// DefaultGenesis has default params and no balances.
func DefaultGenesis() *GenesisState {
	return &GenesisState{Params: DefaultParams(), Balances: []SessionBalance{}, Pending: []PendingPayment{}}
}

func nonNegative(field string, v sdkmath.Int) error {
	if v.IsNil() || v.IsNegative() {
		return errorsmod.Wrapf(ErrInvalidGenesis, "%s must be >= 0, got %v", field, v)
	}
	return nil
}

// Validate checks params, balances (unique sessions, non-negative amounts) and pending
// payments (unique operators, positive amounts).
func (gs GenesisState) Validate() error {
	if err := gs.Params.Validate(); err != nil {
		return err
	}
	seen := make(map[uint64]bool, len(gs.Balances))
	for _, b := range gs.Balances {
		if seen[b.SessionId] {
			return errorsmod.Wrapf(ErrInvalidGenesis, "duplicate session %d", b.SessionId)
		}
		seen[b.SessionId] = true
		if err := validAddress("owner", b.Owner); err != nil {
			return errorsmod.Wrapf(err, "session %d", b.SessionId)
		}
		for _, f := range []struct {
			name string
			v    sdkmath.Int
		}{{"free", b.Free}, {"reserved", b.Reserved}, {"deposited", b.Deposited}, {"paid", b.Paid}, {"refunded", b.Refunded}} {
			if err := nonNegative(f.name, f.v); err != nil {
				return errorsmod.Wrapf(err, "session %d", b.SessionId)
			}
		}
	}
	ops := make(map[string]bool, len(gs.Pending))
	for _, p := range gs.Pending {
		if ops[p.Operator] {
			return errorsmod.Wrapf(ErrInvalidGenesis, "duplicate operator %s", p.Operator)
		}
		ops[p.Operator] = true
		if err := validAddress("operator", p.Operator); err != nil {
			return err
		}
		if p.Amount.IsNil() || !p.Amount.IsPositive() {
			return errorsmod.Wrapf(ErrInvalidGenesis, "pending payment of %s must be positive", p.Operator)
		}
	}
	return nil
}
