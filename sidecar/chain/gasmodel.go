package chain

import (
	"strings"
	"sync"

	"github.com/cosmos/gogoproto/proto"

	sdk "github.com/cosmos/cosmos-sdk/types"
)

// gasModel predicts the gas of a batch of messages from what the node's
// simulations of this signer's earlier batches used, so that most batched txs are
// signed without a Simulate: the node runs every simulated message twice (the
// simulation, then the block), and simulations were a fifth of a loaded node's CPU.
//
// A message costs a fixed part per type (store reads and writes, events) plus a
// part per byte (the tx-size charge and the bytes it stores): a batch is predicted
// as the sum over its messages of perType[type] + gasModelPerByte × size. perType
// is the largest residual per message (simulated gas less the per-byte part,
// divided by the messages) among the type's last gasModelWindow single-type
// simulations; a mixed batch's simulation scales the types it holds up when the
// prediction fell short, or teaches the one type in it the model does not know
// yet. Only batches of gasModelMinBatch messages or more are learned from and
// predicted: in a smaller one the tx's own fixed cost (signature, fee, nonce)
// would weigh on the per-message figure, and simulating it is cheap.
//
// The simulation also found failing messages before anything was sent, so the
// model is used only while the chain agrees with it: a type needs
// gasModelMinSamples simulations first, every gasModelRefresh-th batch is simulated
// anyway, and a batch that failed in its block (a message refused, out of gas)
// makes the next gasModelHold batches simulate (Distrust). The signer's margin
// (GasAdjustment, RaiseGas) and GasExtra apply to predictions as to simulations.
type gasModel struct {
	mu      sync.Mutex
	perType map[string]*gasSamples
	since   int // batches predicted since the last simulation
	hold    int // batches that must be simulated
}

const (
	// gasModelPerByte covers the tx-size charge (10 gas/byte by default) and writing
	// the bytes to the store (30/byte), with room for reads.
	gasModelPerByte = 50
	gasModelWindow  = 8
	// gasModelMinSamples simulations of a type before it is predicted.
	gasModelMinSamples = 3
	// gasModelRefresh: one batch in this many is simulated to keep the model current
	// (the txs' gas in their blocks teaches it too: landed).
	gasModelRefresh = 16
	// gasModelHold batches are simulated after one failed in its block.
	gasModelHold = 16
	// gasModelMinBatch: smaller batches are always simulated and not learned from.
	gasModelMinBatch = 8
)

// gasSamples is a type's recent residual gas per message (a ring).
type gasSamples struct {
	vals [gasModelWindow]uint64
	n    int // samples recorded (the ring holds min(n, window))
}

func (g *gasSamples) add(v uint64) {
	g.vals[g.n%gasModelWindow] = v
	g.n++
}

func (g *gasSamples) min() uint64 {
	m := g.vals[0]
	for i := 1; i < min(g.n, gasModelWindow); i++ {
		m = min(m, g.vals[i])
	}
	return m
}

func (g *gasSamples) max() uint64 {
	var m uint64
	for i := 0; i < min(g.n, gasModelWindow); i++ {
		m = max(m, g.vals[i])
	}
	return m
}

// scale raises every recorded sample by num/den (a mixed batch cost more than
// predicted).
func (g *gasSamples) scale(num, den uint64) {
	for i := 0; i < min(g.n, gasModelWindow); i++ {
		g.vals[i] = (g.vals[i]*num + den - 1) / den
	}
}

// shape is a batch's message count per type and its per-byte gas.
type shape struct {
	counts  map[string]uint64
	byteGas uint64
}

func shapeOf(msgs []sdk.Msg) shape {
	s := shape{counts: map[string]uint64{}}
	for _, m := range msgs {
		s.counts[sdk.MsgTypeURL(m)]++
		s.byteGas += gasModelPerByte * uint64(proto.Size(m))
	}
	return s
}

// predict returns the batch's gas when the model may stand in for a simulation.
func (g *gasModel) predict(msgs []sdk.Msg) (uint64, bool) {
	if len(msgs) < gasModelMinBatch {
		return 0, false
	}
	s := shapeOf(msgs)
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.hold > 0 || g.since+1 >= gasModelRefresh {
		return 0, false
	}
	gas, ok := g.predictLocked(s)
	if ok {
		g.since++
	}
	return gas, ok
}

func (g *gasModel) predictLocked(s shape) (uint64, bool) {
	gas := s.byteGas
	for t, n := range s.counts {
		smp := g.perType[t]
		if smp == nil || smp.n < gasModelMinSamples {
			return 0, false
		}
		gas += smp.max() * n
	}
	return gas, true
}

// learn records a simulation of msgs that used gasUsed.
func (g *gasModel) learn(msgs []sdk.Msg, gasUsed uint64) {
	if len(msgs) < gasModelMinBatch {
		return
	}
	s := shapeOf(msgs)
	g.mu.Lock()
	defer g.mu.Unlock()
	g.since = 0
	if g.hold > 0 {
		g.hold--
	}
	g.recordLocked(s, gasUsed)
}

// landed records what a tx of msgs used in its block. A message can cost more there
// than in its simulation, which ran on the state before the block (the other txs of
// the block change what it reads and writes; where a loaded miner's extra gas comes
// from is not yet known: docs/performance.md, "third session"). Learning only from
// simulations, a loaded miner's batches ran out of gas (6 of ~230 txs), and each
// failure made the next 16 batches simulate.
func (g *gasModel) landed(msgs []sdk.Msg, gasUsed uint64) {
	if len(msgs) < gasModelMinBatch || gasUsed == 0 {
		return
	}
	s := shapeOf(msgs)
	g.mu.Lock()
	defer g.mu.Unlock()
	g.recordLocked(s, gasUsed)
}

// estimate is the model's gas for msgs when it has one, without counting it as a
// prediction (a simulated batch asks for at least this).
func (g *gasModel) estimate(msgs []sdk.Msg) (uint64, bool) {
	if len(msgs) < gasModelMinBatch {
		return 0, false
	}
	s := shapeOf(msgs)
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.predictLocked(s)
}

// recordLocked adds a batch of shape s that used gasUsed to the samples.
func (g *gasModel) recordLocked(s shape, gasUsed uint64) {
	if g.perType == nil {
		g.perType = map[string]*gasSamples{}
	}
	residual := uint64(0)
	if gasUsed > s.byteGas {
		residual = gasUsed - s.byteGas
	}
	if len(s.counts) == 1 {
		for t, n := range s.counts {
			g.addSampleLocked(t, residual, n)
		}
		return
	}
	// A mixed batch: its types' samples rise when their prediction fell short.
	if pred, ok := g.predictLocked(s); ok {
		if pred < gasUsed && pred > s.byteGas {
			for t := range s.counts {
				g.perType[t].scale(residual, pred-s.byteGas)
			}
		}
		return
	}
	g.attributeLocked(s, residual)
}

// attributeLocked learns the one type of a mixed batch the model does not know yet
// from what the batch used beyond its known types' share: a loaded miner's batches
// hold precommits and commits together, and learning from single-type batches only
// left commits unknown for a run's first ~16 batches of ~1,000 messages, each
// simulated. The known types are counted at their smallest recent sample (their
// largest carries the most tx overhead per message, from the smallest batch), so
// the new type's figure leans high rather than low; the signer's margin and the
// batches that land (landed) cover what is left. Two or more unknown types teach
// nothing.
func (g *gasModel) attributeLocked(s shape, residual uint64) {
	unknown, known := "", uint64(0)
	for t, n := range s.counts {
		smp := g.perType[t]
		if smp == nil || smp.n < gasModelMinSamples {
			if unknown != "" {
				return
			}
			unknown = t
			continue
		}
		known += smp.min() * n
	}
	if unknown == "" || residual <= known {
		return
	}
	g.addSampleLocked(unknown, residual-known, s.counts[unknown])
}

// addSampleLocked records gas used by n messages of type t as t's per-message
// sample (rounded up).
func (g *gasModel) addSampleLocked(t string, gas, n uint64) {
	smp := g.perType[t]
	if smp == nil {
		smp = &gasSamples{}
		g.perType[t] = smp
	}
	smp.add((gas + n - 1) / n)
}

// distrust makes the next gasModelHold batches simulate.
func (g *gasModel) distrust() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.hold = gasModelHold
}

// recentHashes remembers the last recentHashesLen tx hashes (a ring).
type recentHashes struct {
	mu   sync.Mutex
	ring [recentHashesLen]string
	next int
	set  map[string]bool
}

// recentHashesLen covers the txs a signer can have in flight.
const recentHashesLen = 1024

func (r *recentHashes) add(h string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.set == nil {
		r.set = map[string]bool{}
	}
	delete(r.set, r.ring[r.next])
	r.ring[r.next] = h
	r.set[h] = true
	r.next = (r.next + 1) % recentHashesLen
}

func (r *recentHashes) has(h string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.set[strings.ToUpper(h)]
}
