package types

import (
	"slices"

	errorsmod "cosmossdk.io/errors"
	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/cortnet/cortd/x/internal/text"
)

// DefaultParams: a 100 COR deposit (10^8 of the bond denom, ucor on cortd) deters spam and
// stays small for a real model owner.
func DefaultParams() Params {
	return Params{
		RegistrationDeposit:  sdk.NewCoin(sdk.DefaultBondDenom, sdkmath.NewInt(100_000_000)),
		AllowedArchitectures: []string{"gpt2", "llama", "mistral", "qwen2", "qwen3"},
		MaxEmbeddingDim:      8192,
		MaxUriLength:         512,
		MaxNameLength:        128,
	}
}

// Validate checks params for internal consistency.
func (p Params) Validate() error {
	if err := p.RegistrationDeposit.Validate(); err != nil {
		return errorsmod.Wrapf(ErrInvalidParams, "registration_deposit: %v", err)
	}
	if len(p.AllowedArchitectures) == 0 {
		return errorsmod.Wrap(ErrInvalidParams, "allowed_architectures must not be empty")
	}
	if len(p.AllowedArchitectures) > MaxArchitectures {
		return errorsmod.Wrapf(ErrInvalidParams, "allowed_architectures: more than %d entries", MaxArchitectures)
	}
	seen := make(map[string]bool, len(p.AllowedArchitectures))
	for _, a := range p.AllowedArchitectures {
		if len(a) > MaxArchitectureLength || !text.Printable(a) {
			return errorsmod.Wrapf(ErrInvalidParams, "allowed_architectures: entries are printable and at most %d bytes", MaxArchitectureLength)
		}
		if a == "" || seen[a] {
			return errorsmod.Wrapf(ErrInvalidParams, "allowed_architectures: empty or duplicate entry %q", a)
		}
		seen[a] = true
	}
	if p.MaxEmbeddingDim == 0 || p.MaxUriLength == 0 || p.MaxNameLength == 0 {
		return errorsmod.Wrap(ErrInvalidParams, "max_embedding_dim, max_uri_length and max_name_length must be positive")
	}
	if p.MaxEmbeddingDim > MaxEmbeddingDimLimit {
		return errorsmod.Wrapf(ErrInvalidParams, "max_embedding_dim %d is above %d, the largest embedding x/sessions and x/data accept",
			p.MaxEmbeddingDim, MaxEmbeddingDimLimit)
	}
	if p.MaxUriLength > MaxURILengthLimit || p.MaxNameLength > MaxNameLengthLimit {
		return errorsmod.Wrapf(ErrInvalidParams, "need max_uri_length <= %d, max_name_length <= %d",
			MaxURILengthLimit, MaxNameLengthLimit)
	}
	return nil
}

// ArchitectureAllowed reports whether arch is in the allow list.
func (p Params) ArchitectureAllowed(arch string) bool {
	return slices.Contains(p.AllowedArchitectures, arch)
}
