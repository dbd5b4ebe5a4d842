package outboxtest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"picket/internal/notify"
)

// Benchmark runs 10k entries through newOutbox's outbox per iteration: Enqueue in batches of
// 100, Claim in batches of 100 (as the Dispatcher does for one receiver), Complete one by one.
// It reports entries/s for the whole life and for each step (enqueue/s, claim/s, complete/s).
// Delivered entries stay, as they would until pruning.
func Benchmark(b *testing.B, newOutbox func(b *testing.B) notify.Outbox) {
	const total, batch = 10_000, 100
	ob := newOutbox(b)
	ctx := context.Background()
	n := 0
	var tEnq, tClaim, tDone time.Duration
	b.ReportAllocs()
	for b.Loop() {
		ns := make([]notify.Notification, 0, batch)
		start := time.Now()
		for k := 0; k < total; k += batch {
			ns = ns[:0]
			for j := range batch {
				ns = append(ns, richNotification(fmt.Sprintf("bench-%09d", n+k+j), "hook"))
			}
			if err := ob.Enqueue(ctx, ns); err != nil {
				b.Fatal(err)
			}
		}
		tEnq += time.Since(start)
		now := t0
		claimed := 0
		for claimed < total {
			start = time.Now()
			es, err := ob.Claim(ctx, "hook", now, batch, time.Hour)
			if err != nil {
				b.Fatal(err)
			}
			if len(es) == 0 {
				b.Fatalf("Claim returned nothing after %d of %d entries", claimed, total)
			}
			tClaim += time.Since(start)
			start = time.Now()
			for _, e := range es {
				if err := ob.Complete(ctx, e.ID, now); err != nil {
					b.Fatal(err)
				}
			}
			tDone += time.Since(start)
			claimed += len(es)
		}
		n += total
	}
	b.ReportMetric(float64(n)/(tEnq+tClaim+tDone).Seconds(), "entries/s")
	b.ReportMetric(float64(n)/tEnq.Seconds(), "enqueue/s")
	b.ReportMetric(float64(n)/tClaim.Seconds(), "claim/s")
	b.ReportMetric(float64(n)/tDone.Seconds(), "complete/s")
}
