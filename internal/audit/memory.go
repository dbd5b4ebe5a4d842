package audit

import (
	"context"
	"slices"
	"sync"
)

// MemoryLog is a Log held in memory, for tests and for runs without a store. Its entries are
// lost with the process. It is safe for concurrent use.
type MemoryLog struct {
	mu      sync.Mutex
	entries []Entry // in order of recording
}

// NewMemoryLog returns an empty MemoryLog.
func NewMemoryLog() *MemoryLog { return &MemoryLog{} }

// Record implements Log.
func (l *MemoryLog) Record(_ context.Context, e Entry) error {
	if err := e.Validate(); err != nil {
		return err
	}
	e.Time = e.Time.UTC()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.entries = append(l.entries, e)
	return nil
}

// List implements Log.
func (l *MemoryLog) List(_ context.Context, q Query) ([]Entry, error) {
	limit, err := q.EffectiveLimit()
	if err != nil {
		return nil, err
	}
	l.mu.Lock()
	sorted := slices.Clone(l.entries)
	l.mu.Unlock()
	// Stable sort by time, then reverse: newest first, later recordings first among equals.
	slices.SortStableFunc(sorted, func(a, b Entry) int { return a.Time.Compare(b.Time) })
	out := []Entry{}
	for i := len(sorted) - 1; i >= 0 && len(out) < limit; i-- {
		if q.Match(&sorted[i]) {
			out = append(out, sorted[i])
		}
	}
	return out, nil
}
