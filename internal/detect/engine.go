// Package detect evaluates compiled Sigma rules against events.
//
// The Engine keeps, per event logsource, the rules that apply to it and an index of the literal
// values those rules require: a rule that can only match when `eventName` equals one of a few
// values is only evaluated for events carrying one of them. For a typical CloudTrail event the
// engine reads one or two fields and evaluates no rule at all.
package detect

import (
	"slices"
	"sync"

	"picket/internal/event"
	"picket/internal/match"
	"picket/internal/pattern"
	"picket/internal/rule/sigma"
)

// Engine matches events against a fixed set of detection rules. It is safe for concurrent use.
type Engine struct {
	rules   []*sigma.Rule
	mu      sync.Mutex
	buckets sync.Map // event.LogSource → *bucket
}

// New returns an engine over the enabled detection rules among rules (correlations and filters
// are ignored here; filters are already part of the rules they apply to).
func New(rules []*sigma.Rule) *Engine {
	e := &Engine{}
	for _, r := range rules {
		if r.Kind == sigma.KindDetection && !r.Disabled && r.Detection != nil && r.Detection.Matcher != nil {
			e.rules = append(e.rules, r)
		}
	}
	return e
}

// Rules returns the detection rules of the engine, in evaluation order.
func (e *Engine) Rules() []*sigma.Rule { return e.rules }

// bucket holds the rules that apply to one logsource.
type bucket struct {
	always []int32       // rules evaluated for every event
	fields []indexField  // rules evaluated only when a field holds one of their values
	rules  []*sigma.Rule // all rules of the bucket, by index
}

type indexField struct {
	path   event.Path
	values map[string][]int32
}

// Match calls fn for each rule that ev matches, in rule order.
func (e *Engine) Match(ev *event.Event, fn func(*sigma.Rule)) {
	b := e.bucket(ev.LogSource)
	var buf [32]int32
	cands := buf[:0]
	var lower [128]byte
	for i := range b.fields {
		f := &b.fields[i]
		ev.Lookup(f.path, func(v event.Value) bool {
			if v.Kind() == event.Null {
				return false
			}
			// A map index with a converted byte slice does not allocate.
			cands = append(cands, f.values[string(pattern.AppendFold(lower[:0], v.Text()))]...)
			return false
		})
	}
	if len(cands) > 1 {
		slices.Sort(cands)
		cands = slices.Compact(cands)
	}
	// Merge the sorted candidates with the always-evaluated rules, keeping rule order.
	i, j := 0, 0
	for i < len(cands) || j < len(b.always) {
		var id int32
		if j >= len(b.always) || i < len(cands) && cands[i] < b.always[j] {
			id, i = cands[i], i+1
		} else {
			id, j = b.always[j], j+1
		}
		r := b.rules[id]
		if r.Detection.Matcher.Match(ev) {
			fn(r)
		}
	}
}

func (e *Engine) bucket(ls event.LogSource) *bucket {
	if b, ok := e.buckets.Load(ls); ok {
		return b.(*bucket)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if b, ok := e.buckets.Load(ls); ok {
		return b.(*bucket)
	}
	var rules []*sigma.Rule
	for _, r := range e.rules {
		if sigma.LogSourceMatches(r.LogSource, ls) {
			rules = append(rules, r)
		}
	}
	b := buildBucket(rules)
	e.buckets.Store(ls, b)
	return b
}

// requirement says a rule can only match when the field at path holds one of values (folded).
type requirement struct {
	path   string
	values []string
}

func buildBucket(rules []*sigma.Rule) *bucket {
	b := &bucket{rules: rules}
	reqs := make([][]requirement, len(rules))
	distinct := map[string]map[string]bool{}
	for i, r := range rules {
		reqs[i] = requirements(r.Detection.Matcher)
		for _, q := range reqs[i] {
			if distinct[q.path] == nil {
				distinct[q.path] = map[string]bool{}
			}
			for _, v := range q.values {
				distinct[q.path][v] = true
			}
		}
	}
	fields := map[string]*indexField{}
	var order []string
	for i := range rules {
		best := -1
		for k, q := range reqs[i] {
			if best < 0 || better(q, reqs[i][best], distinct) {
				best = k
			}
		}
		if best < 0 {
			b.always = append(b.always, int32(i))
			continue
		}
		q := reqs[i][best]
		f := fields[q.path]
		if f == nil {
			f = &indexField{path: event.NewPath(q.path), values: map[string][]int32{}}
			fields[q.path] = f
			order = append(order, q.path)
		}
		for _, v := range q.values {
			f.values[v] = append(f.values[v], int32(i))
		}
	}
	for _, p := range order {
		b.fields = append(b.fields, *fields[p])
	}
	return b
}

// better prefers the requirement on the field with more distinct values across the bucket (the
// more selective field), then the one with fewer values.
func better(a, b requirement, distinct map[string]map[string]bool) bool {
	da, db := len(distinct[a.path]), len(distinct[b.path])
	if da != db {
		return da > db
	}
	return len(a.values) < len(b.values)
}

// requirements lists the (field, values) pairs a matcher cannot match without: each holds on its
// own, so any one of them can index the rule.
func requirements(m match.Matcher) []requirement {
	switch x := m.(type) {
	case *match.FieldMatch:
		if len(x.Field.Paths) != 1 {
			return nil
		}
		t, ok := x.Test.(*match.Text)
		if !ok {
			return nil
		}
		vals, ok := pattern.EqualValues(t.P)
		if !ok || len(vals) == 0 {
			return nil
		}
		return []requirement{{path: x.Field.Paths[0].String(), values: vals}}
	case match.And:
		var out []requirement
		for _, c := range x {
			out = append(out, requirements(c)...)
		}
		return out
	case match.Or:
		if len(x) == 0 {
			return nil
		}
		// A path required by every branch is required by the OR, with the union of values.
		common := requirements(x[0])
		for _, c := range x[1:] {
			next := requirements(c)
			var kept []requirement
			for _, q := range common {
				for _, n := range next {
					if n.path == q.path {
						kept = append(kept, requirement{path: q.path, values: union(q.values, n.values)})
						break
					}
				}
			}
			common = kept
			if len(common) == 0 {
				return nil
			}
		}
		return common
	}
	return nil
}

func union(a, b []string) []string {
	out := slices.Clone(a)
	for _, v := range b {
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}
