package types

import (
	"fmt"
	"math/big"
	"strconv"
	"strings"

	errorsmod "cosmossdk.io/errors"
	sdkmath "cosmossdk.io/math"

	auditstypes "github.com/cortnet/cortd/x/audits/types"
)

// Session audits: the names and integer comparisons shared by the chain (the audit
// handler) and the auditor sidecar. See README "Session audits".
const (
	// AuditSubjectModule is the x/audits route of session tasks.
	AuditSubjectModule = ModuleName
	// AuditCheckEmbedding: a node's committed embedding is not the embedding of its
	// committed text (beyond audit_embedding_tolerance).
	AuditCheckEmbedding = "embedding"
	// AuditCheckOutput: for a greedy task, a node's committed embedding is not close to the
	// embedding of the reference output (beyond audit_output_tolerance).
	AuditCheckOutput = "output"
	// FraudFigurePrefix starts the name of every figure that names a fraudulent node.
	FraudFigurePrefix = "node:"
	// AuditSeedDomain separates the sampling seed from every other use of the block hash.
	AuditSeedDomain = "cortd/sessions/audit/v1"
	// BasisPoints is the denominator of audit_fraction_bps.
	BasisPoints = 10_000
)

// e24 = 10^24: distances are in units of 10^-6 and tolerances carry 10^18.
var e24 = new(big.Int).Exp(big.NewInt(10), big.NewInt(24), nil)

// WithinAuditTolerance reports whether the Euclidean distance between two integer
// embeddings (unit vectors × 10^6) is at most tol, exactly: Σ(aᵢ−bᵢ)² · 10^24 ≤ tol_raw²
// with tol_raw the LegacyDec's 10^18-scaled integer. Vectors of different lengths are
// never within tolerance.
func WithinAuditTolerance(a, b []int32, tol sdkmath.LegacyDec) bool {
	if len(a) != len(b) || tol.IsNil() || tol.IsNegative() {
		return false
	}
	d := new(big.Int).Mul(big.NewInt(SquaredDistance(a, b)), e24)
	raw := tol.BigInt()
	return d.Cmp(new(big.Int).Mul(raw, raw)) <= 0
}

// AuditDistance is the Euclidean distance between two integer embeddings as a decimal
// string with 6 decimals (floor of the integer square root of Σ(aᵢ−bᵢ)², in units of
// 10^-6): the figure value an auditor reports. Different lengths give "mismatch".
func AuditDistance(a, b []int32) string {
	if len(a) != len(b) {
		return "mismatch"
	}
	r := new(big.Int).Sqrt(big.NewInt(SquaredDistance(a, b))).Int64()
	return fmt.Sprintf("%d.%06d", r/1_000_000, r%1_000_000)
}

// FraudFigureName is the figure name that names a fraudulent node in a fraud report.
func FraudFigureName(nodeID string) string { return FraudFigurePrefix + nodeID }

// FraudFigureValue is the figure value: the failed check and the distance.
func FraudFigureValue(check, distance string) string { return check + ":" + distance }

// ParseFraudFigures returns the node ids a fraud report names, in report order, without
// duplicates: every figure whose name starts with "node:" and whose rest is non-empty.
// Other figures are ignored.
func ParseFraudFigures(figures []auditstypes.Figure) []string {
	var out []string
	seen := map[string]bool{}
	for _, f := range figures {
		id, ok := strings.CutPrefix(f.Name, FraudFigurePrefix)
		if !ok || id == "" || seen[id] {
			continue
		}
		seen[id] = true
		out = append(out, id)
	}
	return out
}

// ParseTaskSubject parses an audit subject id (a task id in decimal).
func ParseTaskSubject(subjectID string) (uint64, error) {
	id, err := strconv.ParseUint(subjectID, 10, 64)
	if err != nil || id == 0 || strconv.FormatUint(id, 10) != subjectID {
		return 0, fmt.Errorf("subject %q is not a task id", subjectID)
	}
	return id, nil
}

// ValidateTaskAudit checks a task's audit fields (genesis): only VALIDATED tasks take part
// in session audits, and audit_id is set exactly when an audit was opened.
func ValidateTaskAudit(t Task) error {
	s := t.AuditStatus
	if _, ok := TaskAuditStatus_name[int32(s)]; !ok {
		return errorsmod.Wrapf(ErrInvalidGenesis, "task %d has audit status %d", t.Id, s)
	}
	if s != TASK_AUDIT_STATUS_UNSPECIFIED && t.Status != TASK_STATUS_VALIDATED {
		return errorsmod.Wrapf(ErrInvalidGenesis, "task %d is %s but has audit status %s", t.Id, t.Status, s)
	}
	opened := s == TASK_AUDIT_STATUS_OPEN || s == TASK_AUDIT_STATUS_PASSED || s == TASK_AUDIT_STATUS_FRAUD
	if opened != (t.AuditId != 0) {
		return errorsmod.Wrapf(ErrInvalidGenesis, "task %d: audit status %s with audit id %d", t.Id, s, t.AuditId)
	}
	if (s == TASK_AUDIT_STATUS_DRAW_PENDING || s == TASK_AUDIT_STATUS_OPEN) && t.Pruned {
		return errorsmod.Wrapf(ErrInvalidGenesis, "task %d: pruned while its audit holds its results", t.Id)
	}
	return nil
}
