package types

import (
	errorsmod "cosmossdk.io/errors"

	sdk "github.com/cosmos/cosmos-sdk/types"
)

var (
	_ sdk.Msg = &MsgRegisterNode{}
	_ sdk.Msg = &MsgAddStake{}
	_ sdk.Msg = &MsgUpdateNode{}
	_ sdk.Msg = &MsgUnbondNode{}
	_ sdk.Msg = &MsgWithdrawRewards{}
	_ sdk.Msg = &MsgHeartbeat{}
	_ sdk.Msg = &MsgFundRewardsPool{}
	_ sdk.Msg = &MsgSetOperatorRoles{}
	_ sdk.Msg = &MsgUpdateParams{}
)

// Description returns the node description carried by the message.
func (m *MsgRegisterNode) Description() NodeDescription {
	return NodeDescription{Endpoint: m.Endpoint, Spec: m.Spec, MemoryIndexMiB: m.MemoryIndexMib, Models: m.Models}
}

// ValidateBasic performs stateless checks.
func (m *MsgRegisterNode) ValidateBasic() error {
	if err := validAddress("operator", m.Operator); err != nil {
		return err
	}
	if m.NodeAddress != "" {
		if err := validAddress("node_address", m.NodeAddress); err != nil {
			return err
		}
	}
	if err := ValidateNodeID(m.NodeId); err != nil {
		return err
	}
	if err := m.Stake.Validate(); err != nil || !m.Stake.IsPositive() {
		return errorsmod.Wrapf(ErrInvalidAmount, "stake %s must be a positive coin", m.Stake)
	}
	return m.Description().ValidateStateless()
}

// ValidateBasic performs stateless checks.
func (m *MsgAddStake) ValidateBasic() error {
	if err := validAddress("operator", m.Operator); err != nil {
		return err
	}
	if err := ValidateNodeID(m.NodeId); err != nil {
		return err
	}
	if err := m.Amount.Validate(); err != nil || !m.Amount.IsPositive() {
		return errorsmod.Wrapf(ErrInvalidAmount, "amount %s must be a positive coin", m.Amount)
	}
	return nil
}

// Description returns the node description carried by the message.
func (m *MsgUpdateNode) Description() NodeDescription {
	return NodeDescription{Endpoint: m.Endpoint, Spec: m.Spec, MemoryIndexMiB: m.MemoryIndexMib, Models: m.Models}
}

// ValidateBasic performs stateless checks.
func (m *MsgUpdateNode) ValidateBasic() error {
	if err := validAddress("operator", m.Operator); err != nil {
		return err
	}
	if m.NodeAddress != "" {
		if err := validAddress("node_address", m.NodeAddress); err != nil {
			return err
		}
	}
	if err := ValidateNodeID(m.NodeId); err != nil {
		return err
	}
	return m.Description().ValidateStateless()
}

// ValidateBasic performs stateless checks.
func (m *MsgUnbondNode) ValidateBasic() error {
	if err := validAddress("operator", m.Operator); err != nil {
		return err
	}
	return ValidateNodeID(m.NodeId)
}

// ValidateBasic performs stateless checks.
func (m *MsgWithdrawRewards) ValidateBasic() error {
	if err := validAddress("operator", m.Operator); err != nil {
		return err
	}
	return ValidateNodeID(m.NodeId)
}

// ValidateBasic performs stateless checks.
func (m *MsgHeartbeat) ValidateBasic() error {
	if err := validAddress("node_address", m.NodeAddress); err != nil {
		return err
	}
	if err := ValidateNodeID(m.NodeId); err != nil {
		return err
	}
	return ValidateModelList(m.LoadedModels, true)
}

// ValidateBasic performs stateless checks.
func (m *MsgFundRewardsPool) ValidateBasic() error {
	if err := validAddress("sender", m.Sender); err != nil {
		return err
	}
	if err := m.Amount.Validate(); err != nil || !m.Amount.IsPositive() {
		return errorsmod.Wrapf(ErrInvalidAmount, "amount %s must be a positive coin", m.Amount)
	}
	return nil
}

// ValidateBasic performs stateless checks.
func (m *MsgSetOperatorRoles) ValidateBasic() error {
	if err := validAddress("authority", m.Authority); err != nil {
		return err
	}
	if err := validAddress("operator", m.Operator); err != nil {
		return err
	}
	seen := make(map[string]bool, len(m.Roles))
	for _, r := range m.Roles {
		if err := ValidateRole(r); err != nil {
			return err
		}
		if seen[r] {
			return errorsmod.Wrapf(ErrInvalidRoles, "duplicate role %q", r)
		}
		seen[r] = true
	}
	return nil
}

// ValidateBasic performs stateless checks.
func (m *MsgUpdateParams) ValidateBasic() error {
	if err := validAddress("authority", m.Authority); err != nil {
		return err
	}
	return m.Params.Validate()
}
