package keeper

import (
	"context"
	"crypto/sha256"

	"cosmossdk.io/collections"
	errorsmod "cosmossdk.io/errors"
	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/cortnet/cortd/x/sessions/types"
)

// SubmitTask queues a task of an active session after reserving price × redundancy of
// its escrow; an underfunded session gets x/payments' ErrInsufficientEscrow.
func (s msgServer) SubmitTask(ctx context.Context, msg *types.MsgSubmitTask) (*types.MsgSubmitTaskResponse, error) {
	if err := msg.ValidateBasic(); err != nil {
		return nil, err
	}
	p, err := s.Params.Get(ctx)
	if err != nil {
		return nil, err
	}
	sess, err := s.GetSession(ctx, msg.SessionId)
	if err != nil {
		return nil, err
	}
	if msg.Owner != sess.Owner {
		return nil, errorsmod.Wrapf(types.ErrNotOwner, "session %d is owned by %s", sess.Id, sess.Owner)
	}
	if sess.Status != types.SESSION_STATUS_ACTIVE {
		return nil, errorsmod.Wrapf(types.ErrSessionNotActive, "session %d is %s", sess.Id, sess.Status)
	}
	if sess.Queued >= p.MaxQueuedPerSession {
		return nil, errorsmod.Wrapf(types.ErrQueueFull, "session %d has %d tasks queued", sess.Id, sess.Queued)
	}
	if len(msg.Prompt) > int(p.MaxPromptBytes) {
		return nil, errorsmod.Wrapf(types.ErrInvalidPrompt, "prompt of %d bytes > %d", len(msg.Prompt), p.MaxPromptBytes)
	}
	if len(msg.PromptType) > int(p.MaxPromptTypeLength) { // after ValidateBasic's known values: governance may tighten it
		return nil, errorsmod.Wrapf(types.ErrInvalidPrompt, "prompt_type longer than %d", p.MaxPromptTypeLength)
	}
	// An embedding task's result text is its prompt: refuse what no commit could carry.
	if msg.PromptType == types.PromptTypeEmbedding && len(msg.Prompt) > int(p.MaxResultBytes) {
		return nil, errorsmod.Wrapf(types.ErrInvalidPrompt, "embedding input of %d bytes > max_result_bytes %d", len(msg.Prompt), p.MaxResultBytes)
	}
	sampling := msg.SamplingParams()
	if err := sampling.Validate(sess.MaxTokens); err != nil {
		return nil, err
	}
	model, err := s.models.GetActiveModel(ctx, sess.ModelId)
	if err != nil {
		return nil, errorsmod.Wrapf(types.ErrModelUnavailable, "%q: %v", sess.ModelId, err)
	}
	reserve, err := taskReservation(sess, p)
	if err != nil {
		return nil, err
	}
	var id uint64
	err = atomic(ctx, func(ctx sdk.Context) error {
		if err := s.payments.Reserve(ctx, sess.Id, reserve); err != nil {
			return err
		}
		if id, err = s.NextTaskID.Next(ctx); err != nil {
			return err
		}
		h := ctx.BlockHeight()
		promptHash := sha256.Sum256([]byte(msg.Prompt))
		mode := sess.Verification.Effective()
		if mode == types.VERIFICATION_MODE_EXACT && sampling.Seed == 0 {
			// Exact results must match byte for byte: every node samples with one seed.
			sampling.Seed = types.ExactSeed(ctx.BlockHeader().LastBlockId.Hash, id)
		}
		t := types.Task{
			Id: id, SessionId: sess.Id, ModelId: sess.ModelId, EmbeddingDim: model.EmbeddingDim,
			Prompt: msg.Prompt, PromptSha256: promptHash[:], PromptType: msg.PromptType, Sampling: sampling,
			Status: types.TASK_STATUS_QUEUED, Reserved: reserve, SubmittedHeight: h, Paid: sdkmath.ZeroInt(),
			Verification: mode,
		}
		if err := s.setDeadline(ctx, &t, h+p.QueueTimeoutBlocks); err != nil {
			return err
		}
		t.ReadyHeight = h
		if err := s.Queue.Set(ctx, collections.Join(h, id)); err != nil {
			return err
		}
		if err := s.Tasks.Set(ctx, id, t); err != nil {
			return err
		}
		if err := s.TasksBySession.Set(ctx, collections.Join(sess.Id, id)); err != nil {
			return err
		}
		sess.Queued++
		sess.TasksSubmitted++
		if err := s.Sessions.Set(ctx, sess.Id, sess); err != nil {
			return err
		}
		return emit(ctx, &types.EventTaskSubmitted{TaskId: id, SessionId: sess.Id, Reserved: reserve.String()})
	})
	if err != nil {
		return nil, err
	}
	return &types.MsgSubmitTaskResponse{TaskId: id}, nil
}

// taskReservation is price × redundancy, the escrow a new task reserves. A session priced
// above today's max_price_per_task (governance lowered it, or state written before the
// bound) takes no new tasks: its owner closes it and gets the free escrow back. The
// product is overflow-checked, so no stored price can make this panic.
func taskReservation(sess types.Session, p types.Params) (sdkmath.Int, error) {
	if sess.PricePerTask.IsNil() || sess.PricePerTask.IsNegative() || sess.PricePerTask.GT(p.MaxPricePerTask) {
		return sdkmath.Int{}, errorsmod.Wrapf(types.ErrInvalidPrice, "session %d: price_per_task %s above max_price_per_task %s", sess.Id, sess.PricePerTask, p.MaxPricePerTask)
	}
	reserve, err := sess.PricePerTask.SafeMul(sdkmath.NewIntFromUint64(uint64(sess.Redundancy)))
	if err != nil {
		return sdkmath.Int{}, errorsmod.Wrapf(types.ErrInvalidPrice, "session %d: price × redundancy: %v", sess.Id, err)
	}
	return reserve, nil
}
