package correlate

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"strconv"
	"testing"
	"time"

	"picket/internal/event"
)

// BenchmarkObserve streams 1M detections through an event_count rule grouped by user, over 10k
// distinct users, one event every 10ms of event time (each user about every 100s, so a 5m
// window holds about 3 events per user). It reports events per wall second and per CPU second,
// and the heap in use after the run with the engine alive.
func BenchmarkObserve(b *testing.B) {
	const (
		events = 1_000_000
		users  = 10_000
	)
	set := loadRules(b, cor("corr", "type: event_count\nrules: [a]\ngroup-by: [user]\ntimespan: 5m\ncondition: {gte: 4}"))
	a := lookup(b, set, "a")
	evs := make([]*event.Event, users)
	for i := range evs {
		evs[i] = event.New(fmt.Appendf(nil, `{"eventName":"A","user":"user%05d","sourceIPAddress":"10.0.%d.%d"}`, i, i/256, i%256))
	}
	rng := rand.New(rand.NewPCG(1, 2))
	order := make([]int32, events)
	for i := range order {
		order[i] = int32(rng.IntN(users))
	}
	ctx := context.Background()
	var hits int
	var e *Engine
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	cpu0 := cpuTime()
	for b.Loop() {
		var err error
		e, err = New(set.Rules, Options{})
		if err != nil {
			b.Fatal(err)
		}
		hits = 0
		for i, u := range order {
			ev := evs[u]
			ev.ID = strconv.Itoa(i)
			ev.Time = t0.Add(time.Duration(i) * 10 * time.Millisecond)
			hs, err := e.Observe(ctx, a, ev)
			if err != nil {
				b.Fatal(err)
			}
			hits += len(hs)
		}
	}
	elapsed := b.Elapsed()
	cpu := cpuTime() - cpu0
	b.StopTimer()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(events)*float64(b.N)/elapsed.Seconds(), "events/s")
	if cpu > 0 {
		// CPU time includes the garbage collector's work on other threads.
		b.ReportMetric(float64(events)*float64(b.N)/cpu.Seconds(), "events/cpu-s")
	}
	b.ReportMetric(float64(ms.HeapInuse)/(1<<20), "heap-MiB")
	b.ReportMetric((float64(ms.HeapInuse)-float64(before.HeapInuse))/(1<<20), "engine-heap-MiB")
	b.ReportMetric(float64(hits), "hits")
	b.ReportMetric(float64(e.Stats()[lookup(b, set, "corr").ID].Groups), "groups")
	b.ReportMetric(0, "ns/op")
	runtime.KeepAlive(e)
}
