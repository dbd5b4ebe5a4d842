package teams

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

const sig = "S1gN4tur3s3cr3tValue"

func newNotifier(t *testing.T, r *notifytest.Receiver, c Config) *Notifier {
	t.Helper()
	c.WebhookURL = config.Secret(r.URL() + "/workflows/abc123/triggers/manual/paths/invoke?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=" + sig)
	n, err := New("teams", c, r.Deps())
	if err != nil {
		t.Fatalf("New() = %v", err)
	}
	return n
}

func TestNotify(t *testing.T) {
	tests := []struct {
		name   string
		notif  *notify.Notification
		golden string
	}{
		{"firing", notifytest.Notification(), "firing.json"},
		{"resolved", notifytest.Resolved(), "resolved.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := notifytest.NewReceiver(t)
			r.SetSuccess(notifytest.Response{Status: http.StatusAccepted})
			n := newNotifier(t, r, Config{})
			if retry, err := n.Notify(context.Background(), tt.notif); err != nil {
				t.Fatalf("Notify() = %v, %v; want nil", retry, err)
			}
			reqs := r.Requests()
			if len(reqs) != 1 {
				t.Fatalf("receiver got %d requests, want 1", len(reqs))
			}
			req := reqs[0]
			if req.Method != http.MethodPost || !strings.HasPrefix(req.Path, "/workflows/abc123/") || !strings.Contains(req.RawQuery, "sig="+sig) {
				t.Errorf("request = %s %s?%s, want POST to the workflow URL", req.Method, req.Path, req.RawQuery)
			}
			var m message
			if err := json.Unmarshal(req.Body, &m); err != nil {
				t.Fatal(err)
			}
			if m.Type != "message" || len(m.Attachments) != 1 || m.Attachments[0].ContentType != "application/vnd.microsoft.card.adaptive" || m.Attachments[0].Content.Type != "AdaptiveCard" {
				t.Errorf("message = %+v, want one Adaptive Card attachment", m)
			}
			notifytest.Golden(t, filepath.Join("testdata", tt.golden), req.Body, *update)
		})
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
	}, sig, "/workflows/abc123/triggers")
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want []string
	}{
		{"ok", Config{WebhookURL: "https://prod.westeurope.logic.azure.com/workflows/x?sig=y"}, nil},
		{"missing", Config{}, []string{"webhook_url is required"}},
		{"every problem", Config{WebhookURL: "x", WebhookURLFile: "/f", Text: "{{if}}"}, []string{"both set", "parsing text template"}},
		{"not http", Config{WebhookURL: "mailto:a@b?sig=zzz"}, []string{"webhook_url: the scheme"}},
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
	notifytest.DecodeStrict(t, Sample(), &c, map[string]string{"TEAMS_WEBHOOK_URL": "https://example.logic.azure.com/workflows/x?sig=y"})
	if err := c.Validate(); err != nil {
		t.Errorf("sample.yaml: Validate() = %v", err)
	}
}
