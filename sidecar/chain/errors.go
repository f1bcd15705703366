package chain

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	errorsmod "cosmossdk.io/errors"
	sdkerrors "github.com/cosmos/cosmos-sdk/types/errors"
)

// ErrNotIncluded means a broadcast tx was not found in a block before the wait
// ended. For an unordered tx waited on past its timeout timestamp this is final:
// it can never be included, so sending the messages again is safe.
var ErrNotIncluded = errors.New("tx not included")

// TxError is a tx the chain refused (CheckTx) or executed with an error.
type TxError struct {
	Hash      string
	Codespace string
	Code      uint32
	Log       string
	Height    int64 // 0 when refused before a block
}

func (e *TxError) Error() string {
	where := "refused"
	if e.Height > 0 {
		where = fmt.Sprintf("failed at height %d", e.Height)
	}
	return fmt.Sprintf("tx %s %s: %s code %d: %s", e.Hash, where, e.Codespace, e.Code, e.Log)
}

// SimulationError is a tx whose simulation failed: it was never broadcast.
type SimulationError struct{ Err error }

func (e *SimulationError) Error() string { return "simulation: " + e.Err.Error() }
func (e *SimulationError) Unwrap() error { return e.Err }

// Is reports whether err is the registered module error target, whether it came
// back as a TxError (codespace and code) or as a simulation error (its text).
func Is(err error, target *errorsmod.Error) bool {
	if err == nil || target == nil {
		return false
	}
	var te *TxError
	if errors.As(err, &te) {
		return te.Codespace == target.Codespace() && te.Code == target.ABCICode()
	}
	return strings.Contains(err.Error(), target.Error())
}

var expectedSeq = regexp.MustCompile(`account sequence mismatch, expected (\d+)`)

// IsSequenceMismatch reports whether err is the SDK's wrong-sequence error.
func IsSequenceMismatch(err error) bool {
	return Is(err, sdkerrors.ErrWrongSequence) || (err != nil && expectedSeq.MatchString(err.Error()))
}

// expectedSequence extracts the sequence the node expects from a mismatch error.
func expectedSequence(err error) (uint64, bool) {
	if err == nil {
		return 0, false
	}
	m := expectedSeq.FindStringSubmatch(err.Error())
	if m == nil {
		return 0, false
	}
	v, perr := strconv.ParseUint(m[1], 10, 64)
	return v, perr == nil
}
