package txwait

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cosmos/cosmos-sdk/client"
	"github.com/cosmos/cosmos-sdk/codec"
	codectypes "github.com/cosmos/cosmos-sdk/codec/types"
	sdk "github.com/cosmos/cosmos-sdk/types"
)

func testCodec() codec.Codec { return codec.NewProtoCodec(codectypes.NewInterfaceRegistry()) }

// printVia prints res the way the SDK's broadcast path does, into w.
func printVia(t *testing.T, w *Recorder, format string, res *sdk.TxResponse) {
	t.Helper()
	ctx := client.Context{}.WithCodec(testCodec()).WithOutput(w).WithOutputFormat(format)
	require.NoError(t, ctx.PrintProto(res))
}

func TestRecorderHoldsBackTheBroadcastResponse(t *testing.T) {
	for _, format := range []string{"json", "text"} {
		var out bytes.Buffer
		rec := NewRecorder(&out, testCodec())
		// What BroadcastTx shows before its confirmation prompt passes through.
		ctx := client.Context{}.WithCodec(testCodec()).WithOutput(rec).WithOutputFormat(format)
		require.NoError(t, ctx.PrintRaw(json.RawMessage(`{"body":{"messages":[]},"auth_info":{},"signatures":[]}`)))
		shown := out.String()
		require.Contains(t, shown, "auth_info", format)

		printVia(t, rec, format, &sdk.TxResponse{TxHash: "ABCDEF", Code: 0, RawLog: "", Codespace: ""})
		require.Equal(t, shown, out.String(), "%s: the response (and its newline) is held back", format)
		require.NotNil(t, rec.Response(), format)
		require.Equal(t, "ABCDEF", rec.Response().TxHash, format)

		// Later writes pass through again.
		_, err := rec.Write([]byte("\n"))
		require.NoError(t, err)
		require.Equal(t, shown+"\n", out.String(), format)
	}
}

func TestRecorderKeepsCodeAndLog(t *testing.T) {
	rec := NewRecorder(&bytes.Buffer{}, testCodec())
	printVia(t, rec, "text", &sdk.TxResponse{TxHash: "AA", Code: 9, Codespace: "models", RawLog: "model already registered"})
	res := rec.Response()
	require.NotNil(t, res)
	require.Equal(t, uint32(9), res.Code)
	require.Equal(t, "models", res.Codespace)
	require.Equal(t, "model already registered", res.RawLog)
}

func TestRecorderPassesOtherDocuments(t *testing.T) {
	for _, doc := range []string{
		`{"body":{"memo":"txhash"},"auth_info":{},"signatures":[]}`, // a signed tx mentioning txhash
		`{"txhash":"AB"}`,   // not a full response
		"txhash: [unclosed", // not YAML
		"gas estimate: 1234\n",
		"",
	} {
		var out bytes.Buffer
		rec := NewRecorder(&out, testCodec())
		_, err := rec.Write([]byte(doc))
		require.NoError(t, err)
		require.Equal(t, doc, out.String())
		require.Nil(t, rec.Response(), doc)
	}
}
