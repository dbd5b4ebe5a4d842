package notify_test

import (
	"testing"
	"time"

	"picket/internal/notify"
	"picket/internal/notify/outboxtest"
)

func TestMemoryOutboxConformance(t *testing.T) {
	outboxtest.Run(t, func(t *testing.T, clock func() time.Time) notify.Outbox {
		return notify.NewMemoryOutbox(clock)
	})
}

func BenchmarkMemoryOutbox(b *testing.B) {
	outboxtest.Benchmark(b, func(b *testing.B) notify.Outbox { return notify.NewMemoryOutbox(nil) })
}
