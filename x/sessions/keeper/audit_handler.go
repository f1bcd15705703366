package keeper

import (
	"context"
	"errors"
	"fmt"

	errorsmod "cosmossdk.io/errors"
	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"

	auditstypes "github.com/cortnet/cortd/x/audits/types"
	nodestypes "github.com/cortnet/cortd/x/nodes/types"
	"github.com/cortnet/cortd/x/sessions/types"
)

// AuditHandler is the x/audits route for subject module "sessions". PASS, CLEARED and
// MISSED_PASS leave every node as it is (the task's audit becomes PASSED); FRAUD punishes
// each node the report names (figures "node:<id>") that was paid for the task: its stake
// is slashed by audit_slash_fraction, its result marked FRAUD, a rejection counted in its
// period stats, and its payment clawed back into the session's escrow. Names that are not
// a paid node of the task are ignored (voters must vote no on such a report). The handler
// errors, changing nothing, only when the audit is not this task's open audit.
//
// Replay scores: the auditor's figures "replay:<node_id>" (of the pass, or of the fraud
// report for FRAUD and CLEARED) set the replay_score of that node's paid assignment, before
// any punishment; see recordReplayScores.
func (k Keeper) AuditHandler() auditstypes.Handler {
	return func(ctx sdk.Context, a auditstypes.Audit, outcome auditstypes.Outcome, figures ...auditstypes.Figure) error {
		id, err := types.ParseTaskSubject(a.SubjectId)
		if err != nil {
			return errorsmod.Wrap(types.ErrTaskNotFound, err.Error())
		}
		t, err := k.GetTask(ctx, id)
		if err != nil {
			return err
		}
		if t.AuditStatus != types.TASK_AUDIT_STATUS_OPEN || t.AuditId != a.Id {
			return errorsmod.Wrapf(types.ErrNotAudited, "task %d has audit %d (%s), not audit %d", id, t.AuditId, t.AuditStatus, a.Id)
		}
		ev := types.EventTaskAuditDecided{TaskId: t.Id, AuditId: a.Id, Outcome: outcome.String(),
			Slashed: "0", ClawedBack: "0", Unrecovered: "0"}
		recordReplayScores(&t, figures)
		switch outcome {
		case auditstypes.OUTCOME_PASS, auditstypes.OUTCOME_CLEARED, auditstypes.OUTCOME_MISSED_PASS:
			t.AuditStatus = types.TASK_AUDIT_STATUS_PASSED
		case auditstypes.OUTCOME_FRAUD:
			t.AuditStatus = types.TASK_AUDIT_STATUS_FRAUD
			if err := k.punish(ctx, &t, a, &ev); err != nil {
				return err
			}
		default:
			return fmt.Errorf("x/sessions: unknown audit outcome %s", outcome)
		}
		if err := k.Tasks.Set(ctx, t.Id, t); err != nil {
			return err
		}
		if err := k.resumePrune(ctx, t); err != nil {
			return err
		}
		return emit(ctx, &ev)
	}
}

// punish applies a fraud outcome to the paid nodes the report names. The money moves
// only inside x/payments (pending → the session's free balance) and from the node's stake
// to the community pool (x/nodes), so nothing is created or lost. A session that is
// already CLOSED gets what was clawed back refunded to its owner at once, so no escrow is
// stranded in a closed session.
func (k Keeper) punish(ctx context.Context, t *types.Task, a auditstypes.Audit, ev *types.EventTaskAuditDecided) error {
	p, err := k.Params.Get(ctx)
	if err != nil {
		return err
	}
	sess, err := k.Sessions.Get(ctx, t.SessionId)
	if err != nil {
		return err
	}
	var figures []auditstypes.Figure
	if a.Report != nil {
		figures = a.Report.Figures
	}
	slashed, clawed, unrecovered := sdkmath.ZeroInt(), sdkmath.ZeroInt(), sdkmath.ZeroInt()
	for _, nodeID := range types.ParseFraudFigures(figures) {
		i := paidAssignment(*t, nodeID)
		if i < 0 {
			continue
		}
		as := &t.Assignments[i]
		reason := fmt.Sprintf("session audit %d: fraud on task %d", a.Id, t.Id)
		amount, err := k.nodes.SlashNode(ctx, nodeID, p.AuditSlashFraction, reason)
		if err != nil && !errors.Is(err, nodestypes.ErrNodeNotFound) {
			return err
		}
		if err == nil {
			slashed = slashed.Add(amount)
		}
		if err := k.record(ctx, k.nodes.RecordRejected, nodeID); err != nil {
			return err
		}
		got, err := k.payments.Clawback(ctx, t.SessionId, t.Id, as.Operator, sess.PricePerTask)
		if err != nil {
			return err
		}
		clawed = clawed.Add(got)
		unrecovered = unrecovered.Add(sess.PricePerTask.Sub(got))
		t.Paid = t.Paid.Sub(got)
		as.Status = types.ASSIGNMENT_STATUS_FRAUD
		ev.FraudNodes = append(ev.FraudNodes, nodeID)
	}
	if clawed.IsPositive() && sess.Status == types.SESSION_STATUS_CLOSED {
		if _, err := k.payments.Refund(ctx, t.SessionId); err != nil {
			return err
		}
	}
	ev.Slashed, ev.ClawedBack, ev.Unrecovered = slashed.String(), clawed.String(), unrecovered.String()
	return nil
}

// recordReplayScores stores the auditor's replay scores on the paid assignments they name.
// Scores are bounded: ParseReplayFigures keeps only decimals in [0, 1] with at most 6
// decimals, and names of nodes without a VALIDATED assignment on the task are ignored, so a
// figure can neither fail the audit's outcome nor store an out-of-range value. Only the
// auditor's word: the chain pays and punishes nothing on a score (fraud needs a vote).
func recordReplayScores(t *types.Task, figures []auditstypes.Figure) {
	for _, s := range types.ParseReplayFigures(figures) {
		if i := paidAssignment(*t, s.NodeID); i >= 0 {
			t.Assignments[i].ReplayScore = types.FormatReplayScore(s.Score)
		}
	}
}

// paidAssignment returns the index of the node's VALIDATED assignment on the task, or -1.
func paidAssignment(t types.Task, nodeID string) int {
	for i, a := range t.Assignments {
		if a.NodeId == nodeID && a.Status == types.ASSIGNMENT_STATUS_VALIDATED {
			return i
		}
	}
	return -1
}
