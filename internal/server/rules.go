package server

import (
	"encoding/json"
	"net/http"

	"picket/internal/catalog"
)

// explainBody is the body of POST /api/v1/rules/{id}/explain.
type explainBody struct {
	Event json.RawMessage `json:"event"`
}

// listRules serves GET /api/v1/rules.
func (s *Server) listRules(w http.ResponseWriter, r *http.Request) {
	rs, err := s.deps.Catalog.List(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if rs == nil {
		rs = []catalog.Rule{}
	}
	writeJSON(w, http.StatusOK, list[catalog.Rule]{Items: rs})
}

// getRule serves GET /api/v1/rules/{id}.
func (s *Server) getRule(w http.ResponseWriter, r *http.Request) {
	rl, err := s.deps.Catalog.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, rl)
}

// setRuleEnabled serves POST /api/v1/rules/{id}/enable and /disable; it answers the rule.
func (s *Server) setRuleEnabled(enabled bool) http.HandlerFunc {
	action := map[bool]string{true: "rule.enable", false: "rule.disable"}[enabled]
	return func(w http.ResponseWriter, r *http.Request) {
		var b commentBody
		if err := decode(w, r, &b, true); err != nil {
			s.fail(w, r, err)
			return
		}
		id := r.PathValue("id")
		if err := s.deps.Catalog.SetEnabled(r.Context(), id, enabled, User(r)); err != nil {
			s.fail(w, r, err)
			return
		}
		s.record(r, action, id, b.Comment)
		rl, err := s.deps.Catalog.Get(r.Context(), id)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, rl)
	}
}

// explainRule serves POST /api/v1/rules/{id}/explain: why the rule does or does not match
// the event of the body.
func (s *Server) explainRule(w http.ResponseWriter, r *http.Request) {
	if s.deps.Explain == nil {
		notImplemented(w, "explain")
		return
	}
	var b explainBody
	if err := decode(w, r, &b, false); err != nil {
		s.fail(w, r, err)
		return
	}
	if len(b.Event) == 0 {
		s.fail(w, r, badRequestf("event: required"))
		return
	}
	id := r.PathValue("id")
	if _, err := s.deps.Catalog.Get(r.Context(), id); err != nil {
		s.fail(w, r, err)
		return
	}
	res, err := s.deps.Explain(r.Context(), id, b.Event)
	if err != nil {
		s.fail(w, r, badRequestf("explaining rule %s: %v", id, err))
		return
	}
	writeJSON(w, http.StatusOK, res)
}
