package server

import (
	"net/http"

	"picket/internal/source"
)

// sourceView is one source in GET /api/v1/sources: its status and its lag, the age of its
// checkpoint time.
type sourceView struct {
	source.Status
	LagSeconds float64 `json:"lag_seconds,omitempty"`
}

// listSources serves GET /api/v1/sources.
func (s *Server) listSources(w http.ResponseWriter, r *http.Request) {
	out := list[sourceView]{Items: []sourceView{}}
	if s.deps.Sources != nil {
		now := s.clock()
		for _, st := range s.deps.Sources() {
			v := sourceView{Status: st}
			if !st.CheckpointTime.IsZero() {
				v.LagSeconds = max(0, now.Sub(st.CheckpointTime).Seconds())
			}
			if v.PerMinute == nil {
				v.PerMinute = []int64{}
			}
			out.Items = append(out.Items, v)
		}
	}
	writeJSON(w, http.StatusOK, out)
}
