package route

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"picket/internal/alert"
	"picket/internal/rule"
)

// sim drives a Grouper with a simulated clock: no sleeping.
type sim struct {
	t   *testing.T
	g   *Grouper
	now time.Time
	out []Intent
}

func newSim(t *testing.T, cfg Config, opts Options) *sim {
	t.Helper()
	g, err := NewGrouper(cfg, opts)
	if err != nil {
		t.Fatal(err)
	}
	return &sim{t: t, g: g, now: t0}
}

// until flushes at every evaluation time up to and including the clock time hh:mm[:ss] of t0's
// day (or of the next day for a "+" prefix).
func (s *sim) until(at string) {
	to := clock(at)
	for {
		n := s.g.Next()
		if n.IsZero() || n.After(to) {
			break
		}
		if n.Before(s.now) {
			s.t.Fatalf("Next() = %s, before the clock %s", n, s.now)
		}
		s.now = n
		s.out = append(s.out, s.g.Flush(n)...)
	}
	s.now = to
}

// add advances to at, then adds a.
func (s *sim) add(at string, a *alert.Alert, due bool) {
	s.until(at)
	s.g.Add(s.now, a, due)
}

// take returns the intents produced since the last take, one line each.
func (s *sim) take() []string {
	var lines []string
	for _, in := range s.out {
		lines = append(lines, brief(in))
		if want := notificationID(in.Receiver, in.GroupKey, string(in.Status), in.Alerts, time.Time{}); in.Reason != ReasonRepeat && in.ID != want {
			s.t.Errorf("intent %s: ID %s, want NotificationID %s", brief(in), in.ID, want)
		}
	}
	s.out = nil
	return lines
}

func brief(in Intent) string {
	var ids []string
	for _, a := range in.Alerts {
		ids = append(ids, fmt.Sprintf("%s/%s/%d", a.ID, a.Status, a.Count))
	}
	return fmt.Sprintf("%s %s %s %s %s %s", in.At.Format("Jan2 15:04:05"), in.Reason, in.Status, in.Receiver, in.GroupKey, strings.Join(ids, ","))
}

func clock(at string) time.Time {
	day := t0
	if rest, ok := strings.CutPrefix(at, "+"); ok {
		day, at = day.AddDate(0, 0, 1), rest
	}
	if strings.Count(at, ":") == 1 {
		at += ":00"
	}
	c, err := time.Parse("15:04:05", at)
	if err != nil {
		panic(err)
	}
	return time.Date(day.Year(), day.Month(), day.Day(), c.Hour(), c.Minute(), c.Second(), 0, time.UTC)
}

func hookConfig() Config {
	return Config{Route: &Route{Receiver: "hook", GroupBy: []string{"rule_id"}}}
}

func TestGrouperTimingOverADay(t *testing.T) {
	s := newSim(t, hookConfig(), Options{})
	s.add("09:00", mk("a"), true)
	s.add("09:00:10", mk("x", ruleID("r2")), true)
	s.until("09:01")
	if diff := cmp.Diff([]string{
		`Jun2 09:00:30 new firing hook route:{rule_id="r1"} a/open/1`,
		`Jun2 09:00:40 new firing hook route:{rule_id="r2"} x/open/1`,
	}, s.take()); diff != "" {
		t.Errorf("group_wait (-want +got):\n%s", diff)
	}
	s.add("09:02", mk("b"), true)            // new alert in the group: next group_interval tick
	s.add("09:07", mk("a", count(2)), false) // a fold that is not due: nothing
	s.until("09:20")
	s.add("09:20", mk("a", count(3)), true) // re-alert: due
	s.add("09:21", mk("x", ruleID("r2"), status(alert.StatusResolved)), false)
	s.until("18:00")
	if diff := cmp.Diff([]string{
		`Jun2 09:05:30 changed firing hook route:{rule_id="r1"} a/open/1,b/open/1`,
		`Jun2 09:20:30 changed firing hook route:{rule_id="r1"} a/open/3,b/open/1`,
		`Jun2 13:20:30 repeat firing hook route:{rule_id="r1"} a/open/3,b/open/1`,
		`Jun2 17:20:30 repeat firing hook route:{rule_id="r1"} a/open/3,b/open/1`,
	}, s.take()); diff != "" {
		t.Errorf("group_interval and repeat_interval (-want +got):\n%s", diff)
	}
	s.add("18:00", mk("a", status(alert.StatusResolved)), false)
	s.add("18:01", mk("b", status(alert.StatusResolved)), false)
	s.until("18:30")
	if got := s.take(); len(got) != 0 {
		t.Errorf("resolved without send_resolved sent %q, want nothing", got)
	}
	if n := s.g.Next(); !n.IsZero() {
		t.Errorf("Next() = %s after every alert resolved, want no groups", n)
	}
	s.add("20:00", mk("c"), true)
	s.until("+09:00")
	if diff := cmp.Diff([]string{
		`Jun2 20:00:30 new firing hook route:{rule_id="r1"} c/open/1`,
		`Jun3 00:00:30 repeat firing hook route:{rule_id="r1"} c/open/1`,
		`Jun3 04:00:30 repeat firing hook route:{rule_id="r1"} c/open/1`,
		`Jun3 08:00:30 repeat firing hook route:{rule_id="r1"} c/open/1`,
	}, s.take()); diff != "" {
		t.Errorf("new group after resolution (-want +got):\n%s", diff)
	}
}

func TestGrouperSendResolved(t *testing.T) {
	for _, sendResolved := range []bool{true, false} {
		t.Run(fmt.Sprint("send_resolved=", sendResolved), func(t *testing.T) {
			s := newSim(t, hookConfig(), Options{SendResolved: map[string]bool{"hook": sendResolved}})
			s.add("09:00", mk("a"), true)
			s.add("09:00:05", mk("b"), true)
			s.add("09:03", mk("a", status(alert.StatusResolved)), false)
			s.add("09:07", mk("b", status(alert.StatusResolved)), false)
			s.add("09:08", mk("never", status(alert.StatusResolved)), false) // never announced
			s.add("09:30", mk("c"), true)
			s.add("09:30:10", mk("c", status(alert.StatusResolved)), false) // resolved before group_wait
			s.until("10:00")
			want := []string{
				`Jun2 09:00:30 new firing hook route:{rule_id="r1"} a/open/1,b/open/1`,
				`Jun2 09:05:30 changed firing hook route:{rule_id="r1"} a/resolved/1,b/open/1`,
				`Jun2 09:10:30 resolved resolved hook route:{rule_id="r1"} b/resolved/1`,
			}
			if !sendResolved {
				want = want[:1]
			}
			if diff := cmp.Diff(want, s.take()); diff != "" {
				t.Errorf("intents (-want +got):\n%s", diff)
			}
			if n := s.g.Next(); !n.IsZero() {
				t.Errorf("Next() = %s, want no groups left", n)
			}
		})
	}
}

func TestGrouperSilencedAcknowledgedInhibited(t *testing.T) {
	cfg := hookConfig()
	cfg.InhibitRules = []InhibitRule{{SourceMatchers: []string{"level=critical"}, TargetMatchers: []string{"level=high"}, Equal: []string{"account"}}}
	s := newSim(t, cfg, Options{})
	s.add("09:00", mk("a", silenced), false)
	s.add("09:00", mk("b"), true)
	s.add("09:00", mk("only-silenced", ruleID("r2"), silenced), false)
	s.add("09:00", mk("crit", ruleID("r3"), level(rule.Critical), account("1"), status(alert.StatusAcknowledged)), false)
	s.add("09:00", mk("muted", ruleID("r4"), account("1")), true)
	s.add("09:00", mk("other-account", ruleID("r4"), account("2")), true)
	s.until("09:01")
	if diff := cmp.Diff([]string{
		`Jun2 09:00:30 new firing hook route:{rule_id="r1"} b/open/1`,
		`Jun2 09:00:30 new firing hook route:{rule_id="r3"} crit/acknowledged/1`,
		`Jun2 09:00:30 new firing hook route:{rule_id="r4"} other-account/open/1`,
	}, s.take()); diff != "" {
		t.Errorf("first notifications (-want +got):\n%s", diff)
	}
	s.add("09:02", mk("a"), true) // unsilenced
	s.add("09:03", mk("crit", ruleID("r3"), level(rule.Critical), account("1"), status(alert.StatusResolved)), false)
	s.until("09:06")
	if diff := cmp.Diff([]string{
		`Jun2 09:05:30 changed firing hook route:{rule_id="r1"} a/open/1,b/open/1`,
		`Jun2 09:05:30 changed firing hook route:{rule_id="r4"} muted/open/1,other-account/open/1`,
	}, s.take()); diff != "" {
		t.Errorf("after unsilence and end of inhibition (-want +got):\n%s", diff)
	}
	// An acknowledged group is not repeated; an open one is.
	s.add("09:10", mk("a", status(alert.StatusAcknowledged)), false)
	s.add("09:10", mk("b", status(alert.StatusAcknowledged)), false)
	s.until("13:06")
	if diff := cmp.Diff([]string{
		`Jun2 13:05:30 repeat firing hook route:{rule_id="r4"} muted/open/1,other-account/open/1`,
	}, s.take()); diff != "" {
		t.Errorf("repeats (-want +got):\n%s", diff)
	}
}

func TestGrouperTimeIntervals(t *testing.T) {
	cfg := Config{
		Route: &Route{Receiver: "hook", Routes: []*Route{
			{Matchers: []string{"rule_id=night"}, MuteTimeIntervals: []string{"night"}, Continue: true},
			{Matchers: []string{"rule_id=night"}, Receiver: "office", ActiveTimeIntervals: []string{"office"}},
		}},
		TimeIntervals: []TimeInterval{
			{Name: "night", Times: []TimeRange{{StartTime: "00:00", EndTime: "08:00"}}},
			{Name: "office", Times: []TimeRange{{StartTime: "08:00", EndTime: "18:00"}}, Weekdays: []string{"monday:friday"}},
		},
	}
	s := newSim(t, cfg, Options{})
	s.now = clock("07:00").Add(-time.Minute)
	s.add("07:00", mk("n", ruleID("night")), true)
	s.until("09:00")
	if diff := cmp.Diff([]string{
		`Jun2 08:00:30 new firing hook route.routes[0]:{} n/open/1`,
		`Jun2 08:00:30 new firing office route.routes[1]:{} n/open/1`,
	}, s.take()); diff != "" {
		t.Errorf("muted until 08:00, office from 08:00 (-want +got):\n%s", diff)
	}
	s.until("+09:00")
	if diff := cmp.Diff([]string{
		`Jun2 12:00:30 repeat firing hook route.routes[0]:{} n/open/1`,
		`Jun2 12:00:30 repeat firing office route.routes[1]:{} n/open/1`,
		`Jun2 16:00:30 repeat firing hook route.routes[0]:{} n/open/1`,
		`Jun2 16:00:30 repeat firing office route.routes[1]:{} n/open/1`,
		`Jun2 20:00:30 repeat firing hook route.routes[0]:{} n/open/1`,
		`Jun3 08:00:30 repeat firing hook route.routes[0]:{} n/open/1`,
		`Jun3 08:00:30 repeat firing office route.routes[1]:{} n/open/1`,
	}, s.take()); diff != "" {
		t.Errorf("repeats outside the intervals (-want +got):\n%s", diff)
	}
}

func TestGrouperAlertChangesRoute(t *testing.T) {
	cfg := Config{Route: &Route{Receiver: "hook", Routes: []*Route{{Matchers: []string{"status=acknowledged"}, Receiver: "acks"}}}}
	s := newSim(t, cfg, Options{})
	s.add("09:00", mk("a"), true)
	s.add("09:01", mk("a", status(alert.StatusAcknowledged)), false)
	s.until("09:10")
	if diff := cmp.Diff([]string{
		`Jun2 09:00:30 new firing hook route:{} a/open/1`,
		`Jun2 09:01:30 new firing acks route.routes[0]:{} a/acknowledged/1`,
	}, s.take()); diff != "" {
		t.Errorf("intents (-want +got):\n%s", diff)
	}
	st := s.g.Snapshot()
	if len(st.Groups) != 1 || st.Groups[0].Route != "route.routes[0]" {
		t.Errorf("groups after the move = %+v, want only the acks group", st.Groups)
	}
}

func TestGrouperGroupByAll(t *testing.T) {
	cfg := Config{Route: &Route{Receiver: "hook", GroupBy: []string{"..."}}}
	s := newSim(t, cfg, Options{})
	s.add("09:00", mk("a", tags("t2", "t1"), group("user", "bob")), true)
	s.add("09:00", mk("b"), true)
	s.until("09:01")
	if diff := cmp.Diff([]string{
		`Jun2 09:00:30 new firing hook route:{account="123456789012",group.user="bob",id="a",kind="detection",level="high",logsource="aws/cloudtrail",rule_id="r1",rule_title="Rule one",source="trail",tags="t1,t2"} a/open/1`,
		`Jun2 09:00:30 new firing hook route:{account="123456789012",id="b",kind="detection",level="high",logsource="aws/cloudtrail",rule_id="r1",rule_title="Rule one",source="trail"} b/open/1`,
	}, s.take()); diff != "" {
		t.Errorf("intents (-want +got):\n%s", diff)
	}
}

// TestSnapshotRestore runs the same future through a Grouper and through a fresh one restored
// from its state encoded as JSON: the flushes must be identical.
func TestSnapshotRestore(t *testing.T) {
	cfg := hookConfig()
	cfg.Route.Routes = []*Route{{Matchers: []string{"level=critical"}, Receiver: "pager", GroupBy: []string{"account"}, Continue: true}}
	opts := Options{SendResolved: map[string]bool{"hook": true, "pager": true}}
	s := newSim(t, cfg, opts)
	s.add("09:00", mk("a", tags("x")), true)
	s.add("09:01", mk("b", level(rule.Critical), group("k", "v")), true)
	s.add("09:02", mk("c", silenced), false)
	s.until("09:04")
	s.add("09:04", mk("a", count(5)), true)

	b, err := json.Marshal(s.g.Snapshot())
	if err != nil {
		t.Fatal(err)
	}
	var st State
	if err := json.Unmarshal(b, &st); err != nil {
		t.Fatal(err)
	}
	r := newSim(t, cfg, opts)
	r.now = s.now
	r.g.Restore(st)
	if diff := cmp.Diff(s.g.Snapshot(), r.g.Snapshot()); diff != "" {
		t.Fatalf("Snapshot after Restore (-original +restored):\n%s", diff)
	}
	s.take()
	future := func(s *sim) {
		s.add("09:06", mk("b", level(rule.Critical), group("k", "v"), status(alert.StatusResolved)), false)
		s.add("09:30", mk("d"), true)
		s.until("14:00")
	}
	future(s)
	future(r)
	want := s.take()
	t.Logf("future: %q", want)
	if len(want) < 4 {
		t.Fatalf("future produced %q, want a richer scenario", want)
	}
	if diff := cmp.Diff(want, r.take()); diff != "" {
		t.Errorf("flushes after Restore (-original +restored):\n%s", diff)
	}
	if diff := cmp.Diff(s.out, r.out); diff != "" {
		t.Errorf("intents (-original +restored):\n%s", diff)
	}
}

func TestRestoreDropsWhatTheConfigNoLongerProduces(t *testing.T) {
	s := newSim(t, hookConfig(), Options{})
	s.add("09:00", mk("a"), true)
	s.until("09:01")
	st := s.g.Snapshot()
	for name, cfg := range map[string]Config{
		"receiver changed": {Route: &Route{Receiver: "other", GroupBy: []string{"rule_id"}}},
		"group_by changed": {Route: &Route{Receiver: "hook", GroupBy: []string{"account"}}},
	} {
		g, err := NewGrouper(cfg, Options{})
		if err != nil {
			t.Fatal(err)
		}
		g.Restore(st)
		if got := g.Snapshot(); len(got.Groups) != 0 || len(got.Alerts) != 0 {
			t.Errorf("%s: state after Restore = %+v, want empty", name, got)
		}
	}
}
