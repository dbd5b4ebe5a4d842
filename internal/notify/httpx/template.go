package httpx

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"text/template"
	"time"
	"unicode/utf8"

	"picket/internal/notify"
	"picket/internal/rule"
)

// Data is what notification templates render: the notification's fields plus summaries of its
// alerts. Channels that send one message per alert (PagerDuty, Opsgenie) render Data built from
// a notification holding only that alert (AlertData).
type Data struct {
	ID          string
	Receiver    string
	Status      string // "firing" or "resolved"
	GroupLabels map[string]string
	Alerts      []notify.AlertView
	// Title is the rule title of the most severe alert (the first one on a tie).
	Title string
	// Level is the highest level among the alerts.
	Level string
	// Count is the number of detections across the alerts.
	Count int
	// URL is the console link of the first alert.
	URL string
	// Summary is a digest's plain-text summary ("" otherwise).
	Summary string
}

// NewData summarises n for templates.
func NewData(n *notify.Notification) *Data {
	d := &Data{ID: n.ID, Receiver: n.Receiver, Status: string(n.Status), GroupLabels: n.GroupLabels, Alerts: n.Alerts, Summary: n.Summary}
	var lvl rule.Level
	d.Title = "no alerts"
	for i, a := range n.Alerts {
		if i == 0 || a.Level > lvl {
			lvl, d.Title = a.Level, a.RuleTitle
		}
		d.Count += a.Count
		if d.URL == "" {
			d.URL = a.URL
		}
	}
	d.Level = lvl.String()
	return d
}

// AlertData summarises alert i of n alone.
func AlertData(n *notify.Notification, i int) *Data {
	one := *n
	one.Alerts = n.Alerts[i : i+1]
	return NewData(&one)
}

// Field is one key evidence field of an event.
type Field struct{ Key, Value string }

// Funcs are the functions templates may call:
//
//	upper, lower, join SEP LIST, truncate N S (in runes), time T (RFC 3339 UTC),
//	group MAP ("k=v, k=v" in key order), evidence EVENT ([]Field: the key fields of the raw event).
func Funcs() template.FuncMap {
	return template.FuncMap{
		"upper":    strings.ToUpper,
		"lower":    strings.ToLower,
		"join":     func(sep string, l []string) string { return strings.Join(l, sep) },
		"truncate": func(n int, s string) string { return Truncate(s, n) },
		"time":     func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
		"group":    GroupString,
		"evidence": func(ev notify.Event) []Field { return Evidence(ev.Data, 6) },
	}
}

// DefaultTitle is the default one-line title template of the chat and paging channels.
const DefaultTitle = `{{if eq .Status "resolved"}}Resolved: {{else}}[{{.Level | upper}}] {{end}}{{.Title}}` +
	`{{if gt (len .Alerts) 1}} ({{len .Alerts}} alerts){{end}}`

// ParseTemplate parses a notification template with Funcs and the channel's extra functions;
// missing map keys render empty.
// ParseTemplateOr parses text, or def when text is empty (a receiver's override of a default).
func ParseTemplateOr(name, text, def string, extra template.FuncMap) (*template.Template, error) {
	if text == "" {
		text = def
	}
	return ParseTemplate(name, text, extra)
}

func ParseTemplate(name, text string, extra template.FuncMap) (*template.Template, error) {
	t, err := template.New(name).Funcs(Funcs()).Funcs(extra).Option("missingkey=zero").Parse(text)
	if err != nil {
		return nil, fmt.Errorf("parsing %s template: %w", name, err)
	}
	return t, nil
}

// Execute renders t with data, trimmed of surrounding space.
func Execute(t *template.Template, data *Data) (string, error) {
	var b strings.Builder
	if err := t.Execute(&b, data); err != nil {
		return "", fmt.Errorf("rendering %s template: %w", t.Name(), err)
	}
	s := strings.TrimSpace(b.String())
	if s == "" {
		return "", fmt.Errorf("rendering %s template: %w", t.Name(), errNoTemplate)
	}
	return s, nil
}

// Truncate shortens s to at most n runes, ending with "…" when cut.
func Truncate(s string, n int) string {
	if n <= 0 || utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// GroupString renders group values as "k=v, k=v" in key order.
func GroupString(m map[string]string) string {
	parts := make([]string, 0, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, k+"="+m[k])
	}
	return strings.Join(parts, ", ")
}

// keyPaths are the event fields worth showing first, across the supported log formats
// (CloudTrail, GCP audit logs, Azure activity logs, VPC flow logs).
func keyPaths() []string {
	return []string{
		"eventName", "eventSource", "userIdentity.arn", "sourceIPAddress", "awsRegion", "errorCode",
		"protoPayload.methodName", "protoPayload.authenticationInfo.principalEmail",
		"protoPayload.requestMetadata.callerIp", "operationName", "caller", "callerIpAddress",
		"resourceId", "srcaddr", "dstaddr", "action",
	}
}

// Evidence returns up to max key fields of a raw JSON event: the well-known fields present, or
// else its first top-level scalar fields in key order. It returns nil for non-object data.
func Evidence(raw json.RawMessage, limit int) []Field {
	var obj map[string]any
	if json.Unmarshal(raw, &obj) != nil || obj == nil {
		return nil
	}
	var out []Field
	for _, p := range keyPaths() {
		if v, ok := lookup(obj, p); ok {
			out = append(out, Field{p, v})
			if len(out) == limit {
				return out
			}
		}
	}
	if len(out) > 0 {
		return out
	}
	for _, k := range slices.Sorted(maps.Keys(obj)) {
		if v, ok := scalar(obj[k]); ok {
			out = append(out, Field{k, v})
			if len(out) == limit {
				break
			}
		}
	}
	return out
}

func lookup(obj map[string]any, path string) (string, bool) {
	var cur any = obj
	for part := range strings.SplitSeq(path, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return "", false
		}
		if cur, ok = m[part]; !ok {
			return "", false
		}
	}
	return scalar(cur)
}

func scalar(v any) (string, bool) {
	switch v := v.(type) {
	case string:
		return v, v != ""
	case float64, bool:
		return fmt.Sprint(v), true
	}
	return "", false
}
