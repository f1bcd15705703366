package types_test

import (
	"math/rand"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/cosmos/gogoproto/proto"
	"github.com/stretchr/testify/require"

	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/cortnet/cortd/x/sessions/types"
)

// TestABCIEventIsTypedEventToEvent: every hand-written event encoding equals the SDK's
// reflection-based one, on edge values (empty, nil and non-ASCII strings, HTML characters,
// invalid UTF-8, enum values without a name, the largest integers) and random ones.
func TestABCIEventIsTypedEventToEvent(t *testing.T) {
	r := rand.New(rand.NewSource(7))
	for i := 0; i < 400; i++ {
		for _, ev := range randomEvents(r, i) {
			want, err := sdk.TypedEventToEvent(ev)
			require.NoError(t, err)
			got := ev.(types.ABCIEvent).ABCIEvent()
			require.Equal(t, want, got, "%s %v", proto.MessageName(ev), ev)
		}
	}
}

var eventStrings = []string{
	"", "cortnode1", "Hello, world", `quote " and \ backslash`, "<b>&amp;</b>", "tab\tnew\nline\r",
	"\x00\x1f\x7f", "héllo 世界 🙂", "\xff\xfe invalid", "\u2028\u2029", "x/y:z;{}[]",
}

func randomString(r *rand.Rand, i int) string {
	if i < len(eventStrings) {
		return eventStrings[i]
	}
	s := eventStrings[r.Intn(len(eventStrings))]
	b := make([]byte, r.Intn(20))
	for j := range b {
		b[j] = byte(r.Intn(256))
	}
	return s + string(b)
}

func randomStrings(r *rand.Rand, i int) []string {
	switch i % 4 {
	case 0:
		return nil
	case 1:
		return []string{}
	}
	v := make([]string, 1+r.Intn(4))
	for j := range v {
		v[j] = randomString(r, r.Intn(30))
	}
	return v
}

func randomU64(r *rand.Rand, i int) uint64 {
	switch i % 5 {
	case 0:
		return 0
	case 1:
		return ^uint64(0)
	}
	return r.Uint64() >> r.Intn(64)
}

func randomI64(r *rand.Rand, i int) int64 {
	switch i % 5 {
	case 0:
		return 0
	case 1:
		return -1 << 63
	case 2:
		return 1<<63 - 1
	}
	return int64(r.Uint64()) >> r.Intn(64)
}

func randomDec(r *rand.Rand, i int) sdkmath.LegacyDec {
	if i%6 == 0 {
		return sdkmath.LegacyDec{} // never set: a nil big.Int
	}
	return sdkmath.LegacyNewDecWithPrec(r.Int63n(1e12)-5e11, int64(r.Intn(18)))
}

// randomEnum is a named value most of the time and sometimes one without a name.
func randomEnum(r *rand.Rand, names map[int32]string) int32 {
	if r.Intn(5) == 0 {
		return int32(r.Intn(1000)) - 500
	}
	return int32(r.Intn(len(names)))
}

func randomEvents(r *rand.Rand, i int) []proto.Message {
	s := func() string { return randomString(r, i) }
	return []proto.Message{
		&types.EventTaskSubmitted{TaskId: randomU64(r, i), SessionId: randomU64(r, i+1), Reserved: s()},
		&types.EventTaskAssigned{
			TaskId: randomU64(r, i), SessionId: randomU64(r, i+2), ModelId: s(), Prompt: s(), PromptType: s(),
			Sampling: types.SamplingParams{
				MaxTokens: uint32(randomU64(r, i)), Temperature: randomDec(r, i), TopP: randomDec(r, i+1),
				TopK: uint32(randomU64(r, i+3)), Seed: randomU64(r, i+4),
			},
			NodeIds: randomStrings(r, i), PrecommitDeadline: randomI64(r, i), EmbeddingDim: uint32(randomU64(r, i+1)),
			Verification: types.VerificationMode(randomEnum(r, types.VerificationMode_name)),
		},
		&types.EventCommitPhase{TaskId: randomU64(r, i), CommitDeadline: randomI64(r, i+1), NodeIds: randomStrings(r, i+1)},
		&types.EventPrecommitted{TaskId: randomU64(r, i), NodeId: s()},
		&types.EventCommitted{TaskId: randomU64(r, i+3), NodeId: s()},
		&types.EventNodeMissed{TaskId: randomU64(r, i), NodeId: s(),
			Status: types.AssignmentStatus(randomEnum(r, types.AssignmentStatus_name))},
		&types.EventTaskEnded{
			TaskId: randomU64(r, i), SessionId: randomU64(r, i+1), Status: types.TaskStatus(randomEnum(r, types.TaskStatus_name)),
			ConsensusNode: s(), ResultText: randomString(r, i+3), ResultSha256: s(), Height: randomI64(r, i+2),
			ValidatedNodes: randomStrings(r, i+2), Paid: s(),
		},
	}
}

func BenchmarkEventToABCI(b *testing.B) {
	ev := &types.EventTaskEnded{TaskId: 12345, SessionId: 7, Status: types.TASK_STATUS_VALIDATED,
		ConsensusNode: "miner1", ResultText: "Benchmark answer: some eight tokens", ResultSha256: "3f1e0c",
		Height: 4242, ValidatedNodes: []string{"miner1", "miner2", "miner3"}, Paid: "3000ucor"}
	b.Run("typed", func(b *testing.B) {
		for b.Loop() {
			if _, err := sdk.TypedEventToEvent(ev); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("hand-written", func(b *testing.B) {
		for b.Loop() {
			_ = ev.ABCIEvent()
		}
	})
}

// FromABCIEvent reads back what ParseTypedEvent reads, on the same random events.
func TestFromABCIEventIsParseTypedEvent(t *testing.T) {
	r := rand.New(rand.NewSource(11))
	for i := 0; i < 400; i++ {
		ev := randomEvents(r, i)[1].(*types.EventTaskAssigned)
		abciEv := abci.Event(ev.ABCIEvent())
		want, err := sdk.ParseTypedEvent(abciEv)
		require.NoError(t, err)
		var got types.EventTaskAssigned
		require.NoError(t, got.FromABCIEvent(abciEv))
		require.Equal(t, want, &got, "%v", ev)
	}
	var got types.EventTaskAssigned
	require.Error(t, got.FromABCIEvent(abci.Event{Type: "cortd.sessions.v1.EventTaskEnded"}))
	for _, bad := range []abci.Event{
		{Type: "cortd.sessions.v1.EventTaskAssigned", Attributes: []abci.EventAttribute{{Key: "task_id", Value: `"x"`}}},
		{Type: "cortd.sessions.v1.EventTaskAssigned", Attributes: []abci.EventAttribute{{Key: "prompt", Value: `"unterminated`}}},
		{Type: "cortd.sessions.v1.EventTaskAssigned", Attributes: []abci.EventAttribute{{Key: "sampling", Value: `{"temperature":"hot"}`}}},
		{Type: "cortd.sessions.v1.EventTaskAssigned", Attributes: []abci.EventAttribute{{Key: "verification", Value: `"VERIFICATION_MODE_NONE"`}}},
	} {
		require.Error(t, got.FromABCIEvent(bad), "%v", bad)
	}
}
