package dashboard

import (
	"encoding/hex"
	"fmt"
	"html/template"
	"math/big"
	"strings"

	sdkmath "cosmossdk.io/math"
)

var funcs = template.FuncMap{
	"dec":          fmtDec,
	"pct":          fmtPct,
	"share":        fmtShare,
	"bps":          fmtBps,
	"cor":          corHTML,
	"short":        short,
	"hex":          shortHex,
	"join":         strings.Join,
	"num":          fmtNum,
	"add":          func(a, b int) int { return a + b },
	"trim":         trimStatus,
	"sortKeysList": func() []string { return sortKeys },
}

// fmtDec prints a LegacyDec with at most 4 decimals, trailing zeros dropped: the
// JSON twin keeps the exact 18-decimal value.
func fmtDec(d sdkmath.LegacyDec) string {
	if d.IsNil() {
		return "0"
	}
	return fmtNum(decFloat(d))
}

// fmtPct prints a score or share in [0, 1] (a LegacyDec) as a percentage rounded
// to 2 decimals with decimal arithmetic: 0.315 → "31.5%", 1 → "100%".
func fmtPct(d sdkmath.LegacyDec) string {
	if d.IsNil() {
		return "–"
	}
	return formatFixed(d.MulInt64(10_000).RoundInt().BigInt(), 2) + "%"
}

// fmtBps prints basis points (challenge scores) as a percentage: 6500 → "65%".
func fmtBps(bps uint32) string {
	return formatFixed(new(big.Int).SetUint64(uint64(bps)), 2) + "%"
}

// fmtShare prints a fraction in [0, 1] computed off chain (the overview's validated
// share) as a percentage with at most 2 decimals.
func fmtShare(f float64) string {
	s := strings.TrimRight(strings.TrimRight(fmt.Sprintf("%.2f", finite(f)*100), "0"), ".")
	if s == "-0" {
		s = "0"
	}
	return s + "%"
}

// decFloat is for display and charts only (off-chain): never for consensus.
func decFloat(d sdkmath.LegacyDec) float64 {
	if d.IsNil() {
		return 0
	}
	f, err := d.Float64()
	if err != nil {
		return 0
	}
	return f
}

// short keeps the start and the end of a long address.
func short(s string) string {
	if len(s) <= 20 {
		return s
	}
	return s[:10] + "…" + s[len(s)-6:]
}

func shortHex(b []byte) string {
	h := hex.EncodeToString(b)
	if len(h) > 16 {
		return h[:16] + "…"
	}
	return h
}

// trimStatus turns TASK_STATUS_VALIDATED into "validated".
func trimStatus(v fmt.Stringer) string {
	s := v.String()
	for _, p := range []string{"TASK_STATUS_", "SESSION_STATUS_", "ASSIGNMENT_STATUS_", "NODE_STATUS_", "TARGET_STATUS_",
		"AUDIT_STATUS_", "VOTE_OPTION_", "CHALLENGE_STATUS_", "TASK_TYPE_", "VOID_REASON_"} {
		if strings.HasPrefix(s, p) {
			return strings.ToLower(s[len(p):])
		}
	}
	return strings.ToLower(s)
}

func itoa(i int) string { return fmt.Sprint(i) }
