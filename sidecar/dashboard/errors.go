package dashboard

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// httpError is an error with the status code and the sentence the page shows.
type httpError struct {
	Code int
	Msg  string
	Err  error
}

func (e *httpError) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%d %s: %v", e.Code, e.Msg, e.Err)
	}
	return fmt.Sprintf("%d %s", e.Code, e.Msg)
}

func (e *httpError) Unwrap() error { return e.Err }

func badRequest(format string, a ...any) error {
	return &httpError{Code: http.StatusBadRequest, Msg: fmt.Sprintf(format, a...)}
}

func notFound(format string, a ...any) error {
	return &httpError{Code: http.StatusNotFound, Msg: fmt.Sprintf(format, a...)}
}

// queryErr turns a failed query into the page's answer: the node does not know
// the object (404), refused the request as malformed (400), could not be reached
// or did not answer in time (503: the page says the node is unreachable, and the
// next request tries again, so the page recovers when the node returns), or
// answered with another error (502).
func queryErr(what string, err error) error {
	if err == nil {
		return nil
	}
	var he *httpError
	if errors.As(err, &he) {
		return err
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return &httpError{Code: http.StatusServiceUnavailable, Msg: "the node did not answer in time (" + what + ")", Err: err}
	}
	switch status.Code(err) {
	case codes.NotFound:
		return &httpError{Code: http.StatusNotFound, Msg: what + " not found", Err: err}
	case codes.InvalidArgument:
		return &httpError{Code: http.StatusBadRequest, Msg: "the node refused the request for " + what, Err: err}
	case codes.Unavailable, codes.DeadlineExceeded, codes.Canceled:
		return &httpError{Code: http.StatusServiceUnavailable, Msg: "the node is unreachable (" + what + ")", Err: err}
	default:
		return &httpError{Code: http.StatusBadGateway, Msg: "the node answered with an error (" + what + ")", Err: err}
	}
}

// lookupErr is queryErr for an object named in the URL path: a malformed id is
// an object that does not exist, so it gets the 404 page too.
func lookupErr(what string, err error) error {
	if status.Code(err) == codes.InvalidArgument {
		return &httpError{Code: http.StatusNotFound, Msg: what + " not found", Err: err}
	}
	return queryErr(what, err)
}

func errCode(err error) int {
	var he *httpError
	if errors.As(err, &he) {
		return he.Code
	}
	return http.StatusInternalServerError
}
