package schedule

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"picket/internal/clock"
	"picket/internal/config"
)

func TestTiming(t *testing.T) {
	tests := []struct {
		name  string
		start time.Time
		c     config.Schedule
		rand  int64 // jitter drawn for every run
		want  []string
	}{
		{"every runs at start", t0, config.Schedule{Every: time.Minute}, 0,
			[]string{"2026-11-25T10:30:00Z", "2026-11-25T10:31:00Z", "2026-11-25T10:32:00Z"}},
		{"every with jitter", t0, config.Schedule{Every: time.Minute, Jitter: 10 * time.Second}, int64(7 * time.Second),
			[]string{"2026-11-25T10:30:07Z", "2026-11-25T10:31:07Z", "2026-11-25T10:32:07Z"}},
		{"cron in a zone across DST", time.Date(2026, 3, 27, 12, 0, 0, 0, time.UTC),
			config.Schedule{Cron: "0 9 * * *", TimeZone: "Europe/Paris"}, 0,
			[]string{"2026-03-28T08:00:00Z", "2026-03-29T07:00:00Z", "2026-03-30T07:00:00Z"}},
		{"cron with jitter", t0, config.Schedule{Cron: "@hourly", Jitter: time.Minute}, int64(59 * time.Second),
			[]string{"2026-11-25T11:00:59Z", "2026-11-25T12:00:59Z", "2026-11-25T13:00:59Z"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fc := clock.NewFake(tt.start)
			var (
				mu    sync.Mutex
				drawn []int64
			)
			h := newHarness(t, fc, nil, func(o *Options) {
				o.Rand = func(n int64) int64 {
					mu.Lock()
					defer mu.Unlock()
					drawn = append(drawn, n)
					return tt.rand
				}
			})
			run, ran := recorder(fc)
			h.add(Task{Name: "t", Spec: mustSpec(t, tt.c), Run: run})
			h.start()
			var got []string
			for range tt.want {
				if len(ran) == 0 {
					h.step(1)
				}
				got = append(got, (<-ran).Format(time.RFC3339))
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("run times (-want +got):\n%s", diff)
			}
			mu.Lock()
			defer mu.Unlock()
			for _, n := range drawn {
				if n != int64(tt.c.Jitter) {
					t.Errorf("Rand(%d) called, want Rand(%d): the jitter bound", n, int64(tt.c.Jitter))
				}
			}
		})
	}
}

func TestJitterBounds(t *testing.T) {
	s := New(Options{})
	tk := &task{Task: Task{Spec: mustSpec(t, config.Schedule{Every: time.Minute, Jitter: 3 * time.Second})}}
	seen := map[bool]bool{}
	for range 2000 {
		j := s.jitter(tk)
		if j < 0 || j >= 3*time.Second {
			t.Fatalf("jitter() = %v, want within [0, 3s)", j)
		}
		seen[j < 1500*time.Millisecond] = true
	}
	if len(seen) != 2 {
		t.Errorf("2000 jitters all fell in one half of [0, 3s): %v", seen)
	}
	if j := s.jitter(&task{Task: Task{Spec: mustSpec(t, config.Schedule{Every: time.Minute})}}); j != 0 {
		t.Errorf("jitter() without jitter = %v, want 0", j)
	}
}

func TestNoOverlap(t *testing.T) {
	fc := clock.NewFake(t0)
	h := newHarness(t, fc, nil, nil)
	b := newBlocker(fc)
	h.add(Task{Name: "slow", Spec: mustSpec(t, config.Schedule{Every: time.Minute}), Run: b.run})
	h.start()
	if got := <-b.started; !got.Equal(t0) {
		t.Fatalf("first run at %v, want %v", got, t0)
	}
	fc.Advance(150 * time.Second) // the run outlasts the ticks at +60s and +120s
	if err := h.s.RunNow("slow"); err != nil {
		t.Fatal(err)
	}
	b.release <- struct{}{}
	// The tick at +120s runs at once, delayed, and so does the RunNow request made during
	// the first run (in either order); the tick at +60s is skipped.
	for range 2 {
		if got, want := <-b.started, t0.Add(150*time.Second); !got.Equal(want) {
			t.Errorf("run after the long one at %v, want %v", got, want)
		}
		b.release <- struct{}{}
	}
	h.block(1)
	if d, _ := fc.NextDeadline(); !d.Equal(t0.Add(180 * time.Second)) {
		t.Errorf("next run at %v, want %v", d, t0.Add(180*time.Second))
	}
	if got := h.count("slow", OutcomeOverlap); got != 1 {
		t.Errorf("overlap skips = %v, want 1", got)
	}
	if st := h.status("slow"); st.Runs != 3 || st.Skipped != 1 {
		t.Errorf("status = %+v, want 3 runs and 1 skipped tick", st)
	}
	if b.overlap {
		t.Error("two runs of the task overlapped")
	}
}

func TestCatchUpAfterDowntime(t *testing.T) {
	hourly := config.Schedule{Cron: "0 * * * *"}
	tests := []struct {
		name     string
		spec     config.Schedule
		catchUp  bool
		last     string // stored last run; "" for none
		wantRun  bool   // a run at start
		wantLast string // the stored last run after the start run
		wantNext time.Time
	}{
		{"cron catches up once", hourly, true, "2026-11-25T05:00:00Z", true, "2026-11-25T10:00:00Z", t0.Add(30 * time.Minute)},
		{"cron without catch-up", hourly, false, "2026-11-25T05:00:00Z", false, "2026-11-25T05:00:00Z", t0.Add(30 * time.Minute)},
		{"cron that missed nothing", hourly, true, "2026-11-25T10:00:00Z", false, "2026-11-25T10:00:00Z", t0.Add(30 * time.Minute)},
		{"cron never run before", hourly, true, "", false, "", t0.Add(30 * time.Minute)},
		{"every always runs at start", config.Schedule{Every: time.Hour}, false, "2026-11-25T10:29:00Z", true, "2026-11-25T10:30:00Z", t0.Add(time.Hour)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fc := clock.NewFake(t0)
			cp := &memCheckpoints{m: map[string][]byte{}}
			if tt.last != "" {
				cp.m["schedule/job"] = []byte(tt.last)
			}
			h := newHarness(t, fc, cp, nil)
			run, ran := recorder(fc)
			h.add(Task{Name: "job", Spec: mustSpec(t, tt.spec), Run: run, CatchUp: tt.catchUp})
			h.start()
			h.block(1) // the loop waits for its next time: any start run is over
			if got := len(ran); got != map[bool]int{false: 0, true: 1}[tt.wantRun] {
				t.Errorf("runs at start = %d, want run=%v", got, tt.wantRun)
			}
			if got := cp.get("schedule/job"); got != tt.wantLast {
				t.Errorf("stored last run = %q, want %q", got, tt.wantLast)
			}
			if d, _ := fc.NextDeadline(); !d.Equal(tt.wantNext) {
				t.Errorf("next run at %v, want %v", d, tt.wantNext)
			}
		})
	}
}

func TestCatchUpSurvivesRestart(t *testing.T) {
	fc := clock.NewFake(t0)
	cp := &memCheckpoints{m: map[string][]byte{}}
	spec := mustSpec(t, config.Schedule{Cron: "0 * * * *"})
	h := newHarness(t, fc, cp, nil)
	run, ran := recorder(fc)
	h.add(Task{Name: "job", Spec: spec, Run: run, CatchUp: true})
	h.start()
	h.step(1) // 11:00
	<-ran
	h.block(1)
	if err := h.s.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	fc.Advance(5 * time.Hour) // down from 11:00 to 16:00

	h2 := newHarness(t, fc, cp, nil)
	h2.add(Task{Name: "job", Spec: spec, Run: run, CatchUp: true})
	h2.start()
	h2.block(1)
	if got, want := len(ran), 1; got != want {
		t.Fatalf("runs after the restart = %d, want %d (one catch-up for five missed hours)", got, want)
	}
	if got, want := (<-ran), t0.Add(330*time.Minute); !got.Equal(want) {
		t.Errorf("catch-up run at %v, want %v", got, want)
	}
	if d, _ := fc.NextDeadline(); !d.Equal(t0.Add(390 * time.Minute)) {
		t.Errorf("next run at %v, want 17:00", d)
	}
}

func TestSingletonLock(t *testing.T) {
	fc := clock.NewFake(t0)
	locker := &fakeLocker{held: map[string]bool{}}
	b := newBlocker(fc)
	spec := mustSpec(t, config.Schedule{Every: time.Minute})
	hs := []*harness{
		newHarness(t, fc, nil, func(o *Options) { o.Locker = locker }),
		newHarness(t, fc, nil, func(o *Options) { o.Locker = locker }),
	}
	for _, h := range hs {
		h.add(Task{Name: "prune", Spec: spec, Run: b.run, Singleton: true})
	}
	locked := func() float64 { return hs[0].count("prune", OutcomeLocked) + hs[1].count("prune", OutcomeLocked) }
	hs[0].start()
	<-b.started
	hs[1].start()
	for tick := 1; tick <= 3; tick++ {
		hs[0].block(1) // the instance without the lock skipped its run and waits
		if got := locked(); got != float64(tick) {
			t.Fatalf("tick %d: runs skipped for the lock = %v, want %v", tick, got, tick)
		}
		b.release <- struct{}{}
		hs[0].step(2) // both instances wait: the next tick
		<-b.started
	}
	b.release <- struct{}{}
	if b.overlap {
		t.Error("two instances ran the singleton task at once")
	}
}

func TestLockFailure(t *testing.T) {
	fc := clock.NewFake(t0)
	h := newHarness(t, fc, nil, func(o *Options) { o.Locker = &fakeLocker{err: errBoom} })
	run, ran := recorder(fc)
	h.add(Task{Name: "prune", Spec: mustSpec(t, config.Schedule{Every: time.Minute}), Run: run, Singleton: true})
	h.start()
	h.step(1)
	h.block(1)
	if len(ran) != 0 {
		t.Error("the task ran without its lock")
	}
	if got := h.count("prune", OutcomeLockError); got != 2 {
		t.Errorf("lock errors = %v, want 2", got)
	}
}

func TestStopWaitsForRunInFlight(t *testing.T) {
	fc := clock.NewFake(t0)
	h := newHarness(t, fc, nil, nil)
	b := newBlocker(fc)
	h.add(Task{Name: "t", Spec: mustSpec(t, config.Schedule{Every: time.Minute}), Run: b.run})
	h.start()
	<-b.started
	stopped := make(chan error, 1)
	go func() { stopped <- h.s.Stop(context.Background()) }()
	<-h.s.stopping        // Stop was called and waits
	fc.Advance(time.Hour) // ticks are due, yet no run starts while stopping
	b.release <- struct{}{}
	if err := <-stopped; err != nil {
		t.Errorf("Stop() = %v, want nil", err)
	}
	if err := <-b.finished; err != nil {
		t.Errorf("the run in flight saw %v, want it not cancelled", err)
	}
	if len(b.started) != 0 || fc.Pending() != 0 {
		t.Errorf("after Stop: %d more runs started, %d timers pending; want none", len(b.started), fc.Pending())
	}
	if st := h.status("t"); !st.NextRun.IsZero() || st.Running {
		t.Errorf("status after Stop = %+v, want no next run, not running", st)
	}
}

func TestStopCancelsAfterDeadline(t *testing.T) {
	fc := clock.NewFake(t0)
	h := newHarness(t, fc, nil, nil)
	b := newBlocker(fc)
	h.add(Task{Name: "t", Spec: mustSpec(t, config.Schedule{Every: time.Minute}), Run: b.run})
	h.start()
	<-b.started
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // the deadline has passed
	if err := h.s.Stop(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Stop() past its deadline = %v, want %v", err, context.Canceled)
	}
	if err := <-b.finished; !errors.Is(err, context.Canceled) {
		t.Errorf("the run in flight saw %v, want it cancelled", err)
	}
	if st := h.status("t"); st.LastError != context.Canceled.Error() {
		t.Errorf("status LastError = %q, want %q", st.LastError, context.Canceled)
	}
}

func TestRunNow(t *testing.T) {
	fc := clock.NewFake(t0)
	h := newHarness(t, fc, nil, nil)
	run, ran := recorder(fc)
	h.add(Task{Name: "daily", Spec: mustSpec(t, config.Schedule{Cron: "@daily"}), Run: run})
	h.start()
	h.block(1)
	if err := h.s.RunNow("daily"); err != nil {
		t.Fatalf("RunNow() = %v", err)
	}
	if got := <-ran; !got.Equal(t0) {
		t.Errorf("requested run at %v, want %v", got, t0)
	}
	h.block(1)
	if d, _ := fc.NextDeadline(); !d.Equal(time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("next run at %v after RunNow, want midnight", d)
	}
	if err := h.s.RunNow("nope"); !errors.Is(err, ErrUnknownTask) {
		t.Errorf("RunNow(unknown) = %v, want %v", err, ErrUnknownTask)
	}
}

func TestFailuresAndStatus(t *testing.T) {
	fc := clock.NewFake(t0)
	h := newHarness(t, fc, nil, nil)
	results := []func() error{
		func() error { return errBoom },
		func() error { panic("bad state") },
		func() error { fc.Advance(3 * time.Second); return nil },
	}
	i := 0
	h.add(Task{Name: "t", Spec: mustSpec(t, config.Schedule{Every: time.Minute}), Run: func(context.Context) error {
		i++
		return results[i-1]()
	}})
	h.start()
	h.block(1)
	if st := h.status("t"); st.LastError != "boom" {
		t.Errorf("after a failure LastError = %q, want boom", st.LastError)
	}
	h.step(1)
	h.block(1)
	if st := h.status("t"); !strings.Contains(st.LastError, "panicked: bad state") {
		t.Errorf("after a panic LastError = %q, want the panic", st.LastError)
	}
	h.step(1)
	h.block(1)
	want := TaskStatus{Name: "t", Schedule: "every 1m0s", LastStart: t0.Add(2 * time.Minute),
		LastEnd: t0.Add(2*time.Minute + 3*time.Second), NextRun: t0.Add(3 * time.Minute), Runs: 3}
	if diff := cmp.Diff(want, h.status("t")); diff != "" {
		t.Errorf("status (-want +got):\n%s", diff)
	}
	if got := [2]float64{h.count("t", OutcomeError), h.count("t", OutcomeSuccess)}; got != [2]float64{2, 1} {
		t.Errorf("runs {error, success} = %v, want [2 1]", got)
	}
}

func TestAddErrors(t *testing.T) {
	spec := mustSpec(t, config.Schedule{Every: time.Minute})
	run := func(context.Context) error { return nil }
	tests := []struct {
		name string
		task Task
		want string
	}{
		{"no name", Task{Spec: spec, Run: run}, "no name"},
		{"no run", Task{Name: "a", Spec: spec}, "no Run"},
		{"no schedule", Task{Name: "a", Run: run}, "empty schedule"},
		{"duplicate", Task{Name: "dup", Spec: spec, Run: run}, "exists"},
		{"singleton without locker", Task{Name: "b", Spec: spec, Run: run, Singleton: true}, "needs a Locker"},
	}
	s := New(Options{})
	if err := s.Add(Task{Name: "dup", Spec: spec, Run: run}); err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := s.Add(tt.task); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Add() = %v, want an error mentioning %q", err, tt.want)
			}
		})
	}
	if err := s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer s.Stop(context.Background())
	if err := s.Add(Task{Name: "late", Spec: spec, Run: run}); err == nil {
		t.Error("Add() after Start = nil, want an error")
	}
	if err := s.Start(context.Background()); err == nil {
		t.Error("a second Start() = nil, want an error")
	}
}

func ExampleScheduler() {
	fc := clock.NewFake(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	s := New(Options{Clock: fc})
	spec, _ := NewSpec(config.Schedule{Every: 5 * time.Minute})
	ran := make(chan time.Time, 1)
	s.Add(Task{Name: "poll", Spec: spec, Run: func(context.Context) error { ran <- fc.Now(); return nil }})
	s.Start(context.Background())
	fmt.Println(<-ran)
	fc.BlockUntil(context.Background(), 1)
	fc.Advance(5 * time.Minute)
	fmt.Println(<-ran)
	s.Stop(context.Background())
	// Output:
	// 2026-01-01 00:00:00 +0000 UTC
	// 2026-01-01 00:05:00 +0000 UTC
}
