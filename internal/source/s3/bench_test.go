package s3

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
)

// BenchmarkPoll measures records collected per second from the fakes (gofakes3 and sqsfake
// over loopback HTTP, real SDK clients), 100 objects of 1,000 records per iteration, and the
// API calls made per 10,000 records.
func BenchmarkPoll(b *testing.B) {
	const objects, perObject = 100, 1000
	for _, mode := range []string{"sqs", "listing"} {
		b.Run(mode, func(b *testing.B) {
			e := newEnv(b)
			at := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
			var keys []string
			for i := range objects {
				k := key("us-east-1", at.Add(time.Duration(i)*time.Minute), fmt.Sprintf("u%03d", i))
				e.put(k, ctFile(b, ids(k[len(k)-12:], perObject)...))
				keys = append(keys, k)
			}
			s := e.source(e.config(mode == "sqs"))
			var sk countSink
			b.ResetTimer()
			for range b.N {
				if mode == "sqs" {
					b.StopTimer()
					for _, k := range keys {
						e.sqs.Send(e.queue, s3Event(k))
					}
					b.StartTimer()
				} else {
					e.cp.mu.Lock()
					clear(e.cp.m) // read everything again
					e.cp.mu.Unlock()
				}
				if err := s.Poll(context.Background(), &sk); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			recs := float64(sk.records.Load())
			if recs != float64(b.N*objects*perObject) {
				b.Fatalf("read %v records, want %d", recs, b.N*objects*perObject)
			}
			calls := 0.0
			for _, api := range []string{"ReceiveMessage", "DeleteMessage", "ChangeMessageVisibility", "GetObject", "ListObjectsV2"} {
				calls += testutil.ToFloat64(s.d.Metrics.APICalls.WithLabelValues("trail", api))
			}
			b.ReportMetric(recs/b.Elapsed().Seconds(), "records/s")
			b.ReportMetric(calls/recs*10000, "calls/10k-records")
		})
	}
}
