package server

import (
	"net/http"

	"picket/internal/alert"
)

// listDetections serves GET /api/v1/detections.
func (s *Server) listDetections(w http.ResponseWriter, r *http.Request) {
	q := &query{r: r}
	dq := alert.DetectionQuery{RuleID: q.str("rule"), AlertID: q.str("alert"), Source: q.str("source")}
	dq.Since, dq.Until = q.time("since"), q.time("until")
	dq.Limit = q.limit(defaultListLimit, maxListLimit)
	if q.err != nil {
		s.fail(w, r, q.err)
		return
	}
	ds, err := s.deps.Detections.Detections(r.Context(), dq)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if ds == nil {
		ds = []*alert.Detection{}
	}
	writeJSON(w, http.StatusOK, list[*alert.Detection]{Items: ds})
}
