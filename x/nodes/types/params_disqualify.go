package types

import (
	errorsmod "cosmossdk.io/errors"
	sdkmath "cosmossdk.io/math"
)

// validateDisqualification checks the disqualification shares. Each may be unset (params
// JSON written before the rule existed) or 0: the rule is then off, so older params load.
func (p Params) validateDisqualification() error {
	for _, nd := range []namedDec{
		{"max_warm_miss_share", p.MaxWarmMissShare}, {"max_loaded_change_share", p.MaxLoadedChangeShare},
	} {
		if nd.d.IsNil() {
			continue
		}
		if nd.d.IsNegative() || nd.d.GT(sdkmath.LegacyOneDec()) {
			return errorsmod.Wrapf(ErrInvalidParams, "%s must be in [0, 1], got %s", nd.name, nd.d)
		}
	}
	return nil
}

// NewOperatorIn reports whether an operator whose first node registered in firstPeriod is
// a new operator in period: firstPeriod <= period < firstPeriod + new_operator_window
// (written without the sum, so no window can overflow). firstPeriod 0 (operators from
// before the rule) is never new.
func (p Params) NewOperatorIn(firstPeriod, period uint64) bool {
	return firstPeriod != 0 && period >= firstPeriod && period-firstPeriod < p.NewOperatorWindow
}
