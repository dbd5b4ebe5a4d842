package sigma

import (
	"time"

	"picket/internal/event"
	"picket/internal/match"
	"picket/internal/rule"
	"picket/internal/rule/sigma/condition"
)

// Kind says which of Sigma's three document types a rule is.
type Kind uint8

// Document kinds.
const (
	KindDetection Kind = iota
	KindCorrelation
	KindFilter
)

// String names the kind.
func (k Kind) String() string {
	return [...]string{"detection", "correlation", "filter"}[k]
}

// Rule is one loaded and compiled Sigma document.
type Rule struct {
	rule.Meta
	Kind       Kind
	LogSource  event.LogSource
	Definition string // logsource.definition, free text
	Origin     rule.Origin

	// Detection rules.
	Detection *Detection
	// Correlation rules.
	Correlation *Correlation
	// Filter documents.
	Filter *Filter

	// Disabled rules are loaded (and listed) but not evaluated.
	Disabled bool

	// Generate is false for a detection rule referenced by a correlation whose `generate` is false:
	// its matches feed the correlation but do not alert on their own.
	Generate bool
}

// Detection is the compiled detection section of a rule.
type Detection struct {
	// Selections in document order, each compiled to a matcher.
	Selections []*Selection
	// Conditions as written (a YAML list of conditions is ORed).
	Conditions []string
	// Parsed and resolved conditions, one per entry of Conditions.
	Trees []condition.Node
	// Filters applied to the rule (Sigma meta filters), ANDed to the condition.
	Filters []*Rule
	// Matcher is the whole rule: the ORed conditions over the selections, and the filters.
	Matcher match.Matcher
}

// Selection is one named search identifier of a detection.
type Selection struct {
	Name      string
	Line, Col int
	Matcher   match.Matcher
	// Items describe each field test for explanations, in document order (may be nested: a list
	// of maps is an OR of ANDs).
	Items []Item
}

// Item is one `field|modifiers: values` entry of a selection, compiled.
type Item struct {
	Key       string      // as written, e.g. `eventName|startswith`
	Field     string      // "" for keyword searches
	Ref       match.Field // where the field is looked up (zero for keyword searches)
	Group     int         // index of the map within a list-of-maps selection (0 otherwise)
	Line, Col int
	Matcher   match.Matcher
	Desc      string // what the item tests, e.g. `eventName equals "StopLogging"`
}

// Correlation is a parsed correlation rule (Sigma correlation specification).
type Correlation struct {
	Type       string   // event_count, value_count, temporal, temporal_ordered, value_sum, value_avg, value_percentile, value_median
	Rules      []string // referenced rule ids or names, as written
	Refs       []*Rule  // resolved references, in the order of Rules
	GroupBy    []string
	Timespan   time.Duration
	Condition  []Comparison // one, or two for a range; for temporal types the default is gte len(Rules)
	Field      []string     // value_* types: the field(s) aggregated
	Percentile float64      // value_percentile
	Aliases    map[string]map[string]string
	Generate   bool
}

// Comparison is one operator of a correlation condition.
type Comparison struct {
	Op    string // gt, gte, lt, lte, eq, neq
	Value float64
}

// Holds reports whether x satisfies the comparison.
func (c Comparison) Holds(x float64) bool {
	switch c.Op {
	case "gt":
		return x > c.Value
	case "gte":
		return x >= c.Value
	case "lt":
		return x < c.Value
	case "lte":
		return x <= c.Value
	case "eq":
		return x == c.Value
	case "neq":
		return x != c.Value
	}
	return false
}

// Filter is a Sigma meta filter: an exclusion applied to the rules it names.
type Filter struct {
	Rules     []string // ids or names; empty with Any
	Any       bool     // `rules: any`
	Detection *Detection
}
