package server

import (
	"net/http"
	"strings"
	"time"

	"picket/internal/notify"
)

// outboxEntry is one notification in GET /api/v1/notifications: its delivery state and what
// it announces (the alert ids, not the alerts and their events).
type outboxEntry struct {
	ID          string            `json:"id"`
	Receiver    string            `json:"receiver"`
	State       notify.State      `json:"state"`
	Status      notify.Status     `json:"status"`
	GroupKey    string            `json:"group_key"`
	GroupLabels map[string]string `json:"group_labels,omitempty"`
	AlertIDs    []string          `json:"alert_ids"`
	Attempts    int               `json:"attempts"`
	NextAttempt time.Time         `json:"next_attempt,omitzero"`
	LastError   string            `json:"last_error,omitempty"`
	CreatedAt   time.Time         `json:"created_at"`
	RetriedAt   time.Time         `json:"retried_at,omitzero"`
	DeliveredAt time.Time         `json:"delivered_at,omitzero"`
}

// receiverStats is one receiver in GET /api/v1/notifications/stats.
type receiverStats struct {
	Receiver      string    `json:"receiver"`
	Pending       int       `json:"pending"`
	Delivering    int       `json:"delivering"`
	Delivered     int       `json:"delivered"`
	Dead          int       `json:"dead"`
	OldestPending time.Time `json:"oldest_pending,omitzero"`
}

// listNotifications serves GET /api/v1/notifications (filters receiver, state, limit).
func (s *Server) listNotifications(w http.ResponseWriter, r *http.Request) {
	if s.deps.Outbox == nil {
		notImplemented(w, "the notification outbox")
		return
	}
	q := &query{r: r}
	oq := notify.OutboxQuery{Receiver: q.str("receiver"), Limit: q.limit(defaultListLimit, maxListLimit)}
	if st := q.str("state"); st != "" {
		for _, x := range strings.Split(st, ",") {
			state := notify.State(strings.TrimSpace(x))
			switch state {
			case notify.StatePending, notify.StateDelivering, notify.StateDelivered, notify.StateDead:
				oq.States = append(oq.States, state)
			default:
				q.err = badRequestf("state=%q: want pending, delivering, delivered or dead (comma-separated)", st)
			}
		}
	}
	if q.err != nil {
		s.fail(w, r, q.err)
		return
	}
	es, err := s.deps.Outbox.List(r.Context(), oq)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := list[outboxEntry]{Items: make([]outboxEntry, 0, len(es))}
	for _, e := range es {
		v := outboxEntry{
			ID: e.ID, Receiver: e.Receiver, State: e.State, Status: e.Notification.Status,
			GroupKey: e.Notification.GroupKey, GroupLabels: e.Notification.GroupLabels, AlertIDs: []string{},
			Attempts: e.Attempts, NextAttempt: e.NextAttempt, LastError: e.LastError,
			CreatedAt: e.CreatedAt, RetriedAt: e.RetriedAt, DeliveredAt: e.DeliveredAt,
		}
		for _, a := range e.Notification.Alerts {
			v.AlertIDs = append(v.AlertIDs, a.ID)
		}
		out.Items = append(out.Items, v)
	}
	writeJSON(w, http.StatusOK, out)
}

// notificationStats serves GET /api/v1/notifications/stats.
func (s *Server) notificationStats(w http.ResponseWriter, r *http.Request) {
	if s.deps.Outbox == nil {
		notImplemented(w, "the notification outbox")
		return
	}
	st, err := s.deps.Outbox.Stats(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := list[receiverStats]{Items: make([]receiverStats, 0, len(st))}
	for _, x := range st {
		out.Items = append(out.Items, receiverStats(x))
	}
	writeJSON(w, http.StatusOK, out)
}

// retryNotification serves POST /api/v1/notifications/{id}/retry: a dead entry goes back to
// pending. It answers 204.
func (s *Server) retryNotification(w http.ResponseWriter, r *http.Request) {
	if s.deps.Outbox == nil {
		notImplemented(w, "the notification outbox")
		return
	}
	var b commentBody
	if err := decode(w, r, &b, true); err != nil {
		s.fail(w, r, err)
		return
	}
	id := r.PathValue("id")
	if err := s.deps.Outbox.Retry(r.Context(), id, s.clock()); err != nil {
		s.fail(w, r, err)
		return
	}
	s.record(r, "notification.retry", id, b.Comment)
	w.WriteHeader(http.StatusNoContent)
}
