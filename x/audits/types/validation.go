package types

import (
	errorsmod "cosmossdk.io/errors"

	sdk "github.com/cosmos/cosmos-sdk/types"
)

func validAddress(field, addr string) error {
	if _, err := sdk.AccAddressFromBech32(addr); err != nil {
		return errorsmod.Wrapf(ErrInvalidAddress, "%s %q: %v", field, addr, err)
	}
	return nil
}

func isIDChar(c byte) bool {
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		c == '.' || c == '_' || c == '-' || c == ':'
}

// ValidateSubjectModule checks a subject module name: the handler route, 1-32
// alphanumeric characters (the router's own rule).
func ValidateSubjectModule(m string) error {
	if len(m) == 0 || len(m) > MaxSubjectModuleLen || !sdk.IsAlphaNumeric(m) {
		return errorsmod.Wrapf(ErrInvalidSubject, "subject module %q must be 1-%d alphanumeric characters", truncate(m), MaxSubjectModuleLen)
	}
	return nil
}

// ValidateSubjectID checks a subject id: 1-128 characters of [A-Za-z0-9._:-], safe in
// REST paths, CLI arguments and event attributes.
func ValidateSubjectID(id string) error {
	if len(id) == 0 || len(id) > MaxSubjectIDLen {
		return errorsmod.Wrapf(ErrInvalidSubject, "subject id must be 1-%d bytes", MaxSubjectIDLen)
	}
	for i := 0; i < len(id); i++ {
		if !isIDChar(id[i]) {
			return errorsmod.Wrapf(ErrInvalidSubject, "subject id %q: character %q not in [A-Za-z0-9._:-]", truncate(id), id[i])
		}
	}
	return nil
}

// ValidateCheckName checks failed_check: 1..maxLen characters of [A-Za-z0-9._:-].
func ValidateCheckName(name string, maxLen uint32) error {
	if len(name) == 0 || uint64(len(name)) > uint64(maxLen) {
		return errorsmod.Wrapf(ErrInvalidReport, "failed_check must be 1-%d bytes", maxLen)
	}
	for i := 0; i < len(name); i++ {
		if !isIDChar(name[i]) {
			return errorsmod.Wrapf(ErrInvalidReport, "failed_check: character %q not in [A-Za-z0-9._:-]", name[i])
		}
	}
	return nil
}

// ValidateFigures checks the recomputed figures: at most maxN, names unique and of
// [A-Za-z0-9._:-], values printable ASCII without spaces, each at most maxBytes.
func ValidateFigures(figs []Figure, maxN, maxBytes uint32) error {
	if uint64(len(figs)) > uint64(maxN) {
		return errorsmod.Wrapf(ErrInvalidReport, "%d figures, at most %d", len(figs), maxN)
	}
	seen := make(map[string]struct{}, len(figs))
	for i, f := range figs {
		if len(f.Name) == 0 || uint64(len(f.Name)) > uint64(maxBytes) {
			return errorsmod.Wrapf(ErrInvalidReport, "figures[%d]: name must be 1-%d bytes", i, maxBytes)
		}
		for j := 0; j < len(f.Name); j++ {
			if !isIDChar(f.Name[j]) {
				return errorsmod.Wrapf(ErrInvalidReport, "figures[%d]: name character %q not in [A-Za-z0-9._:-]", i, f.Name[j])
			}
		}
		if _, dup := seen[f.Name]; dup {
			return errorsmod.Wrapf(ErrInvalidReport, "figures[%d]: duplicate name %q", i, f.Name)
		}
		seen[f.Name] = struct{}{}
		if len(f.Value) == 0 || uint64(len(f.Value)) > uint64(maxBytes) {
			return errorsmod.Wrapf(ErrInvalidReport, "figures[%d]: value must be 1-%d bytes", i, maxBytes)
		}
		for j := 0; j < len(f.Value); j++ {
			if c := f.Value[j]; c < 0x21 || c > 0x7e {
				return errorsmod.Wrapf(ErrInvalidReport, "figures[%d]: value byte 0x%02x is not printable ASCII", i, c)
			}
		}
	}
	return nil
}

// ValidatePayloadHash checks the optional payload hash: empty or 16-64 bytes.
func ValidatePayloadHash(h []byte) error {
	if len(h) != 0 && (len(h) < 16 || len(h) > MaxPayloadHashLen) {
		return errorsmod.Wrapf(ErrInvalidPayloadHash, "payload hash must be empty or 16-%d bytes, got %d", MaxPayloadHashLen, len(h))
	}
	return nil
}

// truncate keeps error messages bounded whatever the input.
func truncate(s string) string {
	if len(s) > 64 {
		return s[:64] + "..."
	}
	return s
}

// TruncateError bounds an error text kept in state.
func TruncateError(err error) string {
	s := err.Error()
	if len(s) > MaxHandlerErrorLen {
		s = s[:MaxHandlerErrorLen]
	}
	return s
}

// SubjectKey is the index key of a subject: "module/id". Module names are alphanumeric
// and ids contain no '/', so the key is unambiguous.
func SubjectKey(module, id string) string {
	return module + "/" + id
}
