// Package slack is picket's Slack channel: it posts each notification as Block Kit blocks (a
// header with an emoji by level, then, in an attachment coloured by level, fields, the rendered
// text with key evidence, and a context line linking the console) with a plain fallback text for
// notifications and clients without blocks.
//
// It posts either to an incoming webhook or, in bot mode (a bot token and a channel), through
// the Web API (chat.postMessage). Incoming webhooks have no idempotency key: a retry after a
// lost response posts the message again. Bot mode threads the notifications of an aggregation
// group (see bot.go) and, given durable state (notify.Deps.State), remembers what it posted so
// that a retry does not post again once the post was recorded.
//
// The webhook URL and the token are secrets and never appear in errors or logs.
package slack

import (
	"context"
	_ "embed"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"slices"
	"strings"
	"text/template"
	"time"

	"picket/internal/config"
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

// Notifier posts notifications to one Slack incoming webhook or, in bot mode, to one channel
// through the Web API. It is safe for concurrent use.
type Notifier struct {
	name        string
	cfg         Config
	title, text *template.Template

	// Webhook mode.
	url    string
	sender *httpx.Sender

	// Bot mode (token != "").
	token  string
	apiURL string
	client *http.Client
	now    func() time.Time
	logger *slog.Logger
	state  notify.KV   // nil: no threads, no memory of posts
	locks  []chan bool // serialise the notifications of a group (by hash) in this process
}

// New validates c, resolves the webhook URL or the token and returns the notifier of receiver
// name.
func New(name string, c Config, deps notify.Deps) (*Notifier, error) {
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("slack receiver %q: %w", name, err)
	}
	title, text, err := c.templates()
	if err != nil {
		return nil, fmt.Errorf("slack receiver %q: %w", name, err)
	}
	n := &Notifier{name: name, cfg: c, title: title, text: text}
	if c.botMode() {
		if err := n.initBot(deps); err != nil {
			return nil, fmt.Errorf("slack receiver %q: %w", name, err)
		}
		return n, nil
	}
	if n.url, err = httpx.ResolveURL("webhook_url", c.WebhookURL, c.WebhookURLFile); err != nil {
		return nil, fmt.Errorf("slack receiver %q: %w", name, err)
	}
	if n.sender, err = httpx.NewSender(deps, false); err != nil {
		return nil, fmt.Errorf("slack receiver %q: %w", name, err)
	}
	return n, nil
}

// initBot sets up bot mode: the token, the Web API client and the durable state.
func (s *Notifier) initBot(deps notify.Deps) error {
	tok, err := config.ResolveSecret("token", s.cfg.Token, s.cfg.TokenFile, true)
	if err != nil {
		return err
	}
	s.token = strings.TrimSpace(tok.Reveal())
	if s.token == "" {
		return fmt.Errorf("token is empty")
	}
	s.apiURL = strings.TrimSuffix(s.cfg.APIURL, "/")
	if s.apiURL == "" {
		s.apiURL = DefaultAPIURL
	}
	s.client = deps.HTTPClient
	if s.client == nil {
		s.client = &http.Client{Timeout: httpx.DefaultTimeout}
	}
	s.now = deps.Clock
	if s.now == nil {
		s.now = time.Now
	}
	s.logger = deps.Logger
	if s.logger == nil {
		s.logger = slog.New(slog.DiscardHandler)
	}
	s.logger = s.logger.With("receiver", s.name)
	s.state = deps.State
	s.locks = make([]chan bool, groupLocks)
	for i := range s.locks {
		s.locks[i] = make(chan bool, 1)
	}
	return nil
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
	if s.token != "" {
		return s.notifyBot(ctx, n)
	}
	body, err := s.Payload(n)
	if err != nil {
		return false, err
	}
	return s.sender.PostJSON(ctx, s.url, nil, body, s.url)
}

// Payload renders the JSON message of n, as posted to a webhook (in bot mode chat.postMessage
// gets the same message, with thread_ts for replies).
func (s *Notifier) Payload(n *notify.Notification) ([]byte, error) {
	m, err := s.message(n)
	if err != nil {
		return nil, err
	}
	return httpx.MarshalJSON(m)
}

// message renders the message of n.
func (s *Notifier) message(n *notify.Notification) (*message, error) {
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
	return &message{
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
	}, nil
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

// message is a webhook message and the body of chat.postMessage and chat.update.
type message struct {
	Text    string `json:"text"`
	Channel string `json:"channel,omitempty"`
	// TS is the message to change (chat.update); ThreadTS the parent of a reply
	// (chat.postMessage).
	TS          string       `json:"ts,omitempty"`
	ThreadTS    string       `json:"thread_ts,omitempty"`
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
