package alert_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"picket/internal/alert"
	"picket/internal/rule"
)

var t0 = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

// clock is a controllable processing-time clock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	c.now = t
	c.mu.Unlock()
}

// newManager returns a Manager over a fresh memory repository, with a clock at t0.
func newManager(t testing.TB, opts alert.Options) (*alert.Manager, *clock) {
	t.Helper()
	c := &clock{now: t0}
	opts.Clock = c.Now
	m, err := alert.NewManager(alert.NewMemoryRepository(), opts)
	if err != nil {
		t.Fatalf("NewManager: %v", err)
	}
	return m, c
}

// ev builds a detection of rule r on event id at event time t0+at, with a JSON body.
func ev(r, id string, at time.Duration, body string) alert.Detection {
	if body == "" {
		body = "{}"
	}
	return alert.Detection{
		RuleID: r, RuleTitle: "Rule " + r, Level: rule.High, Tags: []string{"attack.t1078"}, Kind: "detection",
		EventID: id, EventTime: t0.Add(at), Source: "trail", Raw: []byte(body),
	}
}

// ingest runs Ingest and fails the test on error.
func ingest(t testing.TB, m *alert.Manager, ds ...alert.Detection) []*alert.Alert {
	t.Helper()
	due, err := m.Ingest(context.Background(), ds)
	if err != nil {
		t.Fatalf("Ingest: %v", err)
	}
	return due
}

// all lists every alert.
func all(t testing.TB, m *alert.Manager) []*alert.Alert {
	t.Helper()
	as, err := m.List(context.Background(), alert.Query{Limit: alert.MaxLimit})
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	return as
}

// ids returns the alerts' ids.
func ids(as []*alert.Alert) []string {
	out := []string{}
	for _, a := range as {
		out = append(out, a.ID)
	}
	return out
}

// actions summarises a history as "action by actor".
func actions(a *alert.Alert) []string {
	var out []string
	for _, c := range a.History {
		out = append(out, fmt.Sprintf("%s by %s", c.Action, c.Actor))
	}
	return out
}

var cmpOpts = cmp.Options{cmpopts.EquateEmpty()}
