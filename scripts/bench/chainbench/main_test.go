package main

import (
	"math"
	"strings"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/stretchr/testify/require"

	"github.com/cortnet/cortd/sidecar/chain"
	sessionstypes "github.com/cortnet/cortd/x/sessions/types"
)

func TestPercentileIsNearestRank(t *testing.T) {
	xs := []float64{5, 1, 4, 2, 3, 6, 7, 8, 9, 10}
	require.Equal(t, 5.0, percentile(xs, 50))
	require.Equal(t, 10.0, percentile(xs, 95))
	require.Equal(t, 1.0, percentile(xs, 0))
	require.True(t, math.IsNaN(percentile(nil, 50)))
	require.Equal(t, []float64{5, 1, 4, 2, 3, 6, 7, 8, 9, 10}, xs, "the input is not reordered")
}

// encodeTx is an unsigned tx of msgs as a block carries it.
func encodeTx(t *testing.T, enc chain.Encoding, msgs ...sdk.Msg) []byte {
	t.Helper()
	b := enc.TxConfig.NewTxBuilder()
	require.NoError(t, b.SetMsgs(msgs...))
	bz, err := enc.TxConfig.TxEncoder()(b.GetTx())
	require.NoError(t, err)
	return bz
}

func TestCensusCountsMessagesTxsAndValidatedTasks(t *testing.T) {
	enc, err := chain.NewEncoding()
	require.NoError(t, err)
	pre := func(id uint64) sdk.Msg {
		return &sessionstypes.MsgPrecommit{Sender: "s", TaskId: id, NodeId: "n", Hash: make([]byte, 32)}
	}
	txs := [][]byte{
		encodeTx(t, enc, pre(1), pre(2), pre(3)),
		encodeTx(t, enc, &sessionstypes.MsgSubmitTask{Owner: "o", SessionId: 1, Prompt: "p"}),
		encodeTx(t, enc, pre(4)),
	}
	ended := func(id uint64, st sessionstypes.TaskStatus) abci.Event {
		ev, err := sdk.TypedEventToEvent(&sessionstypes.EventTaskEnded{TaskId: id, Status: st})
		require.NoError(t, err)
		return abci.Event(ev)
	}
	results := []*abci.ExecTxResult{{}, {Code: 5}, {Events: []abci.Event{ended(9, sessionstypes.TASK_STATUS_VALIDATED)}}}
	c := &census{msgsByType: map[string]int{}, txsByType: map[string]int{}}
	c.count(enc.TxConfig.TxDecoder(), txs, results, []abci.Event{ended(7, sessionstypes.TASK_STATUS_VALIDATED), ended(8, sessionstypes.TASK_STATUS_FAILED)})
	require.Equal(t, 3, c.txs)
	require.Equal(t, 5, c.msgs)
	require.Equal(t, 1, c.failed)
	pu := sdk.MsgTypeURL(&sessionstypes.MsgPrecommit{})
	require.Equal(t, 4, c.msgsByType[pu])
	require.Equal(t, 2, c.txsByType[pu])
	require.Equal(t, 3, c.ended)
	require.Equal(t, 2, c.validated)
	tab := c.table()
	require.Contains(t, tab, "| "+pu+" | 4 | 2 | 2.00 | 2.00 / 1.00 |")
	require.Contains(t, tab, "| all | 5 | 3 | 1.67 | 2.50 / 1.50 |")
}

func TestSummarizeSortsOutcomes(t *testing.T) {
	began := time.Unix(1_800_000_000, 0)
	mk := func(outcome string, sentH, inclH int64, code uint32, after time.Duration) *sent {
		s := &sent{outcome: outcome, sentAt: began, sentHeight: sentH, inclHeight: inclH, code: code}
		if inclH > 0 {
			s.inclAt = began.Add(after)
		}
		return s
	}
	txs := []*sent{
		mk("", 10, 11, 0, time.Second), mk("", 10, 12, 0, 2*time.Second), mk("", 10, 11, 7, time.Second),
		mk("", 10, 0, 0, 0), mk("refused", 10, 0, 0, 0), mk("full", 10, 0, 0, 0), mk("error", 10, 0, 0, 0),
	}
	tr := newTracker(nil, chain.Encoding{}, nil)
	tr.blocks = []blockInfo{{height: 11, time: began, txs: 3}, {height: 12, time: began.Add(time.Second), txs: 9}}
	r := summarize(txs, config{label: "x", msgs: 2, rate: 100}, began, began.Add(time.Second), tr, 10)
	require.Equal(t, 2, r.committed)
	require.Equal(t, 1, r.failedInBlock)
	require.Equal(t, 1, r.dropped, "accepted, never in a block")
	require.Equal(t, 1, r.refused)
	require.Equal(t, 1, r.full)
	require.Equal(t, 1, r.errs)
	require.Equal(t, 2.0, r.window)
	require.Equal(t, 9, r.maxBlockTxs)
	row := r.row()
	// 2 committed over 2 s = 1 tx/s, 2 msgs/s; latency 1 and 2 blocks.
	require.True(t, strings.HasPrefix(row, "| x | 2 | 100 | 7 | 2 | 1 | 1 | 2 | 1 / 2 | 1.00 / 2.00 | 1 | 1 | 1 | 1 | 2 (1.00 s, 9) |"), row)
}
