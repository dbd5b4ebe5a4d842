// Package teams is picket's Microsoft Teams channel: it posts each notification to a Power
// Automate workflow webhook as a message with one Adaptive Card (version 1.4): a title coloured
// by level, a fact set (status, level, counts, group values), the rendered text with key
// evidence, and an "Open in picket" button.
//
// Workflow webhooks take no idempotency key: a retry after a lost response posts again. The
// webhook URL is a secret and never appears in errors.
package teams

import (
	"context"
	_ "embed"
	"fmt"
	"maps"
	"slices"
	"text/template"

	"picket/internal/notify"
	"picket/internal/notify/httpx"
)

//go:embed sample.yaml
var sample []byte

// Sample returns the commented sample configuration.
func Sample() []byte { return append([]byte(nil), sample...) }

const defaultText = `{{with .Summary}}` + "```" + `{{"\n"}}{{.}}{{"\n"}}` + "```" + `{{"\n\n"}}{{end}}{{range .Alerts}}**{{.RuleTitle}}** · {{.Level}} · {{.Status}}{{"\n\n"}}` +
	`{{.Count}} detection{{if ne .Count 1}}s{{end}}, {{time .FirstSeen}} → {{time .LastSeen}}{{with group .Group}} · {{.}}{{end}}{{"\n\n"}}` +
	`{{range .Events}}- {{range $i, $f := evidence .}}{{if $i}}, {{end}}{{$f.Key}}: {{$f.Value}}{{end}}{{"\n"}}{{end}}` +
	`{{if .EventsOmitted}}- and {{.EventsOmitted}} more{{"\n"}}{{end}}{{if .URL}}[Open]({{.URL}}){{end}}{{"\n\n"}}{{end}}`

// Notifier posts notifications to one Teams workflow webhook. It is safe for concurrent use.
type Notifier struct {
	name        string
	url         string
	title, text *template.Template
	sender      *httpx.Sender
}

// New validates c, resolves the webhook URL and returns the notifier of receiver name.
func New(name string, c Config, deps notify.Deps) (*Notifier, error) {
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("teams receiver %q: %w", name, err)
	}
	u, err := httpx.ResolveURL("webhook_url", c.WebhookURL, c.WebhookURLFile)
	if err != nil {
		return nil, fmt.Errorf("teams receiver %q: %w", name, err)
	}
	title, text, err := c.templates()
	if err != nil {
		return nil, fmt.Errorf("teams receiver %q: %w", name, err)
	}
	s, err := httpx.NewSender(deps, false)
	if err != nil {
		return nil, fmt.Errorf("teams receiver %q: %w", name, err)
	}
	return &Notifier{name: name, url: u, title: title, text: text, sender: s}, nil
}

func (c Config) templates() (title, text *template.Template, err error) {
	if title, err = httpx.ParseTemplateOr("title", c.Title, httpx.DefaultTitle, nil); err != nil {
		return nil, nil, err
	}
	text, err = httpx.ParseTemplateOr("text", c.Text, defaultText, nil)
	return title, text, err
}

// Notify posts n. See notify.Notifier for the meaning of retry.
func (tm *Notifier) Notify(ctx context.Context, n *notify.Notification) (retry bool, err error) {
	body, err := tm.Payload(n)
	if err != nil {
		return false, err
	}
	return tm.sender.PostJSON(ctx, tm.url, nil, body, tm.url)
}

// Payload renders the JSON message of n.
func (tm *Notifier) Payload(n *notify.Notification) ([]byte, error) {
	d := httpx.NewData(n)
	title, err := httpx.Execute(tm.title, d)
	if err != nil {
		return nil, err
	}
	text, err := httpx.Execute(tm.text, d)
	if err != nil {
		return nil, err
	}
	facts := []fact{
		{"Status", d.Status}, {"Level", d.Level},
		{"Alerts", fmt.Sprint(len(n.Alerts))}, {"Detections", fmt.Sprint(d.Count)},
	}
	for _, k := range slices.Sorted(maps.Keys(n.GroupLabels)) {
		facts = append(facts, fact{k, n.GroupLabels[k]})
	}
	card := adaptiveCard{
		Schema: "http://adaptivecards.io/schemas/adaptive-card.json", Type: "AdaptiveCard", Version: "1.4",
		Body: []element{
			{Type: "TextBlock", Text: title, Size: "Large", Weight: "Bolder", Color: color(d), Wrap: true},
			{Type: "FactSet", Facts: facts},
			{Type: "TextBlock", Text: text, Wrap: true},
		},
		MSTeams: map[string]string{"width": "Full"},
	}
	if d.URL != "" {
		card.Actions = []action{{Type: "Action.OpenUrl", Title: "Open in picket", URL: d.URL}}
	}
	return httpx.MarshalJSON(message{Type: "message", Attachments: []attachment{{
		ContentType: "application/vnd.microsoft.card.adaptive", Content: card,
	}}})
}

// color returns the Adaptive Card text colour of the title.
func color(d *httpx.Data) string {
	if d.Status == string(notify.StatusResolved) {
		return "Good"
	}
	switch d.Level {
	case "critical", "high":
		return "Attention"
	case "medium":
		return "Warning"
	}
	return "Accent"
}

type message struct {
	Type        string       `json:"type"`
	Attachments []attachment `json:"attachments"`
}

type attachment struct {
	ContentType string       `json:"contentType"`
	ContentURL  *string      `json:"contentUrl"`
	Content     adaptiveCard `json:"content"`
}

type adaptiveCard struct {
	Schema  string            `json:"$schema"`
	Type    string            `json:"type"`
	Version string            `json:"version"`
	Body    []element         `json:"body"`
	Actions []action          `json:"actions,omitempty"`
	MSTeams map[string]string `json:"msteams,omitempty"`
}

type element struct {
	Type   string `json:"type"`
	Text   string `json:"text,omitempty"`
	Size   string `json:"size,omitempty"`
	Weight string `json:"weight,omitempty"`
	Color  string `json:"color,omitempty"`
	Wrap   bool   `json:"wrap,omitempty"`
	Facts  []fact `json:"facts,omitempty"`
}

type fact struct {
	Title string `json:"title"`
	Value string `json:"value"`
}

type action struct {
	Type  string `json:"type"`
	Title string `json:"title"`
	URL   string `json:"url"`
}
