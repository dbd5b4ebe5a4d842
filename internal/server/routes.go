package server

import (
	"net/http"
	"net/url"
)

// access says how a route authenticates.
type access int

const (
	public  access = iota // no authentication (probes, the login page)
	private               // authentication required; 401 without it
	page                  // authentication required; a browser GET without it goes to /login
)

// route is one registered endpoint. api/openapi.yaml documents every one of them (a test
// checks it both ways).
type route struct {
	method, path string
	access       access
	handle       http.HandlerFunc
}

// routeTable lists every route, in the order of api/openapi.yaml.
func (s *Server) routeTable() []route {
	return []route{
		{"GET", "/healthz", public, s.healthz},
		{"GET", "/readyz", public, s.readyz},
		{"GET", "/metrics", private, s.metrics},
		{"POST", "/-/reload", private, s.reload},
		{"GET", "/login", public, s.loginPage},
		{"POST", "/login", public, s.login},
		{"POST", "/logout", page, s.logout},

		{"GET", "/api/v1/health", private, s.health},
		{"GET", "/api/v1/alerts", private, s.listAlerts},
		{"POST", "/api/v1/alerts/ack", private, s.ackAlerts},
		{"GET", "/api/v1/alerts/{id}", private, s.getAlert},
		{"POST", "/api/v1/alerts/{id}/ack", private, s.transition("ack")},
		{"POST", "/api/v1/alerts/{id}/resolve", private, s.transition("resolve")},
		{"POST", "/api/v1/alerts/{id}/reopen", private, s.transition("reopen")},
		{"POST", "/api/v1/alerts/{id}/comment", private, s.commentAlert},
		{"GET", "/api/v1/detections", private, s.listDetections},
		{"GET", "/api/v1/rules", private, s.listRules},
		{"GET", "/api/v1/rules/{id}", private, s.getRule},
		{"POST", "/api/v1/rules/{id}/enable", private, s.setRuleEnabled(true)},
		{"POST", "/api/v1/rules/{id}/disable", private, s.setRuleEnabled(false)},
		{"POST", "/api/v1/rules/{id}/explain", private, s.explainRule},
		{"GET", "/api/v1/sources", private, s.listSources},
		{"GET", "/api/v1/silences", private, s.listSilences},
		{"POST", "/api/v1/silences", private, s.createSilence},
		{"POST", "/api/v1/silences/preview", private, s.previewSilence},
		{"POST", "/api/v1/silences/{id}/expire", private, s.expireSilence},
		{"GET", "/api/v1/receivers", private, s.listReceivers},
		{"POST", "/api/v1/receivers/{name}/test", private, s.testReceiver},
		{"GET", "/api/v1/notifications", private, s.listNotifications},
		{"GET", "/api/v1/notifications/stats", private, s.notificationStats},
		{"POST", "/api/v1/notifications/{id}/retry", private, s.retryNotification},
		{"GET", "/api/v1/audit", private, s.listAudit},
	}
}

// buildHandler registers the routes behind authentication, the console at /, and wraps
// everything in the cross-origin protection and the common headers.
func (s *Server) buildHandler() http.Handler {
	mux := http.NewServeMux()
	for _, rt := range s.routes {
		mux.Handle(rt.method+" "+rt.path, s.guard(rt.access, rt.handle))
	}
	// Unknown API paths answer JSON, not the console.
	mux.Handle("/api/", s.guard(private, func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "no such endpoint")
	}))
	if s.deps.Console != nil {
		mux.Handle("/", s.guard(page, s.deps.Console.ServeHTTP))
	}
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusForbidden, "cross-origin request refused")
	}))
	return s.base(cop.Handler(mux))
}

// base sets the headers of every response and, on an open server, refuses Host names that
// are not loopback ones (DNS rebinding would otherwise let a web page drive the API).
func (s *Server) base(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		if s.tls {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		if !s.auth.required() && !loopbackHost(r.Host) {
			writeError(w, http.StatusMisdirectedRequest, "this server without authentication answers only to loopback host names")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// guard authenticates a request (unless public), checks the CSRF token of a state-changing
// request authenticated by a session, and passes the identity on in the context.
func (s *Server) guard(acc access, h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if acc == public {
			h(w, r)
			return
		}
		id, ok := s.auth.authenticate(r)
		if !ok {
			if acc == page && isSafeMethod(r.Method) && r.Header.Get("Authorization") == "" {
				http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
				return
			}
			w.Header().Set("WWW-Authenticate", `Bearer realm="picket"`)
			writeError(w, http.StatusUnauthorized, "authentication required")
			return
		}
		if id.session != nil && !isSafeMethod(r.Method) {
			r.Body = http.MaxBytesReader(w, r.Body, maxBody)
			if !csrfOK(r, id.session) {
				writeError(w, http.StatusForbidden, "missing or invalid CSRF token")
				return
			}
		}
		h(w, r.WithContext(withIdentity(r.Context(), id)))
	})
}
