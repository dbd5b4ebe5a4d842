package slack

import (
	"context"
	"encoding/json"
	"flag"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"picket/internal/config"
	"picket/internal/notify"
	"picket/internal/notify/notifytest"
)

var update = flag.Bool("update", false, "rewrite golden files")

const token = "XXXXsecretTOKEN1234"

func hookURL(r *notifytest.Receiver) string { return r.URL() + "/services/T0001/B0001/" + token }

func newNotifier(t *testing.T, r *notifytest.Receiver, c Config) *Notifier {
	t.Helper()
	c.WebhookURL = config.Secret(hookURL(r))
	n, err := New("slack", c, r.Deps())
	if err != nil {
		t.Fatalf("New() = %v", err)
	}
	return n
}

func TestNotify(t *testing.T) {
	tests := []struct {
		name   string
		cfg    Config
		notif  *notify.Notification
		golden string
	}{
		{"firing", Config{}, notifytest.Notification(), "firing.json"},
		{"resolved", Config{}, notifytest.Resolved(), "resolved.json"},
		{"custom templates", Config{Channel: "#secops", Title: "{{.Status}}: {{.Title}}", Text: "{{range .Alerts}}{{esc .RuleTitle}} <x>\n{{end}}"},
			notifytest.Notification(), "custom.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := notifytest.NewReceiver(t)
			n := newNotifier(t, r, tt.cfg)
			if retry, err := n.Notify(context.Background(), tt.notif); err != nil {
				t.Fatalf("Notify() = %v, %v; want nil", retry, err)
			}
			reqs := r.Requests()
			if len(reqs) != 1 {
				t.Fatalf("receiver got %d requests, want 1", len(reqs))
			}
			req := reqs[0]
			if req.Method != http.MethodPost || req.Path != "/services/T0001/B0001/"+token {
				t.Errorf("request = %s %s, want POST /services/T0001/B0001/…", req.Method, req.Path)
			}
			if got := req.Header.Get("Content-Type"); got != "application/json" {
				t.Errorf("Content-Type = %q, want application/json", got)
			}
			var m message
			if err := json.Unmarshal(req.Body, &m); err != nil {
				t.Fatalf("body is not a Slack message: %v", err)
			}
			if m.Text == "" || len(m.Blocks) == 0 || m.Blocks[0].Type != "header" || len([]rune(m.Blocks[0].Text.Text)) > maxHeader {
				t.Errorf("message = %+v, want fallback text and a header block of at most %d characters", m, maxHeader)
			}
			notifytest.Golden(t, filepath.Join("testdata", tt.golden), req.Body, *update)
		})
	}
}

func TestEscape(t *testing.T) {
	if got, want := Escape("a<b>&c"), "a&lt;b&gt;&amp;c"; got != want {
		t.Errorf("Escape() = %q, want %q", got, want)
	}
}

func TestLongTitleTruncated(t *testing.T) {
	r := notifytest.NewReceiver(t)
	n := newNotifier(t, r, Config{})
	notif := notifytest.Notification()
	notif.Alerts = notif.Alerts[:1]
	notif.Alerts[0].RuleTitle = strings.Repeat("long title ", 40)
	b, err := n.Payload(notif)
	if err != nil {
		t.Fatal(err)
	}
	var m message
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	if got := len([]rune(m.Blocks[0].Text.Text)); got != maxHeader {
		t.Errorf("header length = %d, want %d", got, maxHeader)
	}
}

func TestRetry(t *testing.T) {
	notifytest.RunRetryTests(t, func(t *testing.T, r *notifytest.Receiver) notify.Notifier {
		return newNotifier(t, r, Config{})
	})
}

func TestNoSecretLeak(t *testing.T) {
	notifytest.RunSecretLeakTests(t, func(t *testing.T, r *notifytest.Receiver) notify.Notifier {
		return newNotifier(t, r, Config{})
	}, token, "/services/T0001/B0001/"+token)
	t.Run("bot token", func(t *testing.T) {
		notifytest.RunSecretLeakTests(t, botReceiver, botToken)
	})
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want []string
	}{
		{"ok", Config{WebhookURL: "https://hooks.slack.com/services/T/B/x"}, nil},
		{"file", Config{WebhookURLFile: "/run/slack"}, nil},
		{"missing", Config{}, []string{"webhook_url is required"}},
		{"both", Config{WebhookURL: "https://x", WebhookURLFile: "/f"}, []string{"both set"}},
		{"not a URL", Config{WebhookURL: "hooks.slack.com/services/T/B/zzz"}, []string{"webhook_url: the scheme must be http or https"}},
		{"every problem", Config{IconEmoji: "shield", Title: "{{.Nope", Text: "{{end}}"},
			[]string{"webhook_url is required", "icon_emoji", "parsing title template"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate()
			notifytest.AssertProblems(t, err, tt.want)
			notifytest.AssertNoSecretLeak(t, err, "zzz")
		})
	}
}

func TestSample(t *testing.T) {
	c := DefaultConfig()
	notifytest.DecodeStrict(t, Sample(), &c, map[string]string{"SLACK_WEBHOOK_URL": "https://hooks.slack.com/services/T/B/x"})
	if err := c.Validate(); err != nil {
		t.Errorf("sample.yaml: Validate() = %v", err)
	}
}
