package console

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"picket/internal/alert"
	"picket/internal/audit"
	"picket/internal/catalog"
	"picket/internal/source"
)

// AlertManager is the part of *alert.Manager the console uses. The console calls it from
// request handlers, concurrently; errors wrapping alert.ErrNotFound, alert.ErrInvalid and
// alert.ErrInvalidTransition are shown to the user as 404, 400 and 409, any other error as 500.
type AlertManager interface {
	// List returns the alerts matching q in List order (inbox, overview).
	List(ctx context.Context, q alert.Query) ([]*alert.Alert, error)
	// Get returns one alert (alert page).
	Get(ctx context.Context, id string) (*alert.Alert, error)
	// Acknowledge, Resolve and Reopen move an alert along its lifecycle on behalf of actor.
	Acknowledge(ctx context.Context, id, actor, comment string) (*alert.Alert, error)
	Resolve(ctx context.Context, id, actor, comment string) (*alert.Alert, error)
	Reopen(ctx context.Context, id, actor, comment string) (*alert.Alert, error)
	// AddSilence stores a silence created from an alert page.
	AddSilence(ctx context.Context, s alert.Silence) (alert.Silence, error)
	// ExpireSilence ends a silence now (silences page).
	ExpireSilence(ctx context.Context, id, actor string) error
	// Silences lists silences, all of them or only the active ones.
	Silences(ctx context.Context, activeOnly bool) ([]alert.Silence, error)
}

// SilencePreviewer is an optional capability of Deps.Alerts, found by type assertion: the
// silences page calls PreviewSilence, from request goroutines, to list the alerts last seen at
// or after since that a silence being written would match (its matchers only). Errors
// wrapping alert.ErrInvalid (bad matchers) are shown next to the form; any other error is a
// server error. Without it the page offers no preview.
type SilencePreviewer interface {
	PreviewSilence(ctx context.Context, s alert.Silence, since time.Time) ([]*alert.Alert, error)
}

var _ SilencePreviewer = (*alert.Manager)(nil)

// AuditLog records the console's actions and lists recorded ones (an audit.Log). The console
// calls Record after each action it performed (alert.ack, alert.resolve, alert.reopen,
// silence.create, silence.expire, rule.enable, rule.disable: the API's action names), from
// request goroutines; a Record error is logged and does not undo the action. List feeds the
// audit log page, the rule page's changes and the alert page's comments.
type AuditLog interface {
	Record(ctx context.Context, e audit.Entry) error
	List(ctx context.Context, q audit.Query) ([]audit.Entry, error)
}

// ExplainFunc explains why rule ruleID matched event, the raw evidence of a detection
// (alert.Detection.Raw). The alert page calls it for the evidence it shows, concurrently with
// other requests. An error (for example an unknown or correlation rule) only hides the
// explanation of that event; the page still renders.
type ExplainFunc func(ctx context.Context, ruleID string, event []byte) (*Explanation, error)

// Deps are what the console needs. Alerts, Detections, Catalog, User, CSRFToken and
// CSRFField are required; the other fields have defaults.
type Deps struct {
	// Alerts runs the alert lifecycle (an *alert.Manager).
	Alerts AlertManager
	// Detections lists stored detections (the store, or *alert.MemoryRepository).
	Detections alert.DetectionLister
	// Catalog lists the rules and switches them on and off.
	Catalog catalog.Catalog
	// Sources returns the status of every source; nil shows no sources.
	Sources func() []source.Status
	// Explain says why a rule fired on an event; nil hides "why it fired" and the highlighting
	// of matched fields. ExplanationFromSigma adapts sigma.Explain.
	Explain ExplainFunc
	// Audit records the console's actions and shows past ones; nil records nothing (the alert
	// history still keeps who acknowledged, resolved and reopened).
	Audit AuditLog
	// User returns the authenticated user of a request: the actor of every change.
	User func(*http.Request) string
	// CSRFToken returns the token the server expects in the CSRFField form field of a POST.
	CSRFToken func(*http.Request) string
	// CSRFField is the name of the hidden form field carrying the CSRF token.
	CSRFField string
	// Logger receives server errors (default: discard).
	Logger *slog.Logger
	// Clock returns the current time (default time.Now).
	Clock func() time.Time
	// BasePath is the URL path prefix the handler is mounted at, without a trailing slash
	// ("" or "/" for the root). Requests reach the handler with the prefix intact (do not use
	// http.StripPrefix) and every link the console renders starts with it.
	BasePath string
}

// validate reports every missing dependency at once.
func (d *Deps) validate() error {
	var errs []error
	if d.Alerts == nil {
		errs = append(errs, errors.New("Alerts is required"))
	}
	if d.Detections == nil {
		errs = append(errs, errors.New("Detections is required"))
	}
	if d.Catalog == nil {
		errs = append(errs, errors.New("Catalog is required"))
	}
	if d.User == nil {
		errs = append(errs, errors.New("User is required"))
	}
	if d.CSRFToken == nil {
		errs = append(errs, errors.New("CSRFToken is required"))
	}
	if d.CSRFField == "" {
		errs = append(errs, errors.New("CSRFField is required"))
	}
	if d.BasePath != "" && d.BasePath != "/" &&
		(!strings.HasPrefix(d.BasePath, "/") || strings.HasSuffix(d.BasePath, "/")) {
		errs = append(errs, fmt.Errorf("BasePath %q must start and not end with a slash", d.BasePath))
	}
	return errors.Join(errs...)
}

// console holds the handler's dependencies and parsed templates; it is immutable after New.
type console struct {
	deps  Deps
	base  string // BasePath without trailing slash; "" for the root
	log   *slog.Logger
	now   func() time.Time
	views *views
}

// New returns the console's handler. It fails when a required dependency is missing or the
// embedded templates do not parse.
func New(deps Deps) (http.Handler, error) {
	if err := deps.validate(); err != nil {
		return nil, fmt.Errorf("console: %w", err)
	}
	c := &console{deps: deps, base: strings.TrimSuffix(deps.BasePath, "/"), log: deps.Logger, now: deps.Clock}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	if c.now == nil {
		c.now = time.Now
	}
	v, err := newViews(c.base, c.now)
	if err != nil {
		return nil, fmt.Errorf("console: %w", err)
	}
	c.views = v
	return secureHeaders(c.routes()), nil
}

// routes registers every page and action.
func (c *console) routes() *http.ServeMux {
	mux := http.NewServeMux()
	handle := func(pattern string, h http.HandlerFunc) {
		method, path, _ := strings.Cut(pattern, " ")
		mux.HandleFunc(method+" "+c.base+path, h)
	}
	handle("GET /{$}", c.inbox)
	handle("GET /alerts", c.inbox)
	handle("POST /alerts/acknowledge", c.bulkAcknowledge)
	handle("GET /alerts/{id}", c.alertPage)
	handle("POST /alerts/{id}/{action}", c.alertAction)
	handle("GET /sources", c.sources)
	handle("GET /rules", c.rules)
	handle("GET /rules/{id}", c.rulePage)
	handle("POST /rules/{id}/{action}", c.ruleAction)
	handle("GET /coverage", c.coverage)
	handle("GET /overview", c.overview)
	handle("GET /silences", c.silences)
	handle("POST /silences", c.createSilence)
	handle("POST /silences/preview", c.previewSilence)
	handle("POST /silences/{id}/expire", c.expireSilence)
	handle("GET /audit", c.auditLog)
	handle("GET /static/{file}", c.static)
	mux.HandleFunc(c.base+"/", c.notFound)
	return mux
}

// secureHeaders sets the security headers of every response: no inline script or style, no
// framing, no MIME sniffing, no referrer leaks to other sites.
func secureHeaders(h http.Handler) http.Handler {
	const csp = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
		"form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", csp)
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("X-Frame-Options", "DENY")
		hd.Set("Referrer-Policy", "same-origin")
		h.ServeHTTP(w, r)
	})
}

// path returns the absolute URL path of a console page.
func (c *console) path(p string) string {
	return c.base + p
}

// redirect answers a POST with a 303 to a console page (POST-redirect-GET).
func (c *console) redirect(w http.ResponseWriter, r *http.Request, p string) {
	http.Redirect(w, r, c.path(p), http.StatusSeeOther)
}

// user returns the actor of a request.
func (c *console) user(r *http.Request) string {
	if u := c.deps.User(r); u != "" {
		return u
	}
	return "anonymous"
}

// record writes an audit entry for an action the request performed, when there is an audit
// log. A failure is logged here: the action has happened and the user sees it done.
func (c *console) record(r *http.Request, action, target, detail string) {
	if c.deps.Audit == nil {
		return
	}
	e := audit.Entry{
		Time: c.now().UTC(), Actor: c.user(r), Action: action, Target: target, Detail: detail,
		RemoteAddr: r.RemoteAddr,
	}
	if err := c.deps.Audit.Record(r.Context(), e); err != nil {
		c.log.ErrorContext(r.Context(), "recording audit entry", "action", action, "target", target, "err", err)
	}
}

// auditEntries lists audit entries, or none without an audit log.
func (c *console) auditEntries(ctx context.Context, q audit.Query) ([]audit.Entry, error) {
	if c.deps.Audit == nil {
		return nil, nil
	}
	es, err := c.deps.Audit.List(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("listing audit entries: %w", err)
	}
	return es, nil
}

// maxFormBytes bounds the body of a console form.
const maxFormBytes = 64 << 10

// parseForm reads a POST form, bounded in size.
func parseForm(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		return fmt.Errorf("reading form: %w", errBadRequest)
	}
	return nil
}

// errBadRequest marks a malformed request.
var errBadRequest = errors.New("bad request")

// statusOf maps an error to the HTTP status shown to the user.
func statusOf(err error) int {
	switch {
	case errors.Is(err, alert.ErrNotFound), errors.Is(err, catalog.ErrNotFound):
		return http.StatusNotFound
	case errors.Is(err, alert.ErrInvalidTransition):
		return http.StatusConflict
	case errors.Is(err, alert.ErrInvalid), errors.Is(err, errBadRequest):
		return http.StatusBadRequest
	default:
		return http.StatusInternalServerError
	}
}

// fail renders the error page for err. Server errors are logged (once: here) and their text is
// not shown; client errors show their message.
func (c *console) fail(w http.ResponseWriter, r *http.Request, err error) {
	code := statusOf(err)
	msg := err.Error()
	if code == http.StatusInternalServerError {
		c.log.ErrorContext(r.Context(), "console request failed",
			"method", r.Method, "path", r.URL.Path, "err", err)
		msg = "Something went wrong on the server. The error has been logged."
	}
	c.render(w, r, code, "error", pageData{Title: http.StatusText(code), Data: errorView{Code: code, Message: msg}})
}

// errorView is the data of the error page.
type errorView struct {
	Code    int
	Message string
}

// notFound answers every path no page claims.
func (c *console) notFound(w http.ResponseWriter, r *http.Request) {
	c.fail(w, r, fmt.Errorf("no page at %s: %w", r.URL.Path, alert.ErrNotFound))
}
