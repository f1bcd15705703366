package types

import (
	"fmt"
	"sort"

	sdk "github.com/cosmos/cosmos-sdk/types"
)

// Handler is what a subject module registers: x/audits calls it once per audit, with the
// final outcome, when the audit closes. It runs in a cached context; if it returns an
// error its writes are discarded, the error is kept on the audit (handler_error) and
// EventHandlerFailed is emitted, and the chain goes on. The audit's outcome stands.
//
// The audit passed in is the final record (status, auditor, report and tally set).
// figures are the auditor's figures behind the outcome: MsgAuditPass's for PASS (they are
// not stored in the audit record, so this is the only place a handler sees them), the fraud
// report's for FRAUD and CLEARED (also in audit.Report), none for MISSED_PASS. They passed
// ValidateFigures against the params; a handler that has no use for them ignores them.
// Variadic so that a call with no figures reads as before.
type Handler func(ctx sdk.Context, audit Audit, outcome Outcome, figures ...Figure) error

// Router maps subject module names to their handlers, like x/gov's proposal router.
// Routes are added during app construction; the keeper seals the router when it is set.
type Router interface {
	AddRoute(module string, h Handler) Router
	HasRoute(module string) bool
	GetRoute(module string) (Handler, bool)
	Routes() []string
	Seal()
	Sealed() bool
}

type router struct {
	routes map[string]Handler
	sealed bool
}

// NewRouter returns an empty, unsealed router.
func NewRouter() Router {
	return &router{routes: make(map[string]Handler)}
}

// AddRoute registers h for module. It panics (at app construction, never in a block) if
// the router is sealed, the name is not a valid subject module or is taken, or h is nil.
func (r *router) AddRoute(module string, h Handler) Router {
	if r.sealed {
		panic("x/audits: router sealed; cannot add route " + module)
	}
	if err := ValidateSubjectModule(module); err != nil {
		panic(fmt.Sprintf("x/audits: route %q: %v", module, err))
	}
	if h == nil {
		panic("x/audits: nil handler for route " + module)
	}
	if r.HasRoute(module) {
		panic(fmt.Sprintf("x/audits: route %q already registered", module))
	}
	r.routes[module] = h
	return r
}

// HasRoute reports whether module has a handler.
func (r *router) HasRoute(module string) bool {
	_, ok := r.routes[module]
	return ok
}

// GetRoute returns module's handler.
func (r *router) GetRoute(module string) (Handler, bool) {
	h, ok := r.routes[module]
	return h, ok
}

// Routes returns the registered module names in sorted order.
func (r *router) Routes() []string {
	out := make([]string, 0, len(r.routes))
	for m := range r.routes {
		out = append(out, m)
	}
	sort.Strings(out)
	return out
}

// Seal forbids further routes. It panics if called twice.
func (r *router) Seal() {
	if r.sealed {
		panic("x/audits: router already sealed")
	}
	r.sealed = true
}

// Sealed reports whether Seal was called.
func (r *router) Sealed() bool { return r.sealed }
