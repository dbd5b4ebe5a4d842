package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"picket/internal/alert"
	"picket/internal/notify"
	"picket/internal/rule"
	"picket/internal/store"
)

// seedAlert ingests one detection and returns the alert it created.
func seedAlert(t *testing.T, s store.Store, event string) *alert.Alert {
	t.Helper()
	g := map[string]string{"user": event}
	d := &alert.Detection{
		ID: alert.DetectionID("r1", event), Fingerprint: alert.Fingerprint("r1", g),
		RuleID: "r1", RuleTitle: "rule one", Level: rule.High, Kind: "detection",
		EventID: event, EventTime: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), Source: "src",
		Raw: []byte(`{"e":1}`), GroupValues: g, DetectedAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
	}
	as, err := s.Alerts().Ingest(context.Background(), []*alert.Detection{d}, time.Hour,
		func(d *alert.Detection, a *alert.Alert) (*alert.Alert, error) {
			if a == nil {
				a = &alert.Alert{ID: "a-" + d.EventID, Fingerprint: d.Fingerprint, RuleID: d.RuleID, Status: alert.StatusOpen,
					FirstSeen: d.EventTime, LastSeen: d.EventTime, Group: d.GroupValues}
			}
			a.Count++
			return a, nil
		})
	if err != nil || len(as) != 1 || as[0] == nil {
		t.Fatalf("seeding alert: %v %v", as, err)
	}
	return as[0]
}

func testCommitNotifications(t *testing.T, s store.Store) {
	ctx := context.Background()
	a := seedAlert(t, s, "alice")
	now := time.Date(2026, 1, 2, 4, 0, 0, 0, time.UTC)
	n := notify.Notification{ID: "n1", Receiver: "hook", Status: notify.StatusFiring, GroupKey: "g",
		Alerts: []notify.AlertView{{Alert: *a}}, CreatedAt: now}
	mark := func(a *alert.Alert) error { a.Notifications++; a.LastNotified = now; return nil }
	c := store.NotifyCommit{Notifications: []notify.Notification{n}, Alerts: []string{a.ID, "missing"},
		Update: mark, StateKey: "notify/router", State: []byte("state-1"), Now: now}
	mustNot(t, "commit", s.CommitNotifications(ctx, c))

	got, err := s.Alerts().Get(ctx, a.ID)
	mustNot(t, "get", err)
	if got.Notifications != 1 || !got.LastNotified.Equal(now) {
		t.Errorf("alert after commit: notifications %d, last %v", got.Notifications, got.LastNotified)
	}
	cur, ok, err := s.Checkpoint(ctx, "notify/router")
	if err != nil || !ok || string(cur) != "state-1" {
		t.Errorf("state after commit: %q %v %v", cur, ok, err)
	}
	es, err := s.Outbox().List(ctx, notify.OutboxQuery{})
	mustNot(t, "list", err)
	if len(es) != 1 || es[0].ID != "n1" || es[0].State != notify.StatePending {
		t.Fatalf("outbox after commit: %+v", es)
	}

	// A failing update rolls everything back: no second entry, no state change.
	boom := errors.New("boom")
	c2 := store.NotifyCommit{Notifications: []notify.Notification{{ID: "n2", Receiver: "hook", Status: notify.StatusFiring}},
		Alerts: []string{a.ID}, Update: func(*alert.Alert) error { return boom }, StateKey: "notify/router", State: []byte("state-2"), Now: now}
	if err := s.CommitNotifications(ctx, c2); !errors.Is(err, boom) {
		t.Fatalf("commit with failing update: %v, want boom", err)
	}
	es, _ = s.Outbox().List(ctx, notify.OutboxQuery{})
	cur, _, _ = s.Checkpoint(ctx, "notify/router")
	if len(es) != 1 || string(cur) != "state-1" {
		t.Errorf("after a failed commit: %d entries, state %q; want 1 and state-1", len(es), cur)
	}

	// Re-committing the same notification id is idempotent.
	mustNot(t, "recommit", s.CommitNotifications(ctx, store.NotifyCommit{Notifications: []notify.Notification{n}, Now: now}))
	es, _ = s.Outbox().List(ctx, notify.OutboxQuery{})
	if len(es) != 1 {
		t.Errorf("re-committed id: %d entries, want 1", len(es))
	}
}
