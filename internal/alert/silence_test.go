package alert_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"picket/internal/alert"
	"picket/internal/event"
	"picket/internal/rule"
)

func TestMatcher(t *testing.T) {
	a := &alert.Alert{
		RuleID: "aws-root-login", Level: rule.High, Tags: []string{"attack.t1078", "cloud.aws"},
		Source: "trail", Account: "123456789012", LogSource: event.LogSource{Product: "aws", Service: "cloudtrail"},
		Group: map[string]string{"user": "root"},
	}
	tests := []struct {
		field string
		op    alert.MatchOp
		value string
		want  bool
	}{
		{"rule_id", "=", "aws-root-login", true},
		{"rule_id", "=", "aws-root", false},
		{"rule_id", "!=", "other", true},
		{"rule_id", "=~", "aws-.*", true},
		{"rule_id", "=~", "aws", false}, // anchored
		{"rule_id", "!~", "gcp-.*", true},
		{"tag", "=", "cloud.aws", true},
		{"tag", "=", "cloud", false},
		{"tag", "!=", "cloud.aws", false}, // no tag may match
		{"tag", "!=", "cloud.gcp", true},
		{"tag", "=~", `attack\.t\d+`, true},
		{"tag", "!~", "attack.*", false},
		{"level", "=", "high", true},
		{"level", "=~", "high|critical", true},
		{"level", "!=", "high", false},
		{"source", "=", "trail", true},
		{"source", "!~", "tr.*", false},
		{"account", "=", "123456789012", true},
		{"account", "=~", `\d{12}`, true},
		{"account", "!=", "123456789012", false},
		{"logsource", "=", "aws/cloudtrail", true},
		{"logsource", "=~", "aws/.*", true},
		{"group.user", "=", "root", true},
		{"group.user", "!=", "root", false},
		{"group.user", "=~", "ro+t", true},
		{"group.missing", "=", "", true},
		{"group.missing", "!~", ".+", true},
	}
	for _, tt := range tests {
		s := alert.Silence{Matchers: []alert.Matcher{{Field: tt.field, Op: tt.op, Value: tt.value}}}
		if got := s.Matches(a); got != tt.want {
			t.Errorf("%s%s%q on %+v = %v, want %v", tt.field, tt.op, tt.value, a, got, tt.want)
		}
	}
	both := alert.Silence{Matchers: []alert.Matcher{{Field: "rule_id", Op: "=", Value: "aws-root-login"}, {Field: "level", Op: "=", Value: "low"}}}
	if both.Matches(a) {
		t.Error("a silence matches only when every matcher does")
	}
}

func TestSilenceValidation(t *testing.T) {
	ok := alert.Silence{
		Matchers: []alert.Matcher{{Field: "rule_id", Op: "=", Value: "r"}},
		Author:   "alice", Comment: "maintenance", EndsAt: t0.Add(time.Hour),
	}
	tests := []struct {
		name string
		mod  func(*alert.Silence)
		want string // substring of the error; "" for valid
	}{
		{"valid", func(*alert.Silence) {}, ""},
		{"no author", func(s *alert.Silence) { s.Author = " " }, "author is required"},
		{"no comment", func(s *alert.Silence) { s.Comment = "" }, "comment is required"},
		{"no expiry", func(s *alert.Silence) { s.EndsAt = time.Time{} }, "expiry (ends_at) is required"},
		{"expiry in the past", func(s *alert.Silence) { s.EndsAt = t0.Add(-time.Second) }, "not in the future"},
		{"expiry now", func(s *alert.Silence) { s.EndsAt = t0 }, "not in the future"},
		{"ends before start", func(s *alert.Silence) { s.StartsAt = t0.Add(2 * time.Hour) }, "not after the start"},
		{"bad regexp", func(s *alert.Silence) { s.Matchers[0] = alert.Matcher{Field: "tag", Op: "=~", Value: "(a"} }, "missing closing )"},
		{"bad field", func(s *alert.Silence) { s.Matchers[0].Field = "user" }, `matcher field "user"`},
		{"empty group name", func(s *alert.Silence) { s.Matchers[0].Field = "group." }, `matcher field "group."`},
		{"bad op", func(s *alert.Silence) { s.Matchers[0].Op = "==" }, `unknown operator "=="`},
		{"no matchers", func(s *alert.Silence) { s.Matchers = nil }, "no matchers"},
		{"every problem at once", func(s *alert.Silence) { s.Author, s.Comment = "", "" }, "author is required\ncomment is required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, _ := newManager(t, alert.Options{})
			s := ok.Clone()
			s.Matchers = append([]alert.Matcher(nil), ok.Matchers...)
			tt.mod(&s)
			got, err := m.AddSilence(context.Background(), s)
			if tt.want == "" {
				if err != nil || got.ID == "" || !got.CreatedAt.Equal(t0) || !got.StartsAt.Equal(t0) {
					t.Errorf("AddSilence(valid) = %+v, %v; want an id, created and starting now", got, err)
				}
				return
			}
			if !errors.Is(err, alert.ErrInvalid) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("AddSilence error = %v, want ErrInvalid containing %q", err, tt.want)
			}
		})
	}
}

func TestSilenceLifecycle(t *testing.T) {
	m, c := newManager(t, alert.Options{})
	ctx := context.Background()
	add := func(starts, ends time.Duration) alert.Silence {
		s, err := m.AddSilence(ctx, alert.Silence{
			Matchers: []alert.Matcher{{Field: "rule_id", Op: "=", Value: "r"}},
			Author:   "alice", Comment: "c", StartsAt: t0.Add(starts), EndsAt: t0.Add(ends),
		})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	active, pending, short := add(0, 2*time.Hour), add(time.Hour, 3*time.Hour), add(0, time.Minute)
	list := func(activeOnly bool) []string {
		ss, err := m.Silences(ctx, activeOnly)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, s := range ss {
			out = append(out, s.ID)
		}
		return sorted(out)
	}
	if diff := cmp.Diff(sorted([]string{active.ID, short.ID}), list(true), cmpOpts); diff != "" {
		t.Errorf("active silences at t0 (-want +got):\n%s", diff)
	}
	c.Advance(time.Hour) // short expired, pending started
	if diff := cmp.Diff(sorted([]string{active.ID, pending.ID}), list(true), cmpOpts); diff != "" {
		t.Errorf("active silences at t0+1h (-want +got):\n%s", diff)
	}
	if err := m.ExpireSilence(ctx, active.ID, "bob"); err != nil {
		t.Fatal(err)
	}
	if err := m.ExpireSilence(ctx, active.ID, "bob"); !errors.Is(err, alert.ErrInvalidTransition) {
		t.Errorf("expiring an expired silence: %v, want ErrInvalidTransition", err)
	}
	if err := m.ExpireSilence(ctx, short.ID, "bob"); !errors.Is(err, alert.ErrInvalidTransition) {
		t.Errorf("expiring a silence past its expiry: %v, want ErrInvalidTransition", err)
	}
	if err := m.ExpireSilence(ctx, "nope", "bob"); !errors.Is(err, alert.ErrNotFound) {
		t.Errorf("ExpireSilence(missing) = %v, want ErrNotFound", err)
	}
	if err := m.ExpireSilence(ctx, pending.ID, ""); !errors.Is(err, alert.ErrInvalid) {
		t.Errorf("ExpireSilence without actor = %v, want ErrInvalid", err)
	}
	if diff := cmp.Diff([]string{pending.ID}, list(true), cmpOpts); diff != "" {
		t.Errorf("active silences after expiry (-want +got):\n%s", diff)
	}
	if got := list(false); len(got) != 3 {
		t.Errorf("all silences = %v, want 3", got)
	}
	ss, _ := m.Silences(ctx, false)
	for _, s := range ss {
		if s.ID == active.ID && (s.ExpiredBy != "bob" || !s.EndsAt.Equal(c.Now())) {
			t.Errorf("expired silence = %+v, want expired by bob now", s)
		}
	}
}

func TestSilencedAlertIsFoldedButNotDue(t *testing.T) {
	m, c := newManager(t, alert.Options{GroupBy: map[string][]string{"r": {"user"}}})
	ctx := context.Background()
	s, err := m.AddSilence(ctx, alert.Silence{
		Matchers: []alert.Matcher{{Field: "group.user", Op: "=", Value: "svc"}},
		Author:   "alice", Comment: "known job", EndsAt: t0.Add(time.Hour),
	})
	if err != nil {
		t.Fatal(err)
	}
	due := ingest(t, m, ev("r", "1", 0, `{"user":"svc"}`), ev("r", "2", 0, `{"user":"eve"}`), ev("r", "3", time.Minute, `{"user":"svc"}`))
	if len(due) != 1 || due[0].Group["user"] != "eve" {
		t.Fatalf("due = %v, want only eve's alert", ids(due))
	}
	var svc *alert.Alert
	for _, a := range all(t, m) {
		if a.Group["user"] == "svc" {
			svc = a
		}
	}
	if svc == nil || svc.Count != 2 || !svc.Silenced || len(svc.SilenceIDs) != 1 || svc.SilenceIDs[0] != s.ID {
		t.Fatalf("silenced alert = %+v, want count 2, silenced by %s", svc, s.ID)
	}
	// After expiry, the next detection notifies (it never did) and the history says why.
	c.Advance(2 * time.Hour)
	if a, _ := m.Get(ctx, svc.ID); a.Silenced {
		t.Error("Get after the silence expired: still silenced")
	}
	due = ingest(t, m, ev("r", "4", 2*time.Minute, `{"user":"svc"}`))
	if len(due) != 1 || due[0].ID != svc.ID || due[0].Count != 3 {
		t.Fatalf("after expiry due = %v, want the svc alert with count 3", ids(due))
	}
	want := []string{"created by picket", "silenced by picket", "unsilenced by picket"}
	if diff := cmp.Diff(want, actions(due[0])); diff != "" {
		t.Errorf("history (-want +got):\n%s", diff)
	}
}

func TestPreviewSilence(t *testing.T) {
	m, c := newManager(t, alert.Options{GroupBy: map[string][]string{alert.AnyRule: {"user"}}})
	ctx := context.Background()
	ingest(t, m,
		ev("r", "1", 0, `{"user":"svc-a"}`), ev("r", "2", 0, `{"user":"svc-b"}`), ev("r", "3", 0, `{"user":"eve"}`),
		ev("q", "4", -48*time.Hour, `{"user":"svc-old"}`), ev("q", "5", 0, `{"user":"svc-c"}`))
	c.Advance(time.Hour)
	s := alert.Silence{Matchers: []alert.Matcher{{Field: "group.user", Op: "=~", Value: "svc-.*"}, {Field: "rule_id", Op: "=", Value: "r"}}}
	got, err := m.PreviewSilence(ctx, s, t0.Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	var users []string
	for _, a := range got {
		users = append(users, a.Group["user"])
	}
	if diff := cmp.Diff([]string{"svc-a", "svc-b"}, sorted(users)); diff != "" {
		t.Errorf("preview (-want +got):\n%s", diff)
	}
	s.Matchers = []alert.Matcher{{Field: "group.user", Op: "=~", Value: "svc-.*"}}
	if got, _ := m.PreviewSilence(ctx, s, t0.Add(-72*time.Hour)); len(got) != 4 {
		t.Errorf("preview since 3 days: %d alerts, want 4", len(got))
	}
	if _, err := m.PreviewSilence(ctx, alert.Silence{Matchers: []alert.Matcher{{Field: "x", Op: "="}}}, t0); !errors.Is(err, alert.ErrInvalid) {
		t.Errorf("preview with a bad matcher: %v, want ErrInvalid", err)
	}
	if ss, _ := m.Silences(ctx, false); len(ss) != 0 {
		t.Errorf("preview stored %d silences", len(ss))
	}
}

func sorted(s []string) []string { return slices.Sorted(slices.Values(s)) }
