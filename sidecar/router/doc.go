// Package router is the OpenAI-compatible HTTP API for apps. A request becomes a
// task in a session the router funds (one per model, created on demand and topped
// up from its key); the answer is the task's validated consensus result, with a
// receipt in headers (X-Cortd-Task-Id, X-Cortd-Result-Sha256: sha256 of the result
// text, X-Cortd-Height: the block that ended the task) that anyone can check with
// `cortd q sessions task`.
//
// POST /v1/embeddings takes `input` as a string or an array of at most
// Config.MaxEmbeddingInputs strings (token arrays are refused). Each string is one
// task with prompt_type "embedding", all submitted in one tx: the miners embed the
// input with the session's model (no completion) and commit the input itself as the
// result text, so the receipt's sha256 is sha256(input) and the consensus node's
// embedding is on the task's record. The answer is OpenAI's shape (`object: "list"`,
// `data[{object: "embedding", index, embedding}]`, `model`, `usage`) with each
// component the chain's integer / 10^6 (`encoding_format: "base64"` gives the same
// values as little-endian float32s); the receipt headers list the tasks
// comma-separated in input order. If any task of a batch does not validate the
// request fails (503) — the others are still paid, like any validated task.
//
// POST /v1/chat/completions renders the messages with the model's chat_template
// from Config.ModelsDir/<id>/tokenizer_config.json (package
// sidecar/engine/chattemplate; without one, the plain "role: content" transcript)
// and submits the rendered prompt as a prompt_type "chat" task (chat.go). Request
// "stop" sequences cut the validated answer (both endpoints).
//
// What the router's key pays for is bounded (README, "Router limits"): per API key
// a request rate and a task rate (tasks are inputs × redundancy), ucor budgets per
// key and for all keys per minute and per day (reserved before submission, given
// back when nothing was submitted; admission.go, budget.go, window.go), a daily cap
// on deposits into the router's sessions (sessions.go), a limit on failed
// authentications per address (authlimit.go) and bounded HTTP server settings
// (server.go). Every submission is followed to its block and logged with the key's
// id, the task ids and the cost, also when the client has gone; error bodies carry
// no chain or Go internals (internal.go).
package router
