package chain

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	errorsmod "cosmossdk.io/errors"
	sdk "github.com/cosmos/cosmos-sdk/types"
	sdkerrors "github.com/cosmos/cosmos-sdk/types/errors"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// fakeTxChain is a chain for the batcher's tests. Messages are bank sends whose
// FromAddress names them ("m3"). A tx is simulated (simFail refuses a message with
// the SDK's "message index" wording, antePass refuses a whole tx without naming
// one), broadcast (the next mempoolFull broadcasts are refused as a full mempool's,
// the next lost broadcasts reach the mempool but answer a transport error, the
// next drop accepted txs never land) and included at once, atomically: execFail
// makes a message fail in its block and reverts the tx. The chain's time is the
// wall clock. applied counts every message committed, so a double send shows.
type fakeTxChain struct {
	mu sync.Mutex

	simFail  func(name string) error
	execFail func(name string) error
	antePass func(names []string) error
	simErr   error // every simulation fails with this (transport)
	blockErr error // BlockTime fails with this

	mempoolFull, lost, drop int
	// oog: the next oog txs run out of gas in their block (reverted, code 11);
	// raises counts RaiseGas calls.
	oog, raises int
	// distrusts counts Distrust calls (a tx failed in its block: simulate again).
	distrusts int
	// predictAll: every tx is reported as signed with predicted gas.
	predictAll bool
	// landedGas: the Landed calls (messages and gas used), in order.
	landedGas []string
	// hold: accepted txs wait in held until the test includes them (a block later)
	hold  bool
	held  map[string][]sdk.Msg
	finds int // FindTx calls

	n         int
	signed    map[string][]sdk.Msg
	included  map[string]*sdk.TxResponse
	height    int64
	applied   map[string]int
	txs       [][]string // messages of each broadcast tx, in order
	committed [][]string // messages of each tx committed with code 0
	signs     int
}

func newFakeTxChain() *fakeTxChain {
	return &fakeTxChain{signed: map[string][]sdk.Msg{}, included: map[string]*sdk.TxResponse{}, applied: map[string]int{}}
}

func msgName(m sdk.Msg) string { return m.(*banktypes.MsgSend).FromAddress }

func names(msgs []sdk.Msg) []string {
	out := make([]string, len(msgs))
	for i, m := range msgs {
		out[i] = msgName(m)
	}
	return out
}

func (f *fakeTxChain) SignUnordered(_ context.Context, ttl time.Duration, msgs []sdk.Msg) ([]byte, time.Time, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.signs++
	if f.simErr != nil {
		return nil, time.Time{}, &SimulationError{Err: f.simErr}
	}
	if f.antePass != nil {
		if err := f.antePass(names(msgs)); err != nil {
			return nil, time.Time{}, &SimulationError{Err: status.Errorf(codes.Unknown, "%v with gas used: '1000'", err)}
		}
	}
	for i, m := range msgs {
		if f.simFail != nil {
			if err := f.simFail(msgName(m)); err != nil {
				return nil, time.Time{}, &SimulationError{Err: status.Errorf(codes.Unknown,
					"%v with gas used: '1000'", errorsmod.Wrapf(err, "failed to execute message; message index: %d", i))}
			}
		}
	}
	f.n++
	bz := []byte(fmt.Sprintf("tx-%d", f.n))
	f.signed[TxHash(bz)] = msgs
	return bz, time.Now().Add(ttl), nil
}

func (f *fakeTxChain) Broadcast(_ context.Context, bz []byte) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	hash := TxHash(bz)
	msgs := f.signed[hash]
	f.txs = append(f.txs, names(msgs))
	if f.mempoolFull > 0 {
		f.mempoolFull--
		return &TxError{Hash: hash, Codespace: sdkerrors.ErrMempoolIsFull.Codespace(), Code: sdkerrors.ErrMempoolIsFull.ABCICode(), Log: "mempool is full"}
	}
	lost := f.lost > 0
	if lost {
		f.lost--
	}
	switch {
	case f.drop > 0:
		f.drop--
	case f.hold:
		if f.held == nil {
			f.held = map[string][]sdk.Msg{}
		}
		f.held[hash] = msgs
	default:
		f.include(hash, msgs)
	}
	if lost {
		return errors.New("broadcast: connection reset by peer")
	}
	return nil
}

// failsInBlock makes the named message fail with err whenever a block executes it.
func failsInBlock(f *fakeTxChain, name string, err error) {
	f.execFail = func(n string) error {
		if n == name {
			return err
		}
		return nil
	}
}

// include executes the tx in a block of its own.
func (f *fakeTxChain) include(hash string, msgs []sdk.Msg) {
	f.height++
	res := &sdk.TxResponse{TxHash: hash, Height: f.height, GasUsed: int64(1000 * len(msgs))}
	if f.oog > 0 {
		f.oog--
		res.Codespace, res.Code = sdkerrors.ErrOutOfGas.Codespace(), sdkerrors.ErrOutOfGas.ABCICode()
		res.RawLog = "out of gas in location: ReadFlat; gasWanted: 1000, gasUsed: 1001: out of gas"
		f.included[hash] = res
		return
	}
	for i, m := range msgs {
		if f.execFail != nil {
			if err := f.execFail(msgName(m)); err != nil {
				cs, code, log := errorsmod.ABCIInfo(errorsmod.Wrapf(err, "failed to execute message; message index: %d", i), false)
				res.Code, res.Codespace, res.RawLog = code, cs, log
				f.included[hash] = res
				return
			}
		}
	}
	for _, m := range msgs {
		f.applied[msgName(m)]++
	}
	f.committed = append(f.committed, names(msgs))
	f.included[hash] = res
}

func (f *fakeTxChain) FindTx(_ context.Context, hash string) (*sdk.TxResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.finds++
	return f.included[hash], nil
}

func (f *fakeTxChain) RaiseGas() float64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.raises++
	return 1.3 + float64(f.raises)
}

func (f *fakeTxChain) Predicted(hash string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.predictAll && f.signed[hash] != nil
}

func (f *fakeTxChain) Landed(msgs []sdk.Msg, gasUsed uint64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.landedGas = append(f.landedGas, fmt.Sprint(names(msgs), gasUsed))
}

func (f *fakeTxChain) Distrust() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.distrusts++
}

func (f *fakeTxChain) BlockTime(context.Context) (time.Time, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return time.Now(), f.blockErr
}

func (f *fakeTxChain) snapshot() (txs, committed [][]string, applied map[string]int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	applied = map[string]int{}
	for k, v := range f.applied {
		applied[k] = v
	}
	return append([][]string(nil), f.txs...), append([][]string(nil), f.committed...), applied
}

func quietLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// testBatcher never flushes by itself unless cfg says so (Linger an hour).
func testBatcher(f *fakeTxChain, cfg BatcherConfig) *Batcher {
	if cfg.Linger == 0 {
		cfg.Linger = time.Hour
	}
	if cfg.Poll == 0 {
		cfg.Poll = 5 * time.Millisecond
	}
	return NewBatcher(f, cfg, quietLog())
}

func send(name string) sdk.Msg { return &banktypes.MsgSend{FromAddress: name} }

// addAll queues one group per entry (names separated by commas) and returns their
// outcome channels in order.
func addAll(b *Batcher, groups ...string) []chan BatchResult {
	out := make([]chan BatchResult, len(groups))
	for i, g := range groups {
		var msgs []sdk.Msg
		for _, n := range strings.Split(g, ",") {
			msgs = append(msgs, send(n))
		}
		ch := make(chan BatchResult, 1)
		b.Add(msgs, func(r BatchResult) { ch <- r })
		out[i] = ch
	}
	return out
}

func results(t *testing.T, chs []chan BatchResult) []BatchResult {
	t.Helper()
	out := make([]BatchResult, len(chs))
	for i, ch := range chs {
		select {
		case out[i] = <-ch:
		case <-time.After(10 * time.Second):
			t.Fatalf("group %d: no outcome", i)
		}
	}
	return out
}

func seq(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprint(prefix, i)
	}
	return out
}

func TestBatcherSendsWhatIsPendingAsOneTx(t *testing.T) {
	f := newFakeTxChain()
	b := testBatcher(f, BatcherConfig{})
	defer b.Close()
	chs := addAll(b, "a", "b", "c,d", "e", "f")
	time.Sleep(20 * time.Millisecond)
	txs, _, _ := f.snapshot()
	require.Empty(t, txs, "nothing goes before the flush")
	b.Flush()
	rs := results(t, chs)
	txs, committed, applied := f.snapshot()
	require.Equal(t, [][]string{{"a", "b", "c", "d", "e", "f"}}, txs)
	require.Equal(t, txs, committed)
	// Each group learns its tx and where its first message sits in it (MsgResponse index).
	for i, want := range []int{0, 1, 2, 4, 5} {
		require.NoError(t, rs[i].Err)
		require.Equal(t, want, rs[i].Index, "group %d", i)
		require.Equal(t, rs[0].Tx.TxHash, rs[i].Tx.TxHash)
	}
	require.Len(t, applied, 6)
	require.Equal(t, uint64(1), b.Stats.Txs.Load())
	require.Equal(t, uint64(6), b.Stats.Msgs.Load())
	require.Equal(t, uint64(6), b.Stats.MaxMsgs.Load())
	require.Equal(t, uint64(5), b.Stats.Delivered.Load())
}

func TestBatcherLingerSendsConcurrentGroupsTogether(t *testing.T) {
	f := newFakeTxChain()
	b := testBatcher(f, BatcherConfig{Linger: 300 * time.Millisecond})
	defer b.Close()
	var wg sync.WaitGroup
	errs := make([]error, 10)
	for i := range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _, errs[i] = b.Send(context.Background(), send(fmt.Sprint("m", i)))
		}()
	}
	wg.Wait()
	for _, err := range errs {
		require.NoError(t, err)
	}
	txs, _, applied := f.snapshot()
	require.Len(t, txs, 1, "ten concurrent sends within the linger: one tx")
	require.Len(t, txs[0], 10)
	require.Len(t, applied, 10)
}

func TestBatcherSendsBeforeTheNextBlock(t *testing.T) {
	t0 := time.Unix(1_800_000_000, 0)
	ms := time.Millisecond
	// No block notice yet: linger after the first message.
	require.Equal(t, t0.Add(200*ms), flushDue(t0, time.Time{}, 0, 250*ms, 200*ms))
	// 1 s blocks, last one at t0: lead 250 ms before the next, whenever the message came.
	require.Equal(t, t0.Add(750*ms), flushDue(t0.Add(100*ms), t0, time.Second, 250*ms, 200*ms))
	require.Equal(t, t0.Add(750*ms), flushDue(t0.Add(700*ms), t0, time.Second, 250*ms, 200*ms))
	// 200 ms blocks: the lead shrinks to nine tenths of the interval.
	require.Equal(t, t0.Add(20*ms), flushDue(t0.Add(10*ms), t0, 200*ms, 250*ms, 200*ms))
	// The expected block is late (its send point passed before the message came): linger.
	require.Equal(t, t0.Add(1100*ms), flushDue(t0.Add(900*ms), t0, time.Second, 250*ms, 200*ms))

	// Block notices teach the interval (the median of recent gaps) and move the send point.
	f := newFakeTxChain()
	b := testBatcher(f, BatcherConfig{})
	defer b.Close()
	clock := t0
	b.now = func() time.Time { return clock }
	b.OnBlock(0)
	clock = clock.Add(time.Second)
	b.OnBlock(0)
	require.Equal(t, time.Second, b.interval)
	clock = clock.Add(2 * time.Second)
	b.OnBlock(0)
	require.Equal(t, time.Second, b.interval, "lower median of 1 s and 2 s")
	clock = clock.Add(2 * time.Second)
	b.OnBlock(0)
	require.Equal(t, 2*time.Second, b.interval, "median of 1, 2, 2 s")
	clock = clock.Add(5 * time.Minute) // a stalled chain is not an interval
	b.OnBlock(0)
	require.Equal(t, 2*time.Second, b.interval)
}

// A tx sent at the send point that lands a block after the one it was sent for moves
// the send point earlier, up to 9/10 of the interval; one that makes its block moves it
// back, down to Lead. Txs sent for other reasons (a full batch, a flush) teach nothing.
func TestBatcherLeadLearnsFromLateTxs(t *testing.T) {
	ms := time.Millisecond
	b, f, clock := clockedBatcher(t, 3, time.Second)
	sendAt := func(height, landsAt int64) {
		t.Helper()
		b.OnBlock(height)
		*clock = clock.Add(50 * ms) // before the send point, however large the lead
		done := make(chan error, 1)
		go func() {
			_, _, err := b.Send(context.Background(), send(fmt.Sprint("m", height)))
			done <- err
		}()
		require.Eventually(t, func() bool { b.mu.Lock(); defer b.mu.Unlock(); return len(b.pending) == 1 }, time.Second, time.Millisecond)
		f.mu.Lock()
		f.height = landsAt - 1 // the fake chain includes the tx in the next block of its own
		f.mu.Unlock()
		*clock = clock.Add(time.Second) // past the send point: the timer's flush is the send point's
		b.onTimer()
		require.NoError(t, <-done)
		*clock = clock.Add(-50 * ms)
	}
	require.Equal(t, 250*ms, b.lead)
	sendAt(10, 12) // sent for 11, landed in 12
	require.Equal(t, 300*ms, b.lead)
	require.Equal(t, uint64(300), b.Stats.LeadMillis.Load())
	for h := int64(20); h < 40; h++ {
		sendAt(h, h+2)
	}
	require.Equal(t, 900*ms, b.lead, "at most 9/10 of the interval")
	sendAt(40, 41)
	require.Equal(t, 890*ms, b.lead)
	require.Equal(t, uint64(22), b.Stats.Aimed.Load())
	require.Equal(t, uint64(21), b.Stats.Late.Load())
	require.Equal(t, clock.Add(1000*ms-890*ms), flushDue(clock.Add(10*ms), *clock, time.Second, b.lead, 200*ms))

	// Block notices without heights, and explicit flushes, teach nothing.
	b.OnBlock(0)
	require.NoError(t, func() error {
		go func() { time.Sleep(10 * ms); b.Flush() }()
		_, _, err := b.Send(context.Background(), send("flushed"))
		return err
	}())
	require.Equal(t, uint64(22), b.Stats.Aimed.Load())
	for range 70 {
		b.landed(41, 41)
	}
	require.Equal(t, 250*ms, b.lead, "never below Lead")
}

// A halt (here 15 s between two blocks of a 1 s chain) is one outlier among the
// recent gaps: the interval stays 1 s, so the send point after the next block is
// 750 ms after it, not seconds later (reveals held that long missed their window).
func TestBatcherIntervalIgnoresAHalt(t *testing.T) {
	ms := time.Millisecond
	b, _, clock := clockedBatcher(t, 4, time.Second)
	require.Equal(t, time.Second, b.interval)
	*clock = clock.Add(14 * time.Second)
	b.OnBlock(0)
	require.Equal(t, time.Second, b.interval, "the halt's 15 s gap is an outlier")
	*clock = clock.Add(time.Second)
	b.OnBlock(0)
	require.Equal(t, time.Second, b.interval)
	require.Equal(t, clock.Add(750*ms), flushDue(clock.Add(100*ms), b.lastBlock, b.interval, 250*ms, 200*ms))

	// A lasting change of block time is learnt within three blocks.
	for range 3 {
		*clock = clock.Add(3 * time.Second)
		b.OnBlock(0)
	}
	require.Equal(t, 3*time.Second, b.interval)
}

// clockedBatcher is a batcher on a fake clock that has seen blocks block notices,
// gap apart; clock (one gap past the last notice) is the test's to move.
func clockedBatcher(t *testing.T, blocks int, gap time.Duration) (*Batcher, *fakeTxChain, *time.Time) {
	t.Helper()
	f := newFakeTxChain()
	b := testBatcher(f, BatcherConfig{})
	t.Cleanup(b.Close)
	clock := new(time.Time)
	*clock = time.Unix(1_800_000_000, 0)
	b.now = func() time.Time { return *clock }
	for range blocks {
		b.OnBlock(0)
		*clock = clock.Add(gap)
	}
	return b, f, clock
}

// Messages still pending after two block notices (both came before the send
// point, 10 s away on this clock) are sent at the second, not held for a third.
func TestBatcherSendsWhatTwoBlocksMissedAtOnce(t *testing.T) {
	b, f, clock := clockedBatcher(t, 3, 10*time.Second)
	*clock = clock.Add(-9 * time.Second) // 1 s after the last block; its send point is 8.75 s away
	done := make(chan error, 1)
	go func() {
		_, _, err := b.Send(context.Background(), send("late"))
		done <- err
	}()
	pending := func() int { b.mu.Lock(); defer b.mu.Unlock(); return len(b.pending) }
	require.Eventually(t, func() bool { return pending() == 1 }, 5*time.Second, time.Millisecond)
	*clock = clock.Add(time.Second) // an early block: the message waits for the next send point
	b.OnBlock(0)
	require.Equal(t, 1, pending())
	*clock = clock.Add(time.Second) // a second early block
	b.OnBlock(0)
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(8 * time.Second):
		t.Fatal("the message was held past a second block")
	}
	txs, _, _ := f.snapshot()
	require.Len(t, txs, 1)
}

func TestBatcherFlushesOnTheBlockSchedule(t *testing.T) {
	f := newFakeTxChain()
	b := testBatcher(f, BatcherConfig{Lead: 10 * time.Millisecond})
	defer b.Close()
	// Blocks every 100 ms: a message waits for the send point ~90 ms after the last
	// block, not for the hour-long linger.
	b.OnBlock(0)
	time.Sleep(100 * time.Millisecond)
	b.OnBlock(0)
	start := time.Now()
	_, _, err := b.Send(context.Background(), send("a"))
	require.NoError(t, err)
	require.Less(t, time.Since(start), 2*time.Second)
}

func TestBatcherBoundsMessagesAndBytesPerTx(t *testing.T) {
	f := newFakeTxChain()
	b := testBatcher(f, BatcherConfig{MaxMsgs: 3})
	chs := addAll(b, seq("m", 7)...)
	// Two full txs go at once; the seventh waits for the flush.
	require.Eventually(t, func() bool { txs, _, _ := f.snapshot(); return len(txs) == 2 }, 5*time.Second, 5*time.Millisecond)
	b.Flush()
	results(t, chs)
	txs, _, applied := f.snapshot()
	require.ElementsMatch(t, [][]string{{"m0", "m1", "m2"}, {"m3", "m4", "m5"}, {"m6"}}, txs)
	require.Len(t, applied, 7)
	// A group is never cut: a 2-message group that does not fit closes the tx first.
	chs = addAll(b, "g0", "g1,g2", "g3,g4")
	b.Flush()
	results(t, chs)
	txs, _, _ = f.snapshot()
	require.ElementsMatch(t, [][]string{{"g0", "g1", "g2"}, {"g3", "g4"}}, txs[3:])
	b.Close()

	size := (&banktypes.MsgSend{FromAddress: "b0"}).Size()
	f = newFakeTxChain()
	b = testBatcher(f, BatcherConfig{MaxTxBytes: 2*size + size/2})
	defer b.Close()
	chs = addAll(b, seq("b", 5)...)
	b.Flush()
	results(t, chs)
	txs, _, _ = f.snapshot()
	require.ElementsMatch(t, [][]string{{"b0", "b1"}, {"b2", "b3"}, {"b4"}}, txs)
}

// gasFake is the fake chain with a sender that can sign with a known gas (as a
// Signer's can): such a tx is not simulated.
type gasFake struct {
	*fakeTxChain
	gasSigned [][]string
}

func (g *gasFake) SignUnorderedGas(_ context.Context, ttl time.Duration, msgs []sdk.Msg, gasUsed uint64) ([]byte, time.Time, error) {
	f := g.fakeTxChain
	f.mu.Lock()
	defer f.mu.Unlock()
	if gasUsed == 0 {
		return nil, time.Time{}, errors.New("no gas")
	}
	g.gasSigned = append(g.gasSigned, names(msgs))
	f.n++
	bz := []byte(fmt.Sprintf("tx-%d", f.n))
	f.signed[TxHash(bz)] = msgs
	return bz, time.Now().Add(ttl), nil
}

// TestBatcherSendsWhatPassedSimulationWithoutSimulatingAgain: a simulation stops at
// the first failing message, so the messages before it passed: they go out with the
// gas it reported, unsimulated; the failing one goes alone, and only the rest is
// simulated again. Each message is simulated at most twice in all (it was once per
// failing message before).
func TestBatcherSendsWhatPassedSimulationWithoutSimulatingAgain(t *testing.T) {
	f := newFakeTxChain()
	f.simFail = func(n string) error {
		if n == "m2" || n == "m5" {
			return errorsmod.Wrapf(sdkerrors.ErrInsufficientFunds, "%s is broke", n)
		}
		return nil
	}
	g := &gasFake{fakeTxChain: f}
	b := NewBatcher(g, BatcherConfig{Linger: time.Hour, Poll: 5 * time.Millisecond}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	defer b.Close()
	chs := addAll(b, seq("m", 8)...)
	b.Flush()
	for i, r := range results(t, chs) {
		if i == 2 || i == 5 {
			require.True(t, Is(r.Err, sdkerrors.ErrInsufficientFunds), "its own error: %v", r.Err)
			continue
		}
		require.NoError(t, r.Err, "group %d", i)
	}
	_, committed, applied := f.snapshot()
	require.ElementsMatch(t, [][]string{{"m0", "m1"}, {"m3", "m4"}, {"m6", "m7"}}, committed)
	require.Equal(t, map[string]int{"m0": 1, "m1": 1, "m3": 1, "m4": 1, "m6": 1, "m7": 1}, applied)
	f.mu.Lock()
	defer f.mu.Unlock()
	require.ElementsMatch(t, [][]string{{"m0", "m1"}, {"m3", "m4"}}, g.gasSigned, "the prefixes that passed were not simulated again")
	// Simulations: all 8, m2 alone, m3..m7, m5 alone, m6..m7.
	require.Equal(t, 5, f.signs)
}

// SameFate: the messages after a refused one that share its fate (here every "q"
// message from q2 on, as submits to a session whose queue filled) end with its error at
// once; the others are simulated once more, without them. Without SameFate every q
// would be split off with a simulation of the rest each.
func TestBatcherEndsMessagesSharingARefusedOnesFate(t *testing.T) {
	f := newFakeTxChain()
	f.simFail = func(n string) error {
		if strings.HasPrefix(n, "q") && n >= "q2" {
			return errorsmod.Wrap(sdkerrors.ErrInsufficientFunds, "queue full")
		}
		return nil
	}
	g := &gasFake{fakeTxChain: f}
	var asked []string
	cfg := BatcherConfig{Linger: time.Hour, Poll: 5 * time.Millisecond,
		SameFate: func(refused sdk.Msg, err error) func(sdk.Msg) bool {
			asked = append(asked, msgName(refused))
			if !Is(err, sdkerrors.ErrInsufficientFunds) {
				return nil
			}
			return func(m sdk.Msg) bool { return strings.HasPrefix(msgName(m), "q") }
		}}
	b := NewBatcher(g, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	defer b.Close()
	chs := addAll(b, "q0", "q1", "a0", "q2", "q3", "a1", "q4,a2", "q5")
	b.Flush()
	rs := results(t, chs)
	for i, ok := range []bool{true, true, true, false, false, true, false, false} {
		if ok {
			require.NoError(t, rs[i].Err, "group %d", i)
		} else {
			require.True(t, Is(rs[i].Err, sdkerrors.ErrInsufficientFunds), "group %d: %v", i, rs[i].Err)
		}
	}
	// q2 dooms q3 and q5 (but not q4,a2, whose a2 is not a q); q4,a2 sent again with
	// a1 is refused at q4, and a1 goes with the gas that simulation reported.
	require.Equal(t, []string{"q2", "q4"}, asked)
	_, committed, _ := f.snapshot()
	require.ElementsMatch(t, [][]string{{"q0", "q1", "a0"}, {"a1"}}, committed)
	require.Equal(t, uint64(4), b.Stats.Failed.Load())
	f.mu.Lock()
	defer f.mu.Unlock()
	require.Equal(t, 2, f.signs, "two simulations: the batch, and a1 with q4,a2")
}

func TestBatcherIsolatesAMessageRefusedInSimulation(t *testing.T) {
	f := newFakeTxChain()
	f.simFail = func(n string) error {
		if n == "m5" {
			return errorsmod.Wrap(sdkerrors.ErrInsufficientFunds, "m5 is broke")
		}
		return nil
	}
	b := testBatcher(f, BatcherConfig{})
	defer b.Close()
	chs := addAll(b, seq("m", 8)...)
	b.Flush()
	rs := results(t, chs)
	for i, r := range rs {
		if i == 5 {
			require.Error(t, r.Err)
			require.True(t, Is(r.Err, sdkerrors.ErrInsufficientFunds), "its own error: %v", r.Err)
			require.Contains(t, r.Err.Error(), "message index: 0", "refused on its own, alone in its tx")
			continue
		}
		require.NoError(t, r.Err, "group %d", i)
	}
	txs, committed, applied := f.snapshot()
	// The refused simulation sent nothing; the seven others went once, together.
	require.Equal(t, [][]string{{"m0", "m1", "m2", "m3", "m4", "m6", "m7"}}, txs)
	require.Equal(t, txs, committed)
	for _, n := range seq("m", 8) {
		if n != "m5" {
			require.Equal(t, 1, applied[n], n)
		}
	}
	require.Zero(t, applied["m5"])
	require.Equal(t, uint64(1), b.Stats.Splits.Load())
	require.Equal(t, uint64(1), b.Stats.Failed.Load())
}

func TestBatcherReSendsTheOthersWhenAMessageFailsInItsBlock(t *testing.T) {
	f := newFakeTxChain()
	failsInBlock(f, "m2", errorsmod.Wrap(sdkerrors.ErrUnauthorized, "m2 may not"))
	b := testBatcher(f, BatcherConfig{})
	defer b.Close()
	chs := addAll(b, seq("m", 5)...)
	b.Flush()
	rs := results(t, chs)
	var te *TxError
	require.ErrorAs(t, rs[2].Err, &te)
	require.Positive(t, te.Height, "it failed in a block, on its own")
	require.True(t, Is(rs[2].Err, sdkerrors.ErrUnauthorized))
	for _, i := range []int{0, 1, 3, 4} {
		require.NoError(t, rs[i].Err)
	}
	txs, committed, applied := f.snapshot()
	// The failed tx reverted everything; the others were sent again without m2, and
	// m2 alone.
	require.ElementsMatch(t, [][]string{{"m0", "m1", "m2", "m3", "m4"}, {"m0", "m1", "m3", "m4"}, {"m2"}}, txs)
	require.Equal(t, [][]string{{"m0", "m1", "m3", "m4"}}, committed)
	require.Equal(t, map[string]int{"m0": 1, "m1": 1, "m3": 1, "m4": 1}, applied)
	// The others' outcome names the tx that carried them, with their new indexes.
	require.Equal(t, 0, rs[0].Index)
	require.Equal(t, 3, rs[4].Index)
	require.Equal(t, rs[0].Tx.TxHash, rs[4].Tx.TxHash)
	// The sender simulates again for a while: a refused message is found before
	// sending. m2's own tx failing in its block again adds nothing: it carried only
	// m2, whose error is its own.
	f.mu.Lock()
	require.Equal(t, 1, f.distrusts)
	f.mu.Unlock()
}

// A tx that carried one group and was refused (in simulation or in its block) hands
// the group its error and does not bring the simulations back: nothing else was
// reverted. A batch of several groups that fails does.
func TestBatcherLoneGroupRefusalDoesNotDistrust(t *testing.T) {
	f := newFakeTxChain()
	failsInBlock(f, "m0", errorsmod.Wrap(sdkerrors.ErrUnauthorized, "m0 may not"))
	b := testBatcher(f, BatcherConfig{})
	defer b.Close()
	rs := flushed(t, b, "m0")
	require.True(t, Is(rs[0].Err, sdkerrors.ErrUnauthorized))
	f.mu.Lock()
	require.Zero(t, f.distrusts, "a lone group's refusal in its block")
	f.mu.Unlock()

	f.mu.Lock()
	f.simFail = func(n string) error {
		if n == "m1" {
			return errorsmod.Wrap(sdkerrors.ErrUnauthorized, "m1 may not")
		}
		return nil
	}
	f.mu.Unlock()
	rs = flushed(t, b, "m1")
	require.True(t, Is(rs[0].Err, sdkerrors.ErrUnauthorized))
	f.mu.Lock()
	require.Zero(t, f.distrusts, "a lone group's refused simulation")
	f.mu.Unlock()

	// Two groups, one refused in its block: a split, and the simulations come back.
	failsInBlock(f, "m3", errorsmod.Wrap(sdkerrors.ErrUnauthorized, "m3 may not"))
	rs = flushed(t, b, "m2", "m3")
	require.NoError(t, rs[0].Err)
	require.True(t, Is(rs[1].Err, sdkerrors.ErrUnauthorized))
	f.mu.Lock()
	require.Equal(t, 1, f.distrusts, "a split batch")
	f.mu.Unlock()
}

// flushed adds one group per name, flushes and returns their outcomes.
func flushed(t *testing.T, b *Batcher, names ...string) []BatchResult {
	chs := addAll(b, names...)
	b.Flush()
	return results(t, chs)
}

// TestBatcherReSendsWithMoreGasAfterOutOfGas: a tx that runs out of gas in its block
// (it cost more there than in the simulation) is sent again whole, with the margin
// raised, not bisected; every message lands once.
func TestBatcherReSendsWithMoreGasAfterOutOfGas(t *testing.T) {
	f := newFakeTxChain()
	f.oog = 1
	b := testBatcher(f, BatcherConfig{})
	defer b.Close()
	chs := addAll(b, seq("m", 4)...)
	b.Flush()
	for _, r := range results(t, chs) {
		require.NoError(t, r.Err)
	}
	txs, committed, applied := f.snapshot()
	require.Equal(t, [][]string{{"m0", "m1", "m2", "m3"}, {"m0", "m1", "m2", "m3"}}, txs)
	require.Equal(t, [][]string{{"m0", "m1", "m2", "m3"}}, committed)
	require.Equal(t, map[string]int{"m0": 1, "m1": 1, "m2": 1, "m3": 1}, applied)
	f.mu.Lock()
	require.Equal(t, 1, f.raises)
	require.Equal(t, 1, f.distrusts)
	f.mu.Unlock()
	require.EqualValues(t, 0, b.Stats.Splits.Load())
}

// A tx whose gas was predicted (not simulated) that runs out of gas is sent again
// without raising the margin on simulations: the sender goes back to simulating
// (Distrust), which relearns the prediction.
func TestBatcherOutOfGasOnAPredictionSimulatesAgain(t *testing.T) {
	f := newFakeTxChain()
	f.oog, f.predictAll = 1, true
	b := testBatcher(f, BatcherConfig{})
	defer b.Close()
	chs := addAll(b, seq("m", 3)...)
	b.Flush()
	for _, r := range results(t, chs) {
		require.NoError(t, r.Err)
	}
	_, committed, applied := f.snapshot()
	require.Equal(t, [][]string{{"m0", "m1", "m2"}}, committed)
	require.Equal(t, map[string]int{"m0": 1, "m1": 1, "m2": 1}, applied)
	f.mu.Lock()
	defer f.mu.Unlock()
	require.Zero(t, f.raises, "the margin on simulations stays")
	require.Equal(t, 1, f.distrusts)
}

// TestSignerRaiseGasIsBounded: each raise adds a quarter to the margin, up to 3× the
// configured adjustment.
func TestSignerRaiseGasIsBounded(t *testing.T) {
	s := &Signer{cfg: SignerConfig{GasAdjustment: 1.3}}
	s.gasScale.Store(1000)
	require.InDelta(t, 1.3, s.gasMargin(), 1e-9)
	require.InDelta(t, 1.625, s.RaiseGas(), 1e-9)
	for range 10 {
		s.RaiseGas()
	}
	require.InDelta(t, 3.9, s.gasMargin(), 1e-9)
}

func TestBatcherBisectsWhenNoMessageIsNamed(t *testing.T) {
	f := newFakeTxChain()
	// An ante-level refusal of any tx holding "bad" (e.g. gas): no message index.
	f.antePass = func(ns []string) error {
		for _, n := range ns {
			if n == "bad" {
				return sdkerrors.ErrOutOfGas
			}
		}
		return nil
	}
	b := testBatcher(f, BatcherConfig{})
	defer b.Close()
	groups := append(seq("m", 6), "bad")
	groups = append(groups, seq("n", 5)...)
	chs := addAll(b, groups...)
	b.Flush()
	rs := results(t, chs)
	for i, r := range rs {
		if groups[i] == "bad" {
			require.True(t, Is(r.Err, sdkerrors.ErrOutOfGas), "%v", r.Err)
			continue
		}
		require.NoError(t, r.Err, groups[i])
	}
	_, _, applied := f.snapshot()
	require.Len(t, applied, 11)
	for n, c := range applied {
		require.Equal(t, 1, c, n)
	}
	require.GreaterOrEqual(t, b.Stats.Splits.Load(), uint64(3), "12 groups: bisected down to the bad one")
}

func TestBatcherGroupSharesOneOutcome(t *testing.T) {
	f := newFakeTxChain()
	f.simFail = func(n string) error {
		if n == "r2b" {
			return sdkerrors.ErrInvalidRequest
		}
		return nil
	}
	b := testBatcher(f, BatcherConfig{})
	defer b.Close()
	chs := addAll(b, "r1a,r1b", "r2a,r2b,r2c", "r3a")
	b.Flush()
	rs := results(t, chs)
	require.NoError(t, rs[0].Err)
	require.Error(t, rs[1].Err)
	require.NoError(t, rs[2].Err)
	require.Equal(t, 2, rs[2].Index)
	_, _, applied := f.snapshot()
	require.Equal(t, map[string]int{"r1a": 1, "r1b": 1, "r3a": 1}, applied, "none of the failed group's messages landed")
}

func TestBatcherReSendsATxThatNeverLanded(t *testing.T) {
	f := newFakeTxChain()
	f.drop = 1 // accepted by CheckTx, then dropped from the mempool
	b := testBatcher(f, BatcherConfig{TTL: 50 * time.Millisecond})
	defer b.Close()
	chs := addAll(b, "a", "b", "c")
	b.Flush()
	rs := results(t, chs)
	for _, r := range rs {
		require.NoError(t, r.Err)
	}
	txs, committed, applied := f.snapshot()
	require.Len(t, txs, 2, "sent, dropped, sent again once the chain's time passed its timeout")
	require.Equal(t, [][]string{{"a", "b", "c"}}, committed)
	require.Equal(t, map[string]int{"a": 1, "b": 1, "c": 1}, applied)
	require.Equal(t, uint64(3), b.Stats.Resends.Load())
	f.mu.Lock()
	require.Zero(t, f.distrusts, "a dropped tx says nothing about its messages")
	f.mu.Unlock()
}

func TestBatcherGivesUpAfterMaxResends(t *testing.T) {
	f := newFakeTxChain()
	f.drop = 100
	b := testBatcher(f, BatcherConfig{TTL: 20 * time.Millisecond, MaxResends: 2, Linger: time.Millisecond})
	defer b.Close()
	_, _, err := b.Send(context.Background(), send("a"))
	require.ErrorIs(t, err, ErrNotIncluded)
	txs, _, applied := f.snapshot()
	require.Len(t, txs, 3, "the first send and two resends")
	require.Empty(t, applied)
}

func TestBatcherFollowsABroadcastWhoseAnswerWasLost(t *testing.T) {
	f := newFakeTxChain()
	f.lost = 1 // the tx reached the mempool and landed; its answer did not come back
	b := testBatcher(f, BatcherConfig{TTL: 50 * time.Millisecond})
	defer b.Close()
	chs := addAll(b, "a", "b")
	b.Flush()
	for _, r := range results(t, chs) {
		require.NoError(t, r.Err)
	}
	txs, _, applied := f.snapshot()
	require.Len(t, txs, 1, "found by its hash: not sent again")
	require.Equal(t, map[string]int{"a": 1, "b": 1}, applied)
	require.Zero(t, b.Stats.Resends.Load())
}

func TestBatcherRetriesAFullMempool(t *testing.T) {
	f := newFakeTxChain()
	f.mempoolFull = 2
	b := testBatcher(f, BatcherConfig{Linger: time.Millisecond})
	defer b.Close()
	_, _, err := b.Send(context.Background(), send("a"), send("b"))
	require.NoError(t, err)
	txs, _, applied := f.snapshot()
	require.Len(t, txs, 3)
	require.Equal(t, map[string]int{"a": 1, "b": 1}, applied)
}

func TestBatcherTransportErrorsFailEveryGroupWithoutSplitting(t *testing.T) {
	f := newFakeTxChain()
	f.simErr = status.Error(codes.Unavailable, "connection refused")
	b := testBatcher(f, BatcherConfig{})
	defer b.Close()
	chs := addAll(b, seq("m", 6)...)
	b.Flush()
	for _, r := range results(t, chs) {
		var se *SimulationError
		require.ErrorAs(t, r.Err, &se)
	}
	require.Equal(t, 1, f.signs, "no bisection on an error that says nothing about the messages")
	require.Zero(t, b.Stats.Splits.Load())
}

func TestBatcherUnknownOutcomeIsNotResent(t *testing.T) {
	f := newFakeTxChain()
	f.drop = 1
	f.blockErr = errors.New("node down")
	b := testBatcher(f, BatcherConfig{TTL: 10 * time.Millisecond, GiveUp: 50 * time.Millisecond, Linger: time.Millisecond})
	defer b.Close()
	_, _, err := b.Send(context.Background(), send("a"))
	require.ErrorContains(t, err, "outcome unknown")
	require.NotErrorIs(t, err, ErrNotIncluded, "the tx may still land: callers must not treat it as not included")
	txs, _, _ := f.snapshot()
	require.Len(t, txs, 1)
}

func TestBatcherCloseAndEmptyGroups(t *testing.T) {
	f := newFakeTxChain()
	b := testBatcher(f, BatcherConfig{})
	_, _, err := b.Send(context.Background())
	require.ErrorIs(t, err, errEmptyGroup)
	chs := addAll(b, "a")
	b.Close()
	require.ErrorIs(t, results(t, chs)[0].Err, ErrBatcherClosed)
	_, _, err = b.Send(context.Background(), send("b"))
	require.ErrorIs(t, err, ErrBatcherClosed)
	txs, _, _ := f.snapshot()
	require.Empty(t, txs)
}

func TestBatcherSendWaitEndsWithItsContext(t *testing.T) {
	f := newFakeTxChain()
	b := testBatcher(f, BatcherConfig{})
	defer b.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	_, _, err := b.Send(ctx, send("a"))
	require.ErrorIs(t, err, context.DeadlineExceeded)
	// The group still goes: only the wait ended.
	b.Flush()
	require.Eventually(t, func() bool { _, _, a := f.snapshot(); return a["a"] == 1 }, 5*time.Second, 5*time.Millisecond)
}

func TestClassifyFailures(t *testing.T) {
	k, i := classify(&TxError{Codespace: "sessions", Code: 20, Log: "failed to execute message; message index: 3: late", Height: 9})
	require.Equal(t, failMessage, k)
	require.Equal(t, 3, i)
	k, _ = classify(&TxError{Codespace: "sdk", Code: sdkerrors.ErrOutOfGas.ABCICode(), Log: "out of gas", Height: 9})
	require.Equal(t, failGas, k, "out of gas in its block: more gas")
	k, _ = classify(&TxError{Codespace: "sdk", Code: sdkerrors.ErrOutOfGas.ABCICode(), Log: "out of gas"})
	require.Equal(t, failContent, k, "refused at CheckTx: the tx's own problem")
	k, _ = classify(&TxError{Codespace: "sdk", Code: sdkerrors.ErrInvalidRequest.ABCICode(), Log: "failed to add unordered nonce: already used"})
	require.Equal(t, failRetry, k)
	k, _ = classify(fmt.Errorf("%w: x", ErrNotIncluded))
	require.Equal(t, failRetry, k)
	k, _ = classify(&SimulationError{Err: status.Error(codes.DeadlineExceeded, "slow")})
	require.Equal(t, failFinal, k)
	k, _ = classify(&SimulationError{Err: status.Error(codes.Unknown, "insufficient fees")})
	require.Equal(t, failContent, k)
	k, _ = classify(errors.New("key not found"))
	require.Equal(t, failFinal, k)
	k, _ = classify(context.Canceled)
	require.Equal(t, failFinal, k)
}

// TestBatcherLooksUpATxOncePerBlock: with block notices a tx in flight is looked up
// right after it is sent, once more shortly after, and then only after the next block
// notice (a lookup loads the whole block on the node), not every Poll.
func TestBatcherLooksUpATxOncePerBlock(t *testing.T) {
	f := newFakeTxChain()
	f.hold = true
	b := testBatcher(f, BatcherConfig{Poll: 5 * time.Millisecond})
	defer b.Close()
	b.OnBlock(0)
	time.Sleep(300 * time.Millisecond)
	b.OnBlock(0) // blocks every ~300 ms: the batcher follows them
	chs := addAll(b, "a")
	b.Flush()
	require.Eventually(t, func() bool { f.mu.Lock(); defer f.mu.Unlock(); return len(f.held) == 1 }, 5*time.Second, time.Millisecond)
	time.Sleep(200 * time.Millisecond) // 40 polls' worth without a block
	f.mu.Lock()
	require.LessOrEqual(t, f.finds, 2, "looked up when sent and once more, then waits for a block")
	for h, msgs := range f.held {
		f.include(h, msgs)
	}
	f.held = nil
	f.mu.Unlock()
	b.OnBlock(0)
	r := results(t, chs)
	require.NoError(t, r[0].Err)
	f.mu.Lock()
	defer f.mu.Unlock()
	require.LessOrEqual(t, f.finds, 3)
}

// byFirstLetter keys messages by their name's first letter, at most limit in flight.
func byFirstLetter(limit int) func(sdk.Msg) (string, int) {
	return func(m sdk.Msg) (string, int) { return msgName(m)[:1], limit }
}

// includeHeld lands every tx the fake chain holds.
func includeHeld(f *fakeTxChain) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for h, msgs := range f.held {
		f.include(h, msgs)
	}
	f.held = nil
}

// landAll lands the held txs one at a time until last is applied and nothing is
// held, asserting that the held txs never carry more than most messages of last's
// key (first letter).
func landAll(t *testing.T, f *fakeTxChain, most int, last string) {
	t.Helper()
	for step := 0; ; step++ {
		require.Less(t, step, 200, "%s never landed", last)
		f.mu.Lock()
		held, one := 0, ""
		for h, msgs := range f.held {
			for _, n := range names(msgs) {
				if n[:1] == last[:1] {
					held++
				}
			}
			one = h
		}
		if one != "" {
			f.include(one, f.held[one])
			delete(f.held, one)
		}
		done := f.applied[last] == 1 && one == ""
		f.mu.Unlock()
		require.LessOrEqual(t, held, most)
		if done {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// The window keeps a key's messages in flight within its limit: what does not fit
// waits, in order (a later group of the key too, even one that would fit), while
// other keys go; the waiting groups go once the txs in flight have landed, with no
// flush asked for; a group over the limit on its own goes when nothing of its key
// is in flight.
func TestBatcherWindowBoundsAKeysMessagesInFlight(t *testing.T) {
	f := newFakeTxChain()
	f.hold = true
	b := testBatcher(f, BatcherConfig{Linger: 20 * time.Millisecond, Window: byFirstLetter(3)})
	defer b.Close()
	first := addAll(b, "a0,a1", "a2", "b0", "a3", "b1", "a4")
	b.Flush()
	require.Eventually(t, func() bool { f.mu.Lock(); defer f.mu.Unlock(); return len(f.held) == 1 }, 5*time.Second, time.Millisecond)
	txs, _, _ := f.snapshot()
	require.Equal(t, [][]string{{"a0", "a1", "a2", "b0", "b1"}}, txs, "a3 would make four a's in flight; a4 waits behind it")
	require.Equal(t, uint64(2), b.Stats.Windowed.Load())

	// More a's wait behind them; flushes send nothing while the window is full.
	more := addAll(b, "a5")
	b.Flush()
	time.Sleep(60 * time.Millisecond) // past the linger: its flush sends nothing either
	txs, _, _ = f.snapshot()
	require.Len(t, txs, 1)
	require.Equal(t, uint64(3), b.Stats.Windowed.Load(), "a group is counted once however often it waits")

	// The tx lands: a3, a4, a5 go by themselves as its groups end (together, or a5
	// after, depending on when the timer's flush sees the shares returned), in order
	// and never more than three a's at once.
	landAll(t, f, 3, "a5")
	for _, r := range results(t, append(first, more...)) {
		require.NoError(t, r.Err)
	}
	txs, _, _ = f.snapshot()
	var order []string
	for _, tx := range txs[1:] {
		order = append(order, tx...)
	}
	require.Equal(t, []string{"a3", "a4", "a5"}, order)

	// Four a's in one group exceed the limit on their own: they go, alone.
	big := addAll(b, "a6,a7,a8,a9")
	b.Flush()
	require.Eventually(t, func() bool { f.mu.Lock(); defer f.mu.Unlock(); return len(f.held) == 1 }, 5*time.Second, time.Millisecond)
	includeHeld(f)
	require.NoError(t, results(t, big)[0].Err)
	_, committed, applied := f.snapshot()
	require.Len(t, committed, 3)
	for _, n := range []string{"a0", "a3", "a5", "a9", "b1"} {
		require.Equal(t, 1, applied[n], n)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	require.Empty(t, b.inflight, "every share returned")
}

// A tx that fails in its block keeps its groups' shares while they are sent again:
// the window counts them until their own outcome, and a waiting group goes after.
func TestBatcherWindowHoldsThroughASplit(t *testing.T) {
	f := newFakeTxChain()
	failsInBlock(f, "a1", errorsmod.Wrap(sdkerrors.ErrInsufficientFunds, "a1 is broke"))
	f.hold = true
	b := testBatcher(f, BatcherConfig{Linger: 20 * time.Millisecond, Window: byFirstLetter(2)})
	defer b.Close()
	chs := addAll(b, "a0", "a1", "a2")
	b.Flush()
	require.Eventually(t, func() bool { f.mu.Lock(); defer f.mu.Unlock(); return len(f.held) == 1 }, 5*time.Second, time.Millisecond)
	// The tx fails at a1: a0 and a1 are sent again, each alone (a1 for its own
	// error), and a2 only once one of them has ended.
	landAll(t, f, 2, "a2")
	rs := results(t, chs)
	require.NoError(t, rs[0].Err)
	require.True(t, Is(rs[1].Err, sdkerrors.ErrInsufficientFunds), "%v", rs[1].Err)
	require.NoError(t, rs[2].Err)
	_, _, applied := f.snapshot()
	require.Equal(t, map[string]int{"a0": 1, "a2": 1}, applied)
}

// A tx that lands teaches the sender's gas model what it used in its block; one
// that fails in its block does not.
func TestBatcherTeachesTheGasModelWhatTxsUsed(t *testing.T) {
	f := newFakeTxChain()
	failsInBlock(f, "m2", errorsmod.Wrap(sdkerrors.ErrUnauthorized, "m2 may not"))
	b := testBatcher(f, BatcherConfig{})
	defer b.Close()
	chs := addAll(b, seq("m", 4)...)
	b.Flush()
	results(t, chs)
	f.mu.Lock()
	defer f.mu.Unlock()
	require.Equal(t, []string{"[m0 m1 m3] 3000"}, f.landedGas)
}

// A message that fails in its block for a Contended reason (one the block's other
// txs caused) is split off and sent again like any other, but does not bring the
// simulations back; a failure in simulation of the same kind still does.
func TestBatcherContendedFailuresDoNotDistrust(t *testing.T) {
	f := newFakeTxChain()
	fails := map[string]int{"m1": 1} // fails in its first block only
	f.execFail = func(n string) error {
		if fails[n] > 0 {
			fails[n]--
			return errorsmod.Wrap(sdkerrors.ErrInsufficientFunds, "the block filled it")
		}
		return nil
	}
	b := testBatcher(f, BatcherConfig{Contended: func(err error) bool { return Is(err, sdkerrors.ErrInsufficientFunds) }})
	defer b.Close()
	chs := addAll(b, seq("m", 3)...)
	b.Flush()
	for _, r := range results(t, chs) {
		require.NoError(t, r.Err, "m1 lands when sent again")
	}
	_, _, applied := f.snapshot()
	require.Equal(t, map[string]int{"m0": 1, "m1": 1, "m2": 1}, applied)
	f.mu.Lock()
	require.Zero(t, f.distrusts)
	f.mu.Unlock()

	// Another error in a block distrusts as before.
	fails["m4"] = 1
	f.execFail = func(n string) error {
		if fails[n] > 0 {
			fails[n]--
			return errorsmod.Wrap(sdkerrors.ErrUnauthorized, "m4 may not")
		}
		return nil
	}
	chs = addAll(b, "m3", "m4")
	b.Flush()
	results(t, chs)
	f.mu.Lock()
	require.Positive(t, f.distrusts)
	f.mu.Unlock()
}
