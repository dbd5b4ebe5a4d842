package console

import (
	"strings"

	"picket/internal/rule/sigma"
)

// Explanation says why a rule matched an event, as the alert page shows it: the conditions,
// each selection, and each field test with the values the event holds. The fields of matched
// tests in matched selections are highlighted in the evidence.
type Explanation struct {
	// Matched reports whether the whole rule matched the event.
	Matched bool
	// Summary is a one-line account, e.g. "matched selection; filter did not match".
	Summary    string
	Conditions []ExplainCondition
	Selections []ExplainSelection
}

// ExplainCondition is the outcome of one condition of the rule.
type ExplainCondition struct {
	Text    string
	Matched bool
}

// ExplainSelection is the outcome of one selection (search identifier) of the rule.
type ExplainSelection struct {
	Name    string
	Matched bool
	Items   []ExplainItem
}

// ExplainItem is the outcome of one field test of a selection.
type ExplainItem struct {
	// Field is the dotted event path the test reads ("userIdentity.arn"); "" for a keyword
	// search.
	Field string
	// Test describes the test, e.g. `eventName equals "StopLogging"`.
	Test    string
	Matched bool
	// Present reports whether the event has the field.
	Present bool
	// Values are the values the event holds at the field (shortened).
	Values []string
}

// MatchedFields returns the fields of the matched tests of matched selections, the fields to
// highlight in the evidence.
func (x *Explanation) MatchedFields() []string {
	if x == nil {
		return nil
	}
	var out []string
	for _, s := range x.Selections {
		if !s.Matched {
			continue
		}
		for _, it := range s.Items {
			if it.Matched && it.Field != "" {
				out = append(out, it.Field)
			}
		}
	}
	return out
}

// ExplanationFromSigma converts sigma.Explain's result for the console. An ExplainFunc built
// on it parses the raw event, finds the rule and calls sigma.Explain:
//
//	func(ctx context.Context, ruleID string, raw []byte) (*console.Explanation, error) {
//		r, ev, err := lookup(ruleID, raw) // the daemon's rule set and parser
//		if err != nil {
//			return nil, err
//		}
//		return console.ExplanationFromSigma(sigma.Explain(r, ev)), nil
//	}
//
// The field of a test is the Sigma field name before its modifiers (`eventName|startswith`
// reads eventName); with a field mapping that renames fields, highlighting follows the Sigma
// name.
func ExplanationFromSigma(x sigma.Explanation) *Explanation {
	out := &Explanation{Matched: x.Matched}
	if x.Rule != nil {
		out.Summary = x.Summary()
	}
	for _, c := range x.Conditions {
		out.Conditions = append(out.Conditions, ExplainCondition{Text: c.Text, Matched: c.Matched})
	}
	convert := func(rs []sigma.SelectionResult, prefix string) {
		for _, s := range rs {
			es := ExplainSelection{Name: prefix + s.Name, Matched: s.Matched}
			for _, it := range s.Items {
				field, _, _ := strings.Cut(it.Key, "|")
				es.Items = append(es.Items, ExplainItem{
					Field: field, Test: it.Desc, Matched: it.Matched, Present: it.Present,
					Values: append([]string(nil), it.Values...),
				})
			}
			out.Selections = append(out.Selections, es)
		}
	}
	convert(x.Selections, "")
	convert(x.FilterResults, "filter: ")
	return out
}
