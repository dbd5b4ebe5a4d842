package cloudwatch

import (
	"context"
	"errors"
	"maps"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"picket/internal/source"
	"picket/internal/source/cloudwatch/cwfake"
)

// memCheckpoints is an in-memory source.Checkpoints.
type memCheckpoints struct {
	mu sync.Mutex
	m  map[string][]byte
}

func newMemCheckpoints() *memCheckpoints { return &memCheckpoints{m: map[string][]byte{}} }

func (c *memCheckpoints) Checkpoint(_ context.Context, key string) ([]byte, bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.m[key]
	return append([]byte(nil), v...), ok, nil
}

func (c *memCheckpoints) SetCheckpoint(_ context.Context, key string, cur []byte) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m[key] = append([]byte(nil), cur...)
	return nil
}

func (c *memCheckpoints) snapshot() map[string][]byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	return maps.Clone(c.m)
}

// recordingSink counts every record it accepted by id; failAt makes its n-th Process call
// (1-based) fail.
type recordingSink struct {
	mu      sync.Mutex
	got     map[string]int
	batches []*source.Batch
	calls   int
	failAt  int
	failAll bool
}

var errSink = errors.New("sink down")

func newSink() *recordingSink { return &recordingSink{got: map[string]int{}} }

func (k *recordingSink) Process(_ context.Context, _ string, b *source.Batch) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.calls++
	if k.failAll || k.calls == k.failAt {
		return errSink
	}
	for _, r := range b.Records {
		k.got[r.ID]++
	}
	cp := *b
	cp.Records = append([]source.Record(nil), b.Records...)
	k.batches = append(k.batches, &cp)
	return nil
}

// check reports ids missing and ids delivered more than once.
func (k *recordingSink) check(t *testing.T, want []string) {
	t.Helper()
	k.mu.Lock()
	defer k.mu.Unlock()
	missing, dups := 0, 0
	for _, id := range want {
		switch n := k.got[id]; {
		case n == 0:
			missing++
		case n > 1:
			dups++
		}
	}
	if missing > 0 || dups > 0 || len(k.got) != len(want) {
		t.Errorf("delivered %d distinct records of %d: %d missing, %d delivered more than once", len(k.got), len(want), missing, dups)
	}
}

// fakeClock is a controllable clock shared by the source and the fake.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// env is a fake service with a real SDK client, and what a source needs.
type env struct {
	fake   *cwfake.Server
	url    string
	clock  *fakeClock
	cps    *memCheckpoints
	deps   source.Deps
	limits *Limiters
}

var t0 = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)

func newEnv(t testing.TB) *env {
	clock := &fakeClock{t: t0}
	fake := cwfake.New(cwfake.Options{Now: clock.Now, Seed: 7})
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	cps := newMemCheckpoints()
	return &env{
		fake: fake, url: srv.URL, clock: clock, cps: cps, limits: NewLimiters(),
		deps: source.Deps{
			Checkpoints: cps,
			Clock:       clock.Now,
			Metrics:     source.NewMetrics(nil),
			Status:      source.NewTracker(clock.Now),
		},
	}
}

// testConfig reads every group under "/test/" at a high rate budget.
func testConfig() Config {
	c := DefaultConfig()
	c.Region = "us-east-1"
	c.LogGroupPrefixes = []string{"/test/"}
	c.StartAt = "-1h"
	c.MaxTPS = 1000
	return c
}

// source builds a source over a fresh SDK client, with quick retries.
func (e *env) source(t testing.TB, name string, c Config) *Source {
	t.Helper()
	s, err := NewWithClient(name, c, cwfake.NewClient(e.url), e.deps, e.limits)
	if err != nil {
		t.Fatalf("NewWithClient: %v", err)
	}
	s.retry = backoff{base: time.Millisecond, ceiling: 5 * time.Millisecond, attempts: 30}
	return s
}
