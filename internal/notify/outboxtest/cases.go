package outboxtest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"picket/internal/notify"
)

func testEnqueueIdempotent(t *testing.T, c *Clock, ob notify.Outbox) {
	ctx := context.Background()
	first := Notification("n1", "hook")
	enqueue(t, ob, first, Notification("n2", "hook"))
	claim(t, ob, "hook", t0, 1, time.Minute)

	c.Set(t0.Add(time.Hour))
	changed := first
	changed.GroupKey = "other"
	enqueue(t, ob, changed, Notification("n3", "hook"))
	e := entry(t, ob, "n1")
	if e.State != notify.StateDelivering || e.Attempts != 1 || e.Notification.GroupKey != first.GroupKey || !e.CreatedAt.Equal(t0) {
		t.Errorf("after re-enqueue n1 = %+v, want the first version, still delivering, 1 attempt, created at %v", e, t0)
	}
	diffIDs(t, "List", []string{"n1", "n2", "n3"}, list(t, ob, notify.OutboxQuery{}))

	// A delivered or dead entry is left as it is too.
	must(t, "Complete", ob.Complete(ctx, "n1", t0.Add(time.Hour)))
	must(t, "Fail", ob.Fail(ctx, "n2", t0.Add(time.Hour), time.Time{}, "gone", true))
	enqueue(t, ob, changed, Notification("n2", "hook"))
	if e := entry(t, ob, "n1"); e.State != notify.StateDelivered || e.Notification.GroupKey != first.GroupKey {
		t.Errorf("re-enqueued delivered n1 = %+v, want unchanged", e)
	}
	if e := entry(t, ob, "n2"); e.State != notify.StateDead || e.LastError != "gone" {
		t.Errorf("re-enqueued dead n2 = %+v, want unchanged", e)
	}
	must(t, "Enqueue(nil)", ob.Enqueue(ctx, nil))
	if n := len(list(t, ob, notify.OutboxQuery{})); n != 3 {
		t.Errorf("%d entries, want 3", n)
	}
}

func testEnqueueDuplicateInBatch(t *testing.T, c *Clock, ob notify.Outbox) {
	a, b := Notification("n1", "hook"), Notification("n1", "hook")
	b.GroupKey = "second"
	enqueue(t, ob, a, b)
	es := list(t, ob, notify.OutboxQuery{})
	if len(es) != 1 || es[0].Notification.GroupKey != a.GroupKey {
		t.Errorf("entries after a batch with one id twice = %+v, want one, the first", es)
	}
}

func testEnqueueRoundTrip(t *testing.T, c *Clock, ob notify.Outbox) {
	n := richNotification("n1", "hook")
	enqueue(t, ob, n)
	want := notify.Entry{ID: "n1", Receiver: "hook", Notification: n, State: notify.StatePending, CreatedAt: t0}
	if diff := cmp.Diff([]notify.Entry{want}, list(t, ob, notify.OutboxQuery{}), Opts()); diff != "" {
		t.Errorf("List after Enqueue (-want +got):\n%s", diff)
	}
	got := claim(t, ob, "hook", t0, 10, time.Minute)
	want.State, want.Attempts, want.NextAttempt = notify.StateDelivering, 1, t0.Add(time.Minute)
	if diff := cmp.Diff([]notify.Entry{want}, got, Opts()); diff != "" {
		t.Errorf("Claim (-want +got):\n%s", diff)
	}
}

func testEnqueueInvalid(t *testing.T, c *Clock, ob notify.Outbox) {
	ctx := context.Background()
	for _, bad := range []notify.Notification{{ID: "x"}, {Receiver: "hook"}} {
		if err := ob.Enqueue(ctx, []notify.Notification{Notification("ok", "hook"), bad}); err == nil {
			t.Errorf("Enqueue(valid, %+v) = nil error, want one", bad)
		}
	}
	diffIDs(t, "List after failed batches", nil, list(t, ob, notify.OutboxQuery{}))
}

func testClaimOrder(t *testing.T, c *Clock, ob notify.Outbox) {
	ctx := context.Background()
	// Created in the order b, a (one batch: same CreatedAt, ties by id), c, d, e.
	enqueue(t, ob, Notification("b", "hook"), Notification("a", "hook"))
	c.Set(t0.Add(time.Second))
	enqueue(t, ob, Notification("c", "hook"), Notification("m", "mail"))
	c.Set(t0.Add(2 * time.Second))
	enqueue(t, ob, Notification("d", "hook"), Notification("e", "hook"))

	if got := claim(t, ob, "hook", t0, 0, time.Minute); len(got) != 0 {
		t.Errorf("Claim(limit 0) = %v, want none", ids(got))
	}
	if got := claim(t, ob, "nobody", t0, 10, time.Minute); len(got) != 0 {
		t.Errorf("Claim(unknown receiver) = %v, want none", ids(got))
	}
	// Make a and d due later, at different times: Fail after a claim.
	got := claim(t, ob, "hook", t0, 1, time.Minute)
	diffIDs(t, "Claim(1)", []string{"a"}, got)
	must(t, "Fail", ob.Fail(ctx, "a", t0, t0.Add(20*time.Second), "later", false))
	got = claim(t, ob, "hook", t0.Add(time.Second), 2, time.Minute)
	diffIDs(t, "Claim(2)", []string{"b", "c"}, got)
	must(t, "Fail", ob.Fail(ctx, "b", t0, t0.Add(10*time.Second), "sooner", false))
	must(t, "Fail", ob.Fail(ctx, "c", t0, t0.Add(20*time.Second), "later", false))

	// At +5s only d and e (never attempted: due at once) are due.
	got = claim(t, ob, "hook", t0.Add(5*time.Second), 10, time.Minute)
	diffIDs(t, "Claim at +5s", []string{"d", "e"}, got)
	for _, e := range got {
		if e.State != notify.StateDelivering || e.Attempts != 1 || !e.NextAttempt.Equal(t0.Add(5*time.Second+time.Minute)) {
			t.Errorf("claimed %+v, want delivering, 1 attempt, lease until +1m5s", e)
		}
	}
	// At +30s: b (due +10s), then a and c (due +20s, a created first).
	got = claim(t, ob, "hook", t0.Add(30*time.Second), 10, 10*time.Second)
	diffIDs(t, "Claim at +30s", []string{"b", "a", "c"}, got)
	for _, e := range got {
		if e.Attempts != 2 || !e.NextAttempt.Equal(t0.Add(40*time.Second)) {
			t.Errorf("reclaimed %s: Attempts %d, NextAttempt %v; want 2, +40s", e.ID, e.Attempts, e.NextAttempt.Sub(t0))
		}
	}
	diffIDs(t, "Claim(mail)", []string{"m"}, claim(t, ob, "mail", t0.Add(30*time.Second), 10, time.Minute))
	// The states as List sees them agree with what Claim returned.
	for _, e := range list(t, ob, notify.OutboxQuery{}) {
		if e.State != notify.StateDelivering {
			t.Errorf("%s is %s after its claim, want delivering", e.ID, e.State)
		}
	}
}

// testClaimLeaseAndOutcomes is MemoryOutbox's original walk through the life of entries.
func testClaimLeaseAndOutcomes(t *testing.T, c *Clock, ob notify.Outbox) {
	ctx := context.Background()
	var ns []notify.Notification
	for i := range 5 {
		ns = append(ns, Notification(fmt.Sprintf("n%d", i), "hook"))
	}
	ns = append(ns, Notification("other", "mail"))
	enqueue(t, ob, ns...)

	got := claim(t, ob, "hook", t0, 3, time.Minute)
	diffIDs(t, "first Claim", []string{"n0", "n1", "n2"}, got)
	for _, e := range got {
		if e.State != notify.StateDelivering || e.Attempts != 1 || !e.NextAttempt.Equal(t0.Add(time.Minute)) {
			t.Errorf("claimed %+v, want delivering, 1 attempt, lease until %v", e, t0.Add(time.Minute))
		}
	}
	diffIDs(t, "second Claim while leased", []string{"n3", "n4"}, claim(t, ob, "hook", t0.Add(time.Second), 10, time.Minute))

	must(t, "Complete", ob.Complete(ctx, "n0", t0.Add(2*time.Second)))
	must(t, "Fail", ob.Fail(ctx, "n1", t0, t0.Add(10*time.Second), "boom", false))
	must(t, "Fail", ob.Fail(ctx, "n2", t0, time.Time{}, "bad request", true))
	// n3, n4 "crash": their leases (until t0+1m1s) expire. n1 is due at t0+10s.
	diffIDs(t, "Claim at +30s", []string{"n1"}, claim(t, ob, "hook", t0.Add(30*time.Second), 10, time.Minute))
	got = claim(t, ob, "hook", t0.Add(2*time.Minute), 10, time.Minute)
	diffIDs(t, "Claim after leases expired", []string{"n3", "n4", "n1"}, got)
	if len(got) > 0 && got[0].Attempts != 2 {
		t.Errorf("reclaimed n3 Attempts = %d, want 2", got[0].Attempts)
	}
	// A late Fail of a delivered entry changes nothing.
	must(t, "Fail(delivered)", ob.Fail(ctx, "n0", t0, t0, "late", false))
	if e := entry(t, ob, "n0"); e.State != notify.StateDelivered || e.LastError != "" || !e.DeliveredAt.Equal(t0.Add(2*time.Second)) {
		t.Errorf("n0 = %+v, want delivered at +2s without error", e)
	}
	if e := entry(t, ob, "n2"); e.State != notify.StateDead || e.LastError != "bad request" {
		t.Errorf("n2 = %+v, want dead with its error", e)
	}
	diffIDs(t, "List dead", []string{"n2"}, list(t, ob, notify.OutboxQuery{Receiver: "hook", States: []notify.State{notify.StateDead}}))

	stats, err := ob.Stats(ctx)
	must(t, "Stats", err)
	want := []notify.ReceiverStats{
		{Receiver: "hook", Delivering: 3, Delivered: 1, Dead: 1, OldestPending: t0},
		{Receiver: "mail", Pending: 1, OldestPending: t0},
	}
	if diff := cmp.Diff(want, stats, Opts()); diff != "" {
		t.Errorf("Stats (-want +got):\n%s", diff)
	}

	at := t0.Add(2*time.Minute + time.Second) // n1, n3, n4 still leased
	must(t, "Retry(dead)", ob.Retry(ctx, "n2", at))
	got = claim(t, ob, "hook", at, 10, time.Minute)
	diffIDs(t, "Claim after Retry", []string{"n2"}, got)
	if len(got) > 0 && (got[0].Attempts != 1 || !got[0].RetriedAt.Equal(at)) {
		t.Errorf("retried entry = %+v, want Attempts 1, RetriedAt %v", got[0], at)
	}
}

func testLeaseExpiry(t *testing.T, c *Clock, ob notify.Outbox) {
	n := richNotification("n1", "hook")
	enqueue(t, ob, n)
	first := claim(t, ob, "hook", t0, 1, 30*time.Second)
	if len(first) != 1 {
		t.Fatalf("Claim = %v, want n1", ids(first))
	}
	if got := claim(t, ob, "hook", t0.Add(30*time.Second-time.Nanosecond), 1, 30*time.Second); len(got) != 0 {
		t.Errorf("Claim just before the lease ends = %v, want none", ids(got))
	}
	// The lease ends at exactly t0+30s: due (NextAttempt <= now).
	again := claim(t, ob, "hook", t0.Add(30*time.Second), 1, 30*time.Second)
	if len(again) != 1 {
		t.Fatalf("Claim after the lease = %v, want n1", ids(again))
	}
	if again[0].Attempts != 2 || !again[0].NextAttempt.Equal(t0.Add(time.Minute)) {
		t.Errorf("reclaimed Attempts %d, NextAttempt %v; want 2, +1m", again[0].Attempts, again[0].NextAttempt.Sub(t0))
	}
	if diff := cmp.Diff(n, again[0].Notification, Opts()); diff != "" {
		t.Errorf("reclaimed Notification (-want +got):\n%s", diff)
	}
}

func testComplete(t *testing.T, c *Clock, ob notify.Outbox) {
	ctx := context.Background()
	enqueue(t, ob, Notification("pending", "hook"), Notification("leased", "hook"), Notification("dead", "hook"))
	claim(t, ob, "hook", t0, 2, time.Minute) // dead, leased
	must(t, "Fail", ob.Fail(ctx, "dead", t0, time.Time{}, "x", true))
	for i, id := range []string{"pending", "leased", "dead"} {
		at := t0.Add(time.Duration(i+1) * time.Second)
		must(t, "Complete("+id+")", ob.Complete(ctx, id, at))
		if e := entry(t, ob, id); e.State != notify.StateDelivered || !e.DeliveredAt.Equal(at) || !e.NextAttempt.IsZero() {
			t.Errorf("%s after Complete = %+v, want delivered at %v, no NextAttempt", id, e, at)
		}
	}
	// Completing again keeps the first delivery; a delivered entry is never claimed.
	must(t, "Complete again", ob.Complete(ctx, "pending", t0.Add(time.Hour)))
	if e := entry(t, ob, "pending"); !e.DeliveredAt.Equal(t0.Add(time.Second)) {
		t.Errorf("DeliveredAt after a second Complete = %v, want +1s", e.DeliveredAt.Sub(t0))
	}
	if got := claim(t, ob, "hook", t0.Add(24*time.Hour), 10, time.Minute); len(got) != 0 {
		t.Errorf("Claim of delivered entries = %v, want none", ids(got))
	}
}

func testFail(t *testing.T, c *Clock, ob notify.Outbox) {
	ctx := context.Background()
	enqueue(t, ob, Notification("retry", "hook"), Notification("dead", "hook"), Notification("done", "hook"))
	claim(t, ob, "hook", t0, 3, time.Minute)

	next := t0.Add(5 * time.Minute)
	must(t, "Fail(retry)", ob.Fail(ctx, "retry", t0, next, "503 Service Unavailable", false))
	e := entry(t, ob, "retry")
	if e.State != notify.StatePending || !e.NextAttempt.Equal(next) || e.LastError != "503 Service Unavailable" || e.Attempts != 1 {
		t.Errorf("after Fail(retry) = %+v, want pending, due at +5m, with the error, 1 attempt", e)
	}

	must(t, "Fail(dead)", ob.Fail(ctx, "dead", t0, time.Time{}, "400 Bad Request", true))
	e = entry(t, ob, "dead")
	if e.State != notify.StateDead || e.LastError != "400 Bad Request" || !e.NextAttempt.IsZero() {
		t.Errorf("after Fail(dead) = %+v, want dead with the error", e)
	}

	must(t, "Complete", ob.Complete(ctx, "done", t0))
	must(t, "Fail(delivered)", ob.Fail(ctx, "done", t0, t0, "late", false))
	must(t, "Fail(delivered, dead)", ob.Fail(ctx, "done", t0, t0, "late", true))
	if e := entry(t, ob, "done"); e.State != notify.StateDelivered || e.LastError != "" {
		t.Errorf("delivered entry after Fail = %+v, want unchanged", e)
	}

	if got := claim(t, ob, "hook", next.Add(-time.Nanosecond), 10, time.Minute); len(got) != 0 {
		t.Errorf("Claim before NextAttempt (dead and delivered never due) = %v, want none", ids(got))
	}
	diffIDs(t, "Claim at NextAttempt", []string{"retry"}, claim(t, ob, "hook", next, 10, time.Minute))
	// Fail without dead makes even a dead entry pending again, due at next.
	must(t, "Fail(dead entry, retry)", ob.Fail(ctx, "dead", t0, next, "again", false))
	if e := entry(t, ob, "dead"); e.State != notify.StatePending || !e.NextAttempt.Equal(next) || e.LastError != "again" {
		t.Errorf("dead entry after Fail(retry) = %+v, want pending at +5m", e)
	}
	diffIDs(t, "Claim after reviving", []string{"dead"}, claim(t, ob, "hook", next, 10, time.Minute))
}

func testRetry(t *testing.T, c *Clock, ob notify.Outbox) {
	ctx := context.Background()
	enqueue(t, ob, Notification("dead", "hook"), Notification("leased", "hook"), Notification("pending", "hook"), Notification("done", "hook"))
	claim(t, ob, "hook", t0, 2, time.Minute)                  // dead, done (ties by id)
	claim(t, ob, "hook", t0.Add(time.Minute), 1, time.Minute) // leased: due at once, before the expired leases
	must(t, "Fail", ob.Fail(ctx, "dead", t0, time.Time{}, "x", true))
	must(t, "Complete", ob.Complete(ctx, "done", t0))

	for _, id := range []string{"leased", "pending", "done"} {
		if err := ob.Retry(ctx, id, t0); !errors.Is(err, notify.ErrNotDead) {
			t.Errorf("Retry(%s) = %v, want ErrNotDead", id, err)
		}
	}
	if err := ob.Retry(ctx, "nope", t0); !errors.Is(err, notify.ErrEntryNotFound) {
		t.Errorf("Retry(unknown) = %v, want ErrEntryNotFound", err)
	}
	at := t0.Add(time.Hour)
	must(t, "Retry(dead)", ob.Retry(ctx, "dead", at))
	e := entry(t, ob, "dead")
	if e.State != notify.StatePending || e.Attempts != 0 || !e.RetriedAt.Equal(at) || !e.NextAttempt.Equal(at) || !e.CreatedAt.Equal(t0) {
		t.Errorf("after Retry = %+v, want pending, 0 attempts, RetriedAt and NextAttempt %v, CreatedAt kept", e, at)
	}
	if err := ob.Retry(ctx, "dead", at); !errors.Is(err, notify.ErrNotDead) {
		t.Errorf("second Retry = %v, want ErrNotDead", err)
	}
	if got := claim(t, ob, "hook", at.Add(-time.Nanosecond), 10, time.Minute); len(ids(got)) != 2 || got[0].ID == "dead" || got[1].ID == "dead" {
		t.Errorf("Claim before the retry is due = %v, want the two other entries", ids(got))
	}
	diffIDs(t, "Claim at the retry", []string{"dead"}, claim(t, ob, "hook", at, 10, time.Minute))
}

func testNotFound(t *testing.T, c *Clock, ob notify.Outbox) {
	ctx := context.Background()
	enqueue(t, ob, Notification("n1", "hook"))
	for name, err := range map[string]error{
		"Complete": ob.Complete(ctx, "nope", t0),
		"Fail":     ob.Fail(ctx, "nope", t0, t0, "x", false),
		"Retry":    ob.Retry(ctx, "nope", t0),
	} {
		if !errors.Is(err, notify.ErrEntryNotFound) {
			t.Errorf("%s(unknown) = %v, want ErrEntryNotFound", name, err)
		}
	}
	if e := entry(t, ob, "n1"); e.State != notify.StatePending {
		t.Errorf("n1 = %+v, want untouched", e)
	}
}

func testList(t *testing.T, c *Clock, ob notify.Outbox) {
	ctx := context.Background()
	diffIDs(t, "List of an empty outbox", nil, list(t, ob, notify.OutboxQuery{}))
	enqueue(t, ob, Notification("h3", "hook"), Notification("h1", "hook"), Notification("m1", "mail"))
	c.Set(t0.Add(time.Second))
	enqueue(t, ob, Notification("h0", "hook"), Notification("m0", "mail"), Notification("s0", "slack"))
	claim(t, ob, "hook", t0, 1, time.Minute) // h1
	must(t, "Complete", ob.Complete(ctx, "m1", t0))
	claim(t, ob, "slack", t0, 1, time.Minute)
	must(t, "Fail", ob.Fail(ctx, "s0", t0, time.Time{}, "x", true))

	for _, tc := range []struct {
		q    notify.OutboxQuery
		want []string
	}{
		{notify.OutboxQuery{}, []string{"h1", "h3", "m1", "h0", "m0", "s0"}},
		{notify.OutboxQuery{Limit: 2}, []string{"h1", "h3"}},
		{notify.OutboxQuery{Limit: 100}, []string{"h1", "h3", "m1", "h0", "m0", "s0"}},
		{notify.OutboxQuery{Receiver: "hook"}, []string{"h1", "h3", "h0"}},
		{notify.OutboxQuery{Receiver: "hook", Limit: 1}, []string{"h1"}},
		{notify.OutboxQuery{Receiver: "nobody"}, nil},
		{notify.OutboxQuery{States: []notify.State{notify.StatePending}}, []string{"h3", "h0", "m0"}},
		{notify.OutboxQuery{States: []notify.State{notify.StateDelivering, notify.StateDead}}, []string{"h1", "s0"}},
		{notify.OutboxQuery{States: []notify.State{notify.StateDelivered}}, []string{"m1"}},
		{notify.OutboxQuery{Receiver: "mail", States: []notify.State{notify.StatePending, notify.StateDelivered}}, []string{"m1", "m0"}},
		{notify.OutboxQuery{Receiver: "mail", States: []notify.State{notify.StateDead}}, nil},
	} {
		diffIDs(t, fmt.Sprintf("List(%+v)", tc.q), tc.want, list(t, ob, tc.q))
	}
	if e := entry(t, ob, "s0"); e.Receiver != "slack" || e.Notification.ID != "s0" || e.LastError != "x" || e.Attempts != 1 {
		t.Errorf("listed s0 = %+v, want its receiver, notification, error and attempts", e)
	}
}

func testStats(t *testing.T, c *Clock, ob notify.Outbox) {
	ctx := context.Background()
	stats, err := ob.Stats(ctx)
	must(t, "Stats", err)
	if len(stats) != 0 {
		t.Errorf("Stats of an empty outbox = %+v, want none", stats)
	}
	enqueue(t, ob, Notification("w1", "webhook"), Notification("a1", "alpha"))
	c.Set(t0.Add(time.Minute))
	enqueue(t, ob, Notification("w2", "webhook"), Notification("a2", "alpha"), Notification("z1", "zulu"))
	c.Set(t0.Add(2 * time.Minute))
	enqueue(t, ob, Notification("w3", "webhook"))
	claim(t, ob, "webhook", t0, 1, time.Minute) // w1 delivering
	must(t, "Complete", ob.Complete(ctx, "a1", t0))
	claim(t, ob, "zulu", t0, 1, time.Minute)
	must(t, "Fail", ob.Fail(ctx, "z1", t0, time.Time{}, "x", true))

	stats, err = ob.Stats(ctx)
	must(t, "Stats", err)
	want := []notify.ReceiverStats{
		{Receiver: "alpha", Pending: 1, Delivered: 1, OldestPending: t0.Add(time.Minute)},
		{Receiver: "webhook", Pending: 2, Delivering: 1, OldestPending: t0},
		{Receiver: "zulu", Dead: 1},
	}
	if diff := cmp.Diff(want, stats, Opts()); diff != "" {
		t.Errorf("Stats (-want +got):\n%s", diff)
	}
}

func testConcurrentClaims(t *testing.T, c *Clock, ob notify.Outbox) { ClaimAcross(t, ob) }

// ClaimAcross has several dispatchers, spread over obs (one outbox seen by several instances,
// or one value), claim, complete and sometimes fail entries of one receiver until none is left:
// no entry is ever held by two claims at once, and every entry is delivered exactly once. obs
// must be empty.
func ClaimAcross(t *testing.T, obs ...notify.Outbox) {
	const n, workers = 300, 8
	ctx := context.Background()
	var ns []notify.Notification
	for i := range n {
		ns = append(ns, Notification(fmt.Sprintf("n%03d", i), "hook"))
	}
	ob := obs[0]
	enqueue(t, ob, ns...)
	var mu sync.Mutex
	held := map[string]bool{}
	delivered := map[string]int{}
	var wg sync.WaitGroup
	for w := range workers {
		ob := obs[w%len(obs)]
		wg.Go(func() {
			for round := 0; ; round++ {
				if round > 2*n { // each claim takes at least one of at most 2n attempts
					t.Error("Claim keeps returning entries")
					return
				}
				es, err := ob.Claim(ctx, "hook", t0, 7, time.Hour)
				if err != nil {
					t.Error(err)
					return
				}
				if len(es) == 0 {
					return
				}
				mu.Lock()
				for _, e := range es {
					if held[e.ID] {
						t.Errorf("%s claimed twice at once", e.ID)
					}
					held[e.ID] = true
				}
				mu.Unlock()
				for i, e := range es {
					mu.Lock()
					delete(held, e.ID)
					mu.Unlock()
					if (i+w)%5 == 0 && e.Attempts == 1 { // fail once: due again at once
						err = ob.Fail(ctx, e.ID, t0, t0, "flaky", false)
					} else {
						err = ob.Complete(ctx, e.ID, t0)
						mu.Lock()
						delivered[e.ID]++
						mu.Unlock()
					}
					if err != nil {
						t.Error(err)
						return
					}
				}
			}
		})
	}
	wg.Wait()
	if len(delivered) != n {
		t.Errorf("%d entries delivered, want %d", len(delivered), n)
	}
	for id, k := range delivered {
		if k != 1 {
			t.Errorf("%s delivered %d times", id, k)
		}
	}
	stats, err := ob.Stats(ctx)
	must(t, "Stats", err)
	if diff := cmp.Diff([]notify.ReceiverStats{{Receiver: "hook", Delivered: n}}, stats, Opts()); diff != "" {
		t.Errorf("Stats (-want +got):\n%s", diff)
	}
}

// testConcurrentEnqueue enqueues overlapping batches from several goroutines, in different
// orders: one entry per id.
func testConcurrentEnqueue(t *testing.T, c *Clock, ob notify.Outbox) {
	const n, workers = 200, 6
	var ns []notify.Notification
	for i := range n {
		ns = append(ns, Notification(fmt.Sprintf("n%03d", i), fmt.Sprintf("r%d", i%3)))
	}
	var wg sync.WaitGroup
	errs := make(chan error, workers*n)
	for w := range workers {
		wg.Go(func() {
			for k := 0; k < n; k += 20 {
				lo := (k + w*40) % n
				batch := append([]notify.Notification(nil), ns[lo:lo+20]...)
				if w%2 == 1 {
					for i, j := 0, len(batch)-1; i < j; i, j = i+1, j-1 {
						batch[i], batch[j] = batch[j], batch[i]
					}
				}
				if err := ob.Enqueue(context.Background(), batch); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if got := len(list(t, ob, notify.OutboxQuery{})); got != n {
		t.Errorf("%d entries, want %d", got, n)
	}
}

func testCancelled(t *testing.T, c *Clock, ob notify.Outbox, strict bool) {
	enqueue(t, ob, Notification("n1", "hook"))
	past, cancel := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel()
	cancelled, cancel2 := context.WithCancel(context.Background())
	cancel2()
	for _, tc := range []struct {
		ctx  context.Context
		want error
	}{{cancelled, context.Canceled}, {past, context.DeadlineExceeded}} {
		ctx := tc.ctx
		calls := []struct {
			name string
			call func() error
		}{
			{"Enqueue", func() error { return ob.Enqueue(ctx, []notify.Notification{Notification("n2", "hook")}) }},
			{"Claim", func() error { _, err := ob.Claim(ctx, "nobody", t0, 1, time.Minute); return err }},
			{"Complete", func() error { return ob.Complete(ctx, "nobody", t0) }},
			{"Fail", func() error { return ob.Fail(ctx, "nobody", t0, t0, "x", false) }},
			{"Retry", func() error { return ob.Retry(ctx, "nobody", t0) }},
			{"List", func() error { _, err := ob.List(ctx, notify.OutboxQuery{}); return err }},
			{"Stats", func() error { _, err := ob.Stats(ctx); return err }},
		}
		for _, cl := range calls {
			err := cl.call()
			switch {
			case errors.Is(err, tc.want):
				if errors.Is(err, notify.ErrEntryNotFound) {
					t.Errorf("%s(done context) = %v: both the context's error and ErrEntryNotFound", cl.name, err)
				}
			case strict:
				t.Errorf("%s(done context) = %v, want %v", cl.name, err, tc.want)
			case cl.name == "Enqueue" && err != nil:
				t.Errorf("Enqueue(done context) = %v, want nil or %v", err, tc.want)
			}
		}
	}
	if strict {
		diffIDs(t, "List after cancelled calls", []string{"n1"}, list(t, ob, notify.OutboxQuery{}))
	}
}
