package clock

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func TestFakeFiresInOrder(t *testing.T) {
	f := NewFake(t0)
	a, b, c := f.NewTimer(3*time.Second), f.NewTimer(time.Second), f.NewTimer(10*time.Second)
	f.Advance(5 * time.Second)
	got := []time.Time{<-b.C(), <-a.C()}
	if diff := cmp.Diff([]time.Time{t0.Add(time.Second), t0.Add(3 * time.Second)}, got); diff != "" {
		t.Errorf("fired times (-want +got):\n%s", diff)
	}
	select {
	case v := <-c.C():
		t.Errorf("timer due at +10s fired at %v after advancing 5s", v)
	default:
	}
	if !f.Now().Equal(t0.Add(5 * time.Second)) {
		t.Errorf("Now() = %v, want %v", f.Now(), t0.Add(5*time.Second))
	}
	if !c.Stop() || c.Stop() {
		t.Error("Stop() of a pending timer = false or a second Stop() = true")
	}
	if n := f.Pending(); n != 0 {
		t.Errorf("Pending() = %d after stopping the last timer, want 0", n)
	}
}

func TestFakeImmediateTimer(t *testing.T) {
	f := NewFake(t0)
	if got := <-f.NewTimer(0).C(); !got.Equal(t0) {
		t.Errorf("zero timer fired at %v, want %v", got, t0)
	}
}

func TestBlockUntilAndSleep(t *testing.T) {
	f := NewFake(t0)
	ctx := context.Background()
	done := make(chan bool)
	go func() { done <- Sleep(ctx, f, time.Minute) }()
	if err := f.BlockUntil(ctx, 1); err != nil {
		t.Fatal(err)
	}
	f.Advance(time.Minute)
	if !<-done {
		t.Error("Sleep() = false after the time passed, want true")
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if Sleep(cctx, f, time.Minute) {
		t.Error("Sleep() with a cancelled context = true, want false")
	}
	if err := f.BlockUntil(cctx, 1); err == nil {
		t.Error("BlockUntil() with a cancelled context and no timer = nil, want an error")
	}
}

func TestReal(t *testing.T) {
	c := Real()
	if !Sleep(context.Background(), c, time.Millisecond) {
		t.Error("Sleep(1ms) on the real clock = false")
	}
	if c.Now().IsZero() {
		t.Error("Real().Now() is zero")
	}
}
