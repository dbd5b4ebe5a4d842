package detect

import (
	"encoding/json"
	"io/fs"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.yaml.in/yaml/v3"

	"picket/internal/event"
	"picket/internal/rule/builtin"
	"picket/internal/rule/sigma"
	"picket/internal/shape"
	"picket/internal/synth"
)

// naive evaluates every rule whose logsource fits, without the index.
func naive(rules []*sigma.Rule, ev *event.Event) []string {
	var out []string
	for _, r := range rules {
		if r.Kind == sigma.KindDetection && !r.Disabled && sigma.LogSourceMatches(r.LogSource, ev.LogSource) && r.Detection.Matcher.Match(ev) {
			out = append(out, r.ID)
		}
	}
	return out
}

func indexed(e *Engine, ev *event.Event) []string {
	var out []string
	e.Match(ev, func(r *sigma.Rule) { out = append(out, r.ID) })
	return out
}

// TestIndexAgreesWithNaive checks that the literal-value index never loses a match nor reorders
// them: the engine must return exactly what evaluating every applicable rule returns.
func TestIndexAgreesWithNaive(t *testing.T) {
	l := sigma.NewLoader(sigma.Options{})
	if err := l.AddFS(builtin.FS(), "builtin", true); err != nil {
		t.Fatal(err)
	}
	if dir := corpusRulesDirOrEmpty(); dir != "" {
		if err := l.AddPath(dir); err != nil {
			t.Fatal(err)
		}
	}
	set, diags := l.Finish()
	if err := diags.Err(); err != nil {
		t.Fatal(err)
	}
	e := New(set.Rules)
	var events []*event.Event
	g := synth.NewCloudTrail(99)
	for range 20000 {
		events = append(events, event.New(g.Next(nil)))
	}
	// The pack's own test events: every shape, positives and near misses.
	fs.WalkDir(builtin.FS(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || !strings.HasSuffix(p, ".test.yml") {
			return err
		}
		data, _ := fs.ReadFile(builtin.FS(), p)
		var doc struct {
			Cases []struct {
				Event  map[string]any   `yaml:"event"`
				Events []map[string]any `yaml:"events"`
			} `yaml:"cases"`
		}
		if err := yaml.Unmarshal(data, &doc); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		for _, c := range doc.Cases {
			for _, m := range append(c.Events, c.Event) {
				if m != nil {
					raw, _ := json.Marshal(m)
					events = append(events, event.New(raw))
				}
			}
		}
		return nil
	})
	matched := 0
	for _, ev := range events {
		shape.Identify(ev, shape.Envelope{}, time.Time{})
		want, got := naive(set.Rules, ev), indexed(e, ev)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("event %s (%s): engine disagrees with naive evaluation (-naive +engine):\n%s", ev.ID, ev.LogSource, diff)
		}
		matched += len(got)
	}
	if matched == 0 {
		t.Fatal("no event matched any rule: the test proves nothing")
	}
	t.Logf("%d events, %d matches, all agree", len(events), matched)
}

func TestIndexCaseAndArrays(t *testing.T) {
	const rules = `title: t
id: 00000000-0000-4000-8000-000000000001
logsource: {product: p}
detection:
    sel:
        name: ['StopLogging', 'DeleteTrail']
        other: 'x'
    condition: sel
---
title: u
id: 00000000-0000-4000-8000-000000000002
logsource: {product: p}
detection:
    a: {name: 'CafÉ'}
    b: {tags: 'Needle'}
    condition: a or b
`
	l := sigma.NewLoader(sigma.Options{})
	l.AddFile("r.yml", []byte(rules), false)
	set, diags := l.Finish()
	if err := diags.Err(); err != nil {
		t.Fatal(err)
	}
	e := New(set.Rules)
	tests := []struct {
		raw  string
		want []string
	}{
		{`{"name":"stoplogging","other":"X"}`, []string{"00000000-0000-4000-8000-000000000001"}},
		{`{"name":["nope","DELETETRAIL"],"other":"x"}`, []string{"00000000-0000-4000-8000-000000000001"}},
		{`{"name":"café"}`, []string{"00000000-0000-4000-8000-000000000002"}},
		{`{"name":"x","tags":["a","needle"]}`, []string{"00000000-0000-4000-8000-000000000002"}},
		{`{"name":"StopLogging"}`, nil},
	}
	for _, tt := range tests {
		ev := event.New([]byte(tt.raw))
		ev.LogSource = event.LogSource{Product: "p"}
		if diff := cmp.Diff(tt.want, indexed(e, ev)); diff != "" {
			t.Errorf("Match(%s) mismatch (-want +got):\n%s", tt.raw, diff)
		}
	}
}
