package source

import (
	"slices"
	"strings"
	"sync"
	"time"
)

// Status is what the console, the API and self-monitoring know about one source.
type Status struct {
	Name string `json:"name"`
	Type string `json:"type"`
	// LastPoll is when the last poll ended; LastSuccess when the last successful one did.
	LastPoll    time.Time `json:"last_poll,omitzero"`
	LastSuccess time.Time `json:"last_success,omitzero"`
	// LastError is the last failed poll's error and LastErrorAt its time; cleared by a success.
	LastError   string    `json:"last_error,omitempty"`
	LastErrorAt time.Time `json:"last_error_at,omitzero"`
	// Checkpoint describes the source's position for people ("2026-11-25T10:00:00Z",
	// "access.log @ 123456"); CheckpointTime is its time when it has one, for the lag.
	Checkpoint     string    `json:"checkpoint,omitempty"`
	CheckpointTime time.Time `json:"checkpoint_time,omitzero"`
	// Records is the number of records read since start.
	Records int64 `json:"records"`
	// PerMinute holds records read per minute over the last hour, oldest first (the console's
	// sparkline).
	PerMinute []int64 `json:"per_minute"`
}

// Tracker keeps the Status of every source. It is safe for concurrent use.
type Tracker struct {
	mu      sync.Mutex
	clock   func() time.Time
	sources map[string]*tracked
}

type tracked struct {
	st      Status
	buckets [60]int64 // records per minute, ring indexed by minute
	minute  int64     // the Unix minute of the newest bucket
}

// NewTracker returns an empty tracker reading time from clock.
func NewTracker(clock func() time.Time) *Tracker {
	return &Tracker{clock: clock, sources: map[string]*tracked{}}
}

func (t *Tracker) get(name string) *tracked {
	s := t.sources[name]
	if s == nil {
		s = &tracked{st: Status{Name: name}}
		t.sources[name] = s
	}
	return s
}

// Register makes a source known (with its type) before its first poll.
func (t *Tracker) Register(name, typ string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.get(name).st.Type = typ
}

// Forget removes a source (after a reload removed it).
func (t *Tracker) Forget(name string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.sources, name)
}

// AddRecords counts n records read by source name now.
func (t *Tracker) AddRecords(name string, n int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := t.get(name)
	s.st.Records += int64(n)
	m := t.clock().Unix() / 60
	s.advance(m)
	s.buckets[m%60] += int64(n)
}

// advance clears the buckets of the minutes between the newest bucket and m.
func (s *tracked) advance(m int64) {
	if m <= s.minute {
		return
	}
	for i := s.minute + 1; i <= m && i <= s.minute+60; i++ {
		s.buckets[i%60] = 0
	}
	s.minute = m
}

// SetCheckpoint records the source's position; at may be zero when it has no time.
func (t *Tracker) SetCheckpoint(name, desc string, at time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := t.get(name)
	s.st.Checkpoint, s.st.CheckpointTime = desc, at
}

// PollDone records the outcome of a poll that ended now.
func (t *Tracker) PollDone(name string, err error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := t.get(name)
	now := t.clock()
	s.st.LastPoll = now
	if err != nil {
		s.st.LastError, s.st.LastErrorAt = err.Error(), now
		return
	}
	s.st.LastSuccess, s.st.LastError, s.st.LastErrorAt = now, "", time.Time{}
}

// Statuses returns every source's status, sorted by name.
func (t *Tracker) Statuses() []Status {
	t.mu.Lock()
	defer t.mu.Unlock()
	m := t.clock().Unix() / 60
	out := make([]Status, 0, len(t.sources))
	for _, s := range t.sources {
		s.advance(m)
		st := s.st
		st.PerMinute = make([]int64, 60)
		for i := range 60 {
			st.PerMinute[i] = s.buckets[(m-59+int64(i))%60]
		}
		out = append(out, st)
	}
	slices.SortFunc(out, func(a, b Status) int { return strings.Compare(a.Name, b.Name) })
	return out
}
