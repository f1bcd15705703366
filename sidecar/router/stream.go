package router

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// streamAnswer writes a validated answer as OpenAI's server-sent events: the text
// in word-sized chunks, a last chunk with the finish reason, then one [DONE]. The
// answer exists in full before the first chunk (only a validated result is ever
// returned), so streaming here shapes the output for clients; it does not lower
// the time to the first token.
func streamAnswer(w http.ResponseWriter, id string, created int64, model, text, finish string, chat bool) {
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	fl, _ := w.(http.Flusher)
	send := func(v any) {
		bz, _ := json.Marshal(v)
		fmt.Fprintf(w, "data: %s\n\n", bz)
		if fl != nil {
			fl.Flush()
		}
	}
	chunk := func(piece string, fin any, first bool) map[string]any {
		if chat {
			delta := map[string]string{}
			if first {
				delta["role"] = "assistant"
			}
			if piece != "" {
				delta["content"] = piece
			}
			return map[string]any{"id": id, "object": "chat.completion.chunk", "created": created, "model": model,
				"choices": []any{map[string]any{"index": 0, "delta": delta, "finish_reason": fin}}}
		}
		return map[string]any{"id": id, "object": "text_completion", "created": created, "model": model,
			"choices": []any{map[string]any{"index": 0, "text": piece, "logprobs": nil, "finish_reason": fin}}}
	}
	pieces := splitKeepingSpaces(text)
	if chat {
		send(chunk("", nil, true))
	}
	for _, p := range pieces {
		send(chunk(p, nil, false))
	}
	send(chunk("", finish, false))
	fmt.Fprint(w, "data: [DONE]\n\n")
	if fl != nil {
		fl.Flush()
	}
}

// splitKeepingSpaces cuts text after each space; the pieces concatenate to text.
func splitKeepingSpaces(text string) []string {
	var out []string
	for text != "" {
		i := strings.IndexByte(text, ' ')
		if i < 0 {
			out = append(out, text)
			break
		}
		out = append(out, text[:i+1])
		text = text[i+1:]
	}
	return out
}
