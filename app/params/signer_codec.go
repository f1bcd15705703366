package params

import (
	"bytes"
	"sync/atomic"

	"cosmossdk.io/core/address"
)

// LastAddressCodec wraps an address codec and remembers the last string it decoded.
// The SDK reads every message's signer with the signing context's codec, once per
// decoding of a tx (CheckTx, recheck, simulation, the block), and a batched tx's
// hundreds of messages share one signer: bech32 decoding them was 2.7 % of a loaded
// node's CPU. A string always decodes to the same bytes, so the answer is the same;
// only successful decodings are remembered, and each caller gets its own copy.
type LastAddressCodec struct {
	address.Codec
	last atomic.Pointer[decodedAddress]
}

type decodedAddress struct {
	text string
	bz   []byte
}

// NewLastAddressCodec wraps c.
func NewLastAddressCodec(c address.Codec) *LastAddressCodec { return &LastAddressCodec{Codec: c} }

// StringToBytes decodes text, from memory when it is the last string decoded.
func (c *LastAddressCodec) StringToBytes(text string) ([]byte, error) {
	if l := c.last.Load(); l != nil && l.text == text {
		return bytes.Clone(l.bz), nil
	}
	bz, err := c.Codec.StringToBytes(text)
	if err != nil {
		return nil, err
	}
	c.last.Store(&decodedAddress{text: text, bz: bytes.Clone(bz)})
	return bz, nil
}
