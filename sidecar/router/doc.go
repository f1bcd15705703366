// Package router is the OpenAI-compatible HTTP API for apps. A request becomes a
// task in a session the router funds (one per model, created on demand and topped
// up from its key); the answer is the task's validated consensus result, with a
// receipt in headers (task id, sha256 of the result, block height) that anyone can
// check with `cortd q sessions task`.
package router
