package pagerduty

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"picket/internal/notify"
	"picket/internal/notify/notifytest"
	"picket/internal/rule"
)

var update = flag.Bool("update", false, "rewrite golden files")

const routingKey = "R0ut1ngK3yS3cr3tR0ut1ngK3yS3cr3t"

func newNotifier(t *testing.T, r *notifytest.Receiver, c Config) *Notifier {
	t.Helper()
	c.URL = r.URL() + "/v2/enqueue"
	c.RoutingKey = routingKey
	if c.Client == "" {
		c.Client = "picket"
	}
	n, err := New("pd", c, r.Deps())
	if err != nil {
		t.Fatalf("New() = %v", err)
	}
	return n
}

func TestNotify(t *testing.T) {
	tests := []struct {
		name       string
		notif      *notify.Notification
		wantAction string
		golden     string
	}{
		{"firing", notifytest.Notification(), "trigger", "trigger"},
		{"acknowledged", notifytest.Acknowledged(), "acknowledge", "acknowledge"},
		{"resolved", notifytest.Resolved(), "resolve", "resolve"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := notifytest.NewReceiver(t)
			r.SetSuccess(notifytest.Response{Status: http.StatusAccepted, Body: `{"status":"success","message":"Event processed"}`})
			n := newNotifier(t, r, Config{})
			if retry, err := n.Notify(context.Background(), tt.notif); err != nil {
				t.Fatalf("Notify() = %v, %v; want nil", retry, err)
			}
			reqs := r.Requests()
			if len(reqs) != len(tt.notif.Alerts) {
				t.Fatalf("receiver got %d requests, want one per alert (%d)", len(reqs), len(tt.notif.Alerts))
			}
			for i, req := range reqs {
				if req.Method != http.MethodPost || req.Path != "/v2/enqueue" || req.Header.Get("Content-Type") != "application/json" {
					t.Errorf("request %d = %s %s (%s), want a JSON POST to /v2/enqueue", i, req.Method, req.Path, req.Header.Get("Content-Type"))
				}
				var got struct {
					RoutingKey  string `json:"routing_key"`
					EventAction string `json:"event_action"`
					DedupKey    string `json:"dedup_key"`
				}
				if err := json.Unmarshal(req.Body, &got); err != nil {
					t.Fatal(err)
				}
				want := got
				want.RoutingKey, want.EventAction, want.DedupKey = routingKey, tt.wantAction, tt.notif.Alerts[i].Fingerprint
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("event %d (-want +got):\n%s", i, diff)
				}
				notifytest.Golden(t, filepath.Join("testdata", fmt.Sprintf("%s-%d.json", tt.golden, i)), req.Body, *update)
			}
		})
	}
}

func TestDedupKeyStable(t *testing.T) {
	r := notifytest.NewReceiver(t)
	n := newNotifier(t, r, Config{})
	first, second := notifytest.Notification(), notifytest.Notification()
	second.ID = "another-notification"
	second.Alerts[0].Count++
	a, err := n.Events(first)
	if err != nil {
		t.Fatal(err)
	}
	b, err := n.Events(second)
	if err != nil {
		t.Fatal(err)
	}
	key := func(raw []byte) string {
		var e event
		if err := json.Unmarshal(raw, &e); err != nil {
			t.Fatal(err)
		}
		return e.DedupKey
	}
	if key(a[0]) != key(b[0]) {
		t.Errorf("dedup_key changed between notifications of one alert: %s, %s", key(a[0]), key(b[0]))
	}
}

func TestSeverity(t *testing.T) {
	tests := []struct {
		level rule.Level
		want  string
	}{
		{rule.Critical, "critical"}, {rule.High, "error"}, {rule.Medium, "warning"},
		{rule.Low, "info"}, {rule.Informational, "info"}, {rule.LevelUnknown, "info"},
	}
	for _, tt := range tests {
		if got := Severity(tt.level); got != tt.want {
			t.Errorf("Severity(%v) = %q, want %q", tt.level, got, tt.want)
		}
	}
}

func TestSummaryTruncated(t *testing.T) {
	r := notifytest.NewReceiver(t)
	n := newNotifier(t, r, Config{Summary: strings.Repeat("é", 2000)})
	evs, err := n.Events(notifytest.Notification())
	if err != nil {
		t.Fatal(err)
	}
	var e event
	if err := json.Unmarshal(evs[0], &e); err != nil {
		t.Fatal(err)
	}
	if got := len([]rune(e.Payload.Summary)); got != maxSummary {
		t.Errorf("summary length = %d runes, want %d", got, maxSummary)
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
	}, routingKey)
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want []string
	}{
		{"ok", Config{URL: DefaultURL, RoutingKey: "k"}, nil},
		{"file", Config{URL: DefaultURL, RoutingKeyFile: "/run/k"}, nil},
		{"defaults need a key", DefaultConfig(), []string{"routing_key is required"}},
		{"every problem", Config{RoutingKey: "k", RoutingKeyFile: "/f", Summary: "{{"},
			[]string{"routing_key and routing_key_file", "url is required", "parsing summary template"}},
		{"bad url", Config{URL: "events.pagerduty.com", RoutingKey: "k"}, []string{"url: the scheme"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate()
			notifytest.AssertProblems(t, err, tt.want)
		})
	}
}

func TestSample(t *testing.T) {
	c := DefaultConfig()
	notifytest.DecodeStrict(t, Sample(), &c, map[string]string{"PAGERDUTY_ROUTING_KEY": "k"})
	if err := c.Validate(); err != nil {
		t.Errorf("sample.yaml: Validate() = %v", err)
	}
	if c.URL != DefaultURL {
		t.Errorf("sample url = %q, want %q", c.URL, DefaultURL)
	}
}
