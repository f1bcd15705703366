package router

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"net/http"

	sdkmath "cosmossdk.io/math"

	sessionstypes "github.com/cortnet/cortd/x/sessions/types"
)

// embeddingScale is the chain's integer encoding of embeddings: each component of
// the L2-normalised vector times 10^6, rounded (DESIGN.md, "No floating point in
// the state machine").
const embeddingScale = 1_000_000

// embeddingsRequest is OpenAI's embeddings request. `user` is accepted and ignored.
type embeddingsRequest struct {
	Model          string          `json:"model"`
	Input          json.RawMessage `json:"input"`
	EncodingFormat string          `json:"encoding_format"`
	Dimensions     *int            `json:"dimensions"`
	User           string          `json:"user"`
}

// embeddings serves POST /v1/embeddings. Every input string becomes one task with
// prompt_type "embedding" (all submitted in one tx); the answer is each task's
// validated consensus embedding, converted back to floats, with the tasks' receipts
// in the headers (comma-separated in input order).
func (r *Router) embeddings(w http.ResponseWriter, req *http.Request) {
	var body embeddingsRequest
	if e := decode(req, &body); e != nil {
		writeError(w, e)
		return
	}
	inputs, e := r.checkEmbeddings(&body)
	if e != nil {
		writeError(w, e)
		return
	}
	t, e := r.admit(req.Context(), len(inputs))
	if e != nil {
		writeError(w, e)
		return
	}
	defer t.end() // gives back what was not submitted, and the in-flight slots
	model, e := r.checkModel(req.Context(), body.Model)
	if e != nil {
		writeError(w, e)
		return
	}
	if body.Dimensions != nil && *body.Dimensions != int(model.EmbeddingDim) {
		writeError(w, badRequest(fmt.Sprintf("model %s has %d dimensions; dimensions must be omitted or %d",
			model.Id, model.EmbeddingDim, model.EmbeddingDim), "dimensions"))
		return
	}
	tasks, e := r.runEmbeddings(req.Context(), t, body.Model, inputs)
	if e != nil {
		writeError(w, e)
		return
	}
	r.extendWrite(w)
	data := make([]map[string]any, len(tasks))
	rcs := make([]receipt, len(tasks))
	var promptTokens uint64
	for i, t := range tasks {
		as := consensusAssignment(t)
		if as == nil || len(as.Embedding) == 0 {
			writeError(w, unavailable(fmt.Sprintf("task %d: the consensus embedding is not on record (pruned?)", t.Id)))
			return
		}
		promptTokens += as.PromptTokens
		var vec any = embeddingFloats(as.Embedding)
		if body.EncodingFormat == "base64" {
			vec = embeddingBase64(as.Embedding)
		}
		data[i] = map[string]any{"object": "embedding", "index": i, "embedding": vec}
		rcs[i] = receiptOf(t)
	}
	setReceiptHeaders(w, rcs)
	writeJSON(w, map[string]any{"object": "list", "data": data, "model": body.Model,
		"usage": map[string]uint64{"prompt_tokens": promptTokens, "total_tokens": promptTokens}})
}

// checkEmbeddings validates what needs no chain: the model name, the input (a
// non-empty string or a non-empty array of at most MaxEmbeddingInputs non-empty
// strings; token arrays are not supported) and the encoding format.
func (r *Router) checkEmbeddings(b *embeddingsRequest) ([]string, *apiError) {
	if b.Model == "" {
		return nil, badRequest("you must provide a model parameter", "model")
	}
	switch b.EncodingFormat {
	case "", "float", "base64":
	default:
		return nil, badRequest("encoding_format must be float or base64", "encoding_format")
	}
	raw := bytes.TrimSpace(b.Input)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return nil, badRequest("you must provide an input parameter", "input")
	}
	var one string
	if json.Unmarshal(raw, &one) == nil {
		if one == "" {
			return nil, badRequest("input must not be empty", "input")
		}
		return []string{one}, nil
	}
	var many []json.RawMessage
	if json.Unmarshal(raw, &many) != nil {
		return nil, badRequest("input must be a string or an array of strings", "input")
	}
	if len(many) == 0 {
		return nil, badRequest("input must not be an empty array", "input")
	}
	if len(many) > r.cfg.MaxEmbeddingInputs {
		return nil, badRequest(fmt.Sprintf("input may hold at most %d strings, got %d", r.cfg.MaxEmbeddingInputs, len(many)), "input")
	}
	out := make([]string, len(many))
	for i, m := range many {
		if json.Unmarshal(m, &out[i]) != nil {
			return nil, badRequest(fmt.Sprintf("input[%d] must be a string (token arrays are not supported)", i), "input")
		}
		if out[i] == "" {
			return nil, badRequest(fmt.Sprintf("input[%d] must not be empty", i), "input")
		}
	}
	return out, nil
}

// runEmbeddings submits one embedding task per input, together, and waits for all
// of them to validate.
func (r *Router) runEmbeddings(ctx context.Context, t *ticket, model string, inputs []string) ([]sessionstypes.Task, *apiError) {
	ctx, cancel := context.WithTimeout(ctx, r.cfg.Timeout)
	defer cancel()
	msgs := make([]*sessionstypes.MsgSubmitTask, len(inputs))
	for i, in := range inputs {
		// Sampling is unused by an embedding task but must be valid: 1 token, greedy.
		msgs[i] = &sessionstypes.MsgSubmitTask{Prompt: in, PromptType: sessionstypes.PromptTypeEmbedding,
			MaxTokens: 1, Temperature: sdkmath.LegacyZeroDec(), TopP: sdkmath.LegacyOneDec()}
	}
	ids, e := r.submit(ctx, t, model, msgs)
	if e != nil {
		return nil, e
	}
	tasks := make([]sessionstypes.Task, len(ids))
	for i, id := range ids {
		if tasks[i], e = r.wait(ctx, t, ids, id); e != nil {
			return nil, e
		}
	}
	return tasks, nil
}

// embeddingFloats converts the chain's integers back to floats (x / 10^6), exactly
// what anyone reading the task on chain computes.
func embeddingFloats(e []int32) []float64 {
	out := make([]float64, len(e))
	for i, x := range e {
		out[i] = float64(x) / embeddingScale
	}
	return out
}

// embeddingBase64 is OpenAI's base64 encoding: little-endian float32s.
func embeddingBase64(e []int32) string {
	buf := make([]byte, 4*len(e))
	for i, x := range e {
		binary.LittleEndian.PutUint32(buf[4*i:], math.Float32bits(float32(float64(x)/embeddingScale)))
	}
	return base64.StdEncoding.EncodeToString(buf)
}
