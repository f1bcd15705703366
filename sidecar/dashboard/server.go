package dashboard

import (
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"reflect"
	"runtime/debug"
	"time"

	"github.com/cosmos/cosmos-sdk/codec"
	"github.com/cosmos/gogoproto/proto"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed assets
var assetFS embed.FS

// Config configures a Server.
type Config struct {
	Backend Backend
	// Codec writes the JSON twins of query answers exactly as the node's own JSON
	// (the CLI's -o json), so scripts can compare them.
	Codec codec.JSONCodec
	// QueryTimeout bounds every query of a page (default 5 s).
	QueryTimeout time.Duration
	// CensusEvery is how often the node census behind the overview's
	// "online by level" and the rank table's global order is refreshed, page by
	// page (default 30 s).
	CensusEvery time.Duration
	// HeatPeriods is how many recent periods the heatmap shows (default 12).
	HeatPeriods int
	Log         *slog.Logger
}

// Server is the dashboard: pages, their JSON twins, /events, /healthz, /metrics.
type Server struct {
	cfg     Config
	b       Backend
	pages   map[string]*template.Template
	errPage *template.Template
	metrics *metrics
	Live    *Live
	census  *census
	log     *slog.Logger
	// sessionSeq is the newest session id seen (the sessions page's search start).
	sessionSeq latestID
}

// New parses the embedded templates and wires the live hub.
func New(cfg Config) (*Server, error) {
	if cfg.Codec == nil {
		return nil, errors.New("dashboard: a codec is required")
	}
	if cfg.QueryTimeout <= 0 {
		cfg.QueryTimeout = 5 * time.Second
	}
	if cfg.CensusEvery <= 0 {
		cfg.CensusEvery = 30 * time.Second
	}
	if cfg.HeatPeriods <= 0 {
		cfg.HeatPeriods = 12
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	s := &Server{cfg: cfg, b: cfg.Backend, pages: map[string]*template.Template{}, metrics: newMetrics(), log: cfg.Log}
	s.Live = newLive(s.metrics)
	s.Live.TaskTokens = s.taskTokens
	s.census = &census{heatN: cfg.HeatPeriods}
	layout, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html")
	if err != nil {
		return nil, fmt.Errorf("dashboard: templates: %w", err)
	}
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	for _, n := range names {
		if n == "templates/layout.html" {
			continue
		}
		t, err := template.Must(layout.Clone()).ParseFS(templateFS, n)
		if err != nil {
			return nil, fmt.Errorf("dashboard: template %s: %w", n, err)
		}
		s.pages[n[len("templates/"):len(n)-len(".html")]] = t
	}
	s.errPage = s.pages["error"]
	if s.errPage == nil {
		return nil, errors.New("dashboard: no error template")
	}
	return s, nil
}

// Start runs the background census until ctx ends (the live feed is started by
// the caller with Live.Run, so tests can feed it).
func (s *Server) Start(ctx context.Context) {
	go func() {
		for {
			cctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
			if err := s.census.refresh(cctx, s.b, s.cfg.QueryTimeout); err != nil && ctx.Err() == nil {
				s.log.Warn("node census", "err", err)
			}
			cancel()
			select {
			case <-ctx.Done():
				return
			case <-time.After(s.cfg.CensusEvery):
			}
		}
	}()
}

// RefreshCensus walks the node list once (page by page) now.
func (s *Server) RefreshCensus(ctx context.Context) error {
	return s.census.refresh(ctx, s.b, s.cfg.QueryTimeout)
}

// view is what a page handler returns: the template's data and the JSON twin.
type view struct {
	Title string
	Data  any
	JSON  []field
}

// field is one member of a JSON twin, in order. A proto.Message is written with
// the chain codec (the node's own JSON), anything else with encoding/json.
type field struct {
	Key string
	Val any
}

type handlerFunc func(ctx context.Context, r *http.Request) (*view, error)

// Handler serves every route.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	page := func(pattern, name string, h handlerFunc) {
		mux.Handle(pattern, s.wrap(name, h))
	}
	page("GET /{$}", "overview", s.overview)
	page("GET /nodes", "nodes", s.nodes)
	page("GET /nodes/{id}", "node", s.node)
	page("GET /sessions", "sessions", s.sessions)
	page("GET /sessions/{id}", "session", s.session)
	page("GET /tasks/{id}", "task", s.task)
	page("GET /data", "data", s.data)
	page("GET /audits/{id}", "audit", s.audit)
	page("GET /challenges", "challenges", s.challenges)
	page("GET /challenges/{id}", "challenge", s.challenge)
	mux.Handle("GET /events", s.Live)
	static, _ := fs.Sub(assetFS, "assets")
	mux.Handle("GET /assets/", http.StripPrefix("/assets/", http.FileServer(http.FS(static))))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "ok") })
	mux.HandleFunc("GET /metrics", s.metrics.serve)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, r, "notfound", notFound("not found: no page at %s", r.URL.Path))
	})
	return securityHeaders(mux)
}

func (s *Server) wrap(name string, h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		defer func() {
			if p := recover(); p != nil {
				s.log.Error("dashboard page panicked", "page", name, "url", r.URL.String(), "panic", p, "stack", string(debug.Stack()))
				s.fail(w, r, name, &httpError{Code: http.StatusInternalServerError, Msg: "internal error"})
			}
		}()
		if _, err := url.ParseQuery(r.URL.RawQuery); err != nil {
			s.fail(w, r, name, badRequest("malformed query string: %v", err))
			return
		}
		format := r.URL.Query().Get("format")
		if format != "" && format != "json" && format != "html" {
			s.fail(w, r, name, badRequest("format=%q: want json or html", format))
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), 4*s.cfg.QueryTimeout)
		defer cancel()
		v, err := h(ctx, r)
		if err != nil {
			s.fail(w, r, name, err)
			return
		}
		if format == "json" {
			s.writeJSON(w, http.StatusOK, v.JSON)
		} else {
			s.writeHTML(w, r, name, http.StatusOK, v)
		}
		s.metrics.observe(name, http.StatusOK, time.Since(start))
	})
}

// fail answers with the error page (or JSON), never a panic.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, name string, err error) {
	code := errCode(err)
	msg := err.Error()
	var he *httpError
	if errors.As(err, &he) {
		msg = he.Msg
	}
	if code >= 500 {
		s.log.Warn("dashboard page failed", "page", name, "url", r.URL.String(), "code", code, "err", err)
	}
	s.metrics.observe(name, code, 0)
	if r.URL.Query().Get("format") == "json" {
		s.writeJSON(w, code, []field{{"error", msg}, {"code", code}})
		return
	}
	s.writeHTML(w, r, "error", code, &view{Title: http.StatusText(code), Data: map[string]any{
		"Code": code, "Status": http.StatusText(code), "Msg": msg, "Unreachable": code == http.StatusServiceUnavailable,
	}})
}

func (s *Server) writeJSON(w http.ResponseWriter, code int, fields []field) {
	var buf bytes.Buffer
	s.encodeFields(&buf, fields)
	buf.WriteByte('\n')
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_, _ = w.Write(buf.Bytes())
}

// encodeFields writes an ordered JSON object; nested []field become objects.
func (s *Server) encodeFields(buf *bytes.Buffer, fields []field) {
	buf.WriteByte('{')
	for i, f := range fields {
		if i > 0 {
			buf.WriteByte(',')
		}
		k, _ := json.Marshal(f.Key)
		buf.Write(k)
		buf.WriteByte(':')
		if sub, ok := f.Val.([]field); ok {
			s.encodeFields(buf, sub)
			continue
		}
		var b []byte
		var err error
		if m, ok := f.Val.(proto.Message); ok && !isNil(m) {
			b, err = s.cfg.Codec.MarshalJSON(m)
		} else {
			b, err = json.Marshal(f.Val)
		}
		if err != nil {
			b, _ = json.Marshal("unencodable: " + err.Error())
		}
		buf.Write(b)
	}
	buf.WriteByte('}')
}

func isNil(m proto.Message) bool {
	v := reflect.ValueOf(m)
	return v.Kind() == reflect.Pointer && v.IsNil()
}

// layoutData is what the layout template sees around a page.
type layoutData struct {
	Title string
	Path  string
	Link  LinkState
	Data  any
}

func (s *Server) writeHTML(w http.ResponseWriter, r *http.Request, name string, code int, v *view) {
	t := s.pages[name]
	if t == nil {
		t = s.errPage
	}
	tmpl := "layout"
	if r.Header.Get("X-Partial") == "1" {
		tmpl = "main" // the live script swaps the page's <main> in place
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, tmpl, layoutData{Title: v.Title, Path: r.URL.Path, Link: s.Live.Link(), Data: v.Data}); err != nil {
		s.log.Error("dashboard template", "page", name, "err", err)
		http.Error(w, "template error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(code)
	_, _ = w.Write(buf.Bytes())
}

// qctx bounds one query.
func (s *Server) qctx(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, s.cfg.QueryTimeout)
}
