package auditor

import (
	"context"
	"fmt"
	"math"

	sdkmath "cosmossdk.io/math"

	"github.com/cortnet/cortd/sidecar/engine"
	sessionstypes "github.com/cortnet/cortd/x/sessions/types"
)

// replayCheck replays every audited node's answer that passed the embedding check
// (x/sessions README "Session audits"): on an exact task the node fails unless the
// reference engine's deterministic sampler reproduces every token and the end with the
// task's seed; otherwise unless the answer ends where generation would and its score
// (share of tokens inside the sampling set) reaches the model's replay_min_score. Every
// replayed node's score is recorded for the figures. It returns log details.
func replayCheck(ctx context.Context, rp engine.Replayer, t *sessionstypes.Task, sp engine.Params, p sessionstypes.Params,
	audited []*sessionstypes.Assignment, verdicts map[string]*nodeVerdict) ([]string, error) {
	exact := t.Verification == sessionstypes.VERIFICATION_MODE_EXACT
	minScore := p.ReplayMinScoreFor(t.ModelId)
	var detail []string
	for _, as := range audited {
		v := verdicts[as.NodeId]
		if v.failed != "" {
			continue
		}
		r, err := rp.Replay(ctx, t.ModelId, t.Prompt, as.ResultText, int(as.CompletionTokens), sp)
		if err != nil {
			return nil, fmt.Errorf("replaying node %s's answer with %s: %w", as.NodeId, t.ModelId, err)
		}
		score := ReplayScore(r.Score)
		v.score = sessionstypes.FormatReplayScore(score)
		pass := r.EndOK && score.GTE(minScore)
		if exact {
			pass = r.EndOK && r.Exact
		}
		if !pass {
			v.failed = sessionstypes.AuditCheckReplay
			v.value = sessionstypes.FraudFigureValue(sessionstypes.AuditCheckReplay, v.score)
			detail = append(detail, fmt.Sprintf("%s(replay exact=%t end_ok=%t score=%s first_diff=%d: %s)",
				as.NodeId, r.Exact, r.EndOK, v.score, r.FirstDiff, r.Reason))
		}
	}
	return detail, nil
}

// ReplayScore is the engine's float score as the 6-decimal LegacyDec every auditor and
// voter compares with replay_min_score (rounded half away from zero; NaN and values outside
// [0, 1] clamp), so the comparison is exact decimal arithmetic on one rounding of the float.
func ReplayScore(s float64) sdkmath.LegacyDec {
	if math.IsNaN(s) || s < 0 {
		s = 0
	}
	s = min(s, 1)
	return sdkmath.LegacyNewDecWithPrec(int64(math.Round(s*1e6)), 6)
}
