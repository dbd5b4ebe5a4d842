// Package pagerduty is picket's PagerDuty channel (Events API v2). Each alert of a notification
// becomes one event: "trigger" while firing, "acknowledge" when every alert of the notification
// is acknowledged, "resolve" when the notification is resolved. The dedup_key is the alert
// fingerprint, stable across notifications of one alert, so PagerDuty keeps one incident per
// alert and a retried event updates it rather than opening another.
//
// The routing key travels in the body; it never appears in errors.
package pagerduty

import (
	"context"
	_ "embed"
	"fmt"
	"text/template"
	"time"

	"picket/internal/alert"
	"picket/internal/notify"
	"picket/internal/notify/httpx"
	"picket/internal/rule"
)

//go:embed sample.yaml
var sample []byte

// Sample returns the commented sample configuration.
func Sample() []byte { return append([]byte(nil), sample...) }

const (
	defaultSummary = `[{{.Level | upper}}] {{.Title}}{{with (index .Alerts 0).Group}} ({{group .}}){{end}}`
	maxSummary     = 1024
)

// Notifier sends notifications to one PagerDuty integration. It is safe for concurrent use.
type Notifier struct {
	name    string
	cfg     Config
	key     string
	summary *template.Template
	sender  *httpx.Sender
}

// New validates c, resolves the routing key and returns the notifier of receiver name.
func New(name string, c Config, deps notify.Deps) (*Notifier, error) {
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("pagerduty receiver %q: %w", name, err)
	}
	key, err := resolveKey(c)
	if err != nil {
		return nil, fmt.Errorf("pagerduty receiver %q: %w", name, err)
	}
	t, err := c.template()
	if err != nil {
		return nil, fmt.Errorf("pagerduty receiver %q: %w", name, err)
	}
	s, err := httpx.NewSender(deps, false)
	if err != nil {
		return nil, fmt.Errorf("pagerduty receiver %q: %w", name, err)
	}
	return &Notifier{name: name, cfg: c, key: key, summary: t, sender: s}, nil
}

func (c Config) template() (*template.Template, error) {
	s := c.Summary
	if s == "" {
		s = defaultSummary
	}
	return httpx.ParseTemplate("summary", s, nil)
}

// Notify sends one event per alert of n, stopping at the first failure. Sending the events of
// a notification again is harmless: PagerDuty folds them by dedup_key. See notify.Notifier for
// the meaning of retry.
func (p *Notifier) Notify(ctx context.Context, n *notify.Notification) (retry bool, err error) {
	events, err := p.Events(n)
	if err != nil {
		return false, err
	}
	for i, body := range events {
		if retry, err := p.sender.PostJSON(ctx, p.cfg.URL, nil, body, p.key); err != nil {
			return retry, fmt.Errorf("sending event for alert %s: %w", n.Alerts[i].Fingerprint, err)
		}
	}
	return false, nil
}

// Action returns the event_action for the alerts of n.
func Action(n *notify.Notification) string {
	if n.Status == notify.StatusResolved {
		return "resolve"
	}
	for _, a := range n.Alerts {
		if a.Status != alert.StatusAcknowledged {
			return "trigger"
		}
	}
	if len(n.Alerts) == 0 {
		return "trigger"
	}
	return "acknowledge"
}

// Severity maps a picket level to a PagerDuty severity.
func Severity(l rule.Level) string {
	switch l {
	case rule.Critical:
		return "critical"
	case rule.High:
		return "error"
	case rule.Medium:
		return "warning"
	}
	return "info"
}

// Events renders the JSON events of n, one per alert.
func (p *Notifier) Events(n *notify.Notification) ([][]byte, error) {
	action := Action(n)
	out := make([][]byte, 0, len(n.Alerts))
	for i, a := range n.Alerts {
		e := event{RoutingKey: p.key, EventAction: action, DedupKey: a.Fingerprint}
		if action == "trigger" {
			summary, err := httpx.Execute(p.summary, httpx.AlertData(n, i))
			if err != nil {
				return nil, err
			}
			e.Client, e.ClientURL = p.cfg.Client, a.URL
			e.Payload = &payload{
				Summary:   httpx.Truncate(summary, maxSummary),
				Source:    firstNonEmpty(p.cfg.Source, a.Source, "picket"),
				Severity:  Severity(a.Level),
				Timestamp: a.LastSeen.UTC().Format(time.RFC3339),
				Component: a.LogSource.String(),
				Group:     a.Account,
				Class:     a.RuleID,
				Details:   details(n, a),
			}
			if a.URL != "" {
				e.Links = []link{{Href: a.URL, Text: "Open in picket"}}
			}
		}
		b, err := httpx.MarshalJSON(e)
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, nil
}

type event struct {
	RoutingKey  string   `json:"routing_key"`
	EventAction string   `json:"event_action"`
	DedupKey    string   `json:"dedup_key"`
	Client      string   `json:"client,omitempty"`
	ClientURL   string   `json:"client_url,omitempty"`
	Payload     *payload `json:"payload,omitempty"`
	Links       []link   `json:"links,omitempty"`
}

type payload struct {
	Summary   string         `json:"summary"`
	Source    string         `json:"source"`
	Severity  string         `json:"severity"`
	Timestamp string         `json:"timestamp,omitempty"`
	Component string         `json:"component,omitempty"`
	Group     string         `json:"group,omitempty"`
	Class     string         `json:"class,omitempty"`
	Details   map[string]any `json:"custom_details,omitempty"`
}

type link struct {
	Href string `json:"href"`
	Text string `json:"text"`
}

type evidence struct {
	ID     string            `json:"id"`
	Time   string            `json:"time"`
	Fields map[string]string `json:"fields"`
}

func details(n *notify.Notification, a notify.AlertView) map[string]any {
	d := map[string]any{
		"rule_id": a.RuleID, "rule_title": a.RuleTitle, "level": a.Level.String(), "status": string(a.Status),
		"count": a.Count, "first_seen": a.FirstSeen.UTC().Format(time.RFC3339),
		"last_seen": a.LastSeen.UTC().Format(time.RFC3339), "notification_id": n.ID,
	}
	if len(a.Tags) > 0 {
		d["tags"] = a.Tags
	}
	if len(a.Group) > 0 {
		d["group"] = a.Group
	}
	if a.Account != "" {
		d["account"] = a.Account
	}
	var ev []evidence
	for _, e := range a.Events {
		f := map[string]string{}
		for _, kv := range httpx.Evidence(e.Data, 6) {
			f[kv.Key] = kv.Value
		}
		ev = append(ev, evidence{ID: e.ID, Time: e.Time.UTC().Format(time.RFC3339), Fields: f})
	}
	if len(ev) > 0 {
		d["evidence"] = ev
	}
	if a.EventsOmitted > 0 {
		d["events_omitted"] = a.EventsOmitted
	}
	return d
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
