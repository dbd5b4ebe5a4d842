package alerttest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"picket/internal/alert"
)

// BenchmarkIngest folds 100k detections into 1k alerts (one per user) through a Manager over the
// repository newRepo returns, in batches of 1000 as a source delivers them, and reports
// detections/s. Every batch touches every alert once: the worst case for a store.
func BenchmarkIngest(b *testing.B, newRepo func(b *testing.B) alert.Repository) {
	const n, users, batch = 100_000, 1_000, 1_000
	t0 := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	ds := make([]alert.Detection, n)
	for i := range ds {
		u := fmt.Sprintf("user-%d", i%users)
		ds[i] = alert.Detection{
			RuleID: "r", RuleTitle: "Console login", Kind: "detection", EventID: fmt.Sprint(i),
			EventTime: t0.Add(time.Duration(i) * time.Second), Source: "trail",
			Raw:         []byte(fmt.Sprintf(`{"eventName":"ConsoleLogin","recipientAccountId":"123456789012","user":%q}`, u)),
			GroupValues: map[string]string{"user": u}, Account: "123456789012",
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		b.StopTimer()
		m, err := alert.NewManager(newRepo(b), alert.Options{DedupWindow: 24 * time.Hour, GroupBy: map[string][]string{alert.AnyRule: {"user"}}})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		for k := 0; k < n; k += batch {
			if _, err := m.Ingest(context.Background(), ds[k:k+batch]); err != nil {
				b.Fatal(err)
			}
		}
		b.StopTimer()
		as, err := m.List(context.Background(), alert.Query{Limit: alert.MaxLimit})
		if err != nil || len(as) != users {
			b.Fatalf("List = %d alerts, %v; want %d", len(as), err, users)
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "detections/s")
}
