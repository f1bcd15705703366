// Package v2 migrates x/challenges from consensus version 1 to 2.
//
// Version 2 adds the context-selection task type (TASK_TYPE_CONTEXT_SELECTION: answers
// are canonical file lists of at most params.max_answer_files paths), splits the epoch
// emission between task types by params.emission_shares (EpochClose.share_weights fixes
// them when a close starts paying), and adds availability reports (MsgReportUnavailable:
// invitations skip a node reported by params.unavailable_min_reports validators, for
// params.unavailable_skip_blocks; two new collections, Reports and ReportExpiry, that
// start empty). All are new protobuf fields, so stored records read unchanged: a close
// that began paying under version 1 has no share weights and finishes with its equal
// share per type. The params stored by version 1 read max_answer_files 0 (no
// context-selection answer could be revealed), no emission shares (equal shares) and 0
// for both availability params (invalid); the migration sets all four to version 2's
// defaults, so upgraded chains behave as new ones.
package v2

import (
	"context"

	"cosmossdk.io/collections"
	errorsmod "cosmossdk.io/errors"

	"github.com/cortnet/cortd/x/challenges/types"
)

// MigrateParams sets the params version 2 adds to their defaults, checking the result.
func MigrateParams(ctx context.Context, params collections.Item[types.Params]) error {
	p, err := params.Get(ctx)
	if err != nil {
		return errorsmod.Wrapf(types.ErrInvalidParams, "migrating x/challenges to v2: reading params: %v", err)
	}
	d := types.DefaultParams()
	p.MaxAnswerFiles = d.MaxAnswerFiles
	p.EmissionShares = d.EmissionShares
	p.UnavailableSkipBlocks = d.UnavailableSkipBlocks
	p.UnavailableMinReports = d.UnavailableMinReports
	if err := p.Validate(); err != nil {
		return errorsmod.Wrapf(err, "migrating x/challenges to v2")
	}
	return params.Set(ctx, p)
}
