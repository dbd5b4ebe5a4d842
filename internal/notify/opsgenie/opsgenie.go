// Package opsgenie is picket's Opsgenie channel (Alert API v2). Each alert of a notification
// maps to one Opsgenie alert whose alias is the alert fingerprint, so that Opsgenie folds
// repeated and retried creations into one alert: firing creates (POST /v2/alerts), a
// notification whose alerts are all acknowledged acknowledges, and a resolved one closes
// (POST /v2/alerts/{alias}/close?identifierType=alias). Priority P1–P5 follows the level.
//
// The API key travels as "Authorization: GenieKey <key>"; it never appears in errors.
package opsgenie

import (
	"context"
	_ "embed"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
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
	defaultMessage     = `[{{.Level | upper}}] {{.Title}}`
	defaultDescription = `{{range .Alerts}}{{.RuleTitle}} ({{.Level}}, rule {{.RuleID}})
{{.Count}} detection{{if ne .Count 1}}s{{end}} from {{time .FirstSeen}} to {{time .LastSeen}}{{with group .Group}}
Group: {{.}}{{end}}
{{range .Events}}
Event {{.ID}} at {{time .Time}}:{{range evidence .}}
  {{.Key}}: {{.Value}}{{end}}
{{end}}{{if .EventsOmitted}}
… and {{.EventsOmitted}} more events{{end}}{{if .URL}}
{{.URL}}{{end}}{{end}}`

	maxMessage     = 130
	maxDescription = 15000
	maxTags        = 20
	maxTag         = 50
)

// Notifier sends notifications to one Opsgenie API integration. It is safe for concurrent use.
type Notifier struct {
	name          string
	cfg           Config
	base          string
	auth          string
	key           string
	message, desc *template.Template
	sender        *httpx.Sender
}

// New validates c, resolves the API key and returns the notifier of receiver name.
func New(name string, c Config, deps notify.Deps) (*Notifier, error) {
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("opsgenie receiver %q: %w", name, err)
	}
	key, err := resolveKey(c)
	if err != nil {
		return nil, fmt.Errorf("opsgenie receiver %q: %w", name, err)
	}
	msg, desc, err := c.templates()
	if err != nil {
		return nil, fmt.Errorf("opsgenie receiver %q: %w", name, err)
	}
	s, err := httpx.NewSender(deps, false)
	if err != nil {
		return nil, fmt.Errorf("opsgenie receiver %q: %w", name, err)
	}
	return &Notifier{
		name: name, cfg: c, base: strings.TrimSuffix(c.baseURL(), "/"), auth: "GenieKey " + key, key: key,
		message: msg, desc: desc, sender: s,
	}, nil
}

func (c Config) templates() (msg, desc *template.Template, err error) {
	if msg, err = httpx.ParseTemplateOr("message", c.Message, defaultMessage, nil); err != nil {
		return nil, nil, err
	}
	desc, err = httpx.ParseTemplateOr("description", c.Description, defaultDescription, nil)
	return msg, desc, err
}

// Request is one Opsgenie API call.
type Request struct {
	Path string // with the query
	Body []byte
}

// Requests renders the API calls for n, one per alert.
func (o *Notifier) Requests(n *notify.Notification) ([]Request, error) {
	op := operation(n)
	out := make([]Request, 0, len(n.Alerts))
	for i, a := range n.Alerts {
		var (
			path string
			body any
		)
		switch op {
		case "create":
			c, err := o.create(n, i)
			if err != nil {
				return nil, err
			}
			path, body = "/v2/alerts", c
		default: // close, acknowledge
			path = "/v2/alerts/" + url.PathEscape(a.Fingerprint) + "/" + op + "?identifierType=alias"
			body = actionBody{Source: "picket", User: "picket", Note: fmt.Sprintf("picket notification %s: %s", n.ID, a.Status)}
		}
		b, err := httpx.MarshalJSON(body)
		if err != nil {
			return nil, err
		}
		out = append(out, Request{Path: path, Body: b})
	}
	return out, nil
}

// Notify sends one call per alert of n, stopping at the first failure. See notify.Notifier for
// the meaning of retry.
func (o *Notifier) Notify(ctx context.Context, n *notify.Notification) (retry bool, err error) {
	reqs, err := o.Requests(n)
	if err != nil {
		return false, err
	}
	h := http.Header{"Authorization": {o.auth}}
	for i, r := range reqs {
		if retry, err := o.sender.PostJSON(ctx, o.base+r.Path, h, r.Body, o.key); err != nil {
			return retry, fmt.Errorf("%s alert %s: %w", operation(n), n.Alerts[i].Fingerprint, err)
		}
	}
	return false, nil
}

// operation returns the API operation for the alerts of n: create, acknowledge or close.
func operation(n *notify.Notification) string {
	if n.Status == notify.StatusResolved {
		return "close"
	}
	if len(n.Alerts) == 0 {
		return "create"
	}
	for _, a := range n.Alerts {
		if a.Status != alert.StatusAcknowledged {
			return "create"
		}
	}
	return "acknowledge"
}

// Priority maps a picket level to an Opsgenie priority.
func Priority(l rule.Level) string {
	switch l {
	case rule.Critical:
		return "P1"
	case rule.High:
		return "P2"
	case rule.Medium:
		return "P3"
	case rule.Low:
		return "P4"
	case rule.Informational:
		return "P5"
	}
	return "P3"
}

type createBody struct {
	Message     string            `json:"message"`
	Alias       string            `json:"alias"`
	Description string            `json:"description,omitempty"`
	Tags        []string          `json:"tags,omitempty"`
	Details     map[string]string `json:"details,omitempty"`
	Entity      string            `json:"entity,omitempty"`
	Source      string            `json:"source"`
	Priority    string            `json:"priority"`
	User        string            `json:"user"`
	Note        string            `json:"note,omitempty"`
}

type actionBody struct {
	Source string `json:"source"`
	User   string `json:"user"`
	Note   string `json:"note"`
}

func (o *Notifier) create(n *notify.Notification, i int) (createBody, error) {
	a := n.Alerts[i]
	d := httpx.AlertData(n, i)
	msg, err := httpx.Execute(o.message, d)
	if err != nil {
		return createBody{}, err
	}
	desc, err := httpx.Execute(o.desc, d)
	if err != nil {
		return createBody{}, err
	}
	details := map[string]string{
		"rule_id": a.RuleID, "level": a.Level.String(), "status": string(a.Status),
		"count": fmt.Sprint(a.Count), "first_seen": a.FirstSeen.UTC().Format(time.RFC3339),
		"last_seen": a.LastSeen.UTC().Format(time.RFC3339), "notification_id": n.ID,
		"source": a.Source, "logsource": a.LogSource.String(),
	}
	if a.URL != "" {
		details["url"] = a.URL
	}
	if a.Account != "" {
		details["account"] = a.Account
	}
	for _, k := range slices.Sorted(maps.Keys(a.Group)) {
		details["group."+k] = a.Group[k]
	}
	return createBody{
		Message: httpx.Truncate(msg, maxMessage), Alias: a.Fingerprint,
		Description: httpx.Truncate(desc, maxDescription), Tags: o.tags(a), Details: details,
		Entity: a.Account, Source: "picket", Priority: Priority(a.Level), User: "picket",
		Note: "picket notification " + n.ID,
	}, nil
}

// tags returns the alert's tags: level, rule tags, then configured tags, unique, capped.
func (o *Notifier) tags(a notify.AlertView) []string {
	var out []string
	seen := map[string]bool{}
	for _, t := range slices.Concat([]string{a.Level.String()}, a.Tags, o.cfg.Tags) {
		t = httpx.Truncate(t, maxTag)
		if t == "" || seen[t] || len(out) == maxTags {
			continue
		}
		seen[t] = true
		out = append(out, t)
	}
	return out
}
