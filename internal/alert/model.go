package alert

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sort"
	"time"

	"picket/internal/correlate"
	"picket/internal/event"
	"picket/internal/rule"
)

// Detection is one (rule, event) match: the unit of evidence. It is stored once, keyed by ID.
type Detection struct {
	// ID is derived from RuleID and EventID (DetectionID), so the same match always has the same
	// id; the Manager sets it.
	ID string `json:"id"`
	// AlertID is the alert the detection was folded into; the Repository sets it when storing.
	AlertID string `json:"alert_id,omitempty"`
	// Fingerprint is the dedup key of the alert it folds into (see Fingerprint); the Manager
	// sets it.
	Fingerprint string `json:"fingerprint"`

	RuleID    string     `json:"rule_id"`
	RuleTitle string     `json:"rule_title"`
	Level     rule.Level `json:"level"`
	Tags      []string   `json:"tags,omitempty"`
	Author    string     `json:"author,omitempty"`
	// Kind is "detection" or "correlation" (sigma.Kind names).
	Kind string `json:"kind"`

	EventID   string          `json:"event_id"`
	EventTime time.Time       `json:"event_time"`
	Source    string          `json:"source,omitempty"`
	LogSource event.LogSource `json:"logsource"`
	// Account is the cloud account, project or subscription the event belongs to; the Manager
	// fills it from Options.AccountFields when empty.
	Account string `json:"account,omitempty"`
	// Raw is the event as compact JSON (a text event is a JSON string), kept as evidence.
	Raw json.RawMessage `json:"raw,omitempty"`

	// GroupValues are the values of the rule's group-by fields in the event (for a correlation,
	// the hit's group). The Manager extracts them from Raw when nil.
	GroupValues map[string]string `json:"group_values,omitempty"`
	// Correlation is set when the rule is a correlation rule.
	Correlation *Correlation `json:"correlation,omitempty"`

	// DetectedAt is when picket processed the match (processing time, not event time).
	DetectedAt time.Time `json:"detected_at"`
}

// Correlation describes the correlation hit behind a Detection.
type Correlation struct {
	Type    string               `json:"type,omitempty"`
	Group   map[string]string    `json:"group,omitempty"`
	Value   float64              `json:"value"`
	First   time.Time            `json:"first"`
	Last    time.Time            `json:"last"`
	Events  []correlate.EventRef `json:"events,omitempty"`
	Omitted int                  `json:"omitted,omitempty"`
}

// Status is the lifecycle state of an alert.
type Status string

// Alert statuses.
const (
	StatusOpen         Status = "open"
	StatusAcknowledged Status = "acknowledged"
	StatusResolved     Status = "resolved"
)

// Active reports whether the status is open or acknowledged: detections fold into such alerts.
func (s Status) Active() bool { return s == StatusOpen || s == StatusAcknowledged }

// Action names one kind of change in an alert's history.
type Action string

// History actions. Folding a detection into an alert is not an action: it is counted in
// Alert.Count and evidenced, so the history stays bounded.
const (
	ActionCreated      Action = "created"
	ActionAcknowledged Action = "acknowledged"
	ActionResolved     Action = "resolved"
	ActionReopened     Action = "reopened" // manually, or by a new detection
	ActionAutoResolved Action = "auto_resolved"
	ActionSilenced     Action = "silenced"   // a fold found the alert newly matched by silences
	ActionUnsilenced   Action = "unsilenced" // a fold found the alert no longer silenced
	ActionCommented    Action = "commented"
)

// SystemActor is the actor of changes made by picket itself.
const SystemActor = "picket"

// Change is one entry of an alert's audit trail: who did what, when.
type Change struct {
	At      time.Time `json:"at"`
	Actor   string    `json:"actor"`
	Action  Action    `json:"action"`
	Comment string    `json:"comment,omitempty"`
}

// EvidenceRef points at one detection folded into an alert.
type EvidenceRef struct {
	DetectionID string    `json:"detection_id"`
	EventID     string    `json:"event_id"`
	EventTime   time.Time `json:"event_time"`
	Source      string    `json:"source,omitempty"`
}

// Alert is a group of detections of one rule with the same group values, close in event time.
type Alert struct {
	ID          string `json:"id"`
	Fingerprint string `json:"fingerprint"`

	RuleID    string     `json:"rule_id"`
	RuleTitle string     `json:"rule_title"`
	Level     rule.Level `json:"level"`
	Tags      []string   `json:"tags,omitempty"`
	Kind      string     `json:"kind"` // "detection" or "correlation"
	// Source, LogSource and Account are those of the detection that created the alert.
	Source    string            `json:"source,omitempty"`
	LogSource event.LogSource   `json:"logsource"`
	Account   string            `json:"account,omitempty"`
	Group     map[string]string `json:"group,omitempty"`

	Status Status `json:"status"`
	// FirstSeen and LastSeen span the event times of the folded detections.
	FirstSeen time.Time `json:"first_seen"`
	LastSeen  time.Time `json:"last_seen"`
	// LastDetectedAt is the processing time of the latest folded detection; auto-resolution
	// counts quiet time from it.
	LastDetectedAt time.Time `json:"last_detected_at"`
	// Count is the number of detections folded in; len(Evidence)+EvidenceOmitted == Count.
	Count int `json:"count"`
	// Evidence holds the earliest and latest detections by event time (Options.MaxEvidence).
	Evidence        []EvidenceRef `json:"evidence,omitempty"`
	EvidenceOmitted int           `json:"evidence_omitted,omitempty"`

	// LastNotified is when a notification was last delivered (MarkNotified); zero if never.
	LastNotified time.Time `json:"last_notified,omitzero"`
	// Notifications counts delivered notifications since the alert was created or reopened.
	Notifications int `json:"notifications"`
	// NextNotify is the earliest time the alert may notify again (the re-alert policy); zero
	// means at once.
	NextNotify time.Time `json:"next_notify,omitzero"`
	// RealertStep is the exponent of the exponential re-alert policy.
	RealertStep int `json:"realert_step,omitempty"`

	// Silenced reports whether active silences match the alert; SilenceIDs lists them. The
	// Manager evaluates both against the current silences whenever it returns an alert.
	Silenced   bool     `json:"silenced"`
	SilenceIDs []string `json:"silence_ids,omitempty"`

	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
	ResolvedAt time.Time `json:"resolved_at,omitzero"`
	History    []Change  `json:"history"`
}

// Clone returns a deep copy of a.
func (a *Alert) Clone() *Alert {
	if a == nil {
		return nil
	}
	c := *a
	c.Tags = slices.Clone(a.Tags)
	c.Group = maps.Clone(a.Group)
	c.Evidence = slices.Clone(a.Evidence)
	c.SilenceIDs = slices.Clone(a.SilenceIDs)
	c.History = slices.Clone(a.History)
	return &c
}

// Clone returns a deep copy of d.
func (d *Detection) Clone() *Detection {
	c := *d
	c.Tags = slices.Clone(d.Tags)
	c.Raw = slices.Clone(d.Raw)
	c.GroupValues = maps.Clone(d.GroupValues)
	if d.Correlation != nil {
		cc := *d.Correlation
		cc.Group = maps.Clone(cc.Group)
		cc.Events = slices.Clone(cc.Events)
		c.Correlation = &cc
	}
	return &c
}

// record appends a change to the history.
func (a *Alert) record(at time.Time, actor string, action Action, comment string) {
	a.History = append(a.History, Change{At: at, Actor: actor, Action: action, Comment: comment})
	a.UpdatedAt = at
}

// addEvidence folds one detection's reference into the capped evidence list, which holds the
// head earliest and the tail latest references by event time: inserting in order and dropping
// the element at index head when over capacity keeps exactly those.
func (a *Alert) addEvidence(ref EvidenceRef, head, tail int) {
	i := sort.Search(len(a.Evidence), func(i int) bool { return evidenceLess(ref, a.Evidence[i]) })
	a.Evidence = slices.Insert(a.Evidence, i, ref)
	if len(a.Evidence) > head+tail {
		a.Evidence = slices.Delete(a.Evidence, head, head+1)
		a.EvidenceOmitted++
	}
}

func evidenceLess(x, y EvidenceRef) bool {
	if !x.EventTime.Equal(y.EventTime) {
		return x.EventTime.Before(y.EventTime)
	}
	return x.DetectionID < y.DetectionID
}

// DetectionID returns the stable id of the match of rule ruleID on event eventID.
func DetectionID(ruleID, eventID string) string {
	return hashParts(ruleID, eventID)
}

// Fingerprint returns the dedup key of an alert: a hash of the rule id and the group values in
// key order.
func Fingerprint(ruleID string, group map[string]string) string {
	parts := []string{ruleID}
	for _, k := range slices.Sorted(maps.Keys(group)) {
		parts = append(parts, k, group[k])
	}
	return hashParts(parts...)
}

// alertID derives a new alert's id from its fingerprint and first detection, so that a
// repository that retries a transaction computes the same id.
func alertID(fingerprint, detectionID string) string {
	return hashParts("alert", fingerprint, detectionID)
}

// hashParts hashes length-prefixed parts (so that no two part lists collide) to 32 hex digits.
func hashParts(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		fmt.Fprintf(h, "%d:%s", len(p), p)
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}
