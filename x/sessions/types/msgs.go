package types

import (
	"sync/atomic"

	errorsmod "cosmossdk.io/errors"
	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"
)

var (
	_ sdk.Msg = &MsgCreateSession{}
	_ sdk.Msg = &MsgDeposit{}
	_ sdk.Msg = &MsgCloseSession{}
	_ sdk.Msg = &MsgSubmitTask{}
	_ sdk.Msg = &MsgPrecommit{}
	_ sdk.Msg = &MsgCommit{}
	_ sdk.Msg = &MsgUpdateParams{}
)

// SaltSize is the size of the precommit salt.
const SaltSize = 32

// MaxTopK bounds top_k: 2^20 is above the largest vocabularies engines serve (~256k
// tokens), where a larger cut means no cut at all; the sidecar converts it to int.
const MaxTopK = 1 << 20

// lastValidAddress is the last address validAddress accepted. A batched tx carries
// hundreds of messages of one sender, and each message is checked three times (by
// baseapp, the message router and the msg server): decoding the same bech32 string
// each time was 3 % of a loaded node's CPU. Only an accepted string is remembered,
// and the answer for a string never changes (the prefix is set at start-up).
var lastValidAddress atomic.Pointer[string]

func validAddress(field, addr string) error {
	if last := lastValidAddress.Load(); last != nil && *last == addr {
		return nil
	}
	if _, err := sdk.AccAddressFromBech32(addr); err != nil {
		return errorsmod.Wrapf(ErrInvalidAddress, "%s %q: %v", field, addr, err)
	}
	lastValidAddress.Store(&addr)
	return nil
}

func nonNegative(v sdkmath.Int) bool { return !v.IsNil() && !v.IsNegative() }

// ValidateBasic performs stateless checks; params are checked by the msg server.
func (m *MsgCreateSession) ValidateBasic() error {
	if err := validAddress("owner", m.Owner); err != nil {
		return err
	}
	if m.ModelId == "" || len(m.ModelId) > 64 {
		return errorsmod.Wrap(ErrModelUnavailable, "model_id must be 1..64 bytes")
	}
	if m.Redundancy == 0 || m.Quorum == 0 || m.Quorum > m.Redundancy {
		return errorsmod.Wrapf(ErrInvalidRedundancy, "need 1 <= quorum (%d) <= redundancy (%d)", m.Quorum, m.Redundancy)
	}
	if m.MinLevel > MaxLevel {
		return errorsmod.Wrapf(ErrInvalidLevel, "%d > %d", m.MinLevel, MaxLevel)
	}
	if !nonNegative(m.PricePerTask) || !nonNegative(m.Deposit) {
		return errorsmod.Wrap(ErrInvalidPrice, "price_per_task and deposit must be >= 0")
	}
	if m.MaxTokens == 0 {
		return errorsmod.Wrap(ErrInvalidMaxTokens, "max_tokens must be positive")
	}
	return ValidateVerificationMode(m.Verification)
}

// ValidateBasic performs stateless checks.
func (m *MsgDeposit) ValidateBasic() error {
	if err := validAddress("sender", m.Sender); err != nil {
		return err
	}
	if m.Amount.IsNil() || !m.Amount.IsPositive() {
		return errorsmod.Wrap(ErrInvalidPrice, "amount must be positive")
	}
	return nil
}

// ValidateBasic performs stateless checks.
func (m *MsgCloseSession) ValidateBasic() error { return validAddress("owner", m.Owner) }

// Validate checks the sampling params against a session's max_tokens.
func (s SamplingParams) Validate(maxTokens uint32) error {
	if s.MaxTokens == 0 || s.MaxTokens > maxTokens {
		return errorsmod.Wrapf(ErrInvalidSampling, "max_tokens %d must be in 1..%d", s.MaxTokens, maxTokens)
	}
	if s.Temperature.IsNil() || s.Temperature.IsNegative() || s.Temperature.GT(sdkmath.LegacyNewDec(10)) {
		return errorsmod.Wrap(ErrInvalidSampling, "temperature must be in [0, 10]")
	}
	if s.TopP.IsNil() || !s.TopP.IsPositive() || s.TopP.GT(sdkmath.LegacyOneDec()) {
		return errorsmod.Wrap(ErrInvalidSampling, "top_p must be in (0, 1]")
	}
	if s.TopK > MaxTopK {
		return errorsmod.Wrapf(ErrInvalidSampling, "top_k %d > %d", s.TopK, MaxTopK)
	}
	return nil
}

// ValidateBasic performs stateless checks; sizes are checked against params by the msg server.
func (m *MsgSubmitTask) ValidateBasic() error {
	if err := validAddress("owner", m.Owner); err != nil {
		return err
	}
	if m.Prompt == "" {
		return errorsmod.Wrap(ErrInvalidPrompt, "empty prompt")
	}
	if err := ValidatePromptType(m.PromptType); err != nil {
		return err
	}
	return m.SamplingParams().Validate(^uint32(0))
}

// SamplingParams collects the message's flat sampling fields.
func (m *MsgSubmitTask) SamplingParams() SamplingParams {
	return SamplingParams{MaxTokens: m.MaxTokens, Temperature: m.Temperature, TopP: m.TopP, TopK: m.TopK, Seed: m.Seed}
}

// ValidateBasic performs stateless checks.
func (m *MsgPrecommit) ValidateBasic() error {
	if err := validAddress("sender", m.Sender); err != nil {
		return err
	}
	if m.NodeId == "" {
		return errorsmod.Wrap(ErrNotAssigned, "empty node id")
	}
	if len(m.Hash) != 32 {
		return errorsmod.Wrapf(ErrInvalidHash, "hash must be 32 bytes, got %d", len(m.Hash))
	}
	return nil
}

// ValidateBasic performs stateless checks; the embedding is checked against the model by
// the msg server.
func (m *MsgCommit) ValidateBasic() error {
	if err := validAddress("sender", m.Sender); err != nil {
		return err
	}
	if m.NodeId == "" {
		return errorsmod.Wrap(ErrNotAssigned, "empty node id")
	}
	if len(m.Salt) != SaltSize {
		return errorsmod.Wrapf(ErrInvalidResult, "salt must be %d bytes, got %d", SaltSize, len(m.Salt))
	}
	if len(m.Embedding) == 0 || len(m.Embedding) > MaxEmbeddingDim {
		return errorsmod.Wrapf(ErrInvalidEmbedding, "dim %d not in 1..%d", len(m.Embedding), MaxEmbeddingDim)
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
