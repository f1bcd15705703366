package router

import (
	"encoding/base64"
	"encoding/binary"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestEmbeddingsBadRequests: every malformed embeddings request is refused before the
// router touches the chain (the test router has none), so nothing is charged.
func TestEmbeddingsBadRequests(t *testing.T) {
	h := newTestRouter(t, Config{Keys: map[string]bool{"sk-1": true}, MaxEmbeddingInputs: 3}).Handler()
	cases := []struct{ body, param, msg string }{
		{`{"model":"m","input":`, "", "parse the JSON"},
		{`{"input":"hi"}`, "model", "model"},
		{`{"model":"m"}`, "input", "provide an input"},
		{`{"model":"m","input":null}`, "input", "provide an input"},
		{`{"model":"m","input":""}`, "input", "not be empty"},
		{`{"model":"m","input":[]}`, "input", "empty array"},
		{`{"model":"m","input":42}`, "input", "string or an array"},
		{`{"model":"m","input":{"text":"hi"}}`, "input", "string or an array"},
		{`{"model":"m","input":[1,2,3]}`, "input", "token arrays"},
		{`{"model":"m","input":["a",""]}`, "input", "input[1] must not be empty"},
		{`{"model":"m","input":["a","b","c","d"]}`, "input", "at most 3 strings, got 4"},
		{`{"model":"m","input":"hi","encoding_format":"int8"}`, "encoding_format", "float or base64"},
	}
	for _, c := range cases {
		code, e := do(t, h, "POST", "/v1/embeddings", "sk-1", c.body)
		require.Equal(t, http.StatusBadRequest, code, c.body)
		require.Equal(t, "invalid_request_error", e.Error.Type, c.body)
		require.Equal(t, c.param, e.Error.Param, c.body)
		require.Contains(t, e.Error.Message, c.msg, c.body)
	}
	code, e := do(t, h, "POST", "/v1/embeddings", "", `{"model":"m","input":"hi"}`)
	require.Equal(t, http.StatusUnauthorized, code, "missing key")
	require.Equal(t, "invalid_api_key", e.Error.Code)
}

func TestCheckEmbeddingsAcceptsStringsAndArrays(t *testing.T) {
	r := newTestRouter(t, Config{MaxEmbeddingInputs: 3})
	in, e := r.checkEmbeddings(&embeddingsRequest{Model: "m", Input: []byte(` "héllo" `)})
	require.Nil(t, e)
	require.Equal(t, []string{"héllo"}, in)
	in, e = r.checkEmbeddings(&embeddingsRequest{Model: "m", Input: []byte(`["a","b","c"]`), EncodingFormat: "base64"})
	require.Nil(t, e)
	require.Equal(t, []string{"a", "b", "c"}, in, "input order is kept: data[i] answers input[i]")
	// the default cap
	require.Equal(t, 16, newTestRouter(t, Config{}).cfg.MaxEmbeddingInputs)
}

func TestEmbeddingConversions(t *testing.T) {
	e := []int32{600_000, -800_000, 0, 1}
	require.Equal(t, []float64{0.6, -0.8, 0, 0.000001}, embeddingFloats(e))
	raw, err := base64.StdEncoding.DecodeString(embeddingBase64(e))
	require.NoError(t, err)
	require.Len(t, raw, 16)
	for i, want := range []float32{0.6, -0.8, 0, 0.000001} {
		require.Equal(t, want, math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:])))
	}
}

func TestReceiptHeadersListTasksInOrder(t *testing.T) {
	rec := httptest.NewRecorder()
	setReceiptHeaders(rec, []receipt{{TaskID: 7, Sha256: "aa", Height: 10}, {TaskID: 8, Sha256: "bb", Height: 11}})
	require.Equal(t, "7,8", rec.Header().Get("X-Cortd-Task-Id"))
	require.Equal(t, "aa,bb", rec.Header().Get("X-Cortd-Result-Sha256"))
	require.Equal(t, "10,11", rec.Header().Get("X-Cortd-Height"))
	rec = httptest.NewRecorder()
	receipt{TaskID: 3, Sha256: strings.Repeat("c", 64), Height: 5}.setHeaders(rec)
	require.Equal(t, "3", rec.Header().Get("X-Cortd-Task-Id"))
	require.Equal(t, "5", rec.Header().Get("X-Cortd-Height"))
}

func TestEscrowNeededForABatch(t *testing.T) {
	r := newTestRouter(t, Config{}) // price 1000, redundancy 3
	require.Equal(t, int64(3_000), r.sess.need(1).Int64())
	require.Equal(t, int64(48_000), r.sess.need(16).Int64(), "an embeddings batch reserves for every input")
	require.Equal(t, int64(3_000), r.sess.need(0).Int64())
}
