package alert_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"picket/internal/alert"
)

// simulate feeds one detection per listed minute (event time = processing time), marks every
// due alert notified at once, and returns the minutes at which notifications went out.
func simulate(t *testing.T, m *alert.Manager, c *clock, minutes []int) []int {
	t.Helper()
	var sent []int
	for _, min := range minutes {
		at := time.Duration(min) * time.Minute
		c.Set(t0.Add(at))
		for _, a := range ingest(t, m, ev("r", fmt.Sprint(min), at, "")) {
			if err := m.MarkNotified(context.Background(), a.ID, c.Now()); err != nil {
				t.Fatal(err)
			}
			sent = append(sent, min)
		}
	}
	return sent
}

func span(from, to, step int) []int {
	var out []int
	for i := from; i <= to; i += step {
		out = append(out, i)
	}
	return out
}

func TestRealertOverADay(t *testing.T) {
	day := span(0, 24*60-1, 1) // a detection every minute
	tests := []struct {
		name    string
		policy  alert.RealertPolicy
		minutes []int
		want    []int
	}{
		{
			name:    "fixed hourly",
			policy:  alert.RealertPolicy{Mode: alert.RealertFixed, Interval: time.Hour},
			minutes: day,
			want:    span(0, 23*60, 60),
		},
		{
			name:    "fixed, sparse detections notify at the first detection after the interval",
			policy:  alert.RealertPolicy{Interval: time.Hour},
			minutes: span(0, 300, 45),
			want:    []int{0, 90, 180, 270},
		},
		{
			name:    "exponential doubles up to the max",
			policy:  alert.RealertPolicy{Mode: alert.RealertExponential, Interval: time.Minute, Max: time.Hour},
			minutes: day,
			want:    append([]int{0, 1, 3, 7, 15, 31}, span(63, 1440, 60)...),
		},
		{
			name:    "exponential resets after a quiet period",
			policy:  alert.RealertPolicy{Mode: alert.RealertExponential, Interval: time.Minute, Max: time.Hour, Quiet: time.Hour},
			minutes: append(span(0, 10, 1), 71, 72, 73, 74, 75),
			want:    []int{0, 1, 3, 7, 71, 72, 74},
		},
		{
			name:    "exponential without a long enough pause keeps backing off",
			policy:  alert.RealertPolicy{Mode: alert.RealertExponential, Interval: time.Minute, Max: time.Hour, Quiet: time.Hour},
			minutes: append(span(0, 10, 1), 69, 70, 71, 72, 73, 74, 75),
			want:    []int{0, 1, 3, 7, 69},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, c := newManager(t, alert.Options{Realert: tt.policy, DedupWindow: 24 * time.Hour})
			got := simulate(t, m, c, tt.minutes)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("notification minutes (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRealertBookkeeping(t *testing.T) {
	m, c := newManager(t, alert.Options{Realert: alert.RealertPolicy{Interval: time.Hour}})
	ctx := context.Background()
	id := ingest(t, m, ev("r", "1", 0, ""))[0].ID
	// Not marked notified (delivery failed): the next detection is due again.
	c.Advance(time.Minute)
	if due := ingest(t, m, ev("r", "2", time.Minute, "")); len(due) != 1 {
		t.Fatalf("undelivered alert: %d due, want 1", len(due))
	}
	if err := m.MarkNotified(ctx, id, c.Now()); err != nil {
		t.Fatal(err)
	}
	a, err := m.Get(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if a.Notifications != 1 || !a.LastNotified.Equal(c.Now()) || !a.NextNotify.Equal(c.Now().Add(time.Hour)) {
		t.Errorf("after MarkNotified: notifications %d, last %s, next %s", a.Notifications, a.LastNotified, a.NextNotify)
	}
	if err := m.MarkNotified(ctx, "missing", c.Now()); err == nil {
		t.Error("MarkNotified(missing) = nil, want an error")
	}
}

func TestAcknowledgedAlertIsFoldedButNotDue(t *testing.T) {
	m, c := newManager(t, alert.Options{Realert: alert.RealertPolicy{Interval: time.Minute}})
	ctx := context.Background()
	id := ingest(t, m, ev("r", "1", 0, ""))[0].ID
	if _, err := m.Acknowledge(ctx, id, "alice", ""); err != nil {
		t.Fatal(err)
	}
	c.Advance(time.Hour)
	if due := ingest(t, m, ev("r", "2", time.Hour, "")); len(due) != 0 {
		t.Errorf("acknowledged alert: %d due, want 0", len(due))
	}
	a, _ := m.Get(ctx, id)
	if a.Count != 2 || a.Status != alert.StatusAcknowledged || !a.LastSeen.Equal(t0.Add(time.Hour)) {
		t.Errorf("acknowledged alert after a detection: count %d, status %s, last seen %s", a.Count, a.Status, a.LastSeen)
	}
}
