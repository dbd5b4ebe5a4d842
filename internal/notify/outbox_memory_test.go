package notify

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func testNotification(id, receiver string) Notification {
	return Notification{ID: id, Receiver: receiver, Status: StatusFiring, GroupKey: "g-" + id}
}

func ids(es []Entry) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.ID
	}
	return out
}

func entry(t *testing.T, o Outbox, id string) Entry {
	t.Helper()
	es, err := o.List(context.Background(), OutboxQuery{})
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	for _, e := range es {
		if e.ID == id {
			return e
		}
	}
	t.Fatalf("no entry %q in %v", id, ids(es))
	return Entry{}
}

func TestMemoryOutboxEnqueueIsIdempotent(t *testing.T) {
	ctx := context.Background()
	now := t0
	o := NewMemoryOutbox(func() time.Time { return now })
	first := testNotification("n1", "hook")
	if err := o.Enqueue(ctx, []Notification{first, testNotification("n2", "hook")}); err != nil {
		t.Fatalf("Enqueue: %v", err)
	}
	if _, err := o.Claim(ctx, "hook", now, 1, time.Minute); err != nil {
		t.Fatalf("Claim: %v", err)
	}
	now = now.Add(time.Hour)
	changed := first
	changed.GroupKey = "other"
	if err := o.Enqueue(ctx, []Notification{changed, testNotification("n3", "hook")}); err != nil {
		t.Fatalf("Enqueue again: %v", err)
	}
	e := entry(t, o, "n1")
	if e.State != StateDelivering || e.Notification.GroupKey != first.GroupKey || !e.CreatedAt.Equal(t0) {
		t.Errorf("after re-enqueue n1 = %+v, want the first version, still delivering, created at %v", e, t0)
	}
	es, _ := o.List(ctx, OutboxQuery{})
	if diff := cmp.Diff([]string{"n1", "n2", "n3"}, ids(es)); diff != "" {
		t.Errorf("List ids (-want +got):\n%s", diff)
	}
	if err := o.Enqueue(ctx, []Notification{{ID: "x"}}); err == nil {
		t.Errorf("Enqueue without receiver = nil error, want one")
	}
}

func TestMemoryOutboxClaimLeaseAndOutcomes(t *testing.T) {
	ctx := context.Background()
	o := NewMemoryOutbox(func() time.Time { return t0 })
	var ns []Notification
	for i := range 5 {
		ns = append(ns, testNotification(fmt.Sprintf("n%d", i), "hook"))
	}
	ns = append(ns, testNotification("other", "mail"))
	if err := o.Enqueue(ctx, ns); err != nil {
		t.Fatal(err)
	}

	got, _ := o.Claim(ctx, "hook", t0, 3, time.Minute)
	if diff := cmp.Diff([]string{"n0", "n1", "n2"}, ids(got)); diff != "" {
		t.Errorf("first Claim (-want +got):\n%s", diff)
	}
	for _, e := range got {
		if e.State != StateDelivering || e.Attempts != 1 || !e.NextAttempt.Equal(t0.Add(time.Minute)) {
			t.Errorf("claimed %+v, want delivering, 1 attempt, lease until %v", e, t0.Add(time.Minute))
		}
	}
	got, _ = o.Claim(ctx, "hook", t0.Add(time.Second), 10, time.Minute)
	if diff := cmp.Diff([]string{"n3", "n4"}, ids(got)); diff != "" {
		t.Errorf("second Claim while leased (-want +got):\n%s", diff)
	}

	if err := o.Complete(ctx, "n0", t0.Add(2*time.Second)); err != nil {
		t.Fatal(err)
	}
	if err := o.Fail(ctx, "n1", t0, t0.Add(10*time.Second), "boom", false); err != nil {
		t.Fatal(err)
	}
	if err := o.Fail(ctx, "n2", t0, time.Time{}, "bad request", true); err != nil {
		t.Fatal(err)
	}
	// n3, n4 "crash": their leases (until t0+1m1s) expire. n1 is due at t0+10s.
	got, _ = o.Claim(ctx, "hook", t0.Add(30*time.Second), 10, time.Minute)
	if diff := cmp.Diff([]string{"n1"}, ids(got)); diff != "" {
		t.Errorf("Claim at +30s (-want +got):\n%s", diff)
	}
	got, _ = o.Claim(ctx, "hook", t0.Add(2*time.Minute), 10, time.Minute)
	if diff := cmp.Diff([]string{"n3", "n4", "n1"}, ids(got)); diff != "" {
		t.Errorf("Claim after leases expired (-want +got):\n%s", diff)
	}
	if got[0].Attempts != 2 {
		t.Errorf("reclaimed n3 Attempts = %d, want 2", got[0].Attempts)
	}
	// A late Fail of a delivered entry changes nothing.
	if err := o.Fail(ctx, "n0", t0, t0, "late", false); err != nil {
		t.Fatal(err)
	}
	if e := entry(t, o, "n0"); e.State != StateDelivered || e.LastError != "" || !e.DeliveredAt.Equal(t0.Add(2*time.Second)) {
		t.Errorf("n0 = %+v, want delivered at +2s without error", e)
	}
	if e := entry(t, o, "n2"); e.State != StateDead || e.LastError != "bad request" {
		t.Errorf("n2 = %+v, want dead with its error", e)
	}

	dead, _ := o.List(ctx, OutboxQuery{Receiver: "hook", States: []State{StateDead}})
	if diff := cmp.Diff([]string{"n2"}, ids(dead)); diff != "" {
		t.Errorf("List dead (-want +got):\n%s", diff)
	}
	stats, _ := o.Stats(ctx)
	want := []ReceiverStats{
		{Receiver: "hook", Delivering: 3, Delivered: 1, Dead: 1, OldestPending: t0},
		{Receiver: "mail", Pending: 1, OldestPending: t0},
	}
	if diff := cmp.Diff(want, stats); diff != "" {
		t.Errorf("Stats (-want +got):\n%s", diff)
	}

	if err := o.Retry(ctx, "n0", t0); !errors.Is(err, ErrNotDead) {
		t.Errorf("Retry(delivered) = %v, want ErrNotDead", err)
	}
	if err := o.Retry(ctx, "nope", t0); !errors.Is(err, ErrEntryNotFound) {
		t.Errorf("Retry(unknown) = %v, want ErrEntryNotFound", err)
	}
	at := t0.Add(2*time.Minute + time.Second) // n1, n3, n4 still leased
	if err := o.Retry(ctx, "n2", at); err != nil {
		t.Fatalf("Retry(dead): %v", err)
	}
	got, _ = o.Claim(ctx, "hook", at, 10, time.Minute)
	if diff := cmp.Diff([]string{"n2"}, ids(got)); diff != "" {
		t.Errorf("Claim after Retry (-want +got):\n%s", diff)
	}
	if got[0].Attempts != 1 || !got[0].RetriedAt.Equal(at) {
		t.Errorf("retried entry = %+v, want Attempts 1, RetriedAt %v", got[0], at)
	}

	if n := o.Prune(t0.Add(time.Minute)); n != 1 {
		t.Errorf("Prune = %d, want 1", n)
	}
	if err := o.Complete(ctx, "n0", t0); !errors.Is(err, ErrEntryNotFound) {
		t.Errorf("Complete(pruned) = %v, want ErrEntryNotFound", err)
	}
}
