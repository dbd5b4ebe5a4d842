package email

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"maps"
	"slices"
	"strings"
	texttemplate "text/template"
	"time"
	"unicode/utf8"

	"picket/internal/alert"
	"picket/internal/notify"
)

//go:embed templates
var templateFS embed.FS

// Evidence shown per alert: events, fields per event and characters per value.
const (
	maxEvidenceEvents = 3
	maxEvidenceFields = 8
	maxValueRunes     = 160
	maxSubjectRunes   = 200
)

// preferredFields are evidence fields shown first when an event has them: who did what, where.
var preferredFields = [...]string{
	"eventName", "eventSource", "userIdentity.arn", "sourceIPAddress", "awsRegion", "errorCode",
	"recipientAccountId",
	"protoPayload.methodName", "protoPayload.serviceName", "protoPayload.authenticationInfo.principalEmail",
	"protoPayload.requestMetadata.callerIp",
	"operationName", "caller", "callerIpAddress", "resourceId",
}

// templates are a receiver's parsed templates; they are safe for concurrent use.
type templates struct {
	subject *texttemplate.Template
	text    *texttemplate.Template
	html    *htmltemplate.Template
}

func funcs() map[string]any {
	return map[string]any{
		"upper": strings.ToUpper,
		"join":  strings.Join,
		"add":   func(a, b int) int { return a + b },
	}
}

// parseTemplates parses the configured templates, falling back to the embedded defaults.
func parseTemplates(c Config) (*templates, error) {
	src := func(override, file string) (string, error) {
		if override != "" {
			return override, nil
		}
		b, err := templateFS.ReadFile("templates/" + file)
		return string(b), err
	}
	var errs []error
	var t templates
	if s, err := src(c.Subject, "subject.tmpl"); err != nil {
		errs = append(errs, err)
	} else if t.subject, err = texttemplate.New("subject").Funcs(funcs()).Option("missingkey=zero").Parse(s); err != nil {
		errs = append(errs, fmt.Errorf("subject template: %w", err))
	}
	if s, err := src(c.Text, "text.tmpl"); err != nil {
		errs = append(errs, err)
	} else if t.text, err = texttemplate.New("text").Funcs(funcs()).Option("missingkey=zero").Parse(s); err != nil {
		errs = append(errs, fmt.Errorf("text template: %w", err))
	}
	if s, err := src(c.HTML, "html.tmpl"); err != nil {
		errs = append(errs, err)
	} else if t.html, err = htmltemplate.New("html").Funcs(funcs()).Option("missingkey=zero").Parse(s); err != nil {
		errs = append(errs, fmt.Errorf("html template: %w", err))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return &t, nil
}

// Data is what the templates see.
type Data struct {
	// Notification is the notification as the dispatcher passed it.
	Notification *notify.Notification
	Receiver     string
	Status       string // "firing" or "resolved"
	ID           string // the notification id
	GroupLabels  []KV   // the group_by values, sorted by key
	// Alerts are the first Digest.MaxAlerts alerts; AlertsOmitted counts the others.
	Alerts        []AlertData
	AlertsOmitted int
	Total         int // all alerts of the notification
	Active        int // alerts open or acknowledged
	Resolved      int // alerts resolved
}

// AlertData is one alert as the templates see it.
type AlertData struct {
	ID, Fingerprint      string
	Title, RuleID, Level string
	Status, Kind         string
	Source, Account      string
	Tags                 []string
	Group                []KV
	Count                int
	FirstSeen, LastSeen  string // RFC 3339, UTC
	URL                  string
	Events               []EventData
	EventsOmitted        int // evidence events not shown
}

// EventData is one evidence event with a few of its fields.
type EventData struct {
	ID, Time, Source string
	Fields           []KV
}

// KV is a name and a value.
type KV struct{ Key, Value string }

// newData builds the template data of n.
func newData(n *notify.Notification, maxAlerts int) Data {
	d := Data{
		Notification: n,
		Receiver:     n.Receiver,
		Status:       string(n.Status),
		ID:           n.ID,
		GroupLabels:  sortedKV(n.GroupLabels),
		Total:        len(n.Alerts),
	}
	for i := range n.Alerts {
		a := &n.Alerts[i]
		if a.Status == alert.StatusResolved {
			d.Resolved++
		} else {
			d.Active++
		}
		if i >= maxAlerts {
			d.AlertsOmitted++
			continue
		}
		d.Alerts = append(d.Alerts, newAlertData(a))
	}
	return d
}

func newAlertData(a *notify.AlertView) AlertData {
	ad := AlertData{
		ID:            a.ID,
		Fingerprint:   a.Fingerprint,
		Title:         a.RuleTitle,
		RuleID:        a.RuleID,
		Level:         a.Level.String(),
		Status:        string(a.Status),
		Kind:          a.Kind,
		Source:        a.Source,
		Account:       a.Account,
		Tags:          a.Tags,
		Group:         sortedKV(a.Group),
		Count:         a.Count,
		FirstSeen:     formatTime(a.FirstSeen),
		LastSeen:      formatTime(a.LastSeen),
		URL:           a.URL,
		EventsOmitted: a.EventsOmitted,
	}
	if ad.Title == "" {
		ad.Title = a.RuleID
	}
	for i, ev := range a.Events {
		if i >= maxEvidenceEvents {
			ad.EventsOmitted += len(a.Events) - i
			break
		}
		ad.Events = append(ad.Events, EventData{
			ID:     ev.ID,
			Time:   formatTime(ev.Time),
			Source: ev.Source,
			Fields: evidenceFields(ev.Data),
		})
	}
	return ad
}

func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func sortedKV(m map[string]string) []KV {
	kvs := make([]KV, 0, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		kvs = append(kvs, KV{k, m[k]})
	}
	return kvs
}

// evidenceFields picks up to maxEvidenceFields scalar fields of a raw event: the preferred
// fields first, then the others by path.
func evidenceFields(raw json.RawMessage) []KV {
	if len(raw) == 0 {
		return nil
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return []KV{{"raw", truncate(string(raw))}}
	}
	flat := map[string]string{}
	flatten("", v, flat)
	var out []KV
	for _, k := range preferredFields {
		if val, ok := flat[k]; ok && len(out) < maxEvidenceFields {
			out = append(out, KV{k, val})
			delete(flat, k)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(flat)) {
		if len(out) >= maxEvidenceFields {
			break
		}
		out = append(out, KV{k, flat[k]})
	}
	return out
}

func flatten(prefix string, v any, out map[string]string) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			p := k
			if prefix != "" {
				p = prefix + "." + k
			}
			flatten(p, e, out)
		}
	case []any:
		for i, e := range x {
			flatten(fmt.Sprintf("%s[%d]", prefix, i), e, out)
		}
	case nil:
	case string:
		out[prefix] = truncate(x)
	default:
		b, _ := json.Marshal(x)
		out[prefix] = truncate(string(b))
	}
}

func truncate(s string) string {
	if utf8.RuneCountInString(s) <= maxValueRunes {
		return s
	}
	r := []rune(s)
	return string(r[:maxValueRunes-1]) + "…"
}

// rendered is one notification's email content.
type rendered struct {
	Subject, Text, HTML string
}

func (t *templates) render(d Data) (rendered, error) {
	var r rendered
	var b bytes.Buffer
	if err := t.subject.Execute(&b, d); err != nil {
		return r, fmt.Errorf("subject template: %w", err)
	}
	r.Subject = oneLine(b.String())
	b.Reset()
	if err := t.text.Execute(&b, d); err != nil {
		return r, fmt.Errorf("text template: %w", err)
	}
	r.Text = b.String()
	b.Reset()
	if err := t.html.Execute(&b, d); err != nil {
		return r, fmt.Errorf("html template: %w", err)
	}
	r.HTML = b.String()
	return r, nil
}

// oneLine makes a subject a single trimmed line of bounded length.
func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) > maxSubjectRunes {
		s = string([]rune(s)[:maxSubjectRunes-1]) + "…"
	}
	return s
}
