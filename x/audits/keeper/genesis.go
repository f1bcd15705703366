package keeper

import (
	"context"

	"cosmossdk.io/collections"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/cortnet/cortd/x/audits/types"
)

// InitGenesis writes params, the next id, audits (with their indexes and queue entries,
// rebuilt), votes and auditor records. It refuses a state that GenesisState.Validate
// (what `cortd genesis validate` runs) rejects, before writing anything: the writes below
// trust the cross references Validate checks.
func (k Keeper) InitGenesis(ctx context.Context, gs *types.GenesisState) error {
	if err := gs.Validate(); err != nil {
		return err
	}
	if err := k.Params.Set(ctx, gs.Params); err != nil {
		return err
	}
	if err := k.NextAuditID.Set(ctx, gs.NextAuditId); err != nil {
		return err
	}
	for _, a := range gs.Audits {
		if err := k.setNewAudit(ctx, a); err != nil {
			return err
		}
	}
	for _, v := range gs.Votes {
		voter, err := sdk.AccAddressFromBech32(v.Voter)
		if err != nil {
			return err
		}
		if err := k.Votes.Set(ctx, collections.Join(v.AuditId, voter), v); err != nil {
			return err
		}
	}
	for _, r := range gs.AuditorRecords {
		addr, err := sdk.AccAddressFromBech32(r.Auditor)
		if err != nil {
			return err
		}
		if err := k.AuditorRecords.Set(ctx, addr, r); err != nil {
			return err
		}
	}
	return nil
}

// ExportGenesis reads the state: audits and votes in id order, records in address order.
func (k Keeper) ExportGenesis(ctx context.Context) (*types.GenesisState, error) {
	params, err := k.Params.Get(ctx)
	if err != nil {
		return nil, err
	}
	next, err := k.NextAuditID.Get(ctx)
	if err != nil {
		return nil, err
	}
	gs := &types.GenesisState{Params: params, NextAuditId: next,
		Audits: []types.Audit{}, Votes: []types.Vote{}, AuditorRecords: []types.AuditorRecord{}}
	if err := k.Audits.Walk(ctx, nil, func(_ uint64, a types.Audit) (bool, error) {
		gs.Audits = append(gs.Audits, a)
		return false, nil
	}); err != nil {
		return nil, err
	}
	if err := k.Votes.Walk(ctx, nil, func(_ collections.Pair[uint64, sdk.AccAddress], v types.Vote) (bool, error) {
		gs.Votes = append(gs.Votes, v)
		return false, nil
	}); err != nil {
		return nil, err
	}
	if err := k.AuditorRecords.Walk(ctx, nil, func(_ sdk.AccAddress, r types.AuditorRecord) (bool, error) {
		gs.AuditorRecords = append(gs.AuditorRecords, r)
		return false, nil
	}); err != nil {
		return nil, err
	}
	return gs, nil
}
