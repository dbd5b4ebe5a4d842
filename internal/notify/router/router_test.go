package router

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"picket/internal/alert"
	"picket/internal/notify"
	"picket/internal/notify/route"
	"picket/internal/rule"
	"picket/internal/store"
	"picket/internal/store/sqlite"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// fixture is a store, a manager and a router over them, with a settable clock.
type fixture struct {
	st  *sqlite.Store
	m   *alert.Manager
	now time.Time
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	st, err := sqlite.Open(context.Background(), sqlite.Options{Path: filepath.Join(t.TempDir(), "p.db")}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	f := &fixture{st: st, now: t0}
	f.m, err = alert.NewManager(st.Alerts(), alert.Options{Clock: func() time.Time { return f.now }})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// failing wraps a store whose next commit fails.
type failing struct {
	Store
	fail bool
}

func (s *failing) CommitNotifications(ctx context.Context, c store.NotifyCommit) error {
	if s.fail {
		s.fail = false
		return errors.New("disk full")
	}
	return s.Store.CommitNotifications(ctx, c)
}

func (f *fixture) router(t *testing.T, st Store) *Router {
	t.Helper()
	if st == nil {
		st = f.st
	}
	r, err := New(st, f.m, f.st.Alerts().(alert.DetectionLister), nil, Options{
		Routing: route.Config{Route: &route.Route{Receiver: "hook", GroupBy: []string{"rule_id"},
			GroupWait: 10 * time.Second, GroupInterval: time.Minute, RepeatInterval: time.Hour}},
		SendResolved: map[string]bool{"hook": true},
		Notified:     f.m.NotifiedUpdate,
		ConsoleURL:   "https://picket.example.com/",
		Clock:        func() time.Time { return f.now },
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Recover(context.Background()); err != nil {
		t.Fatal(err)
	}
	return r
}

// ingest stores a detection of rule on event and returns the due alerts.
func (f *fixture) ingest(t *testing.T, ruleID, eventID string) []*alert.Alert {
	t.Helper()
	due, err := f.m.Ingest(context.Background(), []alert.Detection{{
		RuleID: ruleID, RuleTitle: "title " + ruleID, Level: rule.High, EventID: eventID, EventTime: f.now,
		Source: "src", Raw: []byte(`{"eventID":"` + eventID + `"}`), DetectedAt: f.now,
	}})
	if err != nil {
		t.Fatal(err)
	}
	return due
}

func (f *fixture) outbox(t *testing.T) []notify.Entry {
	t.Helper()
	es, err := f.st.Outbox().List(context.Background(), notify.OutboxQuery{})
	if err != nil {
		t.Fatal(err)
	}
	return es
}

func TestFlushCommitsNotificationsWithBookkeeping(t *testing.T) {
	f := newFixture(t)
	r := f.router(t, nil)
	ctx := context.Background()
	r.Observe(f.ingest(t, "r1", "e1"), true)
	r.Observe(f.ingest(t, "r1", "e2"), true) // folds into the same alert (count 2), still never notified
	if n, err := r.Flush(ctx, f.now.Add(5*time.Second)); err != nil || n != 0 {
		t.Fatalf("flush before group_wait: %d, %v; want nothing", n, err)
	}
	f.now = f.now.Add(10 * time.Second)
	n, err := r.Flush(ctx, f.now)
	if err != nil || n != 1 {
		t.Fatalf("flush after group_wait: %d, %v; want 1", n, err)
	}
	es := f.outbox(t)
	if len(es) != 1 {
		t.Fatalf("outbox: %d entries, want 1", len(es))
	}
	nt := es[0].Notification
	if nt.Receiver != "hook" || nt.Status != notify.StatusFiring || len(nt.Alerts) != 1 {
		t.Fatalf("notification: %+v", nt)
	}
	v := nt.Alerts[0]
	if v.Count != 2 || len(v.Events) != 2 || v.EventsOmitted != 0 || v.URL != "https://picket.example.com/alerts/"+v.ID {
		t.Errorf("alert view: count %d, %d events, %d omitted, url %q", v.Count, len(v.Events), v.EventsOmitted, v.URL)
	}
	a, err := f.m.Get(ctx, v.ID)
	if err != nil {
		t.Fatal(err)
	}
	if a.Notifications != 1 || !a.LastNotified.Equal(f.now) || !a.NextNotify.After(f.now) {
		t.Errorf("bookkeeping: notifications %d, last %v, next %v", a.Notifications, a.LastNotified, a.NextNotify)
	}
	if _, ok, _ := f.st.Checkpoint(ctx, StateKey); !ok {
		t.Error("router state not saved with the commit")
	}
}

func TestFailedCommitIsRetriedWithTheSameID(t *testing.T) {
	f := newFixture(t)
	fs := &failing{Store: f.st}
	r := f.router(t, fs)
	ctx := context.Background()
	r.Observe(f.ingest(t, "r1", "e1"), true)
	f.now = f.now.Add(10 * time.Second)
	fs.fail = true
	if _, err := r.Flush(ctx, f.now); err == nil {
		t.Fatal("flush over a failing store: no error")
	}
	if es := f.outbox(t); len(es) != 0 {
		t.Fatalf("failed commit left %d entries", len(es))
	}
	f.now = f.now.Add(time.Second)
	if n, err := r.Flush(ctx, f.now); err != nil || n != 1 {
		t.Fatalf("flush after the failure: %d, %v; want the notification again", n, err)
	}
	if es := f.outbox(t); len(es) != 1 {
		t.Fatalf("outbox: %d entries, want 1", len(es))
	}
}

func TestRecoverNeitherLosesNorRepeats(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	r := f.router(t, nil)
	r.Observe(f.ingest(t, "r1", "e1"), true)
	f.now = f.now.Add(10 * time.Second)
	if n, err := r.Flush(ctx, f.now); err != nil || n != 1 {
		t.Fatalf("first flush: %d, %v", n, err)
	}
	// An alert stored but never routed (the process died before the router heard of it).
	f.ingest(t, "r2", "e2")

	// Restart: a new router over the same store.
	r2 := f.router(t, nil)
	n, err := r2.Drain(ctx)
	if err != nil || n != 1 {
		t.Fatalf("drain after restart: %d, %v; want only r2's notification", n, err)
	}
	es := f.outbox(t)
	if len(es) != 2 {
		t.Fatalf("outbox after restart: %d entries, want 2", len(es))
	}
	rules := map[string]int{}
	for _, e := range es {
		for _, a := range e.Notification.Alerts {
			rules[a.RuleID]++
		}
	}
	if rules["r1"] != 1 || rules["r2"] != 1 {
		t.Errorf("alerts per rule in the outbox: %v, want one each", rules)
	}
}

func TestResolvedNotification(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	r := f.router(t, nil)
	due := f.ingest(t, "r1", "e1")
	r.Observe(due, true)
	if n, err := r.Drain(ctx); err != nil || n != 1 {
		t.Fatalf("drain: %d, %v", n, err)
	}
	f.now = f.now.Add(time.Minute)
	a, err := f.m.Resolve(ctx, due[0].ID, "alice", "fixed")
	if err != nil {
		t.Fatal(err)
	}
	r.Changed([]*alert.Alert{a})
	if n, err := r.Drain(ctx); err != nil || n != 1 {
		t.Fatalf("drain after resolve: %d, %v; want a resolved notification", n, err)
	}
	es := f.outbox(t)
	if len(es) != 2 || es[1].Notification.Status != notify.StatusResolved {
		t.Fatalf("outbox: %+v", es)
	}
	// Reopened by hand: due again, announced firing again.
	f.now = f.now.Add(2 * time.Minute)
	if a, err = f.m.Reopen(ctx, a.ID, "bob", "not fixed"); err != nil {
		t.Fatal(err)
	}
	r.Changed([]*alert.Alert{a})
	if n, err := r.Drain(ctx); err != nil || n != 1 {
		t.Fatalf("drain after reopen: %d, %v; want a firing notification", n, err)
	}
	if es = f.outbox(t); len(es) != 3 || es[2].Notification.Status != notify.StatusFiring {
		t.Fatalf("outbox after reopen: %d entries, last %s", len(es), es[len(es)-1].Notification.Status)
	}
}

// TestDrainFlushesEveryGroup: groups created at slightly different times (one per alert) all
// notify in one Drain, however many there are.
func TestDrainFlushesEveryGroup(t *testing.T) {
	f := newFixture(t)
	r, err := New(f.st, f.m, f.st.Alerts().(alert.DetectionLister), nil, Options{
		Routing:  route.Config{Route: &route.Route{Receiver: "hook", GroupBy: []string{"..."}, GroupWait: 30 * time.Second}},
		Notified: f.m.NotifiedUpdate,
		Clock:    func() time.Time { return f.now },
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Recover(context.Background()); err != nil {
		t.Fatal(err)
	}
	for i := range 50 {
		f.now = f.now.Add(time.Millisecond)
		r.Observe(f.ingest(t, fmt.Sprintf("r%d", i), fmt.Sprintf("e%d", i)), true)
	}
	n, err := r.Drain(context.Background())
	if err != nil || n != 50 {
		t.Fatalf("drain: %d notifications, %v; want 50", n, err)
	}
	if es := f.outbox(t); len(es) != 50 {
		t.Fatalf("outbox: %d entries, want 50", len(es))
	}
}

// TestRecoverKeepsResolvedMembers: the saved state holds the groups only; an alert resolved
// before the last commit but not yet announced resolved comes back from the store on recovery,
// so its resolved notification is not lost.
func TestRecoverKeepsResolvedMembers(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	r := f.router(t, nil) // group_wait 10s, group_interval 1m, by rule_id
	a := f.ingest(t, "rA", "e1")
	r.Observe(a, true)
	f.now = f.now.Add(10 * time.Second)
	if n, err := r.Flush(ctx, f.now); err != nil || n != 1 {
		t.Fatalf("first flush: %d, %v", n, err)
	}
	f.now = f.now.Add(20 * time.Second)
	r.Observe(f.ingest(t, "rB", "e2"), true)
	f.now = f.now.Add(5 * time.Second)
	resolved, err := f.m.Resolve(ctx, a[0].ID, "alice", "fixed")
	if err != nil {
		t.Fatal(err)
	}
	r.Observe([]*alert.Alert{resolved}, false)
	f.now = f.now.Add(5 * time.Second) // rB's group is due, rA's is not (group_interval)
	if n, err := r.Flush(ctx, f.now); err != nil || n != 1 {
		t.Fatalf("second flush: %d, %v; want rB's notification only", n, err)
	}
	// Crash: a new router over the same store.
	r2 := f.router(t, nil)
	f.now = f.now.Add(30 * time.Second) // rA's group_interval has passed
	if n, err := r2.Flush(ctx, f.now); err != nil || n != 1 {
		t.Fatalf("flush after restart: %d, %v; want rA's resolved notification", n, err)
	}
	es := f.outbox(t)
	last := es[len(es)-1].Notification
	if last.Status != notify.StatusResolved || len(last.Alerts) != 1 || last.Alerts[0].ID != a[0].ID {
		t.Errorf("last notification: %s with %d alerts", last.Status, len(last.Alerts))
	}
	if cur, _, _ := f.st.Checkpoint(ctx, StateKey); strings.Contains(string(cur), `"rule_title"`) {
		t.Error("the saved state holds copies of the alerts; it should hold the groups only")
	}
}
