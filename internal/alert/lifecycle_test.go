package alert_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"picket/internal/alert"
)

func TestTransitions(t *testing.T) {
	ack := (*alert.Manager).Acknowledge
	res := (*alert.Manager).Resolve
	reo := (*alert.Manager).Reopen
	type op = func(*alert.Manager, context.Context, string, string, string) (*alert.Alert, error)
	tests := []struct {
		name    string
		ops     []op
		wantErr error // of the last op
		status  alert.Status
		history []string
	}{
		{"acknowledge", []op{ack}, nil, alert.StatusAcknowledged, []string{"created by picket", "acknowledged by alice"}},
		{"resolve open", []op{res}, nil, alert.StatusResolved, []string{"created by picket", "resolved by alice"}},
		{"resolve acknowledged", []op{ack, res}, nil, alert.StatusResolved, []string{"created by picket", "acknowledged by alice", "resolved by alice"}},
		{"reopen resolved", []op{res, reo}, nil, alert.StatusOpen, []string{"created by picket", "resolved by alice", "reopened by alice"}},
		{"acknowledge twice", []op{ack, ack}, alert.ErrInvalidTransition, alert.StatusAcknowledged, []string{"created by picket", "acknowledged by alice"}},
		{"acknowledge resolved", []op{res, ack}, alert.ErrInvalidTransition, alert.StatusResolved, []string{"created by picket", "resolved by alice"}},
		{"resolve twice", []op{res, res}, alert.ErrInvalidTransition, alert.StatusResolved, []string{"created by picket", "resolved by alice"}},
		{"reopen open", []op{reo}, alert.ErrInvalidTransition, alert.StatusOpen, []string{"created by picket"}},
		{"reopen acknowledged", []op{ack, reo}, alert.ErrInvalidTransition, alert.StatusAcknowledged, []string{"created by picket", "acknowledged by alice"}},
		{"comment open", []op{(*alert.Manager).Comment}, nil, alert.StatusOpen, []string{"created by picket", "commented by alice"}},
		{"comment resolved", []op{res, (*alert.Manager).Comment}, nil, alert.StatusResolved, []string{"created by picket", "resolved by alice", "commented by alice"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, c := newManager(t, alert.Options{})
			ctx := context.Background()
			id := ingest(t, m, ev("r", "1", 0, ""))[0].ID
			var err error
			for _, o := range tt.ops {
				c.Advance(time.Minute)
				_, err = o(m, ctx, id, "alice", "note")
			}
			if !errors.Is(err, tt.wantErr) {
				t.Errorf("last transition error = %v, want %v", err, tt.wantErr)
			}
			a, err := m.Get(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if a.Status != tt.status || a.Status == alert.StatusResolved == a.ResolvedAt.IsZero() {
				t.Errorf("status %s (resolved at %s), want %s", a.Status, a.ResolvedAt, tt.status)
			}
			if diff := cmp.Diff(tt.history, actions(a)); diff != "" {
				t.Errorf("history (-want +got):\n%s", diff)
			}
			if last := a.History[len(a.History)-1]; tt.wantErr == nil && (!last.At.Equal(c.Now()) || last.Comment != "note") {
				t.Errorf("last change %+v: want at %s with the comment", last, c.Now())
			}
		})
	}
}

func TestTransitionErrors(t *testing.T) {
	m, _ := newManager(t, alert.Options{})
	ctx := context.Background()
	id := ingest(t, m, ev("r", "1", 0, ""))[0].ID
	if _, err := m.Acknowledge(ctx, id, " ", ""); !errors.Is(err, alert.ErrInvalid) {
		t.Errorf("Acknowledge without actor error = %v, want ErrInvalid", err)
	}
	if _, err := m.Resolve(ctx, "nope", "alice", ""); !errors.Is(err, alert.ErrNotFound) {
		t.Errorf("Resolve(missing) error = %v, want ErrNotFound", err)
	}
	if a, err := m.Get(ctx, "nope"); !errors.Is(err, alert.ErrNotFound) || a != nil {
		t.Errorf("Get(missing) = %v, %v; want nil, ErrNotFound", a, err)
	}
}

func TestDetectionReopensResolvedAlert(t *testing.T) {
	m, c := newManager(t, alert.Options{DedupWindow: time.Hour})
	ctx := context.Background()
	id := ingest(t, m, ev("r", "1", 0, ""))[0].ID
	if err := m.MarkNotified(ctx, id, c.Now()); err != nil {
		t.Fatal(err)
	}
	c.Advance(time.Minute)
	if _, err := m.Resolve(ctx, id, "alice", "done"); err != nil {
		t.Fatal(err)
	}
	c.Advance(time.Minute)
	due := ingest(t, m, ev("r", "2", 30*time.Minute, ""))
	if diff := cmp.Diff([]string{id}, ids(due)); diff != "" {
		t.Fatalf("due after a detection on a resolved alert (-want +got):\n%s", diff)
	}
	a := due[0]
	if a.Status != alert.StatusOpen || !a.ResolvedAt.IsZero() || a.Count != 2 || a.Notifications != 0 {
		t.Errorf("reopened alert: status %s, resolved at %s, count %d, notifications %d", a.Status, a.ResolvedAt, a.Count, a.Notifications)
	}
	want := []string{"created by picket", "resolved by alice", "reopened by picket"}
	if diff := cmp.Diff(want, actions(a)); diff != "" {
		t.Errorf("history (-want +got):\n%s", diff)
	}
	// Outside the window, a resolved alert stays resolved and a new alert starts.
	if _, err := m.Resolve(ctx, id, "alice", ""); err != nil {
		t.Fatal(err)
	}
	due = ingest(t, m, ev("r", "3", 3*time.Hour, ""))
	if len(due) != 1 || due[0].ID == id {
		t.Errorf("detection outside the window: due %v, want one new alert", ids(due))
	}
}

func TestAutoResolve(t *testing.T) {
	corr := func(id string) alert.Detection {
		d := ev("corr", id, 0, "")
		d.Kind = "correlation"
		return d
	}
	tests := []struct {
		name     string
		auto     map[string]time.Duration
		after    time.Duration
		resolved []string // rule ids auto-resolved
	}{
		{"nothing configured", nil, 48 * time.Hour, nil},
		{"per rule, before", map[string]time.Duration{"a": time.Hour}, time.Hour - time.Nanosecond, nil},
		{"per rule, at the boundary", map[string]time.Duration{"a": time.Hour}, time.Hour, []string{"a"}},
		{"correlation default", map[string]time.Duration{alert.CorrelationRules: time.Hour}, 2 * time.Hour, []string{"corr"}},
		{"any rule, rule entry wins", map[string]time.Duration{alert.AnyRule: time.Hour, "b": 3 * time.Hour}, 2 * time.Hour, []string{"a", "corr"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, c := newManager(t, alert.Options{AutoResolve: tt.auto})
			ctx := context.Background()
			as := ingest(t, m, ev("a", "1", 0, ""), ev("b", "2", 0, ""), corr("3"))
			if _, err := m.Acknowledge(ctx, as[0].ID, "alice", ""); err != nil { // acknowledged alerts resolve too
				t.Fatal(err)
			}
			c.Advance(tt.after)
			got, err := m.AutoResolve(ctx)
			if err != nil {
				t.Fatal(err)
			}
			var rules []string
			for _, a := range got {
				rules = append(rules, a.RuleID)
				if a.Status != alert.StatusResolved || a.History[len(a.History)-1].Action != alert.ActionAutoResolved {
					t.Errorf("auto-resolved %s: status %s, history %v", a.RuleID, a.Status, actions(a))
				}
			}
			if diff := cmp.Diff(tt.resolved, rules, cmpOpts); diff != "" {
				t.Errorf("auto-resolved rules (-want +got):\n%s", diff)
			}
			again, err := m.AutoResolve(ctx)
			if err != nil || len(again) != 0 {
				t.Errorf("second AutoResolve = %d, %v; want nothing", len(again), err)
			}
		})
	}
}

func TestAutoResolveCountsFromLastDetection(t *testing.T) {
	m, c := newManager(t, alert.Options{AutoResolve: map[string]time.Duration{"r": time.Hour}})
	ctx := context.Background()
	ingest(t, m, ev("r", "1", 0, ""))
	c.Advance(50 * time.Minute)
	ingest(t, m, ev("r", "2", time.Minute, ""))
	c.Advance(50 * time.Minute)
	if got, _ := m.AutoResolve(ctx); len(got) != 0 {
		t.Errorf("50 minutes after the last detection: %d resolved, want 0", len(got))
	}
	c.Advance(10 * time.Minute)
	if got, _ := m.AutoResolve(ctx); len(got) != 1 {
		t.Errorf("an hour after the last detection: %d resolved, want 1", len(got))
	}
}

func TestCommentNeedsText(t *testing.T) {
	m, _ := newManager(t, alert.Options{})
	id := ingest(t, m, ev("r", "1", 0, ""))[0].ID
	if _, err := m.Comment(context.Background(), id, "alice", "  "); !errors.Is(err, alert.ErrInvalid) {
		t.Errorf("empty comment: %v, want ErrInvalid", err)
	}
}
