package route

import (
	"testing"
	"time"

	"picket/internal/alert"
)

func TestNotificationID(t *testing.T) {
	a, b := mk("a", count(3)), mk("b")
	renotified := mk("a", count(3))
	renotified.LastNotified = t0
	base := NotificationID("hook", "route:{}", "firing", []*alert.Alert{a, b})
	if len(base) != 32 {
		t.Errorf("NotificationID() = %q, want 32 hex digits", base)
	}
	same := []struct {
		name string
		id   string
	}{
		{"reordered", NotificationID("hook", "route:{}", "firing", []*alert.Alert{b, a})},
		{"other fields change", NotificationID("hook", "route:{}", "firing", []*alert.Alert{mk("a", count(3), silenced, level(9)), b})},
	}
	for _, s := range same {
		if s.id != base {
			t.Errorf("%s: NotificationID() = %s, want %s", s.name, s.id, base)
		}
	}
	differ := []struct {
		name string
		id   string
	}{
		{"count", NotificationID("hook", "route:{}", "firing", []*alert.Alert{mk("a", count(4)), b})},
		{"alert status", NotificationID("hook", "route:{}", "firing", []*alert.Alert{mk("a", count(3), status(alert.StatusResolved)), b})},
		{"notification status", NotificationID("hook", "route:{}", "resolved", []*alert.Alert{a, b})},
		{"receiver", NotificationID("mail", "route:{}", "firing", []*alert.Alert{a, b})},
		{"group key", NotificationID("hook", "route:{x=\"1\"}", "firing", []*alert.Alert{a, b})},
		{"fewer alerts", NotificationID("hook", "route:{}", "firing", []*alert.Alert{a})},
		{"shifted boundary", NotificationID("hoo", "kroute:{}", "firing", []*alert.Alert{a, b})},
		{"notified before (reopened, same count)", NotificationID("hook", "route:{}", "firing", []*alert.Alert{renotified, b})},
		{"repeat", notificationID("hook", "route:{}", "firing", []*alert.Alert{a, b}, t0)},
	}
	seen := map[string]string{base: "base"}
	for _, d := range differ {
		if prev, dup := seen[d.id]; dup {
			t.Errorf("%s: NotificationID() = %s, same as %s", d.name, d.id, prev)
		}
		seen[d.id] = d.name
	}
	if got := notificationID("hook", "route:{}", "firing", []*alert.Alert{a, b}, time.Time{}); got != base {
		t.Errorf("notificationID without repeat = %s, want NotificationID %s", got, base)
	}
}
