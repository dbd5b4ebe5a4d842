// Package match provides immutable compiled predicates over events: field tests with Sigma's value
// semantics, keyword searches, and the and/or/not combinators a rule condition compiles to.
//
// Every Matcher is safe for concurrent use and allocates nothing on the common path. Field tests
// resolve a rule field through an ordered list of candidate paths (the field mapping); the first
// path present in the event is the one tested, so a mapping never makes an absent field look present.
package match

import (
	"strings"

	"picket/internal/event"
)

// Matcher decides whether an event satisfies a predicate.
type Matcher interface {
	Match(ev *event.Event) bool
}

// And holds when all its matchers hold (true when empty).
type And []Matcher

// Match implements Matcher.
func (a And) Match(ev *event.Event) bool {
	for _, m := range a {
		if !m.Match(ev) {
			return false
		}
	}
	return true
}

// Or holds when any of its matchers holds (false when empty).
type Or []Matcher

// Match implements Matcher.
func (o Or) Match(ev *event.Event) bool {
	for _, m := range o {
		if m.Match(ev) {
			return true
		}
	}
	return false
}

// Not negates a matcher.
type Not struct{ M Matcher }

// Match implements Matcher.
func (n Not) Match(ev *event.Event) bool { return !n.M.Match(ev) }

// Const is a matcher with a fixed answer.
type Const bool

// Match implements Matcher.
func (c Const) Match(*event.Event) bool { return bool(c) }

// Field names a rule field and the event paths it may be found at, in order of preference.
type Field struct {
	Name  string
	Paths []event.Path
}

// NewField returns a field found at its own name, or at the given candidate paths when any.
func NewField(name string, candidates ...string) Field {
	f := Field{Name: name}
	if len(candidates) == 0 {
		candidates = []string{name}
	}
	for _, c := range candidates {
		f.Paths = append(f.Paths, event.NewPath(c))
	}
	return f
}

// lookup calls fn on the values of the first candidate path present in ev.
func (f *Field) lookup(ev *event.Event, fn func(event.Value) bool) (present, hit bool) {
	for _, p := range f.Paths {
		if present, hit = ev.Lookup(p, fn); present {
			return present, hit
		}
	}
	return false, false
}

// String describes the field and its mapping.
func (f *Field) String() string {
	if len(f.Paths) == 1 && f.Paths[0].String() == f.Name {
		return f.Name
	}
	ps := make([]string, len(f.Paths))
	for i, p := range f.Paths {
		ps[i] = p.String()
	}
	return f.Name + " (" + strings.Join(ps, ", ") + ")"
}

// ValueTest decides whether one value of a field satisfies a rule value.
type ValueTest interface {
	// MatchValue is called for each value found at the field; ev is the whole event (for fieldref).
	MatchValue(ev *event.Event, v event.Value) bool
	// String describes the test for explanations, e.g. `equals "StopLogging"`.
	String() string
}

// FieldMatch holds when any value of the field satisfies the test.
type FieldMatch struct {
	Field Field
	Test  ValueTest
}

// Match implements Matcher.
func (m *FieldMatch) Match(ev *event.Event) bool {
	_, hit := m.Field.lookup(ev, func(v event.Value) bool { return m.Test.MatchValue(ev, v) })
	return hit
}

// Exists holds when the field is present (Want true) or absent (Want false). A JSON null is present.
type Exists struct {
	Field Field
	Want  bool
}

// Match implements Matcher.
func (m *Exists) Match(ev *event.Event) bool {
	present, _ := m.Field.lookup(ev, func(event.Value) bool { return true })
	return present == m.Want
}

// IsNull holds when the field is absent or holds a JSON null (Sigma `field: null`).
type IsNull struct{ Field Field }

// Match implements Matcher.
func (m *IsNull) Match(ev *event.Event) bool {
	present, hit := m.Field.lookup(ev, func(v event.Value) bool { return v.Kind() == event.Null })
	return !present || hit
}

// Keyword holds when any scalar leaf of the event satisfies the test (Sigma keyword search).
type Keyword struct{ Test ValueTest }

// Match implements Matcher.
func (m *Keyword) Match(ev *event.Event) bool {
	return ev.Leaves(func(v event.Value) bool { return m.Test.MatchValue(ev, v) })
}
