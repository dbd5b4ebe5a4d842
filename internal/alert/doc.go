// Package alert turns detections into alerts that people acknowledge and resolve.
//
// # Model
//
// A Detection is one (rule, event) match. Its ID is derived from the rule id and the event id
// (DetectionID), so a redelivered event, an overlapping poll or a second scan of the same file
// produces the same id, and the Repository stores each id once: ingestion is idempotent, also
// across restarts.
//
// Detections fold into an Alert by fingerprint: a hash of the rule id and the detection's
// group values (the values of the rule's group-by fields, Options.GroupBy; for a correlation,
// the hit's group). A detection at event time t folds into the alert with its fingerprint
// whose event-time span [FirstSeen, LastSeen] comes within Options.DedupWindow of t (boundary
// included), preferring an open or acknowledged alert, then the latest; otherwise it creates a
// new alert. Alerts are never merged. Folding into a resolved alert reopens it.
//
// A Silence suppresses notification of the alerts its matchers select while it is active; it
// never suppresses storage or folding. Silences need an author, a comment and an expiry.
//
// # Invariants
//
//   - A detection id is stored at most once; a duplicate changes nothing and is never due.
//   - Count is the number of detections folded in, and len(Evidence)+EvidenceOmitted == Count;
//     Evidence holds the earliest and the latest references by event time.
//   - FirstSeen <= LastSeen are the extremes of the folded event times, whatever the arrival
//     order.
//   - Status moves only along open → acknowledged → resolved, open → resolved, and resolved →
//     open (Reopen, or a new detection); every move and every change of silenced state is a
//     Change in History with actor and time. ResolvedAt is set exactly when resolved.
//   - Ingest returns an alert as due at most once per call, and only when it is open, not
//     silenced, and its NextNotify (set by MarkNotified through the RealertPolicy) has come.
//
// # Time
//
// Event time (Detection.EventTime) places detections in alerts: FirstSeen, LastSeen and the
// dedup window use it. Processing time (Options.Clock) drives everything else: re-alert,
// auto-resolution, silences, the history.
//
// # Storage
//
// The Manager holds no state; a Repository stores detections, alerts and silences. Backends
// satisfy Repository and run the conformance suite in package alerttest;
// MemoryRepository is the in-memory implementation.
package alert
