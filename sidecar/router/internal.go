package router

import (
	"context"
	"net/http"
)

// internalError logs what failed in full (the chain's error, its raw log, gas
// figures: an operator needs them) and answers the client with a fixed message
// that says only which step failed. Chain and Go errors carry file paths, gas
// used/wanted, account sequences and addresses; none of that is the client's
// business, and some of it helps an attacker.
func (r *Router) internalError(ctx context.Context, step string, err error, attrs ...any) *apiError {
	attrs = append([]any{"key", keyID(keyFrom(ctx)), "step", step, "err", err}, attrs...)
	r.log.Warn("router: chain request failed", attrs...)
	return &apiError{Status: http.StatusServiceUnavailable, Type: "server_error", Code: "chain_unavailable",
		Message: "The router could not complete " + step + " on the chain; retry later."}
}
