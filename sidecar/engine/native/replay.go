package native

// Replay re-runs a claimed answer under the model (teacher forcing) and says
// whether it is what generation with the same params produces, and if not,
// how plausible it is. The rule, position by position:
//
//   - Draft. The node committed text, not ids. The prompt is encoded as
//     Generate encodes it; the answer is encoded without special tokens as
//     the draft (when the tokenizer prepends text to a fragment, e.g.
//     SentencePiece's dummy "▁", the duplicated prefix is dropped). One
//     forward pass over prompt+draft gives, at every answer position, the
//     bits token-by-token generation computes (every row of the forward
//     pass is computed as it would be alone), and the LM head runs over the
//     answer rows in blocks, as the loss does.
//   - Draws. At each position the shared sampler (sample.go) draws exactly
//     as the generator does: argmax with the lowest id on ties at
//     temperature 0, else one PCG Float64 (seeded with p.Seed) per token,
//     over the top_k / top_p cut of softmax(logits/T), never an id the
//     tokenizer cannot decode.
//   - Divergence. If the drawn token is the draft token, it is accepted. If
//     not, but its bytes continue the answer (the honest generator chose
//     another segmentation of the same text), the drawn token is accepted,
//     the rest of the answer is encoded again as the new draft, the KV cache
//     is rolled back to that position and a new pass runs from there
//     (Passes counts them; a pass after a divergence feeds a window of at
//     most twice the tokens the previous pass accepted, at least 16, and
//     the window doubles with each pass that ends without one, so text
//     that diverges often costs a bounded multiple of one pass).
//     Otherwise the answer is not reproduced: Exact is false, FirstDiff is
//     the position, and plausibility is scored along the draft.
//   - Text. The answer is compared as miners commit it: the raw token bytes
//     with each run of invalid UTF-8 replaced by one U+FFFD
//     (strings.ToValidUTF8), so honest output of partial characters replays;
//     the answer given is repaired the same way first (a raw generation
//     replays too).
//     An EOS token and a token with no bytes never continue an answer.
//   - End. Generation produces at most N = min(max_tokens, context -
//     prompt + 1) tokens and counts the EOS it draws. With claimed
//     completion tokens = Tokens+1, the token drawn after the answer must be
//     an EOS id; with claimed = Tokens, Tokens must be N; anything else is
//     EndOK false. An answer that continues past N tokens is not
//     reproduced. Exact requires every token and the end.
//   - Tolerance (Score), for answers from non-deterministic GPU backends
//     replayed on this CPU engine: a draft token is Plausible when it is
//     the drawn token, or, at temperature 0, its logit is at least the max
//     logit - ReplayTieTolerance; with sampling, when its probability is
//     positive, it ranks inside top_k, and the mass of the tokens ranked
//     before it is below min(1, top_p + ReplayTopPSlack) (no nucleus cut
//     when that is 1). Score = Plausible / Tokens. Once the answer is not
//     exact, draws off the generator's path mean nothing, so EndOK is
//     judged by the same tolerance: an EOS id plausible after the answer
//     (claimed Tokens+1), or Tokens = N (claimed N), where the draft's
//     count may be off by 2 per U+FFFD of the answer (the invalid bytes it
//     replaced took an unknown number of tokens).
//   - Stop sequences are not replayed (session tasks use none): a non-empty
//     p.Stop is refused with ErrBadRequest.

import (
	"context"
	"fmt"
	"strings"

	"github.com/cortnet/cortd/sidecar/engine"
	"github.com/cortnet/cortd/sidecar/engine/internal/kernels"
)

const (
	// ReplayTieTolerance: at temperature 0 a token whose logit is within
	// this of the largest is plausible (GPU kernels reorder sums, so near
	// ties can flip).
	ReplayTieTolerance = 0.5
	// ReplayTopPSlack widens the top_p nucleus when judging plausibility.
	ReplayTopPSlack = 0.05
	// replayMinWindow is the fewest tokens a pass after a divergence feeds.
	replayMinWindow = 16
)

var _ engine.Replayer = (*Engine)(nil)

// Replay implements engine.Replayer: the prompt is encoded as Complete
// encodes it. p.Stop must be empty.
func (e *Engine) Replay(ctx context.Context, model, prompt, answer string, completionTokens int, p engine.Params) (engine.Replay, error) {
	m, err := e.M.Get(model)
	if err != nil {
		return engine.Replay{}, err
	}
	return m.Replay(ctx, m.encodePrompt(prompt, p.RenderedPrompt), answer, completionTokens, p)
}

// Replay re-runs answer after the prompt ids under p (see the rule at the
// top of this file). Requests generation would refuse, a non-empty p.Stop
// and a negative completionTokens are errors; a wrong answer is a verdict.
func (m *Model) Replay(ctx context.Context, prompt []int, answer string, completionTokens int, p engine.Params) (engine.Replay, error) {
	if len(prompt) == 0 {
		return engine.Replay{}, fmt.Errorf("%w: empty prompt", engine.ErrBadRequest)
	}
	if len(prompt) >= m.Cfg.MaxPos {
		return engine.Replay{}, fmt.Errorf("%w: prompt of %d tokens, context %d", engine.ErrContextTooLong, len(prompt), m.Cfg.MaxPos)
	}
	if err := checkParams(p); err != nil {
		return engine.Replay{}, err
	}
	if len(p.Stop) > 0 {
		return engine.Replay{}, fmt.Errorf("%w: replay does not support stop sequences", engine.ErrBadRequest)
	}
	if completionTokens < 0 {
		return engine.Replay{}, fmt.Errorf("%w: negative completion tokens", engine.ErrBadRequest)
	}
	r, err := m.newReplayer(prompt, answer, completionTokens, p)
	if err != nil {
		return engine.Replay{}, err
	}
	if r.s == nil { // max_tokens 0: generation emits nothing and runs no pass
		return r.noTokens(), nil
	}
	defer m.putState(r.s)
	if err := r.walk(ctx); err != nil {
		return engine.Replay{}, err
	}
	return r.result(), nil
}

// newReplayer prepares a replay of checked arguments: the answer as
// committed (invalid UTF-8 repaired as miners repair it), its draft, and a
// state for every position generation may reach (none when max_tokens is 0).
func (m *Model) newReplayer(prompt []int, answer string, completionTokens int, p engine.Params) (*replayer, error) {
	answer = strings.ToValidUTF8(answer, replacement)
	r := &replayer{m: m, p: p, prompt: prompt, L: len(prompt), claim: completionTokens,
		N:    min(p.MaxTokens, m.Cfg.MaxPos-len(prompt)+1),
		text: textMatcher{answer: answer}, exact: true, firstDiff: -1,
		slack: 2 * strings.Count(answer, replacement)}
	if r.N == 0 {
		return r, nil
	}
	s, err := m.getState(r.L + r.N - 1)
	if err != nil {
		return nil, err
	}
	r.s = s
	V := m.Cfg.Vocab
	r.hidden = make([]float32, s.cap*m.Cfg.Dim)
	r.blk = make([]float32, lossRows*V)
	r.work = make([]float32, V)
	r.lse = make([]float32, V)
	r.smp = newSampler(p, m.sampleVocab())
	r.window = s.cap
	r.seq = r.draft(answer, r.N)
	return r, nil
}

// replayer is one replay's state.
type replayer struct {
	m      *Model
	p      engine.Params
	prompt []int
	L, N   int // prompt tokens; most tokens generation may produce
	claim  int // claimed completion tokens
	seq    []int
	text   textMatcher
	smp    *sampler
	s      *State
	// The current pass: hidden rows of the positions from passStart on;
	// passJ is the first answer index it predicts; window bounds its length.
	hidden            []float32
	passStart, passJ  int
	window            int
	diverged          bool      // a divergence since the current pass started
	slack             int       // tolerant token-count slack: 2 per U+FFFD in the answer
	blk               []float32 // LM-head rows predicting answer tokens blkJ..blkJ+blkRows
	blkJ, blkRows     int
	work, lse         []float32
	tokens, plausible int
	sumLP             float64
	exact, endOK      bool
	firstDiff, passes int
	reason, endReason string
	maxTok            int // longest token in bytes (0 until needed)
}

func (r *replayer) noTokens() engine.Replay {
	r.endOK = r.text.answer == "" && r.claim == 0
	if !r.endOK {
		r.exact = false
		r.endReason = "max_tokens is 0: the answer must be empty with 0 tokens"
	}
	return r.result()
}

func (r *replayer) result() engine.Replay {
	out := engine.Replay{Tokens: r.tokens, Exact: r.exact && r.endOK, FirstDiff: r.firstDiff,
		Plausible: r.plausible, EndOK: r.endOK, Passes: r.passes}
	if r.tokens > 0 {
		out.Score = float64(r.plausible) / float64(r.tokens)
		out.MeanLogprob = r.sumLP / float64(r.tokens)
	} else if r.endOK {
		out.Score = 1
	}
	switch {
	case r.reason != "" && r.endReason != "":
		out.Reason = r.reason + "; " + r.endReason
	case r.reason != "":
		out.Reason = r.reason
	default:
		out.Reason = r.endReason
	}
	return out
}

// walk visits answer positions until the answer and its end are judged.
func (r *replayer) walk(ctx context.Context) error {
	for j := 0; ; j++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		if !r.exact {
			done, err := r.scoreDraft(j)
			if done || err != nil {
				return err
			}
			continue
		}
		// On generation's path: first the ends that need no draw.
		covered := r.text.covered()
		if covered && (r.claim <= j || j == r.N) {
			r.tokens = j
			switch {
			case r.claim < j:
				r.endReason = fmt.Sprintf("claims %d completion tokens, the answer has %d", r.claim, j)
			case r.claim == j && j < r.N:
				r.endReason = fmt.Sprintf("answer stops after %d tokens with no EOS before max_tokens %d", j, r.N)
			case r.claim > j:
				r.endReason = fmt.Sprintf("claims %d completion tokens, generation stops at %d", r.claim, r.N)
			default:
				r.endOK = true
			}
			return nil
		}
		if j == r.N {
			r.tokens = j
			r.notExact(j, fmt.Sprintf("answer continues past the %d tokens generation may produce", r.N))
			r.endReason = "answer longer than max_tokens/context"
			return nil
		}
		row, err := r.row(j)
		if err != nil {
			return err
		}
		d := r.draw(row)
		if !r.m.isEOS(d) && r.continues(d) {
			r.score(row, d, true)
			r.tokens = j + 1
			if j >= len(r.seq) || d != r.seq[j] {
				r.diverge(j, d)
			}
			continue
		}
		if covered { // the model ends, or goes on where the answer ends
			r.tokens = j
			switch {
			case !r.m.isEOS(d):
				r.exact = false
				r.endReason = fmt.Sprintf("answer ends where the model continues with %s", r.show(d))
			case r.claim != j+1:
				r.endReason = fmt.Sprintf("claims %d completion tokens, the model ends after %d", r.claim, j+1)
			default:
				r.endOK = true
			}
			return nil
		}
		if j == len(r.seq) { // text the draft does not spell, and the model does not produce
			r.tokens = j
			r.notExact(j, fmt.Sprintf("token %d: model draws %s where the answer goes on with %q", j, r.show(d), clip(r.text.rest())))
			r.endReason = "answer text not scored: the tokenizer does not reproduce it"
			return nil
		}
		r.notExact(j, fmt.Sprintf("token %d: model draws %s, answer has %s", j, r.show(d), r.show(r.seq[j])))
		r.score(row, r.seq[j], false)
		r.tokens = j + 1
	}
}

// scoreDraft scores draft token j of an answer off generation's path, or
// judges the end after the draft.
func (r *replayer) scoreDraft(j int) (done bool, err error) {
	switch {
	case j == len(r.seq):
		r.tokens = j
		return true, r.endTolerant(j)
	case j == r.N:
		r.tokens = j
		// A draft longer than generation may go is a valid length end
		// only by the slack of its U+FFFD characters.
		if r.endOK = r.claim == r.N && len(r.seq)-r.N <= r.slack; !r.endOK {
			r.endReason = "answer longer than max_tokens/context"
		}
		return true, nil
	}
	row, err := r.row(j)
	if err != nil {
		return true, err
	}
	r.score(row, r.seq[j], false)
	r.tokens = j + 1
	return false, nil
}

// endTolerant judges the end of an answer that is not exact by the
// tolerance rule (draws off the generator's path mean nothing). The draft
// spells each U+FFFD of the answer with the tokenizer's tokens for that
// character, while the raw invalid bytes it replaced took any number of
// tokens: a length claim allows the draft that much slack.
func (r *replayer) endTolerant(j int) error {
	switch {
	case r.claim == r.N && j >= r.N-r.slack:
		r.endOK = true // a length end
	case r.claim == j:
		r.endReason = fmt.Sprintf("answer stops after %d tokens with no EOS before max_tokens %d", j, r.N)
	case r.claim == j+1 && j < r.N:
		row, err := r.row(j)
		if err != nil {
			return err
		}
		probs := r.probs(row)
		for _, id := range r.m.eosIDs() {
			if r.inSet(row, probs, id) {
				r.endOK = true
			}
		}
		if !r.endOK {
			r.endReason = "EOS is implausible after the answer"
		}
	default:
		r.endReason = fmt.Sprintf("claims %d completion tokens for an answer of %d", r.claim, j)
	}
	return nil
}

// notExact records the first position the answer leaves generation's path.
func (r *replayer) notExact(j int, reason string) {
	if r.exact {
		r.exact, r.firstDiff, r.reason = false, j, reason
	}
}

// continues reports whether the drawn token continues the answer's text
// (and takes its bytes if so).
func (r *replayer) continues(d int) bool {
	if r.m.isEOS(d) {
		return false
	}
	b, err := r.m.Tok.TokenBytes(d)
	if err != nil || len(b) == 0 {
		return false
	}
	return r.text.feed(b)
}

// diverge accepts d as answer token j in place of the draft's, drafts the
// rest of the answer anew and rolls the cache back so the next pass runs
// from token j.
func (r *replayer) diverge(j, d int) {
	r.seq = append(r.seq[:j], d)
	r.seq = append(r.seq, r.draft(r.text.rest(), r.N-j-1)...)
	if r.s.Pos() > r.L+j {
		r.s.Truncate(r.L + j)
	}
	r.blkRows = 0
	r.window = max(replayMinWindow, 2*(j+1-r.passJ))
	r.diverged = true
}

// row returns the logits predicting answer token j (position L+j-1),
// running a pass and the LM head over a block of rows as needed.
func (r *replayer) row(j int) ([]float32, error) {
	V, D := r.m.Cfg.Vocab, r.m.Cfg.Dim
	if j >= r.blkJ && j < r.blkJ+r.blkRows {
		return r.blk[(j-r.blkJ)*V : (j-r.blkJ+1)*V], nil
	}
	pos := r.L + j - 1
	if pos >= r.s.Pos() {
		if !r.diverged && r.passes > 0 {
			// The last pass ended at its window with no divergence: grow
			// the window again, so one early divergence does not leave
			// the rest of the answer in small passes.
			r.window = min(2*r.window, r.s.cap)
		}
		r.diverged = false
		from := r.s.Pos()
		end := min(r.L+len(r.seq), r.L+r.N-1, from+r.window)
		end = max(end, pos+1)
		toks := make([]int, 0, end-from)
		for q := from; q < end; q++ {
			if q < r.L {
				toks = append(toks, r.prompt[q])
			} else {
				toks = append(toks, r.seq[q-r.L])
			}
		}
		if err := r.s.Forward(toks, r.hidden[:len(toks)*D]); err != nil {
			return nil, err
		}
		r.passStart, r.passJ = from, j
		r.passes++
	}
	rows := min(lossRows, r.s.Pos()-pos)
	kernels.MatMul(r.blk, V, r.hidden[(pos-r.passStart)*D:], D, rows, D, V, r.m.lmHead, nil)
	r.blkJ, r.blkRows = j, rows
	return r.blk[:V], nil
}

// draw is the generator's draw from a logits row (left intact).
func (r *replayer) draw(row []float32) int {
	copy(r.work, row)
	return r.smp.draw(r.work)
}

// probs returns the sampling probabilities of a row (nil at temperature 0).
func (r *replayer) probs(row []float32) []float32 {
	if r.p.Temperature == 0 {
		return nil
	}
	copy(r.work, row)
	return r.smp.prepare(r.work)
}

// score adds token id's log-probability (temperature 1) and, unless drawn
// (a drawn token is in the sampling set by construction), whether it is
// plausible. At temperature > 0 a drawn row's probabilities are still in
// r.work; otherwise they are computed here.
func (r *replayer) score(row []float32, id int, drawn bool) {
	V := r.m.Cfg.Vocab
	r.sumLP += float64(row[id]) - kernels.LogSumExp(row[:V], r.lse)
	if drawn || r.inSet(row, r.probs(row), id) {
		r.plausible++
	}
}

// inSet applies the tolerance rule to token id.
func (r *replayer) inSet(row, probs []float32, id int) bool {
	n := r.m.sampleVocab()
	if id < 0 || id >= n {
		return false
	}
	if r.p.Temperature == 0 {
		return row[id] >= kernels.Max(row[:n])-ReplayTieTolerance
	}
	pa := probs[id]
	if !(pa > 0) {
		return false
	}
	before := 0
	var mass float64
	for i, q := range probs {
		if q > pa || (q == pa && i < id) {
			before++
			mass += float64(q)
		}
	}
	if r.p.TopK > 0 && before >= r.p.TopK {
		return false
	}
	if cut := r.p.TopP + ReplayTopPSlack; r.p.TopP > 0 && r.p.TopP < 1 && cut < 1 && mass >= cut {
		return false
	}
	return true
}

// draft encodes answer text as the tokens to feed next, keeping only text
// the generator could still produce (limit tokens of at most the longest
// token's bytes each), so a re-draft costs no more than the tokens left.
func (r *replayer) draft(text string, limit int) []int {
	if limit <= 0 {
		return nil
	}
	if r.maxTok == 0 {
		r.maxTok = r.m.maxTokenBytes()
	}
	if cut := limit * r.maxTok; len(text) > cut {
		text = text[:cut]
	}
	ids := r.m.Tok.EncodeNoSpecial(text)
	got := r.spell(ids)
	if got == text || len(got) <= len(text) {
		return ids
	}
	// The tokenizer prepended text to the fragment (SentencePiece's dummy
	// "▁"): when the answer itself starts with that text, encode without it.
	if pre := got[:len(got)-len(text)]; got[len(pre):] == text && len(text) >= len(pre) && text[:len(pre)] == pre {
		if ids2 := r.m.Tok.EncodeNoSpecial(text[len(pre):]); r.spell(ids2) == text {
			return ids2
		}
	}
	return ids
}

// maxTokenBytes is the byte length of the model's longest token.
func (m *Model) maxTokenBytes() int {
	m.maxTokOnce.Do(func() {
		m.maxTok = 1
		for id := 0; id < m.Tok.VocabSize(); id++ {
			if b, err := m.Tok.TokenBytes(id); err == nil {
				m.maxTok = max(m.maxTok, len(b))
			}
		}
	})
	return m.maxTok
}

// eosIDs are the ids that end a generation (see isEOS).
func (m *Model) eosIDs() []int {
	if m.eos != nil {
		return m.eos
	}
	if id := m.Tok.EOS(); id >= 0 {
		return []int{id}
	}
	return nil
}

// spell is the text of ids as generation emits it.
func (r *replayer) spell(ids []int) string {
	var b []byte
	for _, id := range ids {
		tb, err := r.m.Tok.TokenBytes(id)
		if err != nil {
			return ""
		}
		b = append(b, tb...)
	}
	return string(b)
}

// show names a token for a reason: its id and text.
func (r *replayer) show(id int) string {
	if r.m.isEOS(id) {
		return fmt.Sprintf("EOS (%d)", id)
	}
	b, err := r.m.Tok.TokenBytes(id)
	if err != nil {
		return fmt.Sprintf("id %d", id)
	}
	return fmt.Sprintf("%d %q", id, clip(string(b)))
}

// clip shortens text for a reason.
func clip(s string) string {
	if len(s) > 24 {
		return s[:24] + "..."
	}
	return s
}
