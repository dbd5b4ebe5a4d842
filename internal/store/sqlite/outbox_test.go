package sqlite

import (
	"testing"
	"time"

	"picket/internal/notify"
	"picket/internal/notify/outboxtest"
)

func TestOutbox(t *testing.T) {
	outboxtest.Run(t, func(t *testing.T, clock func() time.Time) notify.Outbox {
		return &Outbox{s: openTest(t, Options{}), clock: clock}
	}, outboxtest.StrictContext())
}

// BenchmarkOutbox enqueues, claims and completes 10k entries (entries/s).
func BenchmarkOutbox(b *testing.B) {
	outboxtest.Benchmark(b, func(b *testing.B) notify.Outbox { return openTest(b, Options{}).Outbox() })
}
