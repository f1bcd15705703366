package chain

import (
	"context"
	"errors"
	"time"

	sdk "github.com/cosmos/cosmos-sdk/types"
)

// Send broadcasts msgs as an ordered tx through the key's queue and waits for its
// block. Sequences are handed out one at a time under the queue's lock; a
// mismatch (another process used the key, a tx was dropped from the mempool)
// resyncs the sequence, from the node's own "expected N" when it says so and
// otherwise by re-reading the account, and resends: callers never see a mismatch
// unless it persists MaxSequenceRetries times.
func (s *Signer) Send(ctx context.Context, msgs ...sdk.Msg) (*sdk.TxResponse, error) {
	var hash string
	var err error
	for attempt := 0; ; attempt++ {
		hash, err = s.submitOrdered(ctx, msgs)
		if err == nil {
			break
		}
		if !IsSequenceMismatch(err) || attempt >= s.cfg.MaxSequenceRetries || ctx.Err() != nil {
			s.Stats.Failed.Add(1)
			return nil, err
		}
		s.Stats.SequenceMismatches.Add(1)
		s.log.Info("sequence mismatch, resynced and resending", "attempt", attempt+1, "err", err)
		// A node that just committed a block rechecks its mempool; until it is done
		// its check state can lag behind our accepted txs. Give it a moment.
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(time.Duration(attempt+1) * 150 * time.Millisecond):
		}
	}
	s.Stats.Sent.Add(1)
	res, err := s.c.WaitTx(ctx, hash, s.cfg.InclusionTimeout)
	if errors.Is(err, ErrNotIncluded) {
		// The tx may have been dropped; later sequences would then be refused.
		s.forgetSequence()
	}
	if err != nil {
		s.Stats.Failed.Add(1)
	}
	return res, err
}

func (s *Signer) forgetSequence() {
	s.seqMu.Lock()
	s.seqKnown = false
	s.seqMu.Unlock()
}

// submitOrdered signs with the next sequence and broadcasts, under the queue lock.
func (s *Signer) submitOrdered(ctx context.Context, msgs []sdk.Msg) (string, error) {
	s.seqMu.Lock()
	defer s.seqMu.Unlock()
	if !s.seqKnown {
		num, seq, err := s.c.Account(ctx, s.Address())
		if err != nil {
			return "", err
		}
		s.accMu.Lock()
		s.accNum, s.accOK = num, true
		s.accMu.Unlock()
		s.seq, s.seqKnown = seq, true
	}
	num, err := s.accountNumber(ctx)
	if err != nil {
		return "", err
	}
	bz, err := s.build(ctx, s.factory(num, s.seq), msgs)
	if err != nil {
		s.resync(err)
		return "", err
	}
	hash, err := s.c.Broadcast(ctx, bz)
	if err != nil {
		var te *TxError
		if errors.As(err, &te) {
			// A CheckTx rejection does not consume the sequence unless it is a mismatch.
			s.resync(err)
		} else {
			// Transport error: the tx may or may not be in the mempool.
			s.seqKnown = false
		}
		return "", err
	}
	s.seq++
	return hash, nil
}

// resync fixes the sequence after a mismatch error (lock held).
func (s *Signer) resync(err error) {
	if !IsSequenceMismatch(err) {
		return
	}
	if want, ok := expectedSequence(err); ok {
		// Never step back: a lower "expected" comes from a check state that has not
		// re-applied our pending txs yet (mempool recheck after a block), and reusing
		// a sequence would rebuild a tx already in the mempool. A tx really dropped
		// is noticed by its inclusion timeout, which forgets the sequence.
		if want > s.seq {
			s.seq = want
		}
		return
	}
	s.seqKnown = false
}
