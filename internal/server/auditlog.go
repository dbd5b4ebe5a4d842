package server

import (
	"net/http"

	"picket/internal/audit"
)

// listAudit serves GET /api/v1/audit (filters actor, action, target, since, until, limit).
func (s *Server) listAudit(w http.ResponseWriter, r *http.Request) {
	q := &query{r: r}
	aq := audit.Query{Actor: q.str("actor"), Action: q.str("action"), Target: q.str("target")}
	aq.Since, aq.Until = q.time("since"), q.time("until")
	aq.Limit = q.limit(audit.DefaultLimit, audit.MaxLimit)
	if q.err != nil {
		s.fail(w, r, q.err)
		return
	}
	es, err := s.deps.Audit.List(r.Context(), aq)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if es == nil {
		es = []audit.Entry{}
	}
	writeJSON(w, http.StatusOK, list[audit.Entry]{Items: es})
}
