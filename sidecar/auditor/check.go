package auditor

import (
	"context"
	"fmt"
	"strconv"

	sdkmath "cosmossdk.io/math"

	"github.com/cortnet/cortd/sidecar/engine"
	"github.com/cortnet/cortd/sidecar/fetch"
	auditstypes "github.com/cortnet/cortd/x/audits/types"
	datatypes "github.com/cortnet/cortd/x/data/types"
	sessionstypes "github.com/cortnet/cortd/x/sessions/types"
)

// Failed checks of a data audit, as sent in MsgReportFraud.failed_check.
const (
	// CheckUnavailable is the one outcome of "no file matching the claim could be
	// fetched": refused URL, dead server, wrong size or wrong checksum alike, with no
	// figures. Telling them apart on chain would let anyone learn, through a URL aimed
	// at the validators' own hosts, whether a file exists there and how big it is; the
	// reason stays in the auditor's log.
	CheckUnavailable   = "data_unavailable"
	CheckLowestLoss    = "not_lowest_loss"
	CheckLoss          = "loss_mismatch"
	CheckEmbedding     = "embedding_mismatch"
	CheckOverThreshold = "over_threshold"
	// CheckNotText: the target takes text (x/data Target.modality) and the data is not
	// valid UTF-8. The text models such a target may be assigned cannot score it, so no
	// claimed figure can hold; without this check the auditor could not judge, the audit
	// would be missed and pass. The figure is the offset of the first invalid byte.
	CheckNotText = "data_not_text"
)

// Tolerances say how far the submitter's figures may be from the auditor's own. The
// chain has no tolerance params for data audits yet, so they are sidecar flags; every
// validator must use the same values for votes to agree.
type Tolerances struct {
	// Loss: |claimed − own| ≤ Loss for every assigned model, and the claimed winner's
	// own loss ≤ the lowest own loss + Loss.
	Loss sdkmath.LegacyDec
	// Cosine: cos(claimed embedding, own embedding) ≥ Cosine, in integers
	// (sessionstypes.CosineAtLeast, the rule the chain validates sessions with).
	Cosine sdkmath.LegacyDec
}

// DefaultTolerances suit the deterministic native engine (which reproduces the figures
// bit for bit) with room for an OpenAI-compatible backend's noise.
func DefaultTolerances() Tolerances {
	return Tolerances{Loss: sdkmath.LegacyNewDecWithPrec(1, 2), Cosine: sdkmath.LegacyNewDecWithPrec(999, 3)}
}

// Finding is a failed check with the auditor's recomputed figures; nil means pass. A
// Finding with no Check is a pass that carries figures (session tasks: replay scores).
type Finding struct {
	Check   string // "" on a pass
	Figures []auditstypes.Figure
	Detail  string // for logs
	// Failed names the failing parties of subjects that have several (session
	// tasks: node id → check), for Confirmer.
	Failed map[string]string
}

// Fraud reports whether the finding is a failed check (not a pass, nil or with figures).
func (f *Finding) Fraud() bool { return f != nil && f.Check != "" }

// passFigures are the figures a pass carries (none for nil).
func (f *Finding) passFigures() []auditstypes.Figure {
	if f == nil {
		return nil
	}
	return f.Figures
}

func (f *Finding) add(name, value string) {
	f.Figures = append(f.Figures, auditstypes.Figure{Name: name, Value: value})
}

// CheckData audits a data submission: the data is fetched (available, size, checksum),
// every assigned model is run, and the submitter's figures are compared with the
// auditor's own. It returns a nil Finding when everything holds, and an error only when
// the auditor itself could not judge (engine failure, bad target): then it must neither
// pass nor report.
func CheckData(ctx context.Context, eng engine.Engine, t *datatypes.Target, s *datatypes.Submission, tol Tolerances, fo fetch.Options) (*Finding, error) {
	data, err := fetch.Fetch(ctx, s.Url, s.SizeBytes, s.Sha256, fo)
	if err != nil {
		if ctx.Err() != nil { // our own deadline or shutdown: no judgement
			return nil, ctx.Err()
		}
		return &Finding{Check: CheckUnavailable, Detail: err.Error()}, nil
	}
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	if len(s.Losses) != len(t.Models) {
		return nil, fmt.Errorf("submission lists %d losses for %d models (the chain checks this)", len(s.Losses), len(t.Models))
	}
	chunks, err := ChunkData(data, t.Modality)
	if err != nil { // only ErrNotText: a text target's data that is not text
		f := &Finding{Check: CheckNotText, Detail: err.Error()}
		f.add("invalid_utf8_offset", strconv.Itoa(invalidUTF8(data)))
		f.add("target_modality", t.Modality.String())
		return f, nil
	}
	sc, err := ScoreData(ctx, eng, t, data, false)
	if err != nil {
		return nil, err
	}
	claimed := -1
	for i, m := range t.Models {
		if m == s.ModelId {
			claimed = i
		}
	}
	if claimed < 0 {
		return nil, fmt.Errorf("claimed model %s is not assigned to target %d", s.ModelId, t.Id)
	}
	best := sc.WinnerScore()
	own := sc.Models[claimed]
	if own.Dec.Sub(best.Dec).GT(tol.Loss) {
		f := &Finding{Check: CheckLowestLoss, Detail: fmt.Sprintf("%s has loss %s, %s has %s", s.ModelId, own.Dec, best.Model, best.Dec)}
		f.add("claimed_model", s.ModelId)
		f.add("claimed_model_loss", own.Dec.String())
		f.add("lowest_model", best.Model)
		f.add("lowest_loss", best.Dec.String())
		return f, nil
	}
	for i, l := range s.Losses {
		mine := sc.Models[i].Dec
		if l.Loss.Sub(mine).Abs().GT(tol.Loss) {
			f := &Finding{Check: CheckLoss, Detail: fmt.Sprintf("%s: claimed %s, recomputed %s", l.ModelId, l.Loss, mine)}
			f.add("model", l.ModelId)
			f.add("claimed_loss", l.Loss.String())
			f.add("loss", mine.String())
			f.add("tolerance", tol.Loss.String())
			return f, nil
		}
	}
	// The winner's embedding: the claimed model's (recomputed when the auditor's own
	// ranking put another model first within the tolerance).
	e := own.Embedding
	if e == nil {
		if e, err = Embedding(ctx, eng, s.ModelId, chunks, len(t.Centre)); err != nil {
			return nil, fmt.Errorf("model %s: embed: %w", s.ModelId, err)
		}
	}
	if len(s.Embedding) != len(e) || !sessionstypes.CosineAtLeast(s.Embedding, e, tol.Cosine) {
		f := &Finding{Check: CheckEmbedding, Detail: fmt.Sprintf("cosine(claimed, recomputed) < %s", tol.Cosine)}
		f.add("model", s.ModelId)
		f.add("cosine_e6", strconv.FormatInt(cosineE6(s.Embedding, e), 10))
		f.add("tolerance", tol.Cosine.String())
		f.add("distance_sq", strconv.FormatInt(sessionstypes.SquaredDistance(e, t.Centre), 10))
		return f, nil
	}
	d := sessionstypes.SquaredDistance(e, t.Centre)
	if !datatypes.WithinThreshold(d, t.Threshold) {
		f := &Finding{Check: CheckOverThreshold, Detail: fmt.Sprintf("distance² %d over threshold %s", d, t.Threshold)}
		f.add("distance_sq", strconv.FormatInt(d, 10))
		f.add("claimed_distance_sq", strconv.FormatInt(s.DistanceSq, 10))
		f.add("threshold", t.Threshold.String())
		return f, nil
	}
	return nil, nil
}

// cosineE6 is cos(a, b) × 10^6 for reports (display only; the decision uses
// CosineAtLeast in integers). Mismatched lengths give 0.
func cosineE6(a, b []int32) int64 {
	if len(a) != len(b) {
		return 0
	}
	dot := sessionstypes.Dot(a, b)
	na, nb := sessionstypes.Dot(a, a), sessionstypes.Dot(b, b)
	if na == 0 || nb == 0 {
		return 0
	}
	n := sdkmath.LegacyNewDec(na).Mul(sdkmath.LegacyNewDec(nb))
	root, err := n.ApproxSqrt()
	if err != nil || root.IsZero() {
		return 0
	}
	return sdkmath.LegacyNewDec(dot).Quo(root).MulInt64(1_000_000).RoundInt64()
}
