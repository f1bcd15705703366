package app

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
	protov2 "google.golang.org/protobuf/proto"

	sdk "github.com/cosmos/cosmos-sdk/types"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"

	sessionstypes "github.com/cortnet/cortd/x/sessions/types"
)

type msgsTx []sdk.Msg

func (t msgsTx) GetMsgs() []sdk.Msg                    { return t }
func (t msgsTx) GetMsgsV2() ([]protov2.Message, error) { return nil, nil }
func (t msgsTx) ValidateBasic() error                  { return nil }
func (t msgsTx) GetSigners() ([][]byte, error)         { return nil, nil }

type publishedSubmits [][]sessionstypes.MsgSubmitTask

func (p *publishedSubmits) WantsSubmits() bool { return true }

// noSubscriber wants nothing: a tx's submissions must not even be collected.
type noSubscriber struct{ published int }

func (n *noSubscriber) WantsSubmits() bool                           { return false }
func (n *noSubscriber) PublishSubmits([]sessionstypes.MsgSubmitTask) { n.published++ }

func (p *publishedSubmits) PublishSubmits(s []sessionstypes.MsgSubmitTask) {
	if len(s) > 0 {
		*p = append(*p, s)
	}
}

// Only a new tx that passed the ante chain in CheckTx has its submissions
// published: not a recheck, a simulation, a tx in a block or a refused tx.
func TestAdmittedSubmitsArePublishedOnlyFromCheckTx(t *testing.T) {
	tx := msgsTx{
		&sessionstypes.MsgSubmitTask{SessionId: 1, Prompt: "one"},
		&banktypes.MsgSend{FromAddress: "a", ToAddress: "b"},
		&sessionstypes.MsgSubmitTask{SessionId: 2, Prompt: "two"},
	}
	refuse := errors.New("insufficient fee")
	for _, tc := range []struct {
		name     string
		mode     sdk.ExecMode
		simulate bool
		anteErr  error
		want     bool
	}{
		{"new tx in CheckTx", sdk.ExecModeCheck, false, nil, true},
		{"recheck after a block", sdk.ExecModeReCheck, false, nil, false},
		{"simulation", sdk.ExecModeSimulate, true, nil, false},
		{"simulation through CheckTx's mode", sdk.ExecModeCheck, true, nil, false},
		{"the block's execution", sdk.ExecModeFinalize, false, nil, false},
		{"refused by the ante chain", sdk.ExecModeCheck, false, refuse, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var pub publishedSubmits
			next := func(ctx sdk.Context, _ sdk.Tx, _ bool) (sdk.Context, error) { return ctx, tc.anteErr }
			_, err := publishAdmittedSubmits(next, &pub)(sdk.Context{}.WithExecMode(tc.mode), tx, tc.simulate)
			require.ErrorIs(t, err, tc.anteErr, "the ante chain's answer is unchanged")
			if !tc.want {
				require.Empty(t, pub)
				return
			}
			require.Len(t, pub, 1, "one publication per tx")
			require.Len(t, pub[0], 2, "only the submissions, in tx order")
			require.Equal(t, "one", pub[0][0].Prompt)
			require.Equal(t, uint64(2), pub[0][1].SessionId)
		})
	}
	var pub publishedSubmits
	next := func(ctx sdk.Context, _ sdk.Tx, _ bool) (sdk.Context, error) { return ctx, nil }
	_, err := publishAdmittedSubmits(next, &pub)(sdk.Context{}.WithExecMode(sdk.ExecModeCheck), msgsTx{&banktypes.MsgSend{}}, false)
	require.NoError(t, err)
	require.Empty(t, pub, "a tx without submissions publishes nothing")

	idle := &noSubscriber{}
	_, err = publishAdmittedSubmits(next, idle)(sdk.Context{}.WithExecMode(sdk.ExecModeCheck), tx, false)
	require.NoError(t, err)
	require.Zero(t, idle.published, "nobody subscribes: nothing is collected or published")
}
