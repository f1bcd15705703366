package keeper

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"

	"cosmossdk.io/collections"
	errorsmod "cosmossdk.io/errors"

	storetypes "github.com/cosmos/cosmos-sdk/store/v2/types"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/cortnet/cortd/x/audits/types"
)

// OpenAudit is the API of subject modules (x/data, x/sessions): it opens an audit of
// (subjectModule, subjectID), draws the auditor and returns the audit id.
//
//   - subjectModule must have a route in the router (ErrUnknownSubjectModule); its handler
//     is called exactly once, with the outcome, when the audit closes.
//   - subjectID: 1-128 characters of [A-Za-z0-9._:-] (ErrInvalidSubject). A subject has at
//     most one open audit at a time (ErrAuditOpen); it may be audited again once closed.
//   - exclude: the operators that must not audit this subject (the subject's own
//     operator(s)), at most 16, compared as address bytes: pass the node operator's account
//     address; it matches the validator with the same operator.
//   - payloadHash: optional digest of what is audited (empty or 16-64 bytes,
//     ErrInvalidPayloadHash); it is stored and sent to the auditor in EventAuditAssigned.
//
// The auditor is drawn stake-weighted among the bonded validators (minus exclude) from
// sha256(previous block header hash ‖ "cortd/audits/auditor" ‖ audit id). With no
// eligible validator it fails with ErrNoEligibleAuditor: the subject module decides what
// that means (x/data should let the subject pass). The deadline is the current height +
// params.audit_deadline_blocks. Every check runs before the first write: on error nothing
// changed. It emits EventAuditAssigned.
func (k Keeper) OpenAudit(ctx context.Context, subjectModule, subjectID string, exclude []sdk.AccAddress, payloadHash []byte) (uint64, error) {
	if err := types.ValidateSubjectModule(subjectModule); err != nil {
		return 0, err
	}
	if err := types.ValidateSubjectID(subjectID); err != nil {
		return 0, err
	}
	if err := types.ValidatePayloadHash(payloadHash); err != nil {
		return 0, err
	}
	if len(exclude) > types.MaxExcluded {
		return 0, errorsmod.Wrapf(types.ErrInvalidSubject, "%d excluded operators, at most %d", len(exclude), types.MaxExcluded)
	}
	if _, ok := k.route(subjectModule); !ok {
		return 0, errorsmod.Wrapf(types.ErrUnknownSubjectModule, "%q", subjectModule)
	}
	subjectKey := types.SubjectKey(subjectModule, subjectID)
	if open, err := k.OpenBySubject.Get(ctx, subjectKey); err == nil {
		return 0, errorsmod.Wrapf(types.ErrAuditOpen, "%s/%s has open audit %d", subjectModule, subjectID, open)
	} else if !errors.Is(err, collections.ErrNotFound) {
		return 0, err
	}
	params, err := k.Params.Get(ctx)
	if err != nil {
		return 0, err
	}
	id, err := k.NextAuditID.Get(ctx)
	if err != nil {
		return 0, err
	}
	prev, err := k.prevBlockHash(ctx)
	if err != nil {
		return 0, err
	}
	seed := types.AuditorSeed(prev, id)
	val, err := k.SelectAuditor(ctx, seed, exclude)
	if err != nil {
		return 0, err
	}

	sdkCtx := sdk.UnwrapSDKContext(ctx)
	height := sdkCtx.BlockHeight()
	auditorAcc := sdk.AccAddress(val)
	audit := types.Audit{
		Id:               id,
		SubjectModule:    subjectModule,
		SubjectId:        subjectID,
		PayloadHash:      payloadHash,
		Auditor:          auditorAcc.String(),
		AuditorValidator: val.String(),
		Status:           types.AUDIT_STATUS_PENDING,
		OpenedHeight:     height,
		DeadlineHeight:   height + int64(params.AuditDeadlineBlocks),
		Seed:             seed,
	}
	if err := k.NextAuditID.Set(ctx, id+1); err != nil {
		return 0, err
	}
	if err := k.setNewAudit(ctx, audit); err != nil {
		return 0, err
	}
	if err := k.bumpRecord(ctx, audit.Auditor, func(r *types.AuditorRecord) { r.Assigned++ }); err != nil {
		return 0, err
	}
	if err := sdkCtx.EventManager().EmitTypedEvent(&types.EventAuditAssigned{
		AuditId: id, SubjectModule: subjectModule, SubjectId: subjectID, PayloadHash: hex.EncodeToString(payloadHash),
		Auditor: audit.Auditor, AuditorValidator: audit.AuditorValidator, DeadlineHeight: audit.DeadlineHeight,
	}); err != nil {
		return 0, err
	}
	k.Logger(ctx).Info("audit assigned", "id", id, "subject", subjectModule+"/"+subjectID, "auditor", audit.AuditorValidator)
	return id, nil
}

// setNewAudit writes an audit with all its indexes and its queue entry (genesis and
// OpenAudit).
func (k Keeper) setNewAudit(ctx context.Context, a types.Audit) error {
	if err := k.Audits.Set(ctx, a.Id, a); err != nil {
		return err
	}
	if err := k.BySubject.Set(ctx, collections.Join(types.SubjectKey(a.SubjectModule, a.SubjectId), a.Id)); err != nil {
		return err
	}
	auditor, err := sdk.AccAddressFromBech32(a.Auditor)
	if err != nil {
		return err
	}
	if err := k.ByAuditor.Set(ctx, collections.Join(auditor, a.Id)); err != nil {
		return err
	}
	if a.IsOpen() {
		if err := k.Open.Set(ctx, a.Id); err != nil {
			return err
		}
		if err := k.OpenBySubject.Set(ctx, types.SubjectKey(a.SubjectModule, a.SubjectId), a.Id); err != nil {
			return err
		}
	}
	return k.Queue.Set(ctx, collections.Join(a.QueueHeight(), a.Id))
}

// finalize moves an open audit to a final status: it leaves the open indexes, its queue
// entry moves to the prune height, the audit is stored, and the subject module's
// handler is called with the outcome and the auditor's figures (see types.Handler).
func (k Keeper) finalize(ctx context.Context, a types.Audit, status types.AuditStatus, outcome types.Outcome, figures []types.Figure) error {
	params, err := k.Params.Get(ctx)
	if err != nil {
		return err
	}
	if err := k.Queue.Remove(ctx, collections.Join(a.QueueHeight(), a.Id)); err != nil {
		return err
	}
	height := sdk.UnwrapSDKContext(ctx).BlockHeight()
	a.Status = status
	a.DecidedHeight = height
	a.PruneHeight = height + int64(params.RetentionBlocks)
	if err := k.Open.Remove(ctx, a.Id); err != nil {
		return err
	}
	if err := k.OpenBySubject.Remove(ctx, types.SubjectKey(a.SubjectModule, a.SubjectId)); err != nil {
		return err
	}
	if err := k.Queue.Set(ctx, collections.Join(a.PruneHeight, a.Id)); err != nil {
		return err
	}
	if err := k.Audits.Set(ctx, a.Id, a); err != nil {
		return err
	}
	return k.callHandler(ctx, a, outcome, figures)
}

// callHandler calls the subject module's handler in a cached context. On success its
// writes and events are kept. On an error (or a panic other than out-of-gas) they are
// discarded, the error is stored on the audit and EventHandlerFailed is emitted: a
// faulty subject module never halts the chain nor undoes the audit's outcome. An
// out-of-gas panic inside a transaction is re-raised so the transaction fails as usual.
func (k Keeper) callHandler(ctx context.Context, a types.Audit, outcome types.Outcome, figures []types.Figure) error {
	sdkCtx := sdk.UnwrapSDKContext(ctx)
	var herr error
	h, ok := k.route(a.SubjectModule)
	if !ok {
		herr = errorsmod.Wrapf(types.ErrUnknownSubjectModule, "%q", a.SubjectModule)
	} else {
		cacheCtx, write := sdkCtx.CacheContext()
		herr = safeCall(h, cacheCtx, a, outcome, figures)
		if herr == nil {
			write()
			return nil
		}
	}
	a.HandlerError = types.TruncateError(herr)
	if err := k.Audits.Set(ctx, a.Id, a); err != nil {
		return err
	}
	k.Logger(ctx).Error("audit handler failed", "id", a.Id, "subject", a.SubjectModule+"/"+a.SubjectId,
		"outcome", outcome.String(), "err", a.HandlerError)
	return sdkCtx.EventManager().EmitTypedEvent(&types.EventHandlerFailed{
		AuditId: a.Id, SubjectModule: a.SubjectModule, SubjectId: a.SubjectId, Outcome: outcome, Error: a.HandlerError,
	})
}

func safeCall(h types.Handler, ctx sdk.Context, a types.Audit, outcome types.Outcome, figures []types.Figure) (err error) {
	defer func() {
		if r := recover(); r != nil {
			if _, oog := r.(storetypes.ErrorOutOfGas); oog {
				panic(r)
			}
			err = fmt.Errorf("handler panicked: %v", r)
		}
	}()
	return h(ctx, a, outcome, figures...)
}

// getVote returns the vote of operator (address bytes) on an audit.
func (k Keeper) getVote(ctx context.Context, auditID uint64, operator []byte) (types.Vote, bool, error) {
	v, err := k.Votes.Get(ctx, collections.Join(auditID, sdk.AccAddress(operator)))
	if errors.Is(err, collections.ErrNotFound) {
		return types.Vote{}, false, nil
	}
	return v, err == nil, err
}

// BeginBlocker records the header hashes the auditor seed uses: the previous block's hash
// becomes the seed input for every audit opened in this block.
func (k Keeper) BeginBlocker(ctx context.Context) error {
	sdkCtx := sdk.UnwrapSDKContext(ctx)
	st, err := k.Seed.Get(ctx)
	if err != nil && !errors.Is(err, collections.ErrNotFound) {
		return err
	}
	if st.Height == sdkCtx.BlockHeight() && err == nil {
		return nil
	}
	return k.Seed.Set(ctx, types.SeedState{
		PrevBlockHash: st.BlockHash,
		BlockHash:     sdkCtx.HeaderInfo().Hash,
		Height:        sdkCtx.BlockHeight(),
	})
}

// EndBlocker processes the queue entries due at or before this height, at most
// params.max_queue_per_block of them (the rest wait for the next block, in key order):
// a PENDING audit past its deadline is MISSED (recorded against the auditor, the subject
// passes), a VOTING audit whose window closed is tallied (FRAUD or CLEARED), a final
// audit past its retention is pruned with its votes and index entries.
func (k Keeper) EndBlocker(ctx context.Context) error {
	params, err := k.Params.Get(ctx)
	if err != nil {
		return err
	}
	height := sdk.UnwrapSDKContext(ctx).BlockHeight()
	rng := new(collections.Range[collections.Pair[int64, uint64]]).
		EndInclusive(collections.Join(height, ^uint64(0)))
	due := make([]collections.Pair[int64, uint64], 0, 16)
	err = k.Queue.Walk(ctx, rng, func(key collections.Pair[int64, uint64]) (bool, error) {
		due = append(due, key)
		return len(due) >= int(params.MaxQueuePerBlock), nil
	})
	if err != nil {
		return err
	}
	for _, key := range due {
		if err := k.processDue(ctx, key.K2()); err != nil {
			return err
		}
	}
	return nil
}

func (k Keeper) processDue(ctx context.Context, id uint64) error {
	a, err := k.Audits.Get(ctx, id)
	if err != nil {
		return err
	}
	switch a.Status {
	case types.AUDIT_STATUS_PENDING:
		return k.expire(ctx, a)
	case types.AUDIT_STATUS_VOTING:
		return k.decide(ctx, a)
	default:
		return k.prune(ctx, a)
	}
}

func (k Keeper) expire(ctx context.Context, a types.Audit) error {
	if err := k.bumpRecord(ctx, a.Auditor, func(r *types.AuditorRecord) { r.Missed++ }); err != nil {
		return err
	}
	if err := sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(&types.EventAuditExpired{
		AuditId: a.Id, SubjectModule: a.SubjectModule, SubjectId: a.SubjectId, Auditor: a.Auditor,
	}); err != nil {
		return err
	}
	return k.finalize(ctx, a, types.AUDIT_STATUS_MISSED, types.OUTCOME_MISSED_PASS, nil)
}

func (k Keeper) decide(ctx context.Context, a types.Audit) error {
	tally, err := k.ComputeTally(ctx, a.Id)
	if err != nil {
		return err
	}
	a.Tally = &tally
	status, outcome := types.AUDIT_STATUS_CLEARED, types.OUTCOME_CLEARED
	if tally.Fraud {
		status, outcome = types.AUDIT_STATUS_FRAUD, types.OUTCOME_FRAUD
	}
	if err := k.bumpRecord(ctx, a.Auditor, func(r *types.AuditorRecord) {
		if tally.Fraud {
			r.Upheld++
		} else {
			r.Rejected++
		}
	}); err != nil {
		return err
	}
	if err := sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(&types.EventFraudDecided{
		AuditId: a.Id, SubjectModule: a.SubjectModule, SubjectId: a.SubjectId, Fraud: tally.Fraud,
		YesStake: tally.YesStake.String(), NoStake: tally.NoStake.String(), TotalStake: tally.TotalStake.String(),
	}); err != nil {
		return err
	}
	var figures []types.Figure
	if a.Report != nil {
		figures = a.Report.Figures
	}
	return k.finalize(ctx, a, status, outcome, figures)
}

// prune deletes a final audit, its index entries and its votes (at most one per
// validator that ever voted on it).
func (k Keeper) prune(ctx context.Context, a types.Audit) error {
	if err := k.Queue.Remove(ctx, collections.Join(a.PruneHeight, a.Id)); err != nil {
		return err
	}
	if err := k.BySubject.Remove(ctx, collections.Join(types.SubjectKey(a.SubjectModule, a.SubjectId), a.Id)); err != nil {
		return err
	}
	auditor, err := sdk.AccAddressFromBech32(a.Auditor)
	if err != nil {
		return err
	}
	if err := k.ByAuditor.Remove(ctx, collections.Join(auditor, a.Id)); err != nil {
		return err
	}
	var voters []sdk.AccAddress
	err = k.Votes.Walk(ctx, collections.NewPrefixedPairRange[uint64, sdk.AccAddress](a.Id),
		func(key collections.Pair[uint64, sdk.AccAddress], _ types.Vote) (bool, error) {
			voters = append(voters, key.K2())
			return false, nil
		})
	if err != nil {
		return err
	}
	for _, v := range voters {
		if err := k.Votes.Remove(ctx, collections.Join(a.Id, v)); err != nil {
			return err
		}
	}
	return k.Audits.Remove(ctx, a.Id)
}
