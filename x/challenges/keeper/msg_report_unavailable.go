package keeper

import (
	"context"

	"github.com/cortnet/cortd/x/challenges/types"
)

// ReportUnavailable records a bonded validator's failed availability probe of an invited node.
func (s msgServer) ReportUnavailable(ctx context.Context, msg *types.MsgReportUnavailable) (*types.MsgReportUnavailableResponse, error) {
	return s.Keeper.ReportUnavailable(ctx, msg)
}
