package storetest

import (
	"fmt"
	"testing"

	"picket/internal/store"
)

// Benchmark measures the write paths of the stores open returns (one fresh store per
// sub-benchmark): the ledger marking 100k items in batches of 500 (items/s), and checkpoint
// writes (checkpoints/s, each its own transaction).
func Benchmark(b *testing.B, open func(b *testing.B) store.Store) {
	b.Run("MarkProcessed100kBatch500", func(b *testing.B) {
		const total, batch = 100_000, 500
		s := open(b)
		ctx := b.Context()
		items := make([]store.LedgerItem, batch)
		n := 0
		for b.Loop() {
			for start := 0; start < total; start += batch {
				for j := range items {
					items[j] = item("bench", fmt.Sprint("event-", n), 0)
					n++
				}
				fresh, err := s.MarkProcessed(ctx, items)
				if err != nil {
					b.Fatal(err)
				}
				if !fresh[0] {
					b.Fatal("new item reported as seen")
				}
			}
		}
		b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "items/s")
	})
	b.Run("SetCheckpoint", func(b *testing.B) {
		s := open(b)
		ctx := b.Context()
		cursor := []byte(`{"ingestion_time":1767225600000,"token":"f/38170947585453213049869137125439034581218003516617998336"}`)
		n := 0
		for b.Loop() {
			if err := s.SetCheckpoint(ctx, fmt.Sprint("source-", n%16), cursor); err != nil {
				b.Fatal(err)
			}
			n++
		}
		b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "checkpoints/s")
	})
}
