package detect

import (
	"testing"
	"time"

	"picket/internal/event"
	"picket/internal/rule/sigma"
	"picket/internal/shape"
)

func BenchmarkPhaseIndex(b *testing.B) {
	evs, _ := benchEvents(10000)
	var ev event.Event
	for i := 0; b.Loop(); i++ {
		ev.Reset(evs[i%len(evs)], false)
		_ = ev.Err()
	}
}

func BenchmarkPhaseIdentify(b *testing.B) {
	evs, _ := benchEvents(10000)
	var ev event.Event
	now := time.Now()
	for i := 0; b.Loop(); i++ {
		ev.Reset(evs[i%len(evs)], false)
		shape.Identify(&ev, shape.Envelope{}, now)
	}
}

func BenchmarkPhaseMatchOnly(b *testing.B) {
	e := New(loadCorpus(b))
	evs, _ := benchEvents(10000)
	now := time.Now()
	all := make([]*event.Event, len(evs))
	for i := range evs {
		all[i] = event.New(evs[i])
		shape.Identify(all[i], shape.Envelope{}, now)
	}
	for i := 0; b.Loop(); i++ {
		e.Match(all[i%len(all)], func(*sigma.Rule) {})
	}
}
