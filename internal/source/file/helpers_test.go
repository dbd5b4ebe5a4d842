package file

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"picket/internal/source"
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
	b, ok := c.m[key]
	return slices.Clone(b), ok, nil
}

func (c *memCheckpoints) SetCheckpoint(_ context.Context, key string, cursor []byte) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m[key] = append([]byte{}, cursor...)
	return nil
}

// got is one record as the sink saw it.
type got struct {
	Data string
	ID   string
	Line int
	Base string // base name of the origin
}

// recSink records accepted batches; failAt makes its n-th call (1-based) fail.
type recSink struct {
	recs    []got
	skipped map[string]int
	calls   int
	failAt  int
}

var errSinkDown = errors.New("sink down")

func (s *recSink) Process(_ context.Context, name string, b *source.Batch) error {
	s.calls++
	if s.calls == s.failAt {
		return errSinkDown
	}
	for _, r := range b.Records {
		s.recs = append(s.recs, got{Data: string(r.Data), ID: r.ID, Line: r.Line, Base: filepath.Base(r.Origin)})
	}
	for k, v := range b.Skipped {
		if s.skipped == nil {
			s.skipped = map[string]int{}
		}
		s.skipped[k] += v
	}
	return nil
}

// take returns the data of the records received since the last take.
func (s *recSink) take() []string {
	var out []string
	for _, r := range s.recs {
		out = append(out, r.Data)
	}
	s.recs = nil
	return out
}

var testNow = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)

func testDeps(dir string, cp source.Checkpoints) source.Deps {
	clock := func() time.Time { return testNow }
	return source.Deps{Checkpoints: cp, Clock: clock, Metrics: source.NewMetrics(nil),
		Status: source.NewTracker(clock), Dir: dir}
}

func newTestSource(t *testing.T, dir string, cp source.Checkpoints, edit func(*Config)) *Source {
	t.Helper()
	c := DefaultConfig()
	c.Paths = []string{"."}
	if edit != nil {
		edit(&c)
	}
	s, err := New("test", c, testDeps(dir, cp))
	if err != nil {
		t.Fatalf("New() = %v", err)
	}
	return s
}

func poll(t *testing.T, s *Source, sink *recSink) {
	t.Helper()
	if err := s.Poll(context.Background(), sink); err != nil {
		t.Fatalf("Poll() = %v", err)
	}
}

func appendFile(t *testing.T, path, data string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(data); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

func writeFile(t *testing.T, path, data string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
}

// setMtime gives path a distinct modification time, which orders files within a poll.
func setMtime(t *testing.T, path string, at time.Time) {
	t.Helper()
	if err := os.Chtimes(path, at, at); err != nil {
		t.Fatal(err)
	}
}
