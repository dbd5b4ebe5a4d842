package server

import (
	"net/http"
	"strings"
	"time"

	"picket/internal/alert"
)

// previewWindow is how far back a silence preview looks by default.
const previewWindow = 7 * 24 * time.Hour

// silenceBody is the body of POST /api/v1/silences and /silences/preview. The silence ends at
// EndsAt or after Duration (one of them); the author is the authenticated actor.
type silenceBody struct {
	Matchers []alert.Matcher `json:"matchers"`
	Comment  string          `json:"comment"`
	StartsAt time.Time       `json:"starts_at,omitzero"`
	EndsAt   time.Time       `json:"ends_at,omitzero"`
	Duration string          `json:"duration,omitempty"`
	// Since bounds a preview (default 7 days ago).
	Since time.Time `json:"since,omitzero"`
}

func (s *Server) silence(r *http.Request, b silenceBody, needEnd bool) (alert.Silence, error) {
	sil := alert.Silence{Matchers: b.Matchers, Comment: b.Comment, Author: User(r), StartsAt: b.StartsAt, EndsAt: b.EndsAt}
	if b.Duration != "" {
		if !b.EndsAt.IsZero() {
			return sil, badRequestf("give ends_at or duration, not both")
		}
		d, err := time.ParseDuration(b.Duration)
		if err != nil || d <= 0 {
			return sil, badRequestf("duration=%q: want a positive duration such as 2h", b.Duration)
		}
		start := b.StartsAt
		if start.IsZero() {
			start = s.clock()
		}
		sil.EndsAt = start.Add(d)
	}
	if needEnd && sil.EndsAt.IsZero() {
		return sil, badRequestf("ends_at or duration: required")
	}
	return sil, nil
}

// listSilences serves GET /api/v1/silences (active ones; ?all=true for expired ones too).
func (s *Server) listSilences(w http.ResponseWriter, r *http.Request) {
	all := r.URL.Query().Get("all")
	if all != "" && all != "true" && all != "false" {
		s.fail(w, r, badRequestf("all=%q: want true or false", all))
		return
	}
	ss, err := s.deps.Alerts.Silences(r.Context(), all != "true")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if ss == nil {
		ss = []alert.Silence{}
	}
	writeJSON(w, http.StatusOK, list[alert.Silence]{Items: ss})
}

// createSilence serves POST /api/v1/silences; it answers 201 with the silence.
func (s *Server) createSilence(w http.ResponseWriter, r *http.Request) {
	var b silenceBody
	if err := decode(w, r, &b, false); err != nil {
		s.fail(w, r, err)
		return
	}
	if !b.Since.IsZero() {
		s.fail(w, r, badRequestf("since: only for a preview"))
		return
	}
	sil, err := s.silence(r, b, true)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	created, err := s.deps.Alerts.AddSilence(r.Context(), sil)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.record(r, "silence.create", created.ID, matchersText(created.Matchers)+": "+created.Comment)
	w.Header().Set("Location", "/api/v1/silences/"+created.ID)
	writeJSON(w, http.StatusCreated, created)
}

// previewSilence serves POST /api/v1/silences/preview: the recent alerts the silence would
// match, without creating it.
func (s *Server) previewSilence(w http.ResponseWriter, r *http.Request) {
	var b silenceBody
	if err := decode(w, r, &b, false); err != nil {
		s.fail(w, r, err)
		return
	}
	sil, err := s.silence(r, b, false)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	since := b.Since
	if since.IsZero() {
		since = s.clock().Add(-previewWindow)
	}
	as, err := s.deps.Alerts.PreviewSilence(r.Context(), sil, since)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if as == nil {
		as = []*alert.Alert{}
	}
	writeJSON(w, http.StatusOK, list[*alert.Alert]{Items: as})
}

// expireSilence serves POST /api/v1/silences/{id}/expire; it answers 204.
func (s *Server) expireSilence(w http.ResponseWriter, r *http.Request) {
	var b commentBody
	if err := decode(w, r, &b, true); err != nil {
		s.fail(w, r, err)
		return
	}
	id := r.PathValue("id")
	if err := s.deps.Alerts.ExpireSilence(r.Context(), id, User(r)); err != nil {
		s.fail(w, r, err)
		return
	}
	s.record(r, "silence.expire", id, b.Comment)
	w.WriteHeader(http.StatusNoContent)
}

func matchersText(ms []alert.Matcher) string {
	parts := make([]string, len(ms))
	for i, m := range ms {
		parts[i] = m.String()
	}
	return strings.Join(parts, " ")
}
