package postgres

import (
	"testing"
	"time"

	"picket/internal/notify"
	"picket/internal/notify/outboxtest"
)

func TestOutbox(t *testing.T) {
	outboxtest.Run(t, func(t *testing.T, clock func() time.Time) notify.Outbox {
		_, dsn := freshSchema(t)
		return &Outbox{s: openTest(t, dsn), clock: clock}
	}, outboxtest.StrictContext())
}

// TestOutboxClaimAcrossStores has two stores (two instances) on one schema claim the same
// receiver concurrently: no entry is claimed by both.
func TestOutboxClaimAcrossStores(t *testing.T) {
	_, dsn := freshSchema(t)
	a, b := openTest(t, dsn).Outbox(), openTest(t, dsn).Outbox()
	outboxtest.ClaimAcross(t, a, b)
}

// BenchmarkOutbox enqueues, claims and completes 10k entries (entries/s).
func BenchmarkOutbox(b *testing.B) {
	outboxtest.Benchmark(b, func(b *testing.B) notify.Outbox {
		_, dsn := freshSchema(b)
		return openTest(b, dsn).Outbox()
	})
}
