package alert_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"picket/internal/alert"
)

// BenchmarkIngest folds 100k detections into 1k alerts (1k users) on the memory repository, in
// batches of 1000 as a source would deliver them.
func BenchmarkIngest(b *testing.B) {
	const n, users, batch = 100_000, 1_000, 1_000
	for _, preset := range []bool{false, true} {
		name := "extract_group"
		if preset {
			name = "preset_group"
		}
		b.Run(name, func(b *testing.B) {
			ds := make([]alert.Detection, n)
			for i := range ds {
				u := fmt.Sprintf("user-%d", i%users)
				ds[i] = ev("r", fmt.Sprint(i), time.Duration(i)*time.Second,
					fmt.Sprintf(`{"eventName":"ConsoleLogin","recipientAccountId":"123456789012","user":%q}`, u))
				if preset {
					ds[i].GroupValues = map[string]string{"user": u}
					ds[i].Account = "123456789012"
				}
			}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				b.StopTimer()
				m, _ := newManager(b, alert.Options{GroupBy: map[string][]string{alert.AnyRule: {"user"}}})
				b.StartTimer()
				for k := 0; k < n; k += batch {
					if _, err := m.Ingest(context.Background(), ds[k:k+batch]); err != nil {
						b.Fatal(err)
					}
				}
				b.StopTimer()
				if as := all(b, m); len(as) != users {
					b.Fatalf("%d alerts, want %d", len(as), users)
				}
				b.StartTimer()
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "detections/s")
		})
	}
}
