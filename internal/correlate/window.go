package correlate

import (
	"math"
	"slices"
	"sort"
	"time"

	"picket/internal/rule/sigma"
)

// Hit is one firing of a correlation rule.
type Hit struct {
	// ID identifies the hit: the rule id, a hash of the group and the hit's time span. A chained
	// correlation receives it as the event id of the hit.
	ID string
	// Rule is the correlation rule that fired.
	Rule *sigma.Rule
	// Group maps each group-by name of the rule (as written, aliases included) to the group's
	// value; nil when the rule has no group-by.
	Group map[string]string
	// Value is the aggregate that satisfied the condition: the event count, distinct value count,
	// sum, average, percentile or median, or for temporal types the number of referenced rules
	// matched (in order, for temporal_ordered).
	Value float64
	// First and Last span the event times of the contributing events.
	First, Last time.Time
	// Events are the contributing events in event-time order, at most Options.MaxHitEvents
	// (the earliest window entries); for a chained correlation, the events of the hits it
	// consumed. All the unfired events of the window contribute, also those that did not
	// advance the condition (for temporal_ordered, a second rule's match before the first's).
	Events []EventRef
	// Omitted counts the contributing events left out of Events.
	Omitted int
}

// EventRef points at one contributing event; the caller keeps the events themselves.
type EventRef struct {
	RuleID  string    `json:"rule_id"` // the detection rule the event matched
	EventID string    `json:"event_id"`
	Time    time.Time `json:"time"`
	Source  string    `json:"source,omitempty"`
}

// prune drops the entries at or before cut and reports whether it dropped any.
func (w *Window) prune(cut time.Time) bool {
	if len(w.Events) == 0 || w.Events[0].Time.After(cut) {
		return false
	}
	k := sort.Search(len(w.Events), func(i int) bool { return w.Events[i].Time.After(cut) })
	if k == 0 {
		return false
	}
	w.Events = slices.Delete(w.Events, 0, k)
	return true
}

// duplicate reports whether the window already holds en's event: same event id and time, and
// with byRule the same rule. Events without an id are never duplicates.
func (w *Window) duplicate(en *Entry, byRule bool) bool {
	if en.Event == "" {
		return false
	}
	i := sort.Search(len(w.Events), func(i int) bool { return !w.Events[i].Time.Before(en.Time) })
	for ; i < len(w.Events) && w.Events[i].Time.Equal(en.Time); i++ {
		if x := &w.Events[i]; x.Event == en.Event && (!byRule || x.Rule == en.Rule) {
			return true
		}
	}
	return false
}

// insert adds en after every entry at or before its time and returns its index.
func (w *Window) insert(en Entry) int {
	n := len(w.Events)
	if n == 0 || !w.Events[n-1].Time.After(en.Time) {
		w.Events = append(w.Events, en)
		return n
	}
	i := sort.Search(n, func(i int) bool { return w.Events[i].Time.After(en.Time) })
	w.Events = slices.Insert(w.Events, i, en)
	return i
}

// evaluate looks for a window that contains the entry at index i and satisfies the condition.
// The windows considered are those ending at an event time s with t <= s < t+span, where t is
// the entry's time (only the window ending at t for an in-order event), earliest first. On
// success it marks the window's entries fired and returns the hit.
func (c *corr) evaluate(w *Window, key string, i int, maxEvents int) (Hit, bool) {
	evs := w.Events
	limit := evs[i].Time.Add(c.span)
	for j := i; j < len(evs) && evs[j].Time.Before(limit); j++ {
		if j+1 < len(evs) && evs[j+1].Time.Equal(evs[j].Time) {
			continue // the window ends after the last entry of that time
		}
		start := evs[j].Time.Add(-c.span)
		lo := sort.Search(j+1, func(k int) bool { return evs[k].Time.After(start) })
		if v, ok := c.aggregate(evs[lo : j+1]); ok && c.holds(v) {
			return c.fire(w, key, lo, j, v, maxEvents), true
		}
	}
	return Hit{}, false
}

// aggregate computes the rule's aggregate over the unfired entries of evs; ok is false when
// there is nothing to aggregate (no numeric value for the numeric types).
func (c *corr) aggregate(evs []Entry) (v float64, ok bool) {
	switch c.agg {
	case eventCount:
		n := 0
		for i := range evs {
			if !evs[i].Fired {
				n++
			}
		}
		return float64(n), n > 0
	case valueCount:
		clear(c.seen)
		for i := range evs {
			if !evs[i].Fired {
				for _, x := range evs[i].Values {
					c.seen[x] = struct{}{}
				}
			}
		}
		return float64(len(c.seen)), len(c.seen) > 0
	case temporal:
		clear(c.ruleOK)
		n := 0
		for i := range evs {
			if evs[i].Fired {
				continue
			}
			for k, id := range c.refIDs {
				if id == evs[i].Rule && !c.ruleOK[k] {
					c.ruleOK[k] = true
					n++
					break
				}
			}
		}
		return float64(n), n > 0
	case temporalOrdered:
		// Greedy matching finds the longest prefix of `rules` that occurs in order.
		n := 0
		for i := range evs {
			if !evs[i].Fired && n < len(c.refIDs) && evs[i].Rule == c.refIDs[n] {
				n++
			}
		}
		return float64(n), n > 0
	}
	c.nums = c.nums[:0]
	for i := range evs {
		if !evs[i].Fired {
			c.nums = append(c.nums, evs[i].Numbers...)
		}
	}
	return numericAggregate(c.agg, c.nums, c.percentile)
}

// numericAggregate computes a numeric aggregation over xs (which it may reorder).
func numericAggregate(agg aggregation, xs []float64, percentile float64) (float64, bool) {
	n := len(xs)
	if n == 0 {
		return 0, false
	}
	switch agg {
	case valueSum, valueAvg:
		sum := 0.0
		for _, x := range xs {
			sum += x
		}
		if agg == valueAvg {
			return sum / float64(n), true
		}
		return sum, true
	case valuePercentile:
		slices.Sort(xs)
		rank := int(math.Ceil(percentile / 100 * float64(n))) // nearest-rank method
		return xs[max(rank, 1)-1], true
	default: // valueMedian
		slices.Sort(xs)
		if n%2 == 1 {
			return xs[n/2], true
		}
		return (xs[n/2-1] + xs[n/2]) / 2, true
	}
}

// fire builds the hit for entries lo..hi (inclusive) of w and marks them fired, dropping the
// data they no longer need.
func (c *corr) fire(w *Window, key string, lo, hi int, v float64, maxEvents int) Hit {
	h := Hit{Rule: c.rule, Value: v}
	if gb := c.rule.Correlation.GroupBy; len(gb) > 0 {
		h.Group = make(map[string]string, len(gb))
		for i, name := range gb {
			h.Group[name] = w.Group[i]
		}
	}
	n := 0
	for i := lo; i <= hi; i++ {
		if !w.Events[i].Fired {
			n += max(1, len(w.Events[i].Refs))
		}
	}
	h.Events = make([]EventRef, 0, min(n, maxEvents))
	add := func(r EventRef) {
		if len(h.Events) < maxEvents {
			h.Events = append(h.Events, r)
		} else {
			h.Omitted++
		}
	}
	seen := false
	for i := lo; i <= hi; i++ {
		en := &w.Events[i]
		if en.Fired {
			continue
		}
		first := en.Time
		if len(en.Refs) > 0 && en.Refs[0].Time.Before(first) {
			first = en.Refs[0].Time
		}
		if !seen || first.Before(h.First) {
			h.First, seen = first, true
		}
		h.Last = en.Time
		if len(en.Refs) > 0 {
			for _, r := range en.Refs {
				add(r)
			}
			h.Omitted += en.Omitted
		} else {
			add(EventRef{RuleID: en.Rule, EventID: en.Event, Time: en.Time, Source: en.Source})
		}
		en.Fired, en.Values, en.Numbers, en.Refs, en.Omitted = true, nil, nil, nil, 0
	}
	if c.hasChained {
		// A chained hit's events sit at the hit's Last time: restore event-time order.
		slices.SortStableFunc(h.Events, func(a, b EventRef) int { return a.Time.Compare(b.Time) })
	}
	h.ID = hitID(c.rule.ID, key, h.First, h.Last)
	c.stats.Hits++
	return h
}
