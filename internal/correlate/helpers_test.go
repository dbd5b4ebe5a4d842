package correlate

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"picket/internal/event"
	"picket/internal/rule/sigma"
)

// t0 is the origin of the test timelines.
var t0 = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

// detections are the detection rules the test correlations reference, by name.
const detections = `
title: Rule A
id: 00000000-0000-4000-8000-00000000000a
name: a
logsource: {product: aws, service: cloudtrail}
detection:
    sel: {eventName: A}
    condition: sel
---
title: Rule B
id: 00000000-0000-4000-8000-00000000000b
name: b
logsource: {product: aws, service: cloudtrail}
detection:
    sel: {eventName: B}
    condition: sel
---
title: Rule C
id: 00000000-0000-4000-8000-00000000000c
name: c
logsource: {product: aws, service: cloudtrail}
detection:
    sel: {eventName: C}
    condition: sel
`

// loadRules loads the detections and the given correlation documents, failing on any error.
func loadRules(tb testing.TB, correlations string) *sigma.Set {
	tb.Helper()
	l := sigma.NewLoader(sigma.Options{})
	l.AddFile("detections.yml", []byte(detections), false)
	l.AddFile("correlations.yml", []byte(correlations), false)
	set, diags := l.Finish()
	if err := diags.Err(); err != nil {
		tb.Fatalf("loading rules: %v", err)
	}
	return set
}

// lookup returns the rule named name.
func lookup(tb testing.TB, set *sigma.Set, name string) *sigma.Rule {
	tb.Helper()
	r, ok := set.Lookup(name)
	if !ok {
		tb.Fatalf("no rule %q", name)
	}
	return r
}

// step is one detection fed to the engine: rule `rule` matched event `id` at t0 + at seconds.
type step struct {
	rule   string
	id     string
	at     int
	fields string // JSON object; "" means {}
}

// ev builds a step's event.
func (s step) event() *event.Event {
	raw := s.fields
	if raw == "" {
		raw = "{}"
	}
	ev := event.New([]byte(raw))
	ev.ID = s.id
	ev.Time = t0.Add(time.Duration(s.at) * time.Second)
	ev.Source = "test"
	return ev
}

// user is a step for rule r, event id, time at, with field user=u.
func user(r, id string, at int, u string) step {
	return step{rule: r, id: id, at: at, fields: fmt.Sprintf(`{"user":%q}`, u)}
}

// result is a hit reduced to what the tests compare.
type result struct {
	Step    int // index of the step that completed the hit
	Rule    string
	Group   map[string]string
	Value   float64
	Events  []string // event ids
	First   int      // seconds after t0
	Last    int
	Omitted int
}

func summarise(step int, h Hit) result {
	r := result{
		Step: step, Rule: h.Rule.Name, Group: h.Group, Value: h.Value, Omitted: h.Omitted,
		First: int(h.First.Sub(t0) / time.Second), Last: int(h.Last.Sub(t0) / time.Second),
	}
	for _, e := range h.Events {
		r.Events = append(r.Events, e.EventID)
	}
	return r
}

// run feeds steps to a new engine over set and returns the hits and the engine.
func run(tb testing.TB, set *sigma.Set, opts Options, steps []step) ([]result, *Engine) {
	tb.Helper()
	e, err := New(set.Rules, opts)
	if err != nil {
		tb.Fatalf("New: %v", err)
	}
	var got []result
	for i, s := range steps {
		hits, err := e.Observe(context.Background(), lookup(tb, set, s.rule), s.event())
		if err != nil {
			tb.Fatalf("Observe(step %d) error: %v", i, err)
		}
		for _, h := range hits {
			got = append(got, summarise(i, h))
		}
	}
	return got, e
}

// jsonState is a State that keeps windows JSON-encoded, as a persistent store would: it proves
// the state is plain data and that the engine does not rely on Get returning its own value.
type jsonState struct {
	m map[Key][]byte
}

func newJSONState() *jsonState { return &jsonState{m: map[Key][]byte{}} }

func (s *jsonState) Get(_ context.Context, k Key) (*Window, bool, error) {
	b, ok := s.m[k]
	if !ok {
		return nil, false, nil
	}
	w := &Window{}
	if err := json.Unmarshal(b, w); err != nil {
		return nil, false, fmt.Errorf("decoding window: %w", err)
	}
	return w, true, nil
}

func (s *jsonState) Put(_ context.Context, k Key, w *Window) error {
	b, err := json.Marshal(w)
	if err != nil {
		return fmt.Errorf("encoding window: %w", err)
	}
	s.m[k] = b
	return nil
}

func (s *jsonState) Delete(_ context.Context, k Key) error {
	delete(s.m, k)
	return nil
}

func (s *jsonState) Range(_ context.Context, rule string, fn func(string, time.Time) bool) error {
	for k, b := range s.m {
		if k.Rule != rule {
			continue
		}
		var w struct {
			Newest time.Time `json:"newest"`
		}
		if err := json.Unmarshal(b, &w); err != nil {
			return fmt.Errorf("decoding window: %w", err)
		}
		if !fn(k.Group, w.Newest) {
			break
		}
	}
	return nil
}
