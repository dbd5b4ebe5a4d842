// Package slack is picket's Slack channel: it posts each notification to an incoming webhook
// as Block Kit blocks (a header with an emoji by level, then, in an attachment coloured by
// level, fields, the rendered text with key evidence, and a context line linking the console)
// with a plain fallback text for notifications and clients without blocks.
//
// Incoming webhooks have no idempotency key: a retry after a lost response posts the message
// again. The webhook URL is a secret and never appears in errors.
package slack

import (
	"context"
	_ "embed"
	"fmt"
	"maps"
	"slices"
	"strings"
	"text/template"

	"picket/internal/notify"
	"picket/internal/notify/httpx"
)

//go:embed sample.yaml
var sample []byte

// Sample returns the commented sample configuration.
func Sample() []byte { return append([]byte(nil), sample...) }

// defaultText is the body of the message, in Slack mrkdwn.
const defaultText = `{{with .Summary}}` + "```" + `{{esc .}}` + "```" + `{{"\n"}}{{end}}{{range .Alerts}}{{if .URL}}*<{{.URL}}|{{esc .RuleTitle}}>*{{else}}*{{esc .RuleTitle}}*{{end}} · {{.Level}} · {{.Status}}
{{.Count}} detection{{if ne .Count 1}}s{{end}}, {{time .FirstSeen}} → {{time .LastSeen}}{{with group .Group}}
{{esc .}}{{end}}
{{range .Events}}• {{range $i, $f := evidence .}}{{if $i}}, {{end}}{{$f.Key}}=` + "`{{esc $f.Value}}`" + `{{end}}
{{end}}{{if .EventsOmitted}}_and {{.EventsOmitted}} more event{{if ne .EventsOmitted 1}}s{{end}}_
{{end}}
{{end}}`

// Slack limits: header text 150 characters, section text 3000, ten fields per section.
const (
	maxHeader  = 150
	maxSection = 3000
	maxFields  = 10
	maxField   = 2000
)

// Notifier posts notifications to one Slack incoming webhook. It is safe for concurrent use.
type Notifier struct {
	name        string
	url         string
	cfg         Config
	title, text *template.Template
	sender      *httpx.Sender
}

// New validates c, resolves the webhook URL and returns the notifier of receiver name.
func New(name string, c Config, deps notify.Deps) (*Notifier, error) {
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("slack receiver %q: %w", name, err)
	}
	u, err := httpx.ResolveURL("webhook_url", c.WebhookURL, c.WebhookURLFile)
	if err != nil {
		return nil, fmt.Errorf("slack receiver %q: %w", name, err)
	}
	title, text, err := c.templates()
	if err != nil {
		return nil, fmt.Errorf("slack receiver %q: %w", name, err)
	}
	s, err := httpx.NewSender(deps, false)
	if err != nil {
		return nil, fmt.Errorf("slack receiver %q: %w", name, err)
	}
	return &Notifier{name: name, url: u, cfg: c, title: title, text: text, sender: s}, nil
}

func (c Config) templates() (title, text *template.Template, err error) {
	extra := template.FuncMap{"esc": Escape}
	if title, err = httpx.ParseTemplateOr("title", c.Title, httpx.DefaultTitle, extra); err != nil {
		return nil, nil, err
	}
	text, err = httpx.ParseTemplateOr("text", c.Text, defaultText, extra)
	return title, text, err
}

// Notify posts n. See notify.Notifier for the meaning of retry.
func (s *Notifier) Notify(ctx context.Context, n *notify.Notification) (retry bool, err error) {
	body, err := s.Payload(n)
	if err != nil {
		return false, err
	}
	return s.sender.PostJSON(ctx, s.url, nil, body, s.url)
}

// Payload renders the JSON message of n.
func (s *Notifier) Payload(n *notify.Notification) ([]byte, error) {
	d := httpx.NewData(n)
	title, err := httpx.Execute(s.title, d)
	if err != nil {
		return nil, err
	}
	text, err := httpx.Execute(s.text, d)
	if err != nil {
		return nil, err
	}
	emoji, color := style(d)
	fields := []textObj{
		mrkdwn("*Status*\n" + d.Status),
		mrkdwn("*Level*\n" + orDash(d.Level)),
		mrkdwn(fmt.Sprintf("*Alerts*\n%d", len(n.Alerts))),
		mrkdwn(fmt.Sprintf("*Detections*\n%d", d.Count)),
	}
	for _, kv := range sortedLabels(n.GroupLabels) {
		if len(fields) == maxFields {
			break
		}
		fields = append(fields, mrkdwn(httpx.Truncate("*"+Escape(kv[0])+"*\n"+Escape(kv[1]), maxField)))
	}
	ctxText := "receiver " + Escape(n.Receiver)
	if d.URL != "" {
		ctxText = "<" + d.URL + "|Open in picket> · " + ctxText
	}
	m := message{
		Text:      httpx.Truncate(emoji+" "+title, maxSection),
		Channel:   s.cfg.Channel,
		Username:  s.cfg.Username,
		IconEmoji: s.cfg.IconEmoji,
		Blocks:    []block{{Type: "header", Text: &textObj{Type: "plain_text", Text: httpx.Truncate(emoji+" "+title, maxHeader), Emoji: true}}},
		Attachments: []attachment{{
			Color: color,
			Blocks: []block{
				{Type: "section", Fields: fields},
				{Type: "section", Text: ptr(mrkdwn(httpx.Truncate(text, maxSection)))},
				{Type: "context", Elements: []textObj{mrkdwn(ctxText)}},
			},
		}},
	}
	return httpx.MarshalJSON(m)
}

// Escape escapes the characters Slack mrkdwn treats as markup (&, <, >).
func Escape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// style returns the header emoji and attachment colour of a notification.
func style(d *httpx.Data) (emoji, color string) {
	if d.Status == string(notify.StatusResolved) {
		return ":white_check_mark:", "#2EB67D"
	}
	switch d.Level {
	case "critical":
		return ":rotating_light:", "#B71C1C"
	case "high":
		return ":red_circle:", "#E53935"
	case "medium":
		return ":large_orange_circle:", "#FB8C00"
	case "low":
		return ":large_yellow_circle:", "#FDD835"
	}
	return ":information_source:", "#1E88E5"
}

type message struct {
	Text        string       `json:"text"`
	Channel     string       `json:"channel,omitempty"`
	Username    string       `json:"username,omitempty"`
	IconEmoji   string       `json:"icon_emoji,omitempty"`
	Blocks      []block      `json:"blocks"`
	Attachments []attachment `json:"attachments,omitempty"`
}

type attachment struct {
	Color  string  `json:"color"`
	Blocks []block `json:"blocks"`
}

type block struct {
	Type     string    `json:"type"`
	Text     *textObj  `json:"text,omitempty"`
	Fields   []textObj `json:"fields,omitempty"`
	Elements []textObj `json:"elements,omitempty"`
}

type textObj struct {
	Type  string `json:"type"`
	Text  string `json:"text"`
	Emoji bool   `json:"emoji,omitempty"`
}

func mrkdwn(s string) textObj { return textObj{Type: "mrkdwn", Text: s} }

func ptr[T any](v T) *T { return &v }

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func sortedLabels(m map[string]string) [][2]string {
	out := make([][2]string, 0, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		out = append(out, [2]string{k, m[k]})
	}
	return out
}
