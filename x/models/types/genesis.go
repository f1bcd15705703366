package types

import (
	errorsmod "cosmossdk.io/errors"
)

// DefaultGenesis has default params and an empty registry.
func DefaultGenesis() *GenesisState {
	return &GenesisState{Params: DefaultParams(), Models: []Model{}}
}

// Validate checks params, every model, and that ids are unique.
func (gs GenesisState) Validate() error {
	if err := gs.Params.Validate(); err != nil {
		return err
	}
	seen := make(map[string]bool, len(gs.Models))
	for i, m := range gs.Models {
		if seen[m.Id] {
			return errorsmod.Wrapf(ErrInvalidGenesis, "duplicate model id %q", m.Id)
		}
		seen[m.Id] = true
		if err := m.Validate(); err != nil {
			return errorsmod.Wrapf(err, "models[%d]", i)
		}
	}
	return nil
}

// Validate checks a stored model record (fields, owner, status, deposit).
func (m Model) Validate() error {
	if err := m.Fields().ValidateStateless(); err != nil {
		return err
	}
	if err := validAddress("owner", m.Owner); err != nil {
		return err
	}
	if m.Status != MODEL_STATUS_ACTIVE && m.Status != MODEL_STATUS_RETIRED {
		return errorsmod.Wrapf(ErrInvalidGenesis, "model %q has status %s", m.Id, m.Status)
	}
	if err := m.Deposit.Validate(); err != nil {
		return errorsmod.Wrapf(ErrInvalidGenesis, "model %q deposit: %v", m.Id, err)
	}
	if m.Status == MODEL_STATUS_RETIRED && !m.Deposit.IsZero() {
		return errorsmod.Wrapf(ErrInvalidGenesis, "retired model %q still holds a deposit", m.Id)
	}
	return nil
}
