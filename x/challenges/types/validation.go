package types

import (
	"strings"
	"unicode/utf8"

	errorsmod "cosmossdk.io/errors"

	"github.com/cortnet/cortd/x/internal/urlrule"
)

// ValidateURL checks a URL that evaluators and miners download: at most
// max_url_bytes, then the chain's rule for downloaded URLs (x/internal/urlrule: http or
// https to a host that is not obviously the validator's own; file:// and local hosts
// only with params.allow_local_urls).
func ValidateURL(field, u string, p Params) error {
	if len(u) == 0 {
		return errorsmod.Wrapf(ErrInvalidField, "%s is empty", field)
	}
	if len(u) > int(p.MaxUrlBytes) {
		return errorsmod.Wrapf(ErrFieldTooLarge, "%s is %d bytes, max %d", field, len(u), p.MaxUrlBytes)
	}
	if err := urlrule.ValidateShape(u, int(p.MaxUrlBytes)); err != nil {
		return errorsmod.Wrapf(ErrInvalidField, "%s: %v", field, err)
	}
	if err := urlrule.CheckLocal(u, p.AllowLocalUrls); err != nil {
		return errorsmod.Wrapf(ErrInvalidField, "%s: %v", field, err)
	}
	return nil
}

// ValidateNodeID checks a node id's shape (x/nodes owns the exact rule; this bounds it).
func ValidateNodeID(id string) error {
	if id == "" || len(id) > MaxNodeIDLen {
		return errorsmod.Wrapf(ErrInvalidNodeID, "node id must be 1 to %d bytes", MaxNodeIDLen)
	}
	return nil
}

func validateText(field, s string, maxBytes uint32, required bool) error {
	if required && strings.TrimSpace(s) == "" {
		return errorsmod.Wrapf(ErrInvalidField, "%s is empty", field)
	}
	if len(s) > int(maxBytes) {
		return errorsmod.Wrapf(ErrFieldTooLarge, "%s is %d bytes, max %d", field, len(s), maxBytes)
	}
	if !utf8.ValidString(s) {
		return errorsmod.Wrapf(ErrInvalidField, "%s is not valid UTF-8", field)
	}
	return nil
}

// validatePath checks a context path: relative, no "..", no NUL or control characters.
func validatePath(path string, maxBytes uint32) error {
	if err := validateText("context path", path, maxBytes, true); err != nil {
		return err
	}
	if strings.HasPrefix(path, "/") || strings.ContainsAny(path, "\x00\n\r\\") {
		return errorsmod.Wrapf(ErrInvalidField, "context path %q must be relative with no control characters", path)
	}
	for _, part := range strings.Split(path, "/") {
		if part == ".." {
			return errorsmod.Wrapf(ErrInvalidField, "context path %q must not contain ..", path)
		}
	}
	return nil
}

// ValidatePost checks every field of a challenge against the params (no state read).
func (m *MsgPostChallenge) ValidatePost(p Params) error {
	if !IsTaskType(m.TaskType) {
		return errorsmod.Wrapf(ErrInvalidTaskType, "%s", m.TaskType)
	}
	if err := ValidateURL("snapshot url", m.Snapshot.Url, p); err != nil {
		return err
	}
	if err := ValidateSha256Hex("snapshot sha256", m.Snapshot.Sha256); err != nil {
		return err
	}
	if m.Snapshot.SizeBytes == 0 {
		return errorsmod.Wrap(ErrInvalidSnapshot, "snapshot size is 0")
	}
	if m.Snapshot.SizeBytes > p.MaxSnapshotBytes {
		return errorsmod.Wrapf(ErrFieldTooLarge, "snapshot is %d bytes, max %d", m.Snapshot.SizeBytes, p.MaxSnapshotBytes)
	}
	if err := validateText("problem statement", m.ProblemStatement, p.MaxStatementBytes, true); err != nil {
		return err
	}
	if len(m.ContextPaths) > int(p.MaxContextPaths) {
		return errorsmod.Wrapf(ErrFieldTooLarge, "%d context paths, max %d", len(m.ContextPaths), p.MaxContextPaths)
	}
	seen := map[string]bool{}
	for _, path := range m.ContextPaths {
		if err := validatePath(path, p.MaxPathBytes); err != nil {
			return err
		}
		if seen[path] {
			return errorsmod.Wrapf(ErrInvalidField, "duplicate context path %q", path)
		}
		seen[path] = true
	}
	if len(m.Checklist) > int(p.MaxChecklistItems) {
		return errorsmod.Wrapf(ErrFieldTooLarge, "%d checklist items, max %d", len(m.Checklist), p.MaxChecklistItems)
	}
	for _, item := range m.Checklist {
		if err := validateText("checklist item", item, p.MaxChecklistItemBytes, true); err != nil {
			return err
		}
	}
	// A context-selection challenge runs no tests: its command may be empty.
	testsRun := m.TaskType != TASK_TYPE_CONTEXT_SELECTION
	if err := validateText("test command", m.TestCommand, p.MaxTestCommandBytes, testsRun); err != nil {
		return err
	}
	if strings.ContainsAny(m.TestCommand, "\x00\n\r") {
		return errorsmod.Wrap(ErrInvalidField, "test command must be one line")
	}
	if err := ValidateSha256Hex("tests commitment", m.TestsCommitment); err != nil {
		return err
	}
	if m.MinMiners == 0 || m.MinMiners > m.MaxMiners || m.MaxMiners > p.MaxMiners {
		return errorsmod.Wrapf(ErrInvalidMinerCount, "need 1 <= min_miners (%d) <= max_miners (%d) <= %d", m.MinMiners, m.MaxMiners, p.MaxMiners)
	}
	if m.ResponseWindowBlocks < p.MinResponseWindowBlocks || m.ResponseWindowBlocks > p.MaxResponseWindowBlocks {
		return errorsmod.Wrapf(ErrInvalidWindow, "response window must be in [%d, %d] blocks", p.MinResponseWindowBlocks, p.MaxResponseWindowBlocks)
	}
	if m.EvaluationWindowBlocks < p.MinEvaluationWindowBlocks || m.EvaluationWindowBlocks > p.MaxEvaluationWindowBlocks {
		return errorsmod.Wrapf(ErrInvalidWindow, "evaluation window must be in [%d, %d] blocks", p.MinEvaluationWindowBlocks, p.MaxEvaluationWindowBlocks)
	}
	return nil
}

// ValidateScores checks an evaluator's scores: node ids well-formed and unique, each score
// at most 10000 basis points.
func ValidateScores(scores []MinerScore) error {
	if len(scores) == 0 {
		return errorsmod.Wrap(ErrInvalidScores, "no scores")
	}
	if len(scores) > MaxMinersCap {
		return errorsmod.Wrapf(ErrInvalidScores, "%d scores, max %d", len(scores), MaxMinersCap)
	}
	seen := map[string]bool{}
	for _, s := range scores {
		if err := ValidateNodeID(s.NodeId); err != nil {
			return errorsmod.Wrap(ErrInvalidScores, err.Error())
		}
		if seen[s.NodeId] {
			return errorsmod.Wrapf(ErrInvalidScores, "node %s scored twice", s.NodeId)
		}
		seen[s.NodeId] = true
		if s.ScoreBps > MaxBasisPoints {
			return errorsmod.Wrapf(ErrInvalidScores, "node %s: %d bps > %d", s.NodeId, s.ScoreBps, MaxBasisPoints)
		}
	}
	return nil
}
