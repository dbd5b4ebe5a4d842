package cloudwatch

import (
	"context"
	"fmt"
	"testing"
	"time"

	"picket/internal/source/cloudwatch/cwfake"
)

// BenchmarkPoll reads 10,000 CloudTrail-sized events spread over 10 groups from the fake with a
// real SDK client, from empty checkpoints, and reports events per second and API calls per
// 10,000 events.
func BenchmarkPoll(b *testing.B) {
	const events, groups = 10_000, 10
	msg := `{"eventVersion":"1.08","userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::123456789012:assumed-role/dev/alice"},"eventTime":"2026-11-25T09:59:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","awsRegion":"us-east-1","sourceIPAddress":"203.0.113.7","eventID":"%d"}`
	for _, page := range []int{0, 500} {
		b.Run(fmt.Sprintf("page=%d", page), func(b *testing.B) {
			e := newEnv(b)
			e.fake.SetQuirks(cwfake.Quirks{PageSize: page})
			for i := range events {
				e.fake.PutEvents(fmt.Sprintf("/test/g%02d", i%groups), cwfake.Event{
					Stream: "s", Timestamp: t0.Add(-time.Duration(events-i) * 100 * time.Millisecond), Message: fmt.Sprintf(msg, i)})
			}
			c := testConfig()
			var calls0 int
			b.ResetTimer()
			for b.Loop() {
				b.StopTimer()
				e.cps = newMemCheckpoints()
				e.deps.Checkpoints = e.cps
				src := e.source(b, "bench", c)
				sink := newSink()
				calls0 = e.fake.Calls("FilterLogEvents") + e.fake.Calls("DescribeLogGroups")
				b.StartTimer()
				if err := src.Poll(context.Background(), sink); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				if len(sink.got) != events {
					b.Fatalf("delivered %d events, want %d", len(sink.got), events)
				}
				b.StartTimer()
			}
			calls := e.fake.Calls("FilterLogEvents") + e.fake.Calls("DescribeLogGroups") - calls0
			b.ReportMetric(float64(events*b.N)/b.Elapsed().Seconds(), "events/s")
			b.ReportMetric(float64(calls)*10_000/events, "calls/10k_events")
		})
	}
}
