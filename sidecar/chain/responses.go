package chain

import (
	"encoding/hex"
	"fmt"

	codectypes "github.com/cosmos/cosmos-sdk/codec/types"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/gogoproto/proto"
	"google.golang.org/protobuf/encoding/protowire"
)

// MsgResponse decodes the i-th message response of an executed tx (e.g. the id
// MsgSubmitTask returns) into out.
//
// Only that response is decoded: the router reads one response per request from
// txs of hundreds of submits, and decoding the whole TxMsgData for each made that
// quadratic (a quarter of the router's CPU under load).
func MsgResponse(res *sdk.TxResponse, i int, out proto.Message) error {
	if res == nil {
		return fmt.Errorf("no tx response")
	}
	bz, err := hex.DecodeString(res.Data)
	if err != nil {
		return fmt.Errorf("tx %s data: %w", res.TxHash, err)
	}
	// TxMsgData: field 2 is the repeated msg_responses (Any); field 1 is deprecated.
	n := 0
	for len(bz) > 0 {
		num, typ, l := protowire.ConsumeTag(bz)
		if l < 0 {
			return fmt.Errorf("tx %s data: %w", res.TxHash, protowire.ParseError(l))
		}
		bz = bz[l:]
		if num == 2 && typ == protowire.BytesType {
			v, l := protowire.ConsumeBytes(bz)
			if l < 0 {
				return fmt.Errorf("tx %s data: %w", res.TxHash, protowire.ParseError(l))
			}
			bz = bz[l:]
			if n == i {
				var a codectypes.Any
				if err := proto.Unmarshal(v, &a); err != nil {
					return fmt.Errorf("tx %s data: %w", res.TxHash, err)
				}
				return proto.Unmarshal(a.Value, out)
			}
			n++
			continue
		}
		l = protowire.ConsumeFieldValue(num, typ, bz)
		if l < 0 {
			return fmt.Errorf("tx %s data: %w", res.TxHash, protowire.ParseError(l))
		}
		bz = bz[l:]
	}
	return fmt.Errorf("tx %s has %d message responses, not %d", res.TxHash, n, i+1)
}
