package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"picket/internal/notify"
)

// OutboxRow is one notification as the SQL backends insert it into the outbox table.
type OutboxRow struct {
	ID, Receiver string
	Doc          []byte // the Notification as JSON
}

// OutboxRows validates and encodes a batch for notify.Outbox.Enqueue (shared by the SQL
// backends): every notification needs an id and a receiver (else nothing is written), the first
// of several with one id wins, and the rows come sorted by id, so that concurrent batches with
// common ids insert them in the same order and wait for each other instead of deadlocking.
func OutboxRows(ns []notify.Notification) ([]OutboxRow, error) {
	var errs []error
	for i := range ns {
		if ns[i].ID == "" || ns[i].Receiver == "" {
			errs = append(errs, fmt.Errorf("notification %d: id and receiver are required", i))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("enqueueing notifications: %w", err)
	}
	seen := make(map[string]bool, len(ns))
	rows := make([]OutboxRow, 0, len(ns))
	for i := range ns {
		n := &ns[i]
		if seen[n.ID] {
			continue
		}
		seen[n.ID] = true
		doc, err := json.Marshal(n)
		if err != nil {
			return nil, fmt.Errorf("encoding notification %s: %w", n.ID, err)
		}
		rows = append(rows, OutboxRow{ID: n.ID, Receiver: n.Receiver, Doc: doc})
	}
	slices.SortFunc(rows, func(a, b OutboxRow) int { return strings.Compare(a.ID, b.ID) })
	return rows, nil
}

// DecodeNotification decodes the doc of outbox entry id; a bad document is ErrCorrupt.
//
// notify.AlertView embeds alert.Alert, whose UnmarshalJSON is promoted to AlertView: decoding
// an AlertView fills in the alert and silently drops Events, EventsOmitted and URL. Until
// AlertView has an UnmarshalJSON of its own, those fields are decoded here from a second pass.
func DecodeNotification(id string, doc []byte) (notify.Notification, error) {
	var n notify.Notification
	var views struct {
		Alerts []struct {
			Events        []notify.Event `json:"events"`
			EventsOmitted int            `json:"events_omitted"`
			URL           string         `json:"url"`
		} `json:"alerts"`
	}
	if err := errors.Join(json.Unmarshal(doc, &n), json.Unmarshal(doc, &views)); err != nil {
		return n, fmt.Errorf("decoding outbox entry %s: %w: %w", id, ErrCorrupt, err)
	}
	if len(views.Alerts) != len(n.Alerts) {
		return n, fmt.Errorf("decoding outbox entry %s: %w: %d alerts, %d views", id, ErrCorrupt, len(n.Alerts), len(views.Alerts))
	}
	for i, v := range views.Alerts {
		n.Alerts[i].Events, n.Alerts[i].EventsOmitted, n.Alerts[i].URL = v.Events, v.EventsOmitted, v.URL
	}
	return n, nil
}

// OutboxStatsRow is one (receiver, state) group of the outbox table: its entries and their
// oldest CreatedAt.
type OutboxStatsRow struct {
	Receiver string
	State    notify.State
	Count    int
	Oldest   time.Time
}

// OutboxStats folds (receiver, state) groups into notify.Outbox.Stats's answer, sorted by
// receiver.
func OutboxStats(groups []OutboxStatsRow) ([]notify.ReceiverStats, error) {
	by := map[string]*notify.ReceiverStats{}
	for _, g := range groups {
		s := by[g.Receiver]
		if s == nil {
			s = &notify.ReceiverStats{Receiver: g.Receiver}
			by[g.Receiver] = s
		}
		switch g.State {
		case notify.StatePending:
			s.Pending += g.Count
		case notify.StateDelivering:
			s.Delivering += g.Count
		case notify.StateDelivered:
			s.Delivered += g.Count
		case notify.StateDead:
			s.Dead += g.Count
		default:
			return nil, fmt.Errorf("outbox of %s: unknown state %q: %w", g.Receiver, g.State, ErrCorrupt)
		}
		if (g.State == notify.StatePending || g.State == notify.StateDelivering) &&
			(s.OldestPending.IsZero() || g.Oldest.Before(s.OldestPending)) {
			s.OldestPending = g.Oldest
		}
	}
	out := make([]notify.ReceiverStats, 0, len(by))
	for _, s := range by {
		out = append(out, *s)
	}
	slices.SortFunc(out, func(a, b notify.ReceiverStats) int { return strings.Compare(a.Receiver, b.Receiver) })
	return out, nil
}

// OutboxStates returns the states q selects as strings, nil for all.
func OutboxStates(q notify.OutboxQuery) []string {
	if len(q.States) == 0 {
		return nil
	}
	out := make([]string, len(q.States))
	for i, s := range q.States {
		out[i] = string(s)
	}
	return out
}
