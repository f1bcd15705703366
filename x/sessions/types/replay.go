package types

import (
	"fmt"
	"math/big"
	"strings"

	sdkmath "cosmossdk.io/math"

	auditstypes "github.com/cortnet/cortd/x/audits/types"
)

// Replay audits: an auditor replays each paid node's answer under the model and reports a
// score in [0, 1] per node as the figure "replay:<node_id>" = "0.987654" (MsgAuditPass or
// MsgReportFraud). The chain records the scores on the assignments (Assignment.replay_score).
const (
	// AuditCheckReplay: a paid result's replay score is below the model's replay_min_score
	// (fraud figure values "replay:<score>").
	AuditCheckReplay = "replay"
	// ReplayFigurePrefix starts the name of every figure that carries a node's replay score.
	ReplayFigurePrefix = "replay:"
	// ReplayScoreDecimals is the precision of recorded replay scores.
	ReplayScoreDecimals = 6
)

// ReplayScore is one parsed replay figure: a node and its score in [0, 1].
type ReplayScore struct {
	NodeID string
	Score  sdkmath.LegacyDec
}

// ReplayFigureName is the name of the figure carrying a node's replay score.
func ReplayFigureName(nodeID string) string { return ReplayFigurePrefix + nodeID }

// e12 converts LegacyDec's 18 decimals to the 6 of a replay score.
var e12 = new(big.Int).Exp(big.NewInt(10), big.NewInt(18-ReplayScoreDecimals), nil)

// FormatReplayScore writes a score with exactly 6 decimals, truncated toward zero
// ("0.987654", "1.000000"): the figure value auditors send and the form the chain stores.
// A nil decimal formats as "0.000000".
func FormatReplayScore(d sdkmath.LegacyDec) string {
	if d.IsNil() {
		return "0.000000"
	}
	micro := new(big.Int).Quo(d.BigInt(), e12) // truncates toward zero
	sign := ""
	if micro.Sign() < 0 {
		sign = "-"
		micro.Neg(micro)
	}
	q, r := new(big.Int).QuoRem(micro, big.NewInt(1_000_000), new(big.Int))
	return fmt.Sprintf("%s%s.%06d", sign, q.String(), r.Int64())
}

// ParseReplayScore parses a replay score: digits, optionally a point and 1 to 6 digits
// (no sign, exponent or spaces), with a value in [0, 1]. ok is false otherwise.
func ParseReplayScore(s string) (sdkmath.LegacyDec, bool) {
	intPart, frac, hasPoint := strings.Cut(s, ".")
	if intPart == "" || len(intPart) > 1 || !allDigits(intPart) ||
		(hasPoint && (frac == "" || len(frac) > ReplayScoreDecimals || !allDigits(frac))) {
		return sdkmath.LegacyDec{}, false
	}
	d, err := sdkmath.LegacyNewDecFromStr(s)
	if err != nil || d.IsNegative() || d.GT(sdkmath.LegacyOneDec()) {
		return sdkmath.LegacyDec{}, false
	}
	return d, true
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// ParseReplayFigures returns the replay scores among an audit's figures, in figure order:
// every figure named "replay:<node_id>" (non-empty id) whose value ParseReplayScore accepts.
// Other figures, unparsable or out-of-range values, and a second figure for a node already
// returned are skipped (x/audits refuses duplicate names anyway). No maps: the result is a
// slice in input order, so consensus code iterating it is deterministic.
func ParseReplayFigures(figures []auditstypes.Figure) []ReplayScore {
	var out []ReplayScore
	for _, f := range figures {
		id, ok := strings.CutPrefix(f.Name, ReplayFigurePrefix)
		if !ok || id == "" || hasReplayNode(out, id) {
			continue
		}
		score, ok := ParseReplayScore(f.Value)
		if !ok {
			continue
		}
		out = append(out, ReplayScore{NodeID: id, Score: score})
	}
	return out
}

func hasReplayNode(scores []ReplayScore, nodeID string) bool {
	for _, s := range scores {
		if s.NodeID == nodeID {
			return true
		}
	}
	return false
}
