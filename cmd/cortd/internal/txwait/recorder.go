package txwait

import (
	"bytes"
	"encoding/json"
	"io"

	"sigs.k8s.io/yaml"

	"github.com/cosmos/cosmos-sdk/codec"
	sdk "github.com/cosmos/cosmos-sdk/types"
)

// Recorder is a command's output writer that holds back the broadcast response. Every SDK
// path that broadcasts (autocli, client/tx, `tx broadcast`) ends with one PrintProto of the
// TxResponse: one Write of its JSON (then a separate "\n") or of its YAML (-o text). That
// write is kept for Settle; everything else (the unsigned tx shown before the confirmation
// prompt, generated or signed txs) passes through unchanged.
type Recorder struct {
	out         io.Writer
	cdc         codec.JSONCodec
	res         *sdk.TxResponse
	skipNewline bool
}

// NewRecorder writes through to out; cdc decodes the response (the app codec).
func NewRecorder(out io.Writer, cdc codec.JSONCodec) *Recorder {
	return &Recorder{out: out, cdc: cdc}
}

// Write passes p through unless it is the first broadcast response.
func (r *Recorder) Write(p []byte) (int, error) {
	if r.skipNewline {
		r.skipNewline = false
		if string(p) == "\n" {
			return len(p), nil
		}
	}
	if r.res == nil {
		if res, isJSON := r.parse(p); res != nil {
			r.res = res
			r.skipNewline = isJSON // only JSON output gets a separate "\n"
			return len(p), nil
		}
	}
	return r.out.Write(p)
}

// Response is the broadcast response held back, or nil when nothing was broadcast.
func (r *Recorder) Response() *sdk.TxResponse { return r.res }

// responseKeys are fields every printed TxResponse has (proto JSON emits defaults) and no
// transaction document has.
var responseKeys = []string{"txhash", "code", "raw_log", "gas_wanted"}

// parse returns p as a TxResponse with a hash, or nil, and whether p was JSON.
func (r *Recorder) parse(p []byte) (*sdk.TxResponse, bool) {
	doc := bytes.TrimSpace(p)
	if len(doc) == 0 || !bytes.Contains(doc, []byte("txhash")) {
		return nil, false
	}
	isJSON := doc[0] == '{'
	if !isJSON { // -o text prints YAML
		var err error
		if doc, err = yaml.YAMLToJSON(doc); err != nil {
			return nil, false
		}
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(doc, &fields); err != nil {
		return nil, false
	}
	for _, k := range responseKeys {
		if _, ok := fields[k]; !ok {
			return nil, false
		}
	}
	var res sdk.TxResponse
	if err := r.cdc.UnmarshalJSON(doc, &res); err != nil || res.TxHash == "" {
		return nil, false
	}
	return &res, isJSON
}
