package types

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"

	errorsmod "cosmossdk.io/errors"

	"github.com/cortnet/cortd/x/internal/seed"
)

// ExactSeedDomain separates the exact-mode sampling seed from every other use of the
// block hash.
const ExactSeedDomain = "cortd/sessions/seed/v1"

// ValidateVerificationMode accepts the known enum values (UNSPECIFIED included: it means
// "the chain's default" in MsgCreateSession). Anything else is ErrInvalidVerification.
func ValidateVerificationMode(m VerificationMode) error {
	if _, ok := VerificationMode_name[int32(m)]; !ok {
		return errorsmod.Wrapf(ErrInvalidVerification, "verification mode %d is not one of %d..%d",
			int32(m), int32(VERIFICATION_MODE_UNSPECIFIED), int32(VERIFICATION_MODE_EXACT))
	}
	return nil
}

// Effective maps a stored mode to the mode that applies: state written before the field
// existed holds 0, and those sessions and tasks were judged by embedding similarity.
func (m VerificationMode) Effective() VerificationMode {
	if m == VERIFICATION_MODE_EXACT {
		return VERIFICATION_MODE_EXACT
	}
	return VERIFICATION_MODE_EMBEDDING
}

// ExactSeed is the sampling seed the chain draws for a task of an EXACT session that gave
// none: uint64_be(sha256(domain ‖ previous block's header hash ‖ uint64_be(task id))[0:8]),
// with 0 (which means "no seed") replaced by 1. Every honest node then samples with the
// same seed and, on a bit-deterministic engine, produces the same bytes at any
// temperature. Grinding: see README "Verification modes" (the seed only fixes sampling,
// which the submitter may choose freely anyway).
func ExactSeed(lastBlockHash []byte, taskID uint64) uint64 {
	s := seed.DomainFirst(ExactSeedDomain, lastBlockHash, taskID)
	return nonZeroSeed(binary.BigEndian.Uint64(s[:8]))
}

// nonZeroSeed keeps 0 for "no seed": a drawn 0 becomes 1.
func nonZeroSeed(seed uint64) uint64 {
	if seed == 0 {
		return 1
	}
	return seed
}

// ExactResult is what exact verification compares of one committed result: results are
// equal when all three fields are.
type ExactResult struct {
	// ResultSha256 is sha256(result_text) (Assignment.result_sha256).
	ResultSha256     []byte
	Embedding        []int32
	CompletionTokens uint64
}

// NewExactResult builds an ExactResult from a result's text (tools that hold the text
// rather than its hash).
func NewExactResult(text string, embedding []int32, completionTokens uint64) ExactResult {
	sum := sha256.Sum256([]byte(text))
	return ExactResult{ResultSha256: sum[:], Embedding: embedding, CompletionTokens: completionTokens}
}

// Equal reports whether two results are identical (hash, every embedding component, token
// count).
func (r ExactResult) Equal(o ExactResult) bool {
	if r.CompletionTokens != o.CompletionTokens || !bytes.Equal(r.ResultSha256, o.ResultSha256) ||
		len(r.Embedding) != len(o.Embedding) {
		return false
	}
	for i := range r.Embedding {
		if r.Embedding[i] != o.Embedding[i] {
			return false
		}
	}
	return true
}

// JudgeExact groups the results (in assignment order) by identity and picks the largest
// group; among groups of the same size the one holding the earliest result wins. In the
// Verdict, Medoid is the earliest member of that group (the consensus node), Pass marks its
// members and Passed is its size; the caller compares Passed with the quorum. No results:
// Medoid -1. Quadratic in the number of results (at most MaxRedundancyLimit), no maps.
func JudgeExact(results []ExactResult) Verdict {
	v := Verdict{Medoid: -1, Pass: make([]bool, len(results))}
	best := 0
	for i := range results {
		if firstEqual(results, i) != i {
			continue // not the earliest of its group: its group was counted at its leader
		}
		n := 0
		for j := i; j < len(results); j++ {
			if results[j].Equal(results[i]) {
				n++
			}
		}
		if n > best { // strictly: a tie keeps the earlier leader
			v.Medoid, best = i, n
		}
	}
	if v.Medoid < 0 {
		return v
	}
	for j := range results {
		if results[j].Equal(results[v.Medoid]) {
			v.Pass[j] = true
			v.Passed++
		}
	}
	return v
}

// firstEqual is the index of the earliest result equal to results[i].
func firstEqual(results []ExactResult, i int) int {
	for j := 0; j < i; j++ {
		if results[j].Equal(results[i]) {
			return j
		}
	}
	return i
}
