package types

import (
	"crypto/sha256"
	"encoding/hex"

	errorsmod "cosmossdk.io/errors"
)

// ValidateSha256Hex checks a lowercase hex sha256 (64 characters).
func ValidateSha256Hex(field, s string) error {
	if len(s) != 64 {
		return errorsmod.Wrapf(ErrInvalidHash, "%s must be 64 lowercase hex characters", field)
	}
	for _, c := range s {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return errorsmod.Wrapf(ErrInvalidHash, "%s must be 64 lowercase hex characters", field)
		}
	}
	return nil
}

// DecodeSalt decodes a lowercase hex salt of exactly 32 bytes. A fixed length keeps
// sha256(patch ‖ salt) unambiguous: with a variable salt a miner could commit to bytes
// and later choose where the patch ends and the salt begins.
func DecodeSalt(s string) ([]byte, error) {
	if len(s) < 2*MinSaltBytes || len(s) > 2*MaxSaltBytes {
		return nil, errorsmod.Wrapf(ErrInvalidSalt, "salt must be %d bytes (%d lowercase hex characters)", MaxSaltBytes, 2*MaxSaltBytes)
	}
	for _, c := range s {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return nil, errorsmod.Wrap(ErrInvalidSalt, "salt must be lowercase hex")
		}
	}
	b, err := hex.DecodeString(s)
	if err != nil {
		return nil, errorsmod.Wrap(ErrInvalidSalt, err.Error())
	}
	return b, nil
}

// PatchCommitment is lowercase hex of sha256(patch ‖ salt).
func PatchCommitment(patch, salt []byte) string {
	h := sha256.New()
	h.Write(patch)
	h.Write(salt)
	return hex.EncodeToString(h.Sum(nil))
}

// TestsCommitment is lowercase hex of sha256(tests archive sha256 (32 raw bytes) ‖ salt).
// testsSha256Hex must already be valid (ValidateSha256Hex).
func TestsCommitment(testsSha256Hex string, salt []byte) string {
	raw, _ := hex.DecodeString(testsSha256Hex)
	h := sha256.New()
	h.Write(raw)
	h.Write(salt)
	return hex.EncodeToString(h.Sum(nil))
}

// Sha256Hex is lowercase hex of sha256(b).
func Sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}
