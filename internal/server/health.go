package server

import (
	"io"
	"net/http"
	"time"
)

// health is the answer of GET /api/v1/health.
type health struct {
	Status string    `json:"status"` // ok or unready
	Error  string    `json:"error,omitempty"`
	Time   time.Time `json:"time"`
	// SourceErrors counts the sources whose last poll failed.
	SourceErrors int `json:"source_errors"`
	// DeadNotifications counts dead outbox entries.
	DeadNotifications int `json:"dead_notifications"`
}

// healthz serves GET /healthz: the process answers.
func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	io.WriteString(w, "ok\n")
}

// readyz serves GET /readyz: 200 when Ready reports nil, else 503. The reason is logged, not
// shown: the endpoint is unauthenticated.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if s.deps.Ready != nil {
		if err := s.deps.Ready(r.Context()); err != nil {
			s.logger.Warn("not ready", "err", err)
			w.WriteHeader(http.StatusServiceUnavailable)
			io.WriteString(w, "not ready\n")
			return
		}
	}
	io.WriteString(w, "ok\n")
}

// health serves GET /api/v1/health: readiness with its reason, failing sources, dead
// notifications.
func (s *Server) health(w http.ResponseWriter, r *http.Request) {
	h := health{Status: "ok", Time: s.clock().UTC()}
	status := http.StatusOK
	if s.deps.Ready != nil {
		if err := s.deps.Ready(r.Context()); err != nil {
			h.Status, h.Error, status = "unready", err.Error(), http.StatusServiceUnavailable
		}
	}
	if s.deps.Sources != nil {
		for _, st := range s.deps.Sources() {
			if st.LastError != "" {
				h.SourceErrors++
			}
		}
	}
	if s.deps.Outbox != nil {
		st, err := s.deps.Outbox.Stats(r.Context())
		if err != nil {
			s.fail(w, r, err)
			return
		}
		for _, x := range st {
			h.DeadNotifications += x.Dead
		}
	}
	writeJSON(w, status, h)
}

// metrics serves GET /metrics.
func (s *Server) metrics(w http.ResponseWriter, r *http.Request) {
	if s.deps.Metrics == nil {
		notImplemented(w, "metrics")
		return
	}
	s.deps.Metrics.ServeHTTP(w, r)
}

// reload serves POST /-/reload.
func (s *Server) reload(w http.ResponseWriter, r *http.Request) {
	if s.deps.Reload == nil {
		notImplemented(w, "reload")
		return
	}
	if err := s.deps.Reload(r.Context()); err != nil {
		s.record(r, "reload", "", "failed: "+err.Error())
		writeError(w, http.StatusInternalServerError, "reload failed: "+err.Error())
		return
	}
	s.record(r, "reload", "", "")
	writeJSON(w, http.StatusOK, map[string]string{"status": "reloaded"})
}
