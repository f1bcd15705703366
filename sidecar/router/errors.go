package router

import (
	"encoding/json"
	"net/http"
)

// apiError is OpenAI's error shape: {"error": {"message", "type", "param", "code"}}.
// Messages are written for clients: what went wrong and what to do, never a Go
// error, a file path, a gas figure or a chain log (those go to the router's log;
// see internalError).
type apiError struct {
	Status     int    `json:"-"`
	Message    string `json:"message"`
	Type       string `json:"type"`
	Param      string `json:"param,omitempty"`
	Code       string `json:"code,omitempty"`
	retryAfter string // Retry-After in seconds, when set
}

func (e *apiError) Error() string { return e.Message }

func badRequest(msg, param string) *apiError {
	return &apiError{Status: http.StatusBadRequest, Message: msg, Type: "invalid_request_error", Param: param}
}

func writeError(w http.ResponseWriter, e *apiError) {
	w.Header().Set("Content-Type", "application/json")
	if e.retryAfter != "" {
		w.Header().Set("Retry-After", e.retryAfter)
	}
	w.WriteHeader(e.Status)
	_ = json.NewEncoder(w).Encode(map[string]*apiError{"error": e})
}
