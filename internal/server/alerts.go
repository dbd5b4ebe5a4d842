package server

import (
	"net/http"
	"strings"

	"picket/internal/alert"
	"picket/internal/audit"
	"picket/internal/rule"
)

// Limits of the alert list.
const (
	defaultListLimit = 100
	maxListLimit     = 1000
	evidenceLimit    = 50
)

// alertPage is the answer of GET /api/v1/alerts.
type alertPage struct {
	Items      []*alert.Alert `json:"items"`
	NextCursor string         `json:"next_cursor,omitempty"`
}

// alertDetail is the answer of GET /api/v1/alerts/{id}: the alert (with its history), its
// most recent evidence detections with their raw events, and its comments.
type alertDetail struct {
	Alert    *alert.Alert       `json:"alert"`
	Evidence []*alert.Detection `json:"evidence"`
	Comments []audit.Entry      `json:"comments"`
}

// commentBody is the optional body of the lifecycle actions and the body of a comment.
type commentBody struct {
	Comment string `json:"comment"`
}

// bulkBody is the body of POST /api/v1/alerts/ack.
type bulkBody struct {
	IDs     []string `json:"ids"`
	Comment string   `json:"comment"`
}

// bulkResult is one alert's outcome in a bulk action.
type bulkResult struct {
	ID     string       `json:"id"`
	Status alert.Status `json:"status,omitempty"`
	Error  string       `json:"error,omitempty"`
}

func alertQuery(r *http.Request) (alert.Query, string, int, error) {
	q := &query{r: r}
	aq := alert.Query{RuleID: q.str("rule"), Source: q.str("source"), Text: q.str("q"), After: q.str("cursor")}
	if st := q.str("status"); st != "" && st != "all" {
		for _, s := range strings.Split(st, ",") {
			s := alert.Status(strings.TrimSpace(s))
			if s != alert.StatusOpen && s != alert.StatusAcknowledged && s != alert.StatusResolved {
				return aq, "", 0, badRequestf("status=%q: want open, acknowledged, resolved (comma-separated) or all", st)
			}
			aq.Status = append(aq.Status, s)
		}
	}
	if lv := q.str("level"); lv != "" {
		l, ok := rule.ParseLevel(lv)
		if !ok {
			return aq, "", 0, badRequestf("level=%q: want informational, low, medium, high or critical", lv)
		}
		aq.MinLevel = l
	}
	aq.Since, aq.Until = q.time("since"), q.time("until")
	limit := q.limit(defaultListLimit, maxListLimit)
	return aq, q.str("account"), limit, q.err
}

// listAlerts serves GET /api/v1/alerts. The account filter runs here (alert.Query has none),
// reading pages until the limit is reached.
func (s *Server) listAlerts(w http.ResponseWriter, r *http.Request) {
	aq, account, limit, err := alertQuery(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page := alertPage{Items: []*alert.Alert{}}
	aq.Limit = limit + 1
	for {
		as, err := s.deps.Alerts.List(r.Context(), aq)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		for _, a := range as {
			if account != "" && a.Account != account {
				continue
			}
			if len(page.Items) == limit {
				page.NextCursor = page.Items[limit-1].Cursor()
				writeJSON(w, http.StatusOK, page)
				return
			}
			page.Items = append(page.Items, a)
		}
		if len(as) < aq.Limit {
			break
		}
		aq.After = as[len(as)-1].Cursor()
	}
	writeJSON(w, http.StatusOK, page)
}

// getAlert serves GET /api/v1/alerts/{id}.
func (s *Server) getAlert(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	a, err := s.deps.Alerts.Get(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ev, err := s.deps.Detections.Detections(r.Context(), alert.DetectionQuery{AlertID: id, Limit: evidenceLimit})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	comments, err := s.deps.Audit.List(r.Context(), audit.Query{Action: actionComment, Target: id})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, alertDetail{Alert: a, Evidence: ev, Comments: comments})
}

// Audit actions of the alert endpoints.
const (
	actionComment = "alert.comment"
)

// transitionFunc returns the Alerts method of a lifecycle verb.
func (s *Server) transitionFunc(verb string) func(r *http.Request, id, comment string) (*alert.Alert, error) {
	return func(r *http.Request, id, comment string) (*alert.Alert, error) {
		switch verb {
		case "ack":
			return s.deps.Alerts.Acknowledge(r.Context(), id, User(r), comment)
		case "resolve":
			return s.deps.Alerts.Resolve(r.Context(), id, User(r), comment)
		default:
			return s.deps.Alerts.Reopen(r.Context(), id, User(r), comment)
		}
	}
}

// transition serves POST /api/v1/alerts/{id}/ack|resolve|reopen.
func (s *Server) transition(verb string) http.HandlerFunc {
	do := s.transitionFunc(verb)
	return func(w http.ResponseWriter, r *http.Request) {
		var b commentBody
		if err := decode(w, r, &b, true); err != nil {
			s.fail(w, r, err)
			return
		}
		id := r.PathValue("id")
		a, err := do(r, id, b.Comment)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		s.record(r, "alert."+verb, id, b.Comment)
		writeJSON(w, http.StatusOK, a)
	}
}

// ackAlerts serves POST /api/v1/alerts/ack: acknowledges each id, reporting each outcome.
func (s *Server) ackAlerts(w http.ResponseWriter, r *http.Request) {
	var b bulkBody
	if err := decode(w, r, &b, false); err != nil {
		s.fail(w, r, err)
		return
	}
	if len(b.IDs) == 0 || len(b.IDs) > maxListLimit {
		s.fail(w, r, badRequestf("ids: give from 1 to %d alert ids", maxListLimit))
		return
	}
	out := list[bulkResult]{Items: []bulkResult{}}
	for _, id := range b.IDs {
		a, err := s.deps.Alerts.Acknowledge(r.Context(), id, User(r), b.Comment)
		if err != nil {
			status, msg := publicError(err)
			if status == http.StatusInternalServerError {
				s.logger.Error("acknowledging alert", "id", id, "err", err)
			}
			out.Items = append(out.Items, bulkResult{ID: id, Error: msg})
			continue
		}
		s.record(r, "alert.ack", id, b.Comment)
		out.Items = append(out.Items, bulkResult{ID: id, Status: a.Status})
	}
	writeJSON(w, http.StatusOK, out)
}

// commentAlert serves POST /api/v1/alerts/{id}/comment.
func (s *Server) commentAlert(w http.ResponseWriter, r *http.Request) {
	var b commentBody
	if err := decode(w, r, &b, false); err != nil {
		s.fail(w, r, err)
		return
	}
	if strings.TrimSpace(b.Comment) == "" {
		s.fail(w, r, badRequestf("comment: required"))
		return
	}
	id := r.PathValue("id")
	var a *alert.Alert
	var err error
	if c, ok := s.deps.Alerts.(Commenter); ok {
		a, err = c.Comment(r.Context(), id, User(r), b.Comment)
	} else {
		a, err = s.deps.Alerts.Get(r.Context(), id)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.record(r, actionComment, id, b.Comment)
	writeJSON(w, http.StatusOK, a)
}
