package main

import (
	"fmt"
	"math"
	"strings"
)

// chainParams are the consensus params the slashing estimate uses.
type chainParams struct {
	AuditFractionBps uint64 // x/sessions audit_fraction_bps
	AuditDeadline    uint64 // x/audits audit_deadline_blocks
	VotingWindow     uint64 // x/audits voting_window_blocks
	TasksPerBlock    float64
}

// row is one (class, mode) line of the table.
type row struct {
	Model, Class, Mode string
	T                  tally
}

func pct(n, d int) string {
	if d == 0 {
		return "—"
	}
	return fmt.Sprintf("%d/%d (%.1f %%)", n, d, 100*float64(n)/float64(d))
}

// rate is n/d, NaN when d is 0.
func rate(n, d int) float64 {
	if d == 0 {
		return math.NaN()
	}
	return float64(n) / float64(d)
}

// blocksToSlash is the expected number of blocks from a node's first cheat to its slash:
//
//	1 / (r · paid · f · c) + 1 + D + V
//
// r tasks per block done by the node, paid = share of its cheating tasks validation pays,
// f = audit_fraction_bps / 10⁴ (share of validated tasks drawn for audit), c = share of
// audits that name it; the first term is the mean wait (geometric) for a paid task that is
// drawn and caught, then 1 block to the draw, at most D (audit deadline) for the report and
// V (voting window) until the fraud outcome is applied at the window's end. The report may
// come before the deadline, so this is the upper figure of that latency.
func blocksToSlash(t tally, cp chainParams) string {
	if t.Dishonest == 0 {
		return "—"
	}
	paid := 1 - rate(t.NotPaid, t.Dishonest)
	if paid == 0 {
		return "never paid"
	}
	c := rate(t.AuditCaught, t.Audited)
	if math.IsNaN(c) || c == 0 {
		return "∞ (audit never catches)"
	}
	f := float64(cp.AuditFractionBps) / 10_000
	if f == 0 {
		return "∞ (audits off)"
	}
	b := 1/(cp.TasksPerBlock*paid*f*c) + 1 + float64(cp.AuditDeadline) + float64(cp.VotingWindow)
	return fmt.Sprintf("%.0f", b)
}

// combined is the share of cheating tasks that leave the node unpaid or, were the task
// audited, caught: caught by validation + paid × caught by audit.
func combined(t tally) string {
	if t.Dishonest == 0 {
		return "—"
	}
	return fmt.Sprintf("%.1f %%", 100*combinedRate(t))
}

// tables are one table per model, then how the audits caught.
func tables(rows []row, cp chainParams) string {
	var b strings.Builder
	var order []string
	by := map[string][]row{}
	for _, r := range rows {
		if _, ok := by[r.Model]; !ok {
			order = append(order, r.Model)
		}
		by[r.Model] = append(by[r.Model], r)
	}
	for _, m := range order {
		fmt.Fprintf(&b, "Model %s:\n\n%s\n", m, table(by[m], cp))
	}
	b.WriteString(caughtTable(rows))
	return b.String()
}

// table is the markdown table of one model's rows.
func table(rows []row, cp chainParams) string {
	var b strings.Builder
	b.WriteString("| class | mode | tasks | identical to honest | honest rejected | caught by validation | caught by audit | combined | blocks to slash | honest named by audit | audit ms/task |\n")
	b.WriteString("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, r := range rows {
		t := r.T
		caught := pct(t.AuditCaught, t.Audited)
		if r.Class == "honest" {
			caught = "—"
		}
		ms := "—"
		if t.Audited > 0 {
			ms = fmt.Sprintf("%.2f", float64(t.AuditTime.Microseconds())/1000/float64(t.Audited))
		}
		fmt.Fprintf(&b, "| %s | %s | %d | %d | %s | %s | %s | %s | %s | %s | %s |\n", r.Class, r.Mode, t.Tasks, t.Identical,
			pct(t.HonestReject, t.HonestNodes), pct(t.NotPaid, t.Dishonest), caught, combined(t),
			blocksToSlash(t, cp), pct(t.HonestFlagged, t.HonestAudited), ms)
	}
	// Notes: tasks left out or counted specially, once per model for honest failures.
	var notes []string
	seen := map[string]bool{}
	for _, r := range rows {
		t := r.T
		if t.HonestErrors > 0 && !seen[r.Model] {
			seen[r.Model] = true
			notes = append(notes, fmt.Sprintf("- %s: %d of the %d tasks (%s) could not be computed by an honest miner and are not judged: %s",
				r.Model, t.HonestErrors, t.Tasks+t.HonestErrors+t.NotApplicable, r.Class, firstNote(t.Notes, "honest node")))
		}
		if t.NoCommit+t.NotApplicable > 0 {
			notes = append(notes, fmt.Sprintf("- %s / %s / %s: %d tasks where the class's node had nothing to commit (a missed commit, counted as caught by validation), %d not applicable: %s",
				r.Model, r.Class, r.Mode, t.NoCommit, t.NotApplicable, firstNote(t.Notes, r.Class+" node")))
		}
	}
	if len(notes) > 0 {
		b.WriteString("\n" + strings.Join(notes, "\n") + "\n")
	}
	return b.String()
}

// caughtTable says which rule of the audit caught the class's node.
func caughtTable(rows []row) string {
	var b strings.Builder
	b.WriteString("How the audit caught the class's node (of the tasks where it was paid and caught): embedding check / replay end rule / replay score below replay_min_score / exact rule only; answers holding U+FFFD.\n\n")
	b.WriteString("| model | class | mode | caught | embedding | end | score | exact only | with U+FFFD |\n|---|---|---|---:|---:|---:|---:|---:|---:|\n")
	for _, r := range rows {
		t := r.T
		if t.AuditCaught == 0 {
			continue
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %d | %d | %d | %d | %d | %d |\n", r.Model, r.Class, r.Mode, t.AuditCaught, t.ByEmbedding, t.ByEnd, t.ByScore, t.ByExact, t.CaughtFFFD)
	}
	return b.String()
}

// add sums two tallies (for the all-models summary).
func (t tally) add(o tally) tally {
	t.Tasks += o.Tasks
	t.Identical += o.Identical
	t.HonestNodes += o.HonestNodes
	t.HonestReject += o.HonestReject
	t.Dishonest += o.Dishonest
	t.NotPaid += o.NotPaid
	t.Audited += o.Audited
	t.AuditCaught += o.AuditCaught
	t.HonestAudited += o.HonestAudited
	t.HonestFlagged += o.HonestFlagged
	return t
}

// lowerPrecision names the classes whose target is 90 % (the right model, fewer bits).
var lowerPrecision = map[string]bool{"q8_0-weights": true, "bf16-weights": true}

// summary sums the models per class and mode and checks the targets.
func summary(rows []row, c costs) string {
	var b strings.Builder
	type key struct{ class, mode string }
	var order []key
	sum := map[key]tally{}
	modes := map[string]tally{}
	var modeOrder []string
	for _, r := range rows {
		k := key{r.Class, r.Mode}
		if _, ok := sum[k]; !ok {
			order = append(order, k)
		}
		sum[k] = sum[k].add(r.T)
		if _, ok := modes[r.Mode]; !ok {
			modeOrder = append(modeOrder, r.Mode)
		}
		modes[r.Mode] = modes[r.Mode].add(r.T)
	}
	b.WriteString("All models together:\n\n| class | mode | tasks | caught by validation | caught by audit | combined | target |\n|---|---|---:|---:|---:|---:|---|\n")
	for _, k := range order {
		t := sum[k]
		if k.class == "honest" {
			continue
		}
		goal := 0.99
		if lowerPrecision[k.class] {
			goal = 0.90
		}
		fmt.Fprintf(&b, "| %s | %s | %d | %s | %s | %s | ≥ %.0f %%: %s |\n", k.class, k.mode, t.Tasks, pct(t.NotPaid, t.Dishonest),
			pct(t.AuditCaught, t.Audited), combined(t), goal*100, met(combinedRate(t) >= goal))
	}
	b.WriteString("\n")
	for _, m := range modeOrder {
		t := modes[m]
		goal, what := 0.005, "≤ 0.5 %"
		if m == "exact" {
			goal, what = 0, "0"
		}
		fmt.Fprintf(&b, "- %s mode: honest nodes rejected by validation %s, honest paid nodes named by an audit %s (target %s: %s)\n", m,
			pct(t.HonestReject, t.HonestNodes), pct(t.HonestFlagged, t.HonestAudited), what,
			met(rate(t.HonestReject+t.HonestFlagged, t.HonestNodes) <= goal))
	}
	for _, l := range c.Long {
		fmt.Fprintf(&b, "- replay of %d tokens ≤ one prompt pass on %s: %.2f× (%s)\n", l.AnswerTokens, l.Model,
			float64(l.Replay)/float64(l.PromptPass), met(l.Replay <= l.PromptPass))
	}
	return b.String()
}

// combinedRate is combined as a number (0 when there was nothing to catch).
func combinedRate(t tally) float64 {
	if t.Dishonest == 0 {
		return 1
	}
	v := rate(t.NotPaid, t.Dishonest)
	a := rate(t.AuditCaught, t.Audited)
	if math.IsNaN(a) {
		a = 0
	}
	return v + (1-v)*a
}

func met(ok bool) string {
	if ok {
		return "met"
	}
	return "not met"
}

// firstNote is the first note that mentions what, else the first note.
func firstNote(notes []string, what string) string {
	for _, n := range notes {
		if strings.Contains(n, what) {
			return n
		}
	}
	if len(notes) > 0 {
		return notes[0]
	}
	return ""
}
