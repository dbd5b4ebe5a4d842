package schedule

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"picket/internal/clock"
	"picket/internal/config"
)

var t0 = time.Date(2026, 11, 25, 10, 30, 0, 0, time.UTC)

// memCheckpoints is an in-memory Checkpoints.
type memCheckpoints struct {
	mu sync.Mutex
	m  map[string][]byte
}

func (c *memCheckpoints) Checkpoint(_ context.Context, key string) ([]byte, bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	b, ok := c.m[key]
	return slices.Clone(b), ok, nil
}

func (c *memCheckpoints) SetCheckpoint(_ context.Context, key string, v []byte) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m[key] = slices.Clone(v)
	return nil
}

func (c *memCheckpoints) get(key string) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return string(c.m[key])
}

// fakeLocker grants each name to one holder at a time; err makes every TryLock fail.
type fakeLocker struct {
	mu   sync.Mutex
	held map[string]bool
	err  error
}

func (l *fakeLocker) TryLock(_ context.Context, name string) (func(), bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.err != nil {
		return nil, false, l.err
	}
	if l.held[name] {
		return nil, false, nil
	}
	l.held[name] = true
	var once sync.Once
	return func() {
		once.Do(func() {
			l.mu.Lock()
			defer l.mu.Unlock()
			delete(l.held, name)
		})
	}, true, nil
}

// harness runs one Scheduler on a fake clock.
type harness struct {
	t  *testing.T
	fc *clock.Fake
	cp *memCheckpoints
	s  *Scheduler
}

func newHarness(t *testing.T, fc *clock.Fake, cp *memCheckpoints, edit func(*Options)) *harness {
	t.Helper()
	o := Options{Clock: fc}
	if cp != nil {
		o.Checkpoints = cp
	}
	if edit != nil {
		edit(&o)
	}
	h := &harness{t: t, fc: fc, cp: cp, s: New(o)}
	t.Cleanup(func() {
		ctx, cancel := context.WithCancel(context.Background())
		cancel() // stop at once: release whatever a failed test left blocked
		h.s.Stop(ctx)
	})
	return h
}

func (h *harness) add(task Task) {
	h.t.Helper()
	if err := h.s.Add(task); err != nil {
		h.t.Fatalf("Add(%q) = %v", task.Name, err)
	}
}

func (h *harness) start() {
	h.t.Helper()
	if err := h.s.Start(context.Background()); err != nil {
		h.t.Fatalf("Start() = %v", err)
	}
}

// block waits until n timers are pending: the task loops under test are idle.
func (h *harness) block(n int) {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second) // a safety net, not timing
	defer cancel()
	if err := h.fc.BlockUntil(ctx, n); err != nil {
		h.t.Fatalf("waiting for %d pending timers (have %d): %v", n, h.fc.Pending(), err)
	}
}

// step waits until n timers are pending, then moves the clock to the earliest deadline and
// returns it.
func (h *harness) step(n int) time.Time {
	h.t.Helper()
	h.block(n)
	d, _ := h.fc.NextDeadline()
	h.fc.Set(d)
	return d
}

func (h *harness) count(task, outcome string) float64 {
	return testutil.ToFloat64(h.s.m.runs.WithLabelValues(task, outcome))
}

func (h *harness) status(name string) TaskStatus {
	for _, st := range h.s.Status() {
		if st.Name == name {
			return st
		}
	}
	h.t.Fatalf("no status for task %q", name)
	return TaskStatus{}
}

func mustSpec(t *testing.T, c config.Schedule) Spec {
	t.Helper()
	sp, err := NewSpec(c)
	if err != nil {
		t.Fatalf("NewSpec(%+v) = %v", c, err)
	}
	return sp
}

// recorder returns a Run that sends the clock's time on a channel.
func recorder(fc *clock.Fake) (func(context.Context) error, chan time.Time) {
	ran := make(chan time.Time, 100)
	return func(context.Context) error {
		ran <- fc.Now()
		return nil
	}, ran
}

// blocker returns a Run that reports its start and waits for a release (or ctx), then
// reports ctx's error.
type blocker struct {
	started  chan time.Time
	release  chan struct{}
	finished chan error
	mu       sync.Mutex
	active   int
	overlap  bool
	fc       *clock.Fake
}

func newBlocker(fc *clock.Fake) *blocker {
	return &blocker{started: make(chan time.Time, 100), release: make(chan struct{}), finished: make(chan error, 100), fc: fc}
}

func (b *blocker) run(ctx context.Context) error {
	b.mu.Lock()
	b.active++
	b.overlap = b.overlap || b.active > 1
	b.mu.Unlock()
	defer func() {
		b.mu.Lock()
		b.active--
		b.mu.Unlock()
	}()
	b.started <- b.fc.Now()
	select {
	case <-b.release:
	case <-ctx.Done():
	}
	b.finished <- ctx.Err()
	return ctx.Err()
}

var errBoom = errors.New("boom")
