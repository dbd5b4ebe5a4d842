// Package correlate evaluates Sigma correlation rules (SIGMA.md §5) over the stream of
// detections, in event time, with sliding windows.
//
// The caller runs the detection rules (package detect) and passes every match of a rule that
// feeds a correlation to Engine.Observe, which returns the correlation hits the match completes.
// Engine.Inputs lists the rules that feed correlations.
//
// # Groups
//
// Each correlation rule keeps one window per group: the values of its group-by fields in the
// event. A group-by name that is an alias (`aliases`) reads, in the events of each referenced
// rule, the field the alias maps for that rule (looked up by the name or id written in `rules`,
// then by the rule's name and id); for a rule the alias does not map, the field named like the
// alias. Condition fields resolve through aliases the same way. A rule without group-by has one
// global group.
//
// An event lacking a group-by field (absent, or null) does not take part in the correlation and
// is counted as Ungrouped. This is what SIEM group-by clauses do (Splunk `stats … by` drops such
// events) and it keeps unrelated events from pooling in an empty-valued group. A group-by field
// holding an array puts the event in the group of each of its values, as `stats … by` does on a
// multivalue field; the cross product of several such fields is capped at 16 groups per event.
//
// # Windows
//
// Windows slide in event time (Event.Time), `timespan` wide: the window ending at time s holds
// the events with times in (s − timespan, s], so an event exactly timespan older than another
// never shares a window with it. When an event at time t arrives, the engine considers the
// windows ending at t and at each later event time s < t + timespan (there are none when events
// arrive in order), earliest first, and fires on the first whose condition holds. An
// out-of-order event is thus inserted in time order and counted in every window it belongs to.
//
// Each correlation rule has a watermark: the newest event time it has accepted. With
// Options.Lateness set, an event more than Lateness older than the watermark is dropped and
// counted as Late; with Lateness 0, an event is accepted while it is younger than the timespan
// relative to the watermark (it can still share a window with the newest event). The watermark
// is per rule, not per engine, so a fast source does not make a slow source's events late for
// unrelated rules; a rule fed by several sources with different delays needs a Lateness that
// covers the slowest. Retention follows: an event at or before watermark − lateness − timespan
// can no longer share a window with an acceptable event, so it is dropped from its window, and
// a group whose newest event is that old is deleted (counted as Expired).
//
// # Aggregations
//
// Over the unfired events of a window:
//   - event_count: the number of events matching any referenced rule. An event matching several
//     referenced rules counts once (the union the backends' `rule1 OR rule2 | count` computes).
//   - value_count: the number of distinct values of condition.field; several fields count
//     distinct tuples. Array values count each element.
//   - value_sum, value_avg, value_median, value_percentile: over the numeric values of the
//     field (JSON numbers, and strings that parse as finite numbers; other values are ignored;
//     several fields are pooled). The median of an even count is the mean of the two middle
//     values; the percentile uses the nearest-rank method (the ⌈p/100·n⌉-th smallest value).
//   - temporal: the number of distinct referenced rules matched, in any order.
//   - temporal_ordered: the length of the longest prefix of `rules` matched in that order (by
//     event time; ties in arrival order), found greedily.
//
// For the value_* types, an event without a usable value of the field does not take part (it is
// counted as NoValue). The temporal types default to the condition `gte: <number of rules>`
// (the loader sets it), so that "all rules matched" is the default.
//
// # Conditions and firing
//
// The condition holds when all its comparisons hold (a range has two). It is evaluated each time
// an event is added, for every kind of comparison: `lt`/`lte`/`eq` therefore fire as soon as the
// window satisfies them after an event arrives (for example "fewer than 3" fires on the first
// event), not when a window closes; evaluating at window close would need a clock that this
// package, driven by events only, does not have.
//
// When the condition holds, the engine emits one Hit with the window's events and marks them
// fired: they no longer count, so the group's window is reset and the next hit needs a new set
// of events (the common SIEM suppression). Fired events stay in the window, without their
// values, only until they age out, so that a redelivered event is still recognised.
//
// # Duplicates
//
// An event already in its window (same event id and event time; for the temporal types also the
// same rule) is ignored and counted as Duplicate, so redelivery (at-least-once sources) does not
// count twice. Events without an id are never deduplicated.
//
// # Chained correlations
//
// A correlation may reference correlations. The hits of the inner correlation are its input
// events: Hit.ID is the event id, Hit.Last the event time, and the hit's group values are the
// only fields (the outer group-by names must therefore be group-by names of the inner rule, as
// the specification's examples do). The outer hit's Events are the events of the inner hits
// consumed. New rejects reference cycles. Observe returns inner and outer hits; whether an inner
// hit alerts is the caller's choice (sigma.Rule.Generate).
//
// # Memory and state
//
// Windows live in a State, keyed by correlation rule id and group, as plain JSON-encodable data
// (Window, Entry), so that a persistent implementation can replace the in-memory one (Memory).
// Per rule, at most Options.MaxGroups groups are held: when a new group would exceed the bound,
// expired groups are deleted and then the groups whose newest event is oldest are evicted
// (counted as Evicted). Expiry sweeps run when the watermark has advanced by lateness + timespan
// since the last one, and on such overflow; each lists the rule's groups once (State.Range), so
// their cost is amortised over many events.
//
// Evaluation scans the window of the group an event joins: its cost is linear in the number of
// events the window holds (value_percentile and value_median also sort them).
package correlate
