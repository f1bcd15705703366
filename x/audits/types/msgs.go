package types

import (
	errorsmod "cosmossdk.io/errors"

	sdk "github.com/cosmos/cosmos-sdk/types"
)

var (
	_ sdk.Msg = &MsgAuditPass{}
	_ sdk.Msg = &MsgReportFraud{}
	_ sdk.Msg = &MsgVoteFraud{}
	_ sdk.Msg = &MsgUpdateParams{}
)

func validAuditID(id uint64) error {
	if id == 0 {
		return errorsmod.Wrap(ErrInvalidAuditID, "audit ids start at 1")
	}
	return nil
}

// ValidateBasic performs stateless checks against the hard caps; the msg server checks
// the (tighter) params.
func (m *MsgAuditPass) ValidateBasic() error {
	if err := validAddress("auditor", m.Auditor); err != nil {
		return err
	}
	if err := validAuditID(m.AuditId); err != nil {
		return err
	}
	return ValidateFigures(m.Figures, MaxFiguresCap, MaxFigureBytesCap)
}

// ValidateAgainstParams checks the pass's figures against the params (the limits of a
// fraud report's figures).
func (m *MsgAuditPass) ValidateAgainstParams(p Params) error {
	return ValidateFigures(m.Figures, p.MaxFigures, p.MaxFigureBytes)
}

// ValidateBasic performs stateless checks against the hard caps; the msg server checks
// the (tighter) params.
func (m *MsgReportFraud) ValidateBasic() error {
	if err := validAddress("auditor", m.Auditor); err != nil {
		return err
	}
	if err := validAuditID(m.AuditId); err != nil {
		return err
	}
	if err := ValidateCheckName(m.FailedCheck, MaxCheckNameBytesCap); err != nil {
		return err
	}
	return ValidateFigures(m.Figures, MaxFiguresCap, MaxFigureBytesCap)
}

// ValidateAgainstParams checks the report sizes against the params.
func (m *MsgReportFraud) ValidateAgainstParams(p Params) error {
	if err := ValidateCheckName(m.FailedCheck, p.MaxCheckNameBytes); err != nil {
		return err
	}
	return ValidateFigures(m.Figures, p.MaxFigures, p.MaxFigureBytes)
}

// ValidateBasic performs stateless checks.
func (m *MsgVoteFraud) ValidateBasic() error {
	if err := validAddress("voter", m.Voter); err != nil {
		return err
	}
	if err := validAuditID(m.AuditId); err != nil {
		return err
	}
	if m.Option != VOTE_OPTION_YES && m.Option != VOTE_OPTION_NO {
		return errorsmod.Wrapf(ErrInvalidVoteOption, "%s", m.Option)
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
