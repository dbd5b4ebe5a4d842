package alert

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"picket/internal/correlate"
	"picket/internal/event"
	"picket/internal/rule/sigma"
)

// NewDetection returns the detection of rule r on event ev, processed at now. The raw event is
// copied (compacted when JSON; a text event becomes a JSON string). Group values and account are
// filled by Manager.Ingest.
func NewDetection(r *sigma.Rule, ev *event.Event, now time.Time) Detection {
	d := Detection{
		RuleID:     r.ID,
		RuleTitle:  r.Title,
		Level:      r.Level,
		Tags:       slices.Clone(r.Tags),
		Author:     r.Author,
		Kind:       r.Kind.String(),
		EventID:    strings.Clone(ev.ID),
		EventTime:  ev.Time,
		Source:     ev.Source,
		LogSource:  ev.LogSource,
		Raw:        rawJSON(ev),
		DetectedAt: now,
	}
	d.ID = DetectionID(d.RuleID, d.EventID)
	return d
}

// rawJSON returns the event's raw record as compact JSON.
func rawJSON(ev *event.Event) json.RawMessage {
	if !ev.IsText() {
		var b bytes.Buffer
		if json.Compact(&b, ev.Raw) == nil {
			return b.Bytes()
		}
	}
	b, _ := json.Marshal(string(ev.Raw)) // a string always marshals
	return b
}

// HitDetection returns the detection of a correlation hit, processed at now: its event is the
// hit (id Hit.ID, time Hit.Last), its group values the hit's group, and its evidence the
// contributing event references.
func HitDetection(h *correlate.Hit, now time.Time) Detection {
	r := h.Rule
	d := Detection{
		RuleID:      r.ID,
		RuleTitle:   r.Title,
		Level:       r.Level,
		Tags:        slices.Clone(r.Tags),
		Author:      r.Author,
		Kind:        r.Kind.String(),
		EventID:     h.ID,
		EventTime:   h.Last,
		GroupValues: cloneGroup(h.Group),
		Correlation: &Correlation{
			Group:   cloneGroup(h.Group),
			Value:   h.Value,
			First:   h.First,
			Last:    h.Last,
			Events:  slices.Clone(h.Events),
			Omitted: h.Omitted,
		},
		DetectedAt: now,
	}
	if r.Correlation != nil {
		d.Correlation.Type = r.Correlation.Type
	}
	if len(h.Events) > 0 {
		d.Source = h.Events[len(h.Events)-1].Source
	}
	d.ID = DetectionID(d.RuleID, d.EventID)
	return d
}

// cloneGroup copies a group, making it non-nil so that Ingest does not extract values again.
func cloneGroup(g map[string]string) map[string]string {
	c := make(map[string]string, len(g))
	for k, v := range g {
		c[k] = v
	}
	return c
}

// prepare validates d and fills what the Manager derives: ID, kind, group values, account,
// fingerprint, processing time.
func (m *Manager) prepare(d *Detection) error {
	if d.RuleID == "" || d.EventID == "" {
		return fmt.Errorf("detection of rule %q on event %q: rule id and event id are required: %w", d.RuleID, d.EventID, ErrInvalid)
	}
	d.ID = DetectionID(d.RuleID, d.EventID)
	if d.Kind == "" {
		d.Kind = sigma.KindDetection.String()
	}
	correlation := d.Kind == sigma.KindCorrelation.String()
	var ev *event.Event
	if d.GroupValues == nil {
		if fields, ok := lookup(m.opts.GroupBy, d.RuleID, correlation); ok && len(fields) > 0 {
			ev = event.New(d.Raw)
			d.GroupValues = make(map[string]string, len(fields))
			for _, f := range fields {
				d.GroupValues[f] = fieldText(ev, f)
			}
		}
	}
	if d.Account == "" && len(d.Raw) > 0 && !correlation {
		if ev == nil {
			ev = event.New(d.Raw)
		}
		for _, f := range m.opts.AccountFields {
			if d.Account = fieldText(ev, f); d.Account != "" {
				break
			}
		}
	}
	d.Fingerprint = Fingerprint(d.RuleID, d.GroupValues)
	if d.DetectedAt.IsZero() {
		d.DetectedAt = m.opts.Clock()
	}
	return nil
}

// fieldText returns the values of a field as text, several (an array) joined by commas; "" when
// the field is absent or null.
func fieldText(ev *event.Event, path string) string {
	var vals []string
	ev.Lookup(event.NewPath(path), func(v event.Value) bool {
		if v.Kind() != event.Null {
			vals = append(vals, strings.Clone(v.Text()))
		}
		return false
	})
	return strings.Join(vals, ",")
}
