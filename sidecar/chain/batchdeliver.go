package chain

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	sdk "github.com/cosmos/cosmos-sdk/types"
	sdkerrors "github.com/cosmos/cosmos-sdk/types/errors"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// deliver sends groups as one tx and hands each its outcome. resends counts how
// often these groups were already sent without landing.
func (b *Batcher) deliver(groups []*group, resends int) { b.deliverGas(groups, resends, 0, 0) }

// deliverAimed is a first delivery sent at the send point for block aim (0: not).
func (b *Batcher) deliverAimed(groups []*group, aim int64) { b.deliverGas(groups, 0, 0, aim) }

// deliverGas is deliver with the gas already known (simulated) when gas > 0 and the
// sender can sign with a given gas: the tx is not simulated again. aim is the block
// the tx was sent for at the send point (0: not), to learn the lead from.
func (b *Batcher) deliverGas(groups []*group, resends int, gas uint64, aim int64) {
	ctx := b.ctx
	var msgs []sdk.Msg
	for _, g := range groups {
		msgs = append(msgs, g.msgs...)
	}
	var bz []byte
	var timeout time.Time
	var err error
	if gs, ok := b.tx.(gasSigner); ok && gas > 0 {
		bz, timeout, err = gs.SignUnorderedGas(ctx, b.cfg.TTL, msgs, gas)
	} else {
		bz, timeout, err = b.tx.SignUnordered(ctx, b.cfg.TTL, msgs)
	}
	if err != nil {
		b.failed(groups, err, resends)
		return
	}
	hash := TxHash(bz)
	b.Stats.Txs.Add(1)
	b.Stats.Msgs.Add(uint64(len(msgs)))
	for n := uint64(len(msgs)); ; {
		cur := b.Stats.MaxMsgs.Load()
		if n <= cur || b.Stats.MaxMsgs.CompareAndSwap(cur, n) {
			break
		}
	}
	err = b.tx.Broadcast(ctx, bz)
	var res *sdk.TxResponse
	if err == nil || Is(err, sdkerrors.ErrTxInMempoolCache) || !refusedAtCheck(err) {
		// Accepted, already in the mempool, or an answer that was lost (the tx may
		// be in the mempool): follow it by hash until it lands or never can.
		res, err = b.await(ctx, hash, timeout)
		if res != nil {
			b.landed(aim, res.Height)
		}
	}
	if err != nil {
		b.failed(groups, err, resends)
		return
	}
	if l, ok := b.tx.(gasLearner); ok && res != nil && res.GasUsed > 0 {
		l.Landed(msgs, uint64(res.GasUsed))
	}
	off := 0
	for _, g := range groups {
		b.Stats.Delivered.Add(1)
		g.done(BatchResult{Tx: res, Index: off})
		off += len(g.msgs)
	}
}

// refusedAtCheck reports whether a broadcast error is the node's CheckTx answer
// (the tx is not in its mempool), as opposed to a lost answer.
func refusedAtCheck(err error) bool {
	var te *TxError
	return errors.As(err, &te)
}

// await polls for the tx by hash until it is in a block, or until the chain's
// block time has passed its timeout (then ErrNotIncluded, which is final).
func (b *Batcher) await(ctx context.Context, hash string, timeout time.Time) (*sdk.TxResponse, error) {
	past := false
	retried := false // looked up again after a block's first miss (the tx index runs just behind the block)
	for {
		res, err := b.tx.FindTx(ctx, hash)
		if err == nil && res != nil {
			if res.Code != 0 {
				return res, &TxError{Hash: hash, Codespace: res.Codespace, Code: res.Code, Log: res.RawLog, Height: res.Height}
			}
			return res, nil
		}
		if past {
			// The block past the timeout was seen on the previous poll: this last
			// lookup gave the tx indexer, which runs just behind the block, its time.
			return nil, fmt.Errorf("%w: %s: the chain's time passed its timeout %s", ErrNotIncluded, hash, timeout.UTC().Format(time.RFC3339Nano))
		}
		if now := b.now(); now.After(timeout) {
			bt, berr := b.tx.BlockTime(ctx)
			switch {
			case berr == nil && bt.After(timeout):
				past = true
			case now.After(timeout.Add(b.cfg.GiveUp)):
				// The chain cannot be read: the tx may still land, so this is no
				// ErrNotIncluded and nothing is sent again.
				return nil, fmt.Errorf("chain: tx %s: outcome unknown %s after its timeout (block time: %v, lookup: %v)", hash, b.cfg.GiveUp, berr, err)
			}
		}
		// Next lookup: shortly after the next block when block notices come (the
		// tx can only land in a block), else after Poll.
		wait := b.cfg.Poll
		next, following := b.nextBlock()
		if following && !retried {
			retried = true
			wait = b.cfg.Poll // once more this block, in case the index was behind
		} else if following {
			retried = false
			select {
			case <-ctx.Done():
				return nil, ctx.Err()
			case <-next:
			case <-time.After(4 * b.blockInterval()):
			}
			wait = indexLag
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(wait):
		}
	}
}

// indexLag is how long after a block notice a tx is looked up: the node indexes
// the block's txs just after publishing its events.
const indexLag = 50 * time.Millisecond

func (b *Batcher) blockInterval() time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	return max(b.interval, 100*time.Millisecond)
}

// failure says what a failed tx means for its groups.
type failure int

const (
	failFinal   failure = iota // no verdict on the content (transport, closed): every group gets the error
	failMessage                // the chain named the failing message: its group goes alone, the rest again
	failContent                // the chain refused the tx without naming a message: bisect
	failRetry                  // nothing landed for reasons not in the tx (dropped, mempool full): send again
	failGas                    // the tx ran out of gas in its block: send again with more gas
)

// gasSigner is a TxSender that can sign without simulating, with the gas a
// simulation already reported (a Signer's can).
type gasSigner interface {
	SignUnorderedGas(ctx context.Context, ttl time.Duration, msgs []sdk.Msg, gasUsed uint64) ([]byte, time.Time, error)
}

// simGasRe reads the gas a failed simulation used (the SDK appends it to the error).
var simGasRe = regexp.MustCompile(`with gas used: '(\d+)'`)

// distruster is a TxSender that predicts gas without simulating (a Signer's does):
// after a tx failed in its block it simulates again for a while, so refused
// messages are found before sending.
type distruster interface{ Distrust() }

// gasPredictor is a TxSender that says which of its txs were signed with predicted
// gas (a Signer's does).
type gasPredictor interface{ Predicted(hash string) bool }

// gasLearner is a TxSender whose gas predictions learn from what its txs used in
// their blocks (a Signer's do).
type gasLearner interface {
	Landed(msgs []sdk.Msg, gasUsed uint64)
}

// gasRaiser is a TxSender that can raise the gas it asks for (a Signer's does).
type gasRaiser interface {
	// RaiseGas makes later txs ask for more gas than the simulation said, and
	// returns the new margin.
	RaiseGas() float64
}

var msgIndexRe = regexp.MustCompile(`message index: (\d+)`)

// classify reads a failed tx's error; idx is the failing message for failMessage.
func classify(err error) (failure, int) {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return failFinal, 0
	}
	if errors.Is(err, ErrNotIncluded) || Is(err, sdkerrors.ErrMempoolIsFull) {
		return failRetry, 0
	}
	var te *TxError
	var se *SimulationError
	switch {
	case errors.As(err, &te):
		// Out of gas in its block: the simulation ran on the state before the block,
		// and a message can cost more in it (a node's precommit that turns out to be
		// a task's last opens its commit phase). Nothing is wrong with the messages.
		if te.Height > 0 && te.Codespace == sdkerrors.ErrOutOfGas.Codespace() && te.Code == sdkerrors.ErrOutOfGas.ABCICode() {
			return failGas, 0
		}
		// The unordered nonce (signer, timeout timestamp) was taken: another
		// process signs with this key. A new timestamp fixes it.
		if te.Codespace == sdkerrors.ErrInvalidRequest.Codespace() && te.Code == sdkerrors.ErrInvalidRequest.ABCICode() &&
			strings.Contains(te.Log, "unordered nonce") {
			return failRetry, 0
		}
	case errors.As(err, &se):
		// The node answers a refused simulation with codes.Unknown; anything else
		// (unavailable, deadline) says nothing about the messages.
		if c := status.Code(se.Err); c != codes.Unknown && c != codes.InvalidArgument {
			return failFinal, 0
		}
	default:
		return failFinal, 0
	}
	if m := msgIndexRe.FindStringSubmatch(err.Error()); m != nil {
		if i, perr := strconv.Atoi(m[1]); perr == nil {
			return failMessage, i
		}
	}
	return failContent, 0
}

// contended reports whether err is a failure in a block that came from the other txs
// of that block (BatcherConfig.Contended): simulations, which run on the state
// before the block, would not have found it, so it does not bring them back.
func (b *Batcher) contended(err error) bool {
	var te *TxError
	return b.cfg.Contended != nil && errors.As(err, &te) && te.Height > 0 && b.cfg.Contended(err)
}

// failed hands out a failed tx's outcome: the error to a lone group, a split to
// several.
func (b *Batcher) failed(groups []*group, err error, resends int) {
	kind, idx := classify(err)
	if d, ok := b.tx.(distruster); ok && kind != failFinal && kind != failRetry && !b.contended(err) && !lone(groups, kind) {
		d.Distrust()
	}
	switch kind {
	case failRetry:
		if resends < b.cfg.MaxResends && b.ctx.Err() == nil {
			b.Stats.Resends.Add(uint64(len(groups)))
			b.log.Info("tx not included; sending its messages again", "groups", len(groups), "resend", resends+1, "err", err)
			if Is(err, sdkerrors.ErrMempoolIsFull) {
				select {
				case <-b.ctx.Done():
				case <-time.After(time.Duration(resends+1) * b.cfg.Poll):
				}
			}
			b.deliver(groups, resends+1)
			return
		}
	case failGas:
		if resends < b.cfg.MaxResends && b.ctx.Err() == nil {
			// A tx whose gas was predicted: the prediction was short, and the model
			// relearns from the simulations Distrust brought back (the resend is one).
			// One whose gas was simulated: the block cost more than the simulation,
			// and the margin on simulations rises.
			margin, predicted := 0.0, false
			var te *TxError
			if p, ok := b.tx.(gasPredictor); ok && errors.As(err, &te) {
				predicted = p.Predicted(te.Hash)
			}
			if r, ok := b.tx.(gasRaiser); ok && !predicted {
				margin = r.RaiseGas()
			}
			b.Stats.Resends.Add(uint64(len(groups)))
			b.log.Warn("a tx ran out of gas in its block; sending its messages again with more gas",
				"groups", len(groups), "resend", resends+1, "predicted", predicted, "gas_margin", margin, "err", err)
			b.deliver(groups, resends+1)
			return
		}
	case failMessage, failContent:
		if len(groups) > 1 {
			b.Stats.Splits.Add(1)
			b.split(groups, kind, idx, resends, err)
			return
		}
	}
	for _, g := range groups {
		b.Stats.Failed.Add(1)
		g.done(BatchResult{Err: err})
	}
}

// lone reports a refusal of a tx that carried one group: the error is that group's
// own, no other message was reverted or has to be sent again, so the simulations it
// would bring back (gasModelHold batches, each run in full by the node) would guard
// nothing. A miner's lone refused message (a precommit already on chain, or a
// heartbeat too soon: both expected, both silent) made its next 16 batches of up
// to 1,000 messages simulate. Out of gas still distrusts: the model was wrong.
func lone(groups []*group, kind failure) bool {
	return len(groups) == 1 && (kind == failMessage || kind == failContent)
}

// split sends the group holding message idx alone and the others again
// (failMessage), or the two halves apart (failContent).
func (b *Batcher) split(groups []*group, kind failure, idx, resends int, err error) {
	if kind == failMessage {
		off := 0
		for i, g := range groups {
			if idx >= off && idx < off+len(g.msgs) {
				b.log.Info("a message failed inside a batch; sending it alone and the others again", "index", idx, "groups", len(groups), "msg", sdk.MsgTypeURL(groups[i].msgs[idx-off]), "err", err)
				if b.splitAfterSimulation(groups, i, resends, err) {
					return
				}
				rest := make([]*group, 0, len(groups)-1)
				rest = append(append(rest, groups[:i]...), groups[i+1:]...)
				b.spawn(rest, resends)
				b.deliver([]*group{g}, resends)
				return
			}
			off += len(g.msgs)
		}
		// An index outside the tx: fall back to bisection.
	}
	half := len(groups) / 2
	b.log.Info("a batch was refused without naming a message; bisecting", "groups", len(groups), "err", err)
	b.spawn(groups[half:], resends)
	b.deliver(groups[:half], resends)
}

// splitAfterSimulation splits a batch whose simulation failed at group i. The SDK
// simulates messages in order and stops at the first failure, so the groups before
// i passed, and the gas it reports covers them: they are sent as one tx without a
// new simulation, group i alone (for its own error), and only the groups after i
// are simulated again. Re-simulating everything but the failing group instead cost
// a simulation of the whole batch per failing message: under overload, with a
// hundred late reveals in a batch of a thousand, that kept a miner's txs out of
// blocks for tens of seconds. It returns false (nothing sent) when the sender cannot
// sign with a given gas or the error is not a simulation's.
func (b *Batcher) splitAfterSimulation(groups []*group, i, resends int, err error) bool {
	var se *SimulationError
	if _, ok := b.tx.(gasSigner); !ok || !errors.As(err, &se) {
		return false
	}
	m := simGasRe.FindStringSubmatch(err.Error())
	if m == nil {
		return false
	}
	gas, perr := strconv.ParseUint(m[1], 10, 64)
	if perr != nil || gas == 0 {
		return false
	}
	if i > 0 {
		prefix := groups[:i:i]
		b.wg.Add(1)
		go func() {
			defer b.wg.Done()
			b.deliverGas(prefix, resends, gas, 0)
		}()
	}
	rest, doomed := b.sameFate(groups[i+1:], groups[i], idx(groups, i, err), err)
	if len(rest) > 0 {
		b.spawn(rest, resends)
	}
	if doomed {
		return true
	}
	b.deliver([]*group{groups[i]}, resends)
	return true
}

// idx is the index inside group i of the message err names (0 when it names none).
func idx(groups []*group, i int, err error) int {
	off := 0
	for _, g := range groups[:i] {
		off += len(g.msgs)
	}
	if m := msgIndexRe.FindStringSubmatch(err.Error()); m != nil {
		if n, perr := strconv.Atoi(m[1]); perr == nil && n-off >= 0 && n-off < len(groups[i].msgs) {
			return n - off
		}
	}
	return 0
}

// sameFate ends refused (whose message at index at was refused with err) and every
// group of rest whose messages SameFate says share its fate, with err, and returns
// the groups left to send. doomed reports whether refused was ended.
func (b *Batcher) sameFate(rest []*group, refused *group, at int, err error) (left []*group, doomed bool) {
	if b.cfg.SameFate == nil {
		return rest, false
	}
	same := b.cfg.SameFate(refused.msgs[at], err)
	if same == nil {
		return rest, false
	}
	fail := func(g *group) {
		b.Stats.Failed.Add(1)
		g.done(BatchResult{Err: err})
	}
	n := 1
	fail(refused)
	for _, g := range rest {
		if slices.IndexFunc(g.msgs, func(m sdk.Msg) bool { return !same(m) }) >= 0 {
			left = append(left, g)
			continue
		}
		n++
		fail(g)
	}
	b.log.Info("refused with the message before them in the batch", "groups", n, "err", err)
	return left, true
}
