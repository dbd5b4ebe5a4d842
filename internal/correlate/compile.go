package correlate

import (
	"errors"
	"fmt"
	"time"

	"picket/internal/event"
	"picket/internal/rule/sigma"
)

// aggregation is what a correlation computes over a window.
type aggregation uint8

const (
	eventCount aggregation = iota
	valueCount
	valueSum
	valueAvg
	valuePercentile
	valueMedian
	temporal
	temporalOrdered
)

var aggregations = map[string]aggregation{
	"event_count": eventCount, "value_count": valueCount, "value_sum": valueSum,
	"value_avg": valueAvg, "value_percentile": valuePercentile, "value_median": valueMedian,
	"temporal": temporal, "temporal_ordered": temporalOrdered,
}

// numeric reports whether the aggregation works on the numeric values of a field.
func (a aggregation) numeric() bool {
	return a == valueSum || a == valueAvg || a == valuePercentile || a == valueMedian
}

// temporalKind reports whether the aggregation counts referenced rules.
func (a aggregation) temporalKind() bool { return a == temporal || a == temporalOrdered }

// corr is one compiled correlation rule with its running counters. The mutable fields are
// guarded by Engine.mu.
type corr struct {
	rule       *sigma.Rule
	agg        aggregation
	span       time.Duration
	lateness   time.Duration // Options.Lateness, or span when that is 0
	explicit   bool          // Options.Lateness was set
	cond       []sigma.Comparison
	percentile float64
	refIDs     []string         // ids of the referenced rules, in the order of `rules`
	hasChained bool             // some referenced rule is a correlation
	plans      map[string]*plan // by referenced rule id

	newest time.Time // newest accepted event time (the rule's watermark)
	swept  time.Time // watermark at the last sweep
	groups int
	stats  Stats

	seen   map[string]struct{} // scratch for value_count
	nums   []float64           // scratch for numeric aggregations
	ruleOK []bool              // scratch for temporal
}

// plan says where to read the group-by and condition fields in the events of one referenced rule.
type plan struct {
	groupBy []event.Path // one per group-by name, aliases resolved
	fields  []event.Path // condition fields, aliases resolved
}

// compile checks one correlation rule and prepares it for evaluation.
func compile(r *sigma.Rule, opts Options) (*corr, error) {
	c := r.Correlation
	if c == nil {
		return nil, errors.New("no correlation section")
	}
	agg, ok := aggregations[c.Type]
	if !ok {
		return nil, fmt.Errorf("unsupported correlation type %q", c.Type)
	}
	switch {
	case len(c.Refs) == 0 || len(c.Refs) != len(c.Rules):
		return nil, errors.New("referenced rules are not resolved")
	case c.Timespan <= 0:
		return nil, errors.New("timespan must be positive")
	case len(c.Condition) == 0 || len(c.Condition) > 2:
		return nil, fmt.Errorf("condition must hold one or two comparisons, not %d", len(c.Condition))
	case (agg == valueCount || agg.numeric()) && len(c.Field) == 0:
		return nil, fmt.Errorf("%s needs condition.field", c.Type)
	case agg == valuePercentile && (c.Percentile <= 0 || c.Percentile > 100):
		return nil, fmt.Errorf("percentile %v is not in (0, 100]", c.Percentile)
	}
	k := &corr{
		rule:       r,
		agg:        agg,
		span:       c.Timespan,
		lateness:   opts.Lateness,
		explicit:   opts.Lateness > 0,
		cond:       c.Condition,
		percentile: c.Percentile,
		plans:      map[string]*plan{},
		seen:       map[string]struct{}{},
		ruleOK:     make([]bool, len(c.Refs)),
	}
	if !k.explicit {
		k.lateness = c.Timespan
	}
	for i, ref := range c.Refs {
		k.refIDs = append(k.refIDs, ref.ID)
		k.hasChained = k.hasChained || ref.Kind == sigma.KindCorrelation
		if _, dup := k.plans[ref.ID]; dup {
			continue
		}
		p := &plan{}
		for _, g := range c.GroupBy {
			p.groupBy = append(p.groupBy, event.NewPath(aliasField(c, g, c.Rules[i], ref)))
		}
		for _, f := range c.Field {
			p.fields = append(p.fields, event.NewPath(aliasField(c, f, c.Rules[i], ref)))
		}
		k.plans[ref.ID] = p
	}
	return k, nil
}

// aliasField returns the field that name designates in the events of ref, written as `written`
// in the correlation's `rules`: the alias mapping for that rule when name is an alias, name itself
// otherwise (also for a rule the alias does not map).
func aliasField(c *sigma.Correlation, name, written string, ref *sigma.Rule) string {
	m, ok := c.Aliases[name]
	if !ok {
		return name
	}
	for _, k := range []string{written, ref.Name, ref.ID} {
		if f, ok := m[k]; ok && k != "" {
			return f
		}
	}
	return name
}

// holds reports whether every comparison of the condition holds for x.
func (c *corr) holds(x float64) bool {
	for _, cmp := range c.cond {
		if !cmp.Holds(x) {
			return false
		}
	}
	return true
}

// cutoff is the time at or before which an event can no longer share a window with an
// acceptable event: entries up to it are dropped, groups whose newest event is up to it expire.
func (c *corr) cutoff() time.Time { return c.newest.Add(-c.lateness - c.span) }

// accept reports whether an event at t is recent enough for the rule's watermark.
func (c *corr) accept(t time.Time) bool {
	if c.newest.IsZero() {
		return true
	}
	age := c.newest.Sub(t)
	if c.explicit {
		return age <= c.lateness
	}
	return age < c.span
}

// findCycle returns the ids along a cycle of correlation references, or nil. order lists the
// ids of corrs, so that the cycle reported is deterministic.
func findCycle(corrs map[string]*corr, order []string) []string {
	const (
		white = iota
		grey
		black
	)
	color := map[string]int{}
	var stack []string
	var visit func(id string) []string
	visit = func(id string) []string {
		color[id] = grey
		stack = append(stack, id)
		for _, ref := range corrs[id].rule.Correlation.Refs {
			if _, ok := corrs[ref.ID]; !ok {
				continue
			}
			switch color[ref.ID] {
			case grey:
				for i, s := range stack {
					if s == ref.ID {
						return append(append([]string(nil), stack[i:]...), ref.ID)
					}
				}
			case white:
				if cyc := visit(ref.ID); cyc != nil {
					return cyc
				}
			}
		}
		stack = stack[:len(stack)-1]
		color[id] = black
		return nil
	}
	for _, id := range order {
		if color[id] == white {
			if cyc := visit(id); cyc != nil {
				return cyc
			}
		}
	}
	return nil
}
