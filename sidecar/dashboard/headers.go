package dashboard

import "net/http"

// contentSecurityPolicy: the pages load one script (/assets/live.js), one stylesheet and
// nothing else from anywhere; no inline script or style exists (the charts are inline SVG
// with presentation attributes, which CSP does not restrict), so none is allowed. The
// live script fetches partial pages and opens /events, both same-origin (connect-src).
// frame-ancestors 'none' is the modern X-Frame-Options: DENY; base-uri and form-action
// stop injected markup from retargeting links or the owner filter form.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; " +
	"connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// securityHeaders sets the hardening headers on every response (pages, JSON twins, the
// event stream, assets, metrics and errors) before the handler writes anything.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		next.ServeHTTP(w, r)
	})
}
