package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"text/tabwriter"
	"time"
	"unicode/utf8"

	"picket/internal/correlate"
	"picket/internal/event"
	"picket/internal/rule/sigma"
)

// detectionWriter prints detections.
type detectionWriter interface {
	// Write prints one detection of rule r on ev, or, when hit is not nil, the correlation hit
	// that ev completed.
	Write(r *sigma.Rule, ev *event.Event, hit *correlate.Hit) error
	Close() error
}

var errWriteFailed = errors.New("output failed")

// Detection is one line of `scan --format jsonl`.
type Detection struct {
	RuleID     string          `json:"rule_id"`
	RuleTitle  string          `json:"rule_title"`
	Level      string          `json:"level"`
	Tags       []string        `json:"tags"`
	RuleAuthor string          `json:"rule_author,omitempty"`
	EventID    string          `json:"event_id"`
	EventTime  time.Time       `json:"event_time"`
	Source     string          `json:"source"`
	Line       int             `json:"line,omitempty"`
	LogSource  event.LogSource `json:"logsource"`
	Event      json.RawMessage `json:"event"`
	// Correlation is set for correlation rules: the group, the aggregated value and the
	// contributing events (Event is then the event that completed the correlation).
	Correlation *CorrelationHit `json:"correlation,omitempty"`
}

// CorrelationHit describes a correlation rule firing.
type CorrelationHit struct {
	Type    string               `json:"type"`
	Group   map[string]string    `json:"group,omitempty"`
	Value   float64              `json:"value"`
	First   time.Time            `json:"first"`
	Last    time.Time            `json:"last"`
	Events  []correlate.EventRef `json:"events"`
	Omitted int                  `json:"omitted,omitempty"`
}

// EventJSON returns the event as one line of valid JSON: a JSON record compacted (invalid UTF-8
// replaced), a text line as {"message": "..."}.
func EventJSON(ev *event.Event) json.RawMessage {
	raw := ev.Raw
	if !utf8.Valid(raw) {
		raw = bytes.ToValidUTF8(raw, []byte("\uFFFD"))
	}
	if ev.IsText() {
		b, _ := json.Marshal(map[string]string{event.MessageField: string(raw)})
		return b
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		b, _ := json.Marshal(map[string]string{event.MessageField: string(raw)})
		return b
	}
	return buf.Bytes()
}

type jsonlWriter struct {
	enc *json.Encoder
	err error
}

func newJSONLWriter(w io.Writer) *jsonlWriter {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return &jsonlWriter{enc: enc}
}

func (w *jsonlWriter) Write(r *sigma.Rule, ev *event.Event, hit *correlate.Hit) error {
	if w.err != nil {
		return errWriteFailed
	}
	tags := r.Tags
	if tags == nil {
		tags = []string{}
	}
	d := Detection{
		RuleID: r.ID, RuleTitle: r.Title, Level: r.Level.String(), Tags: tags, RuleAuthor: r.Author,
		EventID: ev.ID, EventTime: ev.Time, Source: ev.Source, Line: ev.Line, LogSource: ev.LogSource,
		Event: EventJSON(ev),
	}
	if hit != nil {
		d.EventID, d.EventTime = hit.ID, hit.Last
		d.Correlation = &CorrelationHit{Type: r.Correlation.Type, Group: hit.Group, Value: hit.Value, First: hit.First, Last: hit.Last, Events: hit.Events, Omitted: hit.Omitted}
	}
	w.err = w.enc.Encode(d)
	return w.err
}

func (w *jsonlWriter) Close() error { return w.err }

type tableWriter struct {
	tw   *tabwriter.Writer
	rows int
	err  error
}

func newTableWriter(w io.Writer) *tableWriter {
	t := &tableWriter{tw: tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)}
	fmt.Fprintln(t.tw, "TIME\tLEVEL\tRULE\tEVENT ID\tSOURCE")
	return t
}

func (t *tableWriter) Write(r *sigma.Rule, ev *event.Event, hit *correlate.Hit) error {
	if t.err != nil {
		return errWriteFailed
	}
	src := ev.Source
	if ev.Line > 0 {
		src = fmt.Sprintf("%s:%d", src, ev.Line)
	}
	when, id, title := ev.Time, ev.ID, r.Title
	if hit != nil {
		when = hit.Last
		title = fmt.Sprintf("%s (%s %g", truncate(r.Title, 50), r.Correlation.Type, hit.Value)
		for k, v := range hit.Group {
			title += fmt.Sprintf(", %s=%s", k, truncate(v, 40))
		}
		title = truncate(title+")", 90)
	} else {
		title = truncate(title, 70)
	}
	fmt.Fprintf(t.tw, "%s\t%s\t%s\t%s\t%s\n", when.Format(time.RFC3339), r.Level, title, id, src)
	t.rows++
	if t.rows%200 == 0 {
		t.err = t.tw.Flush()
	}
	return t.err
}

func (t *tableWriter) Close() error {
	if t.err != nil {
		return t.err
	}
	return t.tw.Flush()
}
