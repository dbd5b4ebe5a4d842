package correlate

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"picket/internal/event"
	"picket/internal/rule/sigma"
)

func TestNewErrors(t *testing.T) {
	tests := []struct {
		name  string
		rules string
		drop  string // name of a rule left out of the rules passed to New
		want  []string
	}{
		{
			name: "cycle",
			rules: cor("x", "type: event_count\nrules: [y]\ntimespan: 1m\ncondition: {gte: 1}") +
				cor("y", "type: event_count\nrules: [x]\ntimespan: 1m\ncondition: {gte: 1}"),
			want: []string{"cycle"},
		},
		{
			name: "referenced correlation missing",
			rules: cor("x", "type: event_count\nrules: [a]\ntimespan: 1m\ncondition: {gte: 1}") +
				cor("y", "type: event_count\nrules: [x]\ntimespan: 1m\ncondition: {gte: 1}"),
			drop: "x",
			want: []string{"not in the rule set"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			set := loadRules(t, tt.rules)
			var rules []*sigma.Rule
			for _, r := range set.Rules {
				if tt.drop == "" || r.Name != tt.drop {
					rules = append(rules, r)
				}
			}
			_, err := New(rules, Options{})
			if err == nil {
				t.Fatalf("New() = nil error, want one mentioning %q", tt.want)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("New() error = %q, want it to mention %q", err, w)
				}
			}
		})
	}
}

func TestNewInvalidCorrelation(t *testing.T) {
	// Rules built by hand can be invalid in ways the loader prevents; New reports them all.
	a := &sigma.Rule{Kind: sigma.KindDetection}
	a.ID = "a"
	bad := func(id string, c *sigma.Correlation) *sigma.Rule {
		r := &sigma.Rule{Kind: sigma.KindCorrelation, Correlation: c}
		r.ID = id
		return r
	}
	rules := []*sigma.Rule{
		a,
		bad("type", &sigma.Correlation{Type: "nope", Rules: []string{"a"}, Refs: []*sigma.Rule{a}, Timespan: time.Minute}),
		bad("field", &sigma.Correlation{Type: "value_sum", Rules: []string{"a"}, Refs: []*sigma.Rule{a}, Timespan: time.Minute,
			Condition: []sigma.Comparison{{Op: "gt", Value: 1}}}),
		bad("unresolved", &sigma.Correlation{Type: "event_count", Rules: []string{"a"}, Timespan: time.Minute,
			Condition: []sigma.Comparison{{Op: "gt", Value: 1}}}),
	}
	_, err := New(rules, Options{})
	if err == nil {
		t.Fatal("New() = nil error, want errors")
	}
	for _, id := range []string{"correlation type", "correlation field", "correlation unresolved"} {
		if !strings.Contains(err.Error(), id) {
			t.Errorf("New() error = %q, want it to mention %q", err, id)
		}
	}
}

func TestInputs(t *testing.T) {
	set := loadRules(t, cor("inner", "type: event_count\nrules: [a, b]\ngroup-by: [user]\ntimespan: 10m\ncondition: {gte: 2}")+
		cor("corr", "type: temporal\nrules: [inner, b]\ngroup-by: [user]\ntimespan: 1h"))
	e, err := New(set.Rules, Options{})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	got := map[string][]string{}
	for id, rs := range e.Inputs() {
		for _, r := range rs {
			got[id] = append(got[id], r.Name)
		}
		slices.Sort(got[id])
	}
	want := map[string][]string{
		lookup(t, set, "a").ID:     {"inner"},
		lookup(t, set, "b").ID:     {"corr", "inner"},
		lookup(t, set, "inner").ID: {"corr"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Inputs() mismatch (-want +got):\n%s", diff)
	}
	// generate: false on the outer correlation marks its inputs as not alerting on their own.
	if lookup(t, set, "inner").Generate || lookup(t, set, "b").Generate {
		t.Errorf("Generate of referenced rules = true, want false")
	}
	// A rule that feeds nothing yields nothing.
	hits, err := e.Observe(context.Background(), lookup(t, set, "c"), user("c", "e0", 0, "alice").event())
	if err != nil || hits != nil {
		t.Errorf("Observe(rule c) = %v, %v; want nil, nil", hits, err)
	}
}

func TestChainedRedelivery(t *testing.T) {
	// Redelivered inner events make no second inner hit, hence no second outer input.
	set := loadRules(t, cor("inner", "type: event_count\nrules: [a]\ngroup-by: [user]\ntimespan: 10m\ncondition: {gte: 2}")+
		cor("corr", "type: event_count\nrules: [inner]\ngroup-by: [user]\ntimespan: 1h\ncondition: {gte: 2}"))
	steps := []step{
		user("a", "e0", 0, "alice"), user("a", "e1", 1, "alice"),
		user("a", "e0", 0, "alice"), user("a", "e1", 1, "alice"),
		user("a", "e2", 2, "alice"), user("a", "e3", 3, "alice"),
	}
	got, _ := run(t, set, Options{}, steps)
	var rules []string
	for _, r := range got {
		rules = append(rules, fmt.Sprintf("%d:%s:%v", r.Step, r.Rule, r.Events))
	}
	want := []string{"1:inner:[e0 e1]", "5:inner:[e2 e3]", "5:corr:[e0 e1 e2 e3]"}
	if diff := cmp.Diff(want, rules); diff != "" {
		t.Errorf("hits mismatch (-want +got):\n%s", diff)
	}
}

func TestRestartKeepsState(t *testing.T) {
	// A second engine over the same (persistent) State carries on where the first stopped.
	set := loadRules(t, cor("corr", countByUser))
	st := newJSONState()
	first, _ := run(t, set, Options{Store: st}, repeat("a", "e", 2, 0, 60, "alice"))
	got, e := run(t, set, Options{Store: st}, []step{user("a", "e1", 60, "alice"), user("a", "e2", 120, "alice")})
	want := []result{{Step: 1, Rule: "corr", Group: map[string]string{"user": "alice"}, Value: 3, Events: []string{"e0", "e1", "e2"}, First: 0, Last: 120}}
	if len(first) != 0 {
		t.Errorf("first engine hits = %v, want none", first)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("second engine hits mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(Stats{Groups: 1, Hits: 1, Duplicates: 1}, e.Stats()[lookup(t, set, "corr").ID]); diff != "" {
		t.Errorf("Stats() mismatch (-want +got):\n%s", diff)
	}
}

var errBoom = errors.New("boom")

// failingState fails every Put.
type failingState struct{ *Memory }

func (failingState) Put(context.Context, Key, *Window) error { return errBoom }

func TestStateError(t *testing.T) {
	set := loadRules(t, cor("corr", countByUser))
	e, err := New(set.Rules, Options{Store: failingState{NewMemory()}})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	_, err = e.Observe(context.Background(), lookup(t, set, "a"), user("a", "e0", 0, "alice").event())
	if !errors.Is(err, errBoom) {
		t.Errorf("Observe() error = %v, want %v wrapped", err, errBoom)
	}
}

func TestObserveCanceled(t *testing.T) {
	set := loadRules(t, cor("corr", countByUser))
	e, err := New(set.Rules, Options{})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := e.Observe(ctx, lookup(t, set, "a"), user("a", "e0", 0, "alice").event()); !errors.Is(err, context.Canceled) {
		t.Errorf("Observe(canceled) error = %v, want context.Canceled", err)
	}
}

func TestConcurrentObserve(t *testing.T) {
	set := loadRules(t, cor("corr", countByUser))
	e, err := New(set.Rules, Options{})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	a := lookup(t, set, "a")
	const workers, perWorker = 8, 300
	var mu sync.Mutex
	total := 0
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			n := 0
			for i := range perWorker {
				s := user("a", fmt.Sprintf("w%d-%d", w, i), i, fmt.Sprintf("user%d", w))
				hits, err := e.Observe(context.Background(), a, s.event())
				if err != nil {
					t.Errorf("Observe: %v", err)
					return
				}
				n += len(hits)
			}
			mu.Lock()
			total += n
			mu.Unlock()
		})
	}
	wg.Wait()
	// Each worker's user gets one event a second, in order: a hit every third event.
	if want := workers * perWorker / 3; total != want {
		t.Errorf("hits = %d, want %d", total, want)
	}
	if got := e.Stats()[lookup(t, set, "corr").ID].Groups; got != workers {
		t.Errorf("Stats().Groups = %d, want %d", got, workers)
	}
}

// TestObserveOwnsEventIDs checks that the engine copies what it keeps: event IDs read from a
// record share the record's memory, which the caller reuses for the next record.
func TestObserveOwnsEventIDs(t *testing.T) {
	l := sigma.NewLoader(sigma.Options{})
	l.AddFile("r.yml", []byte(`title: base
id: 3a2b1c0d-0000-4000-8000-000000000001
name: base
logsource: {product: p}
detection:
    sel: {k: v}
    condition: sel
level: low
---
title: count
id: 3a2b1c0d-0000-4000-8000-000000000002
correlation:
    type: event_count
    rules: [base]
    timespan: 1h
    condition: {gte: 2}
level: high
`), false)
	set, diags := l.Finish()
	if err := diags.Err(); err != nil {
		t.Fatal(err)
	}
	eng, err := New(set.Rules, Options{})
	if err != nil {
		t.Fatal(err)
	}
	base, _ := set.Lookup("base")
	buf := []byte(`{"k":"v","id":"AAAA"}`)
	var hits []Hit
	for i, id := range []string{"AAAA", "BBBB"} {
		copy(buf[len(buf)-6:], id)
		ev := event.New(buf)
		ev.Time = time.Date(2026, 1, 1, 0, i, 0, 0, time.UTC)
		ev.Lookup(event.NewPath("id"), func(v event.Value) bool { ev.ID = v.Text(); return true }) // a view into buf
		h, err := eng.Observe(context.Background(), base, ev)
		if err != nil {
			t.Fatal(err)
		}
		hits = append(hits, h...)
	}
	copy(buf[len(buf)-6:], "ZZZZ")
	if len(hits) != 1 || len(hits[0].Events) != 2 || hits[0].Events[0].EventID != "AAAA" || hits[0].Events[1].EventID != "BBBB" {
		t.Fatalf("hit events = %+v, want AAAA and BBBB untouched by reuse of the record buffer", hits)
	}
}
