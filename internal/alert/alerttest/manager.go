package alerttest

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"picket/internal/alert"
)

// testManager drives a Manager over the repository: fold, idempotence, lifecycle, silences.
func testManager(t *testing.T, r alert.Repository) {
	ctx := context.Background()
	now := t0
	m, err := alert.NewManager(r, alert.Options{
		Clock:       func() time.Time { return now },
		DedupWindow: time.Hour,
		GroupBy:     map[string][]string{alert.AnyRule: {"user"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	d := func(id, user string, minutes int) alert.Detection {
		return alert.Detection{
			RuleID: "r", RuleTitle: "t", Kind: "detection", EventID: id,
			EventTime: t0.Add(time.Duration(minutes) * time.Minute), Source: "s",
			Raw: []byte(`{"user":"` + user + `","recipientAccountId":"123"}`),
		}
	}
	due, err := m.Ingest(ctx, []alert.Detection{d("e1", "ann", 0), d("e2", "ann", 5), d("e3", "bob", 1), d("e1", "ann", 0)})
	if err != nil {
		t.Fatal(err)
	}
	if len(due) != 2 || due[0].Count != 2 || due[0].Group["user"] != "ann" || due[0].Account != "123" || due[1].Count != 1 {
		t.Fatalf("Ingest due = %+v; want ann's alert (count 2, account 123), then bob's (count 1)", due)
	}
	ann := due[0].ID
	if due, _ := m.Ingest(ctx, []alert.Detection{d("e2", "ann", 5)}); len(due) != 0 {
		t.Errorf("re-ingest of a stored detection: due %d alerts, want 0", len(due))
	}
	now = now.Add(time.Minute)
	if _, err := m.Resolve(ctx, ann, "alice", "fixed"); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Resolve(ctx, ann, "alice", "again"); !errors.Is(err, alert.ErrInvalidTransition) {
		t.Errorf("Resolve(resolved) error = %v, want ErrInvalidTransition", err)
	}
	s, err := m.AddSilence(ctx, alert.Silence{
		Matchers: []alert.Matcher{{Field: "group.user", Op: alert.OpEqual, Value: "ann"}},
		Author:   "alice", Comment: "noisy", EndsAt: now.Add(time.Hour),
	})
	if err != nil {
		t.Fatal(err)
	}
	due, err = m.Ingest(ctx, []alert.Detection{d("e4", "ann", 30)})
	if err != nil || len(due) != 0 {
		t.Fatalf("Ingest into a silenced resolved alert = %d due, %v; want 0", len(due), err)
	}
	a, err := m.Get(ctx, ann)
	if err != nil {
		t.Fatal(err)
	}
	if a.Status != alert.StatusOpen || a.Count != 3 || !a.Silenced || len(a.SilenceIDs) != 1 || a.SilenceIDs[0] != s.ID {
		t.Errorf("alert after reopening under a silence: status %s count %d silenced %v %v", a.Status, a.Count, a.Silenced, a.SilenceIDs)
	}
	var actions []alert.Action
	for _, c := range a.History {
		actions = append(actions, c.Action)
	}
	want := []alert.Action{alert.ActionCreated, alert.ActionResolved, alert.ActionReopened, alert.ActionSilenced}
	if !slices.Equal(actions, want) {
		t.Errorf("history actions = %v, want %v", actions, want)
	}
}
