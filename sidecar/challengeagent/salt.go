package challengeagent

import (
	"crypto/rand"
	"encoding/hex"

	"github.com/cortnet/cortd/x/challenges/types"
)

// newSalt draws the 32-byte salt x/challenges requires, as lowercase hex.
func newSalt() (string, error) {
	b := make([]byte, types.MaxSaltBytes)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}
