package match

import (
	"fmt"
	"strconv"
	"strings"

	"picket/internal/event"
	"picket/internal/pattern"
)

// Text tests the value's text with a string pattern: strings by content, numbers and booleans by
// their literal text, objects and arrays by their compact JSON. Nulls never match.
type Text struct {
	P    pattern.Matcher
	Desc string
}

// MatchValue implements ValueTest.
func (t *Text) MatchValue(_ *event.Event, v event.Value) bool {
	if v.Kind() == event.Null {
		return false
	}
	return t.P.MatchString(v.Text())
}

func (t *Text) String() string { return t.Desc }

// Number tests numeric equality or order. A JSON number compares by value. For equality a string
// compares by its text with the rule's decimal text (Sigma: a rule number matches "4624"); for
// order comparisons a numeric string is parsed. Other kinds never match.
type Number struct {
	N    pattern.NumberMatcher
	Text string // the rule value as written, for equality with strings
}

// MatchValue implements ValueTest.
func (t *Number) MatchValue(_ *event.Event, v event.Value) bool {
	switch v.Kind() {
	case event.Number:
		f, ok := v.Float()
		return ok && t.N.MatchNumber(f)
	case event.String:
		if t.N.Op == pattern.Eq {
			return strings.EqualFold(v.Text(), t.Text)
		}
		return t.N.MatchString(v.Text())
	}
	return false
}

func (t *Number) String() string {
	ops := map[pattern.Op]string{pattern.Eq: "equals", pattern.Gt: ">", pattern.Gte: ">=", pattern.Lt: "<", pattern.Lte: "<="}
	return fmt.Sprintf("%s %s", ops[t.N.Op], strconv.FormatFloat(t.N.Value, 'g', -1, 64))
}

// Bool tests a boolean rule value: a JSON boolean by value, a string by its text.
type Bool struct{ Want bool }

// MatchValue implements ValueTest.
func (t *Bool) MatchValue(_ *event.Event, v event.Value) bool {
	switch v.Kind() {
	case event.Bool, event.String:
		return strings.EqualFold(v.Text(), strconv.FormatBool(t.Want))
	}
	return false
}

func (t *Bool) String() string { return "is " + strconv.FormatBool(t.Want) }

// TimePart extracts a part of a timestamp value (Sigma time modifiers) and compares it.
type TimePart struct {
	Part pattern.TimePart
	Name string
	N    pattern.NumberMatcher
}

// MatchValue implements ValueTest.
func (t *TimePart) MatchValue(_ *event.Event, v event.Value) bool {
	if k := v.Kind(); k != event.String && k != event.Number {
		return false
	}
	n, ok := pattern.ExtractTimePart(t.Part, v.Text())
	return ok && t.N.MatchNumber(float64(n))
}

func (t *TimePart) String() string {
	return t.Name + " " + (&Number{N: t.N}).String()
}

// FieldRefMode says how a value compares with the referenced field's value.
type FieldRefMode uint8

// Field reference comparisons.
const (
	RefEqual FieldRefMode = iota
	RefContains
	RefPrefix
	RefSuffix
)

// FieldRef compares the value with the values of another field of the same event (Sigma fieldref).
type FieldRef struct {
	Ref   Field
	Mode  FieldRefMode
	Cased bool
}

// MatchValue implements ValueTest.
func (t *FieldRef) MatchValue(ev *event.Event, v event.Value) bool {
	if v.Kind() == event.Null {
		return false
	}
	a := v.Text()
	if !t.Cased {
		a = strings.ToLower(a)
	}
	_, hit := t.Ref.lookup(ev, func(r event.Value) bool {
		if r.Kind() == event.Null {
			return false
		}
		b := r.Text()
		if !t.Cased {
			b = strings.ToLower(b)
		}
		switch t.Mode {
		case RefContains:
			return strings.Contains(a, b)
		case RefPrefix:
			return strings.HasPrefix(a, b)
		case RefSuffix:
			return strings.HasSuffix(a, b)
		default:
			return a == b
		}
	})
	return hit
}

func (t *FieldRef) String() string {
	verb := [...]string{"equals", "contains", "starts with", "ends with"}[t.Mode]
	return fmt.Sprintf("%s the value of field %s", verb, t.Ref.Name)
}

// AnyTest holds when any of its tests holds for the value.
type AnyTest []ValueTest

// MatchValue implements ValueTest.
func (a AnyTest) MatchValue(ev *event.Event, v event.Value) bool {
	for _, t := range a {
		if t.MatchValue(ev, v) {
			return true
		}
	}
	return false
}

func (a AnyTest) String() string {
	parts := make([]string, len(a))
	for i, t := range a {
		parts[i] = t.String()
	}
	return strings.Join(parts, " or ")
}
