package chain

import (
	"encoding/hex"
	"fmt"

	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/gogoproto/proto"
)

// MsgResponse decodes the i-th message response of an executed tx (e.g. the id
// MsgSubmitTask returns) into out.
func MsgResponse(res *sdk.TxResponse, i int, out proto.Message) error {
	if res == nil {
		return fmt.Errorf("no tx response")
	}
	bz, err := hex.DecodeString(res.Data)
	if err != nil {
		return fmt.Errorf("tx %s data: %w", res.TxHash, err)
	}
	var data sdk.TxMsgData
	if err := proto.Unmarshal(bz, &data); err != nil {
		return fmt.Errorf("tx %s data: %w", res.TxHash, err)
	}
	if i < 0 || i >= len(data.MsgResponses) {
		return fmt.Errorf("tx %s has %d message responses, not %d", res.TxHash, len(data.MsgResponses), i+1)
	}
	return proto.Unmarshal(data.MsgResponses[i].Value, out)
}
