package sigma

import (
	"fmt"
	"io"
	"strings"

	"picket/internal/event"
	"picket/internal/match"
)

// Explanation says why a detection rule did or did not match one event: the logsource check, each
// condition, each selection and each of its field tests with the values the event holds.
type Explanation struct {
	Rule          *Rule
	LogSource     event.LogSource // the event's
	LogSourceOK   bool
	Matched       bool // the whole rule, logsource included
	Conditions    []ConditionResult
	Selections    []SelectionResult
	FilterResults []SelectionResult // selections of applied meta filters
}

// ConditionResult is the outcome of one condition of the rule.
type ConditionResult struct {
	Text    string
	Matched bool
}

// SelectionResult is the outcome of one search identifier.
type SelectionResult struct {
	Name    string
	Matched bool
	Items   []ItemResult
}

// ItemResult is the outcome of one field test.
type ItemResult struct {
	Key     string
	Desc    string
	Group   int
	Matched bool
	Present bool     // the field exists in the event (always true for keyword searches)
	Values  []string // the values the event holds at the field (at most 5, shortened)
}

// maxShown bounds the values and their length in an explanation.
const (
	maxShownValues = 5
	maxShownLen    = 120
)

// Explain evaluates rule r on ev piece by piece. r must be a detection rule.
func Explain(r *Rule, ev *event.Event) Explanation {
	x := Explanation{Rule: r, LogSource: ev.LogSource, LogSourceOK: LogSourceMatches(r.LogSource, ev.LogSource)}
	if r.Detection == nil {
		return x
	}
	d := r.Detection
	x.Matched = x.LogSourceOK && d.Matcher.Match(ev)
	for i, c := range d.Conditions {
		x.Conditions = append(x.Conditions, ConditionResult{Text: c, Matched: compileConditionFor(d, i).Match(ev)})
	}
	x.Selections = explainSelections(d.Selections, ev)
	for _, f := range d.Filters {
		if f.Filter != nil && f.Filter.Detection != nil {
			x.FilterResults = append(x.FilterResults, explainSelections(f.Filter.Detection.Selections, ev)...)
		}
	}
	return x
}

func compileConditionFor(d *Detection, i int) match.Matcher {
	byName := make(map[string]match.Matcher, len(d.Selections))
	for _, s := range d.Selections {
		byName[s.Name] = s.Matcher
	}
	return compileCondition(d.Trees[i], byName)
}

func explainSelections(sels []*Selection, ev *event.Event) []SelectionResult {
	var out []SelectionResult
	for _, s := range sels {
		sr := SelectionResult{Name: s.Name, Matched: s.Matcher.Match(ev)}
		for _, it := range s.Items {
			ir := ItemResult{Key: it.Key, Desc: it.Desc, Group: it.Group, Matched: it.Matcher.Match(ev), Present: true}
			if it.Field != "" {
				ir.Present, ir.Values = values(it, ev)
			}
			sr.Items = append(sr.Items, ir)
		}
		out = append(out, sr)
	}
	return out
}

// values lists what the event holds at an item's field (first present candidate path).
func values(it Item, ev *event.Event) (bool, []string) {
	var out []string
	for _, p := range it.Ref.Paths {
		present, _ := ev.Lookup(p, func(v event.Value) bool {
			if len(out) == maxShownValues {
				out = append(out, "…")
				return true
			}
			s := v.Text()
			if v.Kind() == event.String {
				s = fmt.Sprintf("%q", s)
			}
			if r := []rune(s); len(r) > maxShownLen {
				s = string(r[:maxShownLen]) + "…"
			}
			out = append(out, s)
			return false
		})
		if present {
			return true, out
		}
	}
	return false, nil
}

// Summary is a one-line account: which selections matched and which did not.
func (x Explanation) Summary() string {
	if !x.LogSourceOK {
		return fmt.Sprintf("the event's logsource %s is not the rule's %s", x.LogSource, x.Rule.LogSource)
	}
	var hit, miss []string
	for _, s := range x.Selections {
		if s.Matched {
			hit = append(hit, s.Name)
		} else {
			miss = append(miss, s.Name)
		}
	}
	parts := []string{}
	if len(hit) > 0 {
		parts = append(parts, "matched "+strings.Join(hit, ", "))
	}
	if len(miss) > 0 {
		parts = append(parts, "did not match "+strings.Join(miss, ", "))
	}
	return strings.Join(parts, "; ")
}

// Write prints the explanation for people.
func (x Explanation) Write(w io.Writer) {
	verdict := "DOES NOT MATCH"
	if x.Matched {
		verdict = "MATCHES"
	}
	fmt.Fprintf(w, "rule %s %q: %s\n", x.Rule.ID, x.Rule.Title, verdict)
	mark := func(ok bool) string {
		if ok {
			return "✓"
		}
		return "✗"
	}
	fmt.Fprintf(w, "  %s logsource: event %s, rule %s\n", mark(x.LogSourceOK), x.LogSource, x.Rule.LogSource)
	for _, c := range x.Conditions {
		fmt.Fprintf(w, "  %s condition: %s\n", mark(c.Matched), c.Text)
	}
	writeSels := func(title string, sels []SelectionResult) {
		for _, s := range sels {
			fmt.Fprintf(w, "  %s %s %s\n", mark(s.Matched), title, s.Name)
			for _, it := range s.Items {
				got := "field absent"
				if it.Present {
					got = "event has " + strings.Join(it.Values, ", ")
					if len(it.Values) == 0 {
						got = "event has no value"
					}
				}
				if it.Key == "" {
					got = "searched in every value"
				}
				fmt.Fprintf(w, "      %s %s — %s\n", mark(it.Matched), it.Desc, got)
			}
		}
	}
	writeSels("selection", x.Selections)
	writeSels("filter", x.FilterResults)
}
