package catalog_test

import (
	"context"
	"errors"
	"maps"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"picket/internal/catalog"
	"picket/internal/rule"
	"picket/internal/rule/builtin"
	"picket/internal/rule/sigma"
)

const rulesFile = `# two rules
title: CloudTrail logging stopped
id: r-high
description: someone stopped CloudTrail
author: picket tests
logsource: {product: aws, service: cloudtrail}
detection:
    sel:
        eventName: StopLogging
    condition: sel
level: high
tags: [attack.defense-evasion]
references: [https://example.com/a]
falsepositives: [maintenance]
---
# the second one
title: error in an application log
id: r-low
logsource: {category: application}
detection:
    kw: ['ERROR']
    condition: kw
level: low
...
---
title: another high one
id: r-high-2
logsource: {category: application}
detection:
    kw: ['PANIC']
    condition: kw
level: high
`

// memStore is the checkpoints of a store, in memory.
type memStore struct {
	mu   sync.Mutex
	kv   map[string][]byte
	fail error
}

func (s *memStore) Checkpoint(_ context.Context, key string) ([]byte, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.kv[key]
	return v, ok, nil
}

func (s *memStore) SetCheckpoint(_ context.Context, key string, v []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail != nil {
		return s.fail
	}
	if s.kv == nil {
		s.kv = map[string][]byte{}
	}
	s.kv[key] = v
	return nil
}

// hits counts by window start.
type hits map[time.Duration]map[string]int

var now = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

func (h hits) DetectionCounts(_ context.Context, since time.Time) (map[string]int, error) {
	return h[now.Sub(since)], nil
}

func loadSet(t *testing.T, withBuiltin bool, policy sigma.Policy) *sigma.Set {
	t.Helper()
	l := sigma.NewLoader(sigma.Options{})
	l.AddFile("rules/test.yml", []byte(rulesFile), false)
	if withBuiltin {
		if err := l.AddFS(builtin.FS(), "builtin", true); err != nil {
			t.Fatal(err)
		}
	}
	set, diags := l.Finish()
	if err := diags.Err(); err != nil {
		t.Fatalf("loading rules: %v", err)
	}
	set.Apply(policy)
	return set
}

func newRules(t *testing.T, set *sigma.Set, st catalog.Store, onChange func(map[string]bool)) *catalog.Rules {
	t.Helper()
	r, err := catalog.New(t.Context(), catalog.Options{
		Set: set, Store: st, Clock: func() time.Time { return now }, OnChange: onChange,
		Hits:     hits{24 * time.Hour: {"r-high": 2}, 7 * 24 * time.Hour: {"r-high": 5, "r-low": 1}},
		ReadFile: func(path string) ([]byte, error) { return []byte(rulesFile), nil },
	})
	if err != nil {
		t.Fatalf("New() = %v", err)
	}
	return r
}

func TestList(t *testing.T) {
	r := newRules(t, loadSet(t, false, sigma.Policy{DisabledIDs: []string{"r-low"}}), &memStore{}, nil)
	got, err := r.List(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	want := []catalog.Rule{
		{ID: "r-high-2", Title: "another high one", Kind: "detection", Level: rule.High, Tags: []string{}, Path: "rules/test.yml", Enabled: true},
		{
			ID: "r-high", Title: "CloudTrail logging stopped", Description: "someone stopped CloudTrail", Author: "picket tests",
			Kind: "detection", Level: rule.High, Tags: []string{"attack.defense-evasion"}, Path: "rules/test.yml", Enabled: true,
			Hits24h: 2, Hits7d: 5, References: []string{"https://example.com/a"}, FalsePositives: []string{"maintenance"},
		},
		{ID: "r-low", Title: "error in an application log", Kind: "detection", Level: rule.Low, Tags: []string{}, Path: "rules/test.yml", Hits7d: 1},
	}
	// LogSource is the loader's business; compare the rest.
	for i := range got {
		got[i].LogSource = want[i].LogSource
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("List() mismatch (-want +got):\n%s", diff)
	}
}

func TestGetYAML(t *testing.T) {
	r := newRules(t, loadSet(t, true, sigma.Policy{}), &memStore{}, nil)
	tests := []struct {
		id        string
		wantStart string
		wantNot   string
	}{
		{"r-high", "# two rules\ntitle: CloudTrail logging stopped\n", "r-low"},
		{"r-low", "# the second one\ntitle: error in an application log\n", "r-high"},
		{"r-high-2", "title: another high one\n", "r-low"},
	}
	for _, tt := range tests {
		got, err := r.Get(t.Context(), tt.id)
		if err != nil {
			t.Fatalf("Get(%q) = %v", tt.id, err)
		}
		if !strings.HasPrefix(got.YAML, tt.wantStart) || strings.Contains(got.YAML, tt.wantNot) || strings.Contains(got.YAML, "---") {
			t.Errorf("Get(%q).YAML = %q, want its own document starting %q", tt.id, got.YAML, tt.wantStart)
		}
	}
	// A built-in rule: read from the embedded pack, path in the pack.
	list, err := r.List(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	var b catalog.Rule
	for _, x := range list {
		if x.Builtin {
			b = x
			break
		}
	}
	if b.ID == "" {
		t.Fatal("no built-in rule listed")
	}
	got, err := r.Get(t.Context(), b.ID)
	if err != nil {
		t.Fatalf("Get(%q) = %v", b.ID, err)
	}
	if strings.HasPrefix(got.Path, "builtin/") || !strings.Contains(got.YAML, "id: "+b.ID) {
		t.Errorf("built-in Get(%q) = path %q, YAML %q", b.ID, got.Path, got.YAML)
	}
	if _, err := r.Get(t.Context(), "nope"); !errors.Is(err, catalog.ErrNotFound) {
		t.Errorf("Get(nope) = %v, want ErrNotFound", err)
	}
}

func TestSetEnabled(t *testing.T) {
	st := &memStore{}
	var changes []map[string]bool
	onChange := func(d map[string]bool) { changes = append(changes, d) }
	r := newRules(t, loadSet(t, false, sigma.Policy{DisabledIDs: []string{"r-low"}}), st, onChange)

	steps := []struct {
		id       string
		enabled  bool
		wantErr  error
		wantCall map[string]bool // nil: no OnChange call
	}{
		{"r-high", false, nil, map[string]bool{"r-high": true}},
		{"r-high", false, nil, nil}, // already off
		{"nope", false, catalog.ErrNotFound, nil},
		{"r-low", true, catalog.ErrDisabledByConfig, nil},
		{"r-low", false, nil, map[string]bool{"r-high": true, "r-low": true}},
		{"r-low", true, nil, map[string]bool{"r-high": true}}, // back to the configuration's state
		{"r-high", true, nil, map[string]bool{}},
	}
	for i, s := range steps {
		n := len(changes)
		err := r.SetEnabled(t.Context(), s.id, s.enabled, "ana")
		if !errors.Is(err, s.wantErr) {
			t.Fatalf("step %d: SetEnabled(%q, %v) = %v, want %v", i, s.id, s.enabled, err, s.wantErr)
		}
		switch {
		case s.wantCall == nil && len(changes) != n:
			t.Errorf("step %d: OnChange called with %v, want no call", i, changes[n])
		case s.wantCall != nil && len(changes) != n+1:
			t.Errorf("step %d: %d OnChange calls, want 1", i, len(changes)-n)
		case s.wantCall != nil && !maps.Equal(s.wantCall, changes[n]):
			t.Errorf("step %d: OnChange(%v), want %v", i, changes[n], s.wantCall)
		}
	}

	// Persisted: a new catalog on the same store sees the switch.
	if err := r.SetEnabled(t.Context(), "r-high-2", false, "ana"); err != nil {
		t.Fatal(err)
	}
	again := newRules(t, loadSet(t, false, sigma.Policy{}), st, nil)
	if diff := cmp.Diff(map[string]bool{"r-high-2": true}, again.Disabled()); diff != "" {
		t.Errorf("Disabled() after restart mismatch (-want +got):\n%s", diff)
	}
	got, err := again.Get(t.Context(), "r-high-2")
	if err != nil || got.Enabled {
		t.Errorf("Get(r-high-2) after restart = enabled %v, %v; want disabled", got.Enabled, err)
	}
}

func TestSetEnabledStoreFailure(t *testing.T) {
	st := &memStore{fail: errors.New("disk full")}
	called := false
	r := newRules(t, loadSet(t, false, sigma.Policy{}), st, func(map[string]bool) { called = true })
	if err := r.SetEnabled(t.Context(), "r-high", false, "ana"); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("SetEnabled() = %v, want the store's error", err)
	}
	if called || len(r.Disabled()) != 0 {
		t.Errorf("a failed SetEnabled changed the state: OnChange %v, Disabled %v", called, r.Disabled())
	}
}

func TestRefresh(t *testing.T) {
	st := &memStore{}
	a := newRules(t, loadSet(t, false, sigma.Policy{}), st, nil)
	var got []map[string]bool
	b := newRules(t, loadSet(t, false, sigma.Policy{}), st, func(d map[string]bool) { got = append(got, d) })
	if err := a.SetEnabled(t.Context(), "r-low", false, "ana"); err != nil {
		t.Fatal(err)
	}
	for range 2 { // the second refresh changes nothing
		if err := b.Refresh(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	if diff := cmp.Diff([]map[string]bool{{"r-low": true}}, got); diff != "" {
		t.Errorf("OnChange calls mismatch (-want +got):\n%s", diff)
	}
}

func TestDocument(t *testing.T) {
	tests := []struct {
		name string
		data string
		line int
		want string
	}{
		{"single", "a: 1\nb: 2\n\n", 1, "a: 1\nb: 2\n"},
		{"leading marker", "---\na: 1\n", 2, "a: 1\n"},
		{"second", "a: 1\n--- # x\nb: 2\n...\n", 3, "b: 2\n"},
		{"first", "a: 1\n---\nb: 2\n", 1, "a: 1\n"},
		{"crlf", "a: 1\r\n---\r\nb: 2\r\n", 3, "b: 2\n"},
		{"marker-like value", "a: '---'\nb: ---x\n", 1, "a: '---'\nb: ---x\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := catalog.Document([]byte(tt.data), tt.line); got != tt.want {
				t.Errorf("Document(%q, %d) = %q, want %q", tt.data, tt.line, got, tt.want)
			}
		})
	}
}

func TestGetUnreadableFile(t *testing.T) {
	r, err := catalog.New(t.Context(), catalog.Options{
		Set: loadSet(t, false, sigma.Policy{}), Store: &memStore{},
		ReadFile: func(string) ([]byte, error) { return nil, errors.New("gone") },
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := r.Get(t.Context(), "r-low")
	if err != nil || got.ID != "r-low" || got.YAML != "" {
		t.Errorf("Get(r-low) with an unreadable file = %+v, %v; want the rule without YAML", got, err)
	}
}
