package chain

import (
	"encoding/hex"
	"testing"

	codectypes "github.com/cosmos/cosmos-sdk/codec/types"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/gogoproto/proto"
	"github.com/stretchr/testify/require"

	sessionstypes "github.com/cortnet/cortd/x/sessions/types"
)

// Each message's response is found by its index in the tx, as a full decode of
// TxMsgData finds it; an index past the end and corrupt data are errors.
func TestMsgResponseReadsTheIthResponse(t *testing.T) {
	var data sdk.TxMsgData
	for id := uint64(101); id <= 103; id++ {
		a, err := codectypes.NewAnyWithValue(&sessionstypes.MsgSubmitTaskResponse{TaskId: id})
		require.NoError(t, err)
		data.MsgResponses = append(data.MsgResponses, a)
	}
	bz, err := proto.Marshal(&data)
	require.NoError(t, err)
	res := &sdk.TxResponse{TxHash: "AB", Data: hex.EncodeToString(bz)}
	for i := range 3 {
		var out sessionstypes.MsgSubmitTaskResponse
		require.NoError(t, MsgResponse(res, i, &out))
		require.Equal(t, uint64(101+i), out.TaskId)
	}
	var out sessionstypes.MsgSubmitTaskResponse
	require.ErrorContains(t, MsgResponse(res, 3, &out), "has 3 message responses, not 4")
	require.Error(t, MsgResponse(&sdk.TxResponse{Data: hex.EncodeToString(bz[:len(bz)-3])}, 2, &out))
	require.Error(t, MsgResponse(&sdk.TxResponse{Data: "zz"}, 0, &out))
	require.ErrorContains(t, MsgResponse(nil, 0, &out), "no tx response")
}
