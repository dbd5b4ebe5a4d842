// Package route decides who is notified about which alerts, and when: the routing tree,
// inhibition, time intervals and aggregation groups, with Prometheus Alertmanager's semantics
// applied to picket's alert fields instead of labels. It does no I/O: the caller feeds alert
// changes to a Grouper, writes the Intents it flushes to the outbox (with the Grouper's State,
// in the same transaction), and the dispatcher in package notify delivers them.
//
// # Routing
//
// A Config holds the root Route, the InhibitRules and the named TimeIntervals. Validate checks
// it at load time and reports every problem, each with its place
// ("route.routes[1].routes[0]: unknown receiver \"x\"").
//
// A route matches an alert when all its conditions hold: match (equality with one of the
// values), match_re (an RE2 expression anchored at both ends) and matchers (field=value,
// field!=value, field=~re, field!~re; the operators and semantics of silence matchers in
// package alert). Fields are those of Field: rule_id, rule_title, level, tag(s), kind,
// source, logsource(.product/.service/.category), account (alias project, subscription),
// status, id, fingerprint and group.<name>. For tags, a positive condition holds when some
// tag satisfies it, a negative one when none does; a missing group value is "".
//
// Route.Match walks the tree depth-first: the root takes every alert; in a matching route the
// children are tried in order, and the first that matches takes the alert unless it has
// continue, in which case the following siblings are tried too; a matching route none of whose
// children match takes the alert itself. Receiver, group_by and the three durations are
// inherited from the parent when unset (durations: zero), with root defaults 30s, 5m, 4h.
// Explain gives the same walk step by step for `picket routes test`.
//
// # Grouping and timing
//
// A Grouper puts each alert in one group per route that takes it: the route's path plus the
// values of its group_by fields ("..." alone: every field, hence one group per alert; an
// explicit empty list: one group for the route). A group is evaluated group_wait after it
// appears, then every group_interval. At an evaluation it notifies when it never did and has
// firing alerts (ReasonNew); when an alert fires that the last notification did not announce,
// or an alert was added as due (ReasonChanged); when every announced alert has resolved
// (ReasonResolved); when the receiver wants resolved notifications (Options.SendResolved) and
// an announced alert resolved (ReasonChanged); otherwise when repeat_interval has passed since
// the last notification (ReasonRepeat). Silenced alerts (alert.Silenced) and inhibited alerts
// are never announced. A route inside one of its mute_time_intervals, or outside all its
// active_time_intervals, sends nothing and keeps its state until the next evaluation outside.
// The state is plain data (State), so the store can persist it: Snapshot and Restore.
//
// Every Intent carries an idempotency key (NotificationID) derived from the receiver, the
// group key, the status and each alert's (id, status, count): re-deriving the same
// notification after a crash gives the same key.
//
// # Where picket differs from Alertmanager
//
//   - Fields, not labels; tags are multi-valued. match and match_re are kept beside matchers
//     (Alertmanager deprecated them); in Go the match map is Route.MatchEqual.
//   - A zero duration means "inherit": there is no explicit group_wait of 0.
//   - group_by may not contain status: an alert keeps its group when it resolves.
//   - mute_time_intervals and active_time_intervals are not inherited and not allowed on the
//     root, as in Alertmanager; several time_intervals entries with the same name form one
//     interval (their union), where Alertmanager nests a list under one name.
//   - Acknowledged alerts are firing (they are announced and inhibit others), but a group
//     whose firing alerts are all acknowledged is not repeated.
//   - Resolved alerts are announced only by groups that announced them firing, and only to
//     receivers with send_resolved; a receiver without it gets no resolved notification.
//   - A muted group keeps its resolved alerts for after the mute (Alertmanager drops them).
//   - Alertmanager flushes a new group at once when its alert is older than group_wait;
//     picket always waits, and relies on Restore to keep timing across restarts.
//   - Alertmanager's notification log decides repeats per receiver integration; here the
//     group decides, and the outbox deduplicates by Intent.ID. A repeat announces the same
//     content as the notification it repeats, so its id also covers that notification's time.
//   - Inhibition: any active alert the Grouper knows (silenced or not) can be a source; an
//     alert never inhibits itself (same id), even when it matches both sides.
package route
