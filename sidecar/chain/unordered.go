package chain

import (
	"context"
	"time"

	clienttx "github.com/cosmos/cosmos-sdk/client/tx"
	sdk "github.com/cosmos/cosmos-sdk/types"
)

// nextTimeout returns a timeout timestamp TTL ahead, strictly later than any this
// signer handed out before: the chain keys unordered nonces by (signer, timeout
// timestamp in ns), so two txs in flight must never share one.
func (s *Signer) nextTimeout(ttl time.Duration) time.Time {
	s.tsMu.Lock()
	defer s.tsMu.Unlock()
	t := time.Now().Add(ttl).Round(0)
	if !t.After(s.lastTS) {
		t = s.lastTS.Add(time.Nanosecond)
	}
	s.lastTS = t
	return t
}

// SignUnordered signs msgs as an unordered tx (no sequence, a fresh timeout
// timestamp as its nonce) without sending it.
func (s *Signer) SignUnordered(ctx context.Context, msgs ...sdk.Msg) ([]byte, time.Time, error) {
	return s.signUnordered(ctx, s.cfg.UnorderedTTL, msgs)
}

// signUnordered is SignUnordered with the timeout ttl ahead (a Batcher's own TTL).
func (s *Signer) signUnordered(ctx context.Context, ttl time.Duration, msgs []sdk.Msg) ([]byte, time.Time, error) {
	return s.unordered(ctx, ttl, func(f clienttx.Factory) ([]byte, error) { return s.build(ctx, f, msgs) })
}

// signUnorderedBatch is signUnordered with the gas model's prediction in place of
// the simulation when it has one: a Batcher's sends, whose failures in the block
// it handles (and reports with Distrust).
func (s *Signer) signUnorderedBatch(ctx context.Context, ttl time.Duration, msgs []sdk.Msg) ([]byte, time.Time, error) {
	return s.unordered(ctx, ttl, func(f clienttx.Factory) ([]byte, error) { return s.buildPredicted(ctx, f, msgs) })
}

// signUnorderedGas is signUnordered with the gas a simulation already reported.
func (s *Signer) signUnorderedGas(ctx context.Context, ttl time.Duration, msgs []sdk.Msg, gasUsed uint64) ([]byte, time.Time, error) {
	return s.unordered(ctx, ttl, func(f clienttx.Factory) ([]byte, error) { return s.sign(ctx, f, msgs, gasUsed) })
}

// unordered builds an unordered tx with sign, from a factory whose timeout
// timestamp is a fresh one ttl ahead, and returns it with that timeout.
func (s *Signer) unordered(ctx context.Context, ttl time.Duration, sign func(clienttx.Factory) ([]byte, error)) ([]byte, time.Time, error) {
	num, err := s.accountNumber(ctx)
	if err != nil {
		return nil, time.Time{}, err
	}
	timeout := s.nextTimeout(ttl)
	bz, err := sign(s.factory(num, 0).WithUnordered(true).WithTimeoutTimestamp(timeout))
	return bz, timeout, err
}

// BroadcastUnordered signs msgs as an unordered tx and broadcasts it; it returns
// the hash and the tx's timeout timestamp. Any number may be in flight at once.
func (s *Signer) BroadcastUnordered(ctx context.Context, msgs ...sdk.Msg) (string, time.Time, error) {
	bz, timeout, err := s.SignUnordered(ctx, msgs...)
	if err != nil {
		s.Stats.Failed.Add(1)
		return "", timeout, err
	}
	hash, err := s.c.Broadcast(ctx, bz)
	if err != nil {
		s.Stats.Failed.Add(1)
		return hash, timeout, err
	}
	s.Stats.Sent.Add(1)
	return hash, timeout, nil
}

// SendUnordered broadcasts msgs unordered and waits for the tx's block. The wait
// lasts until a little after the timeout timestamp, so ErrNotIncluded is final:
// the tx can no longer land and the caller may send the messages again.
func (s *Signer) SendUnordered(ctx context.Context, msgs ...sdk.Msg) (*sdk.TxResponse, error) {
	hash, timeout, err := s.BroadcastUnordered(ctx, msgs...)
	if err != nil {
		return nil, err
	}
	// Block time lags wall time by up to a block or two; wait past that.
	wait := time.Until(timeout) + 10*time.Second
	res, err := s.c.WaitTx(ctx, hash, wait)
	if err != nil {
		s.Stats.Failed.Add(1)
	}
	return res, err
}
