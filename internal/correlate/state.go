package correlate

import (
	"context"
	"time"
)

// Key identifies the window of one group of one correlation rule.
type Key struct {
	Rule  string `json:"rule"`  // id of the correlation rule
	Group string `json:"group"` // the encoded group-by values; "" without group-by
}

// Window is the state of one group of one correlation rule. It is plain data (exported fields,
// JSON-encodable) so that a persistent State can store it as a document.
type Window struct {
	// Group holds the group-by values, in the order of the rule's group-by fields.
	Group []string `json:"group,omitempty"`
	// Newest is the time of the newest event the group has received.
	Newest time.Time `json:"newest"`
	// Events are the retained events in event-time order (ties in arrival order).
	Events []Entry `json:"events"`
}

// Entry is one event held in a window.
type Entry struct {
	Rule   string    `json:"rule"`            // id of the referenced rule the event matched
	Event  string    `json:"event,omitempty"` // event id; events without one are never deduplicated
	Time   time.Time `json:"time"`
	Source string    `json:"source,omitempty"`
	// Values are the event's distinct values of the value_count field (tuples when several fields).
	Values []string `json:"values,omitempty"`
	// Numbers are the event's numeric values of the field, for value_sum, value_avg,
	// value_percentile and value_median.
	Numbers []float64 `json:"numbers,omitempty"`
	// Refs and Omitted are set when the entry is a hit of a chained correlation: the inner hit's
	// events, so that the outer hit can point at the real evidence.
	Refs    []EventRef `json:"refs,omitempty"`
	Omitted int        `json:"omitted,omitempty"`
	// Fired marks an entry consumed by a hit. It no longer counts; it stays until it leaves the
	// window only so that a redelivered copy is recognised.
	Fired bool `json:"fired,omitempty"`
}

// State stores the windows of the engine, keyed by correlation rule and group. The Engine calls
// it with its own mutex held, so calls never overlap for one Engine; an implementation shared
// between engines must synchronise itself. An error from any method makes the Observe call that
// caused it fail with that error wrapped.
type State interface {
	// Get returns the window stored under k; ok is false (and err nil) when there is none. The
	// engine modifies the returned window and hands it back to Put, so an in-memory State may
	// return the very value it holds.
	Get(ctx context.Context, k Key) (w *Window, ok bool, err error)
	// Put stores w under k, replacing any previous window.
	Put(ctx context.Context, k Key, w *Window) error
	// Delete removes the window under k; deleting a missing window is not an error.
	Delete(ctx context.Context, k Key) error
	// Range calls fn with the group and Newest time of every window of the correlation rule,
	// in any order, until fn returns false. fn does not call back into the State; the engine
	// uses Range to expire and evict groups, seldom (amortised over many events).
	Range(ctx context.Context, rule string, fn func(group string, newest time.Time) bool) error
}

// Memory is the in-memory State. It is not safe for concurrent use on its own: the Engine
// serialises its calls.
type Memory struct {
	rules map[string]map[string]*Window
}

// NewMemory returns an empty in-memory State.
func NewMemory() *Memory {
	return &Memory{rules: map[string]map[string]*Window{}}
}

// Get returns the stored window itself (not a copy).
func (m *Memory) Get(_ context.Context, k Key) (*Window, bool, error) {
	w, ok := m.rules[k.Rule][k.Group]
	return w, ok, nil
}

// Put stores w.
func (m *Memory) Put(_ context.Context, k Key, w *Window) error {
	g, ok := m.rules[k.Rule]
	if !ok {
		g = map[string]*Window{}
		m.rules[k.Rule] = g
	}
	g[k.Group] = w
	return nil
}

// Delete removes the window under k.
func (m *Memory) Delete(_ context.Context, k Key) error {
	delete(m.rules[k.Rule], k.Group)
	return nil
}

// Range calls fn for every window of rule.
func (m *Memory) Range(_ context.Context, rule string, fn func(string, time.Time) bool) error {
	for g, w := range m.rules[rule] {
		if !fn(g, w.Newest) {
			break
		}
	}
	return nil
}
