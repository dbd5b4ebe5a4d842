// Package outboxtest is the conformance suite of notify.Outbox implementations: MemoryOutbox and
// the SQL stores run Run against a fresh, empty outbox per test, and Benchmark to measure them.
package outboxtest

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"picket/internal/alert"
	"picket/internal/notify"
	"picket/internal/rule"
)

// t0 is the suite's base time: whole seconds, UTC.
var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// NewOutbox returns a new, empty outbox whose Enqueue stamps CreatedAt with clock (the suite
// moves it), and releases it in t.Cleanup.
type NewOutbox func(t *testing.T, clock func() time.Time) notify.Outbox

// Option adjusts what Run requires.
type Option func(*options)

type options struct{ strictContext bool }

// StrictContext requires every method to fail with the context's error when called with a done
// context (the SQL stores). Without it a method may also ignore the context and succeed
// (MemoryOutbox never blocks); either way a failed Enqueue must have written nothing.
func StrictContext() Option { return func(o *options) { o.strictContext = true } }

// Run runs the conformance suite; newOutbox returns a new, empty outbox for each subtest.
func Run(t *testing.T, newOutbox NewOutbox, opts ...Option) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	tests := []struct {
		name string
		fn   func(t *testing.T, c *Clock, ob notify.Outbox)
	}{
		{"EnqueueIsIdempotent", testEnqueueIdempotent},
		{"EnqueueDuplicateInBatch", testEnqueueDuplicateInBatch},
		{"EnqueueRoundTrip", testEnqueueRoundTrip},
		{"EnqueueInvalidBatchWritesNothing", testEnqueueInvalid},
		{"ClaimOrderAndLimit", testClaimOrder},
		{"ClaimLeaseAndOutcomes", testClaimLeaseAndOutcomes},
		{"LeaseExpiry", testLeaseExpiry},
		{"Complete", testComplete},
		{"Fail", testFail},
		{"Retry", testRetry},
		{"NotFound", testNotFound},
		{"ListFilters", testList},
		{"Stats", testStats},
		{"ConcurrentClaims", testConcurrentClaims},
		{"ConcurrentEnqueue", testConcurrentEnqueue},
		{"Cancelled", func(t *testing.T, c *Clock, ob notify.Outbox) { testCancelled(t, c, ob, o.strictContext) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &Clock{now: t0}
			tt.fn(t, c, newOutbox(t, c.Now))
		})
	}
}

// Clock is the suite's settable clock, safe for concurrent use.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// Opts compares entries as a backend may return them: times by instant, nil and empty slices
// and maps alike.
func Opts() cmp.Options {
	return cmp.Options{
		cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) }),
		cmp.Comparer(func(a, b json.RawMessage) bool { return string(a) == string(b) }),
		cmpopts.EquateEmpty(),
	}
}

// Notification returns a small notification with id for receiver.
func Notification(id, receiver string) notify.Notification {
	return notify.Notification{ID: id, Receiver: receiver, Status: notify.StatusFiring, GroupKey: "g-" + id, CreatedAt: t0}
}

// richNotification carries everything a notification may: labels, an alert view with evidence
// whose raw events hold NUL, non-ASCII text and bytes that are not UTF-8.
func richNotification(id, receiver string) notify.Notification {
	n := Notification(id, receiver)
	n.GroupLabels = map[string]string{"user": "alice", "account": "123456789012"}
	n.Alerts = []notify.AlertView{{
		Alert: alert.Alert{
			ID: "a-1", Fingerprint: "fp", RuleID: "r1", RuleTitle: "Console login without MFA",
			Level: rule.High, Kind: "detection", Source: "trail", Status: alert.StatusOpen,
			Group: map[string]string{"user": "alice"}, FirstSeen: t0.Add(-time.Hour), LastSeen: t0,
			LastDetectedAt: t0, Count: 2, CreatedAt: t0.Add(-time.Hour), UpdatedAt: t0,
		},
		Events: []notify.Event{{
			ID: "ev-1", Time: t0.Add(-time.Hour + 123456789), Source: "trail",
			Data: json.RawMessage(`{"eventName":"ConsoleLogin","note":"nul \u0000 é ☃"}`),
		}, {
			// Raw event bytes need not be UTF-8 (json.Marshal passes them on): a backend must
			// store them, not refuse the notification.
			ID: "ev-2", Time: t0, Data: json.RawMessage("{\"bytes\":\"\xff\xfe\"}"),
		}},
		EventsOmitted: 1,
		URL:           "https://picket.example/alerts/a-1",
	}}
	return n
}

func ids(es []notify.Entry) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.ID
	}
	return out
}

func must(t testing.TB, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func enqueue(t testing.TB, ob notify.Outbox, ns ...notify.Notification) {
	t.Helper()
	must(t, "Enqueue", ob.Enqueue(context.Background(), ns))
}

func claim(t testing.TB, ob notify.Outbox, receiver string, now time.Time, limit int, lease time.Duration) []notify.Entry {
	t.Helper()
	es, err := ob.Claim(context.Background(), receiver, now, limit, lease)
	must(t, fmt.Sprintf("Claim(%s, %v, %d)", receiver, now.Sub(t0), limit), err)
	return es
}

func list(t testing.TB, ob notify.Outbox, q notify.OutboxQuery) []notify.Entry {
	t.Helper()
	es, err := ob.List(context.Background(), q)
	must(t, "List", err)
	return es
}

// entry returns the entry id, failing the test when it does not exist.
func entry(t testing.TB, ob notify.Outbox, id string) notify.Entry {
	t.Helper()
	for _, e := range list(t, ob, notify.OutboxQuery{}) {
		if e.ID == id {
			return e
		}
	}
	t.Fatalf("no entry %q", id)
	return notify.Entry{}
}

func diffIDs(t testing.TB, what string, want []string, got []notify.Entry) {
	t.Helper()
	if diff := cmp.Diff(want, ids(got), cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("%s ids (-want +got):\n%s", what, diff)
	}
}
