package opsgenie

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"picket/internal/notify"
	"picket/internal/notify/notifytest"
	"picket/internal/rule"
)

var update = flag.Bool("update", false, "rewrite golden files")

const apiKey = "eb243592-faa2-4ba2-a551q-1afdf565c889"

func newNotifier(t *testing.T, r *notifytest.Receiver, c Config) *Notifier {
	t.Helper()
	if c.Region == "" {
		c.Region = "us"
	}
	c.APIURL = r.URL()
	c.APIKey = apiKey
	n, err := New("opsgenie", c, r.Deps())
	if err != nil {
		t.Fatalf("New() = %v", err)
	}
	return n
}

func TestNotify(t *testing.T) {
	tests := []struct {
		name      string
		notif     *notify.Notification
		wantPaths []string
		golden    string
	}{
		{"firing", notifytest.Notification(), []string{"/v2/alerts", "/v2/alerts"}, "create"},
		{"acknowledged", notifytest.Acknowledged(), []string{"/v2/alerts/7250dde5e8530d4d3be3251ae43364f8/acknowledge", "/v2/alerts/80bf16ea4ef1e16e6d417158a2b41d8a/acknowledge"}, "acknowledge"},
		{"resolved", notifytest.Resolved(), []string{"/v2/alerts/7250dde5e8530d4d3be3251ae43364f8/close", "/v2/alerts/80bf16ea4ef1e16e6d417158a2b41d8a/close"}, "close"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := notifytest.NewReceiver(t)
			r.SetSuccess(notifytest.Response{Status: http.StatusAccepted, Body: `{"result":"Request will be processed","took":0.1,"requestId":"x"}`})
			n := newNotifier(t, r, Config{Tags: []string{"picket", "high"}})
			if retry, err := n.Notify(context.Background(), tt.notif); err != nil {
				t.Fatalf("Notify() = %v, %v; want nil", retry, err)
			}
			reqs := r.Requests()
			if len(reqs) != len(tt.wantPaths) {
				t.Fatalf("receiver got %d requests, want %d", len(reqs), len(tt.wantPaths))
			}
			for i, req := range reqs {
				if req.Method != http.MethodPost || req.Path != tt.wantPaths[i] {
					t.Errorf("request %d = %s %s, want POST %s", i, req.Method, req.Path, tt.wantPaths[i])
				}
				if tt.golden != "create" && req.RawQuery != "identifierType=alias" {
					t.Errorf("request %d query = %q, want identifierType=alias", i, req.RawQuery)
				}
				if got := req.Header.Get("Authorization"); got != "GenieKey "+apiKey {
					t.Errorf("Authorization = %q, want GenieKey <key>", got)
				}
				if tt.golden == "create" {
					var c createBody
					if err := json.Unmarshal(req.Body, &c); err != nil {
						t.Fatal(err)
					}
					if c.Alias != tt.notif.Alerts[i].Fingerprint || len([]rune(c.Message)) > maxMessage {
						t.Errorf("create %d: alias %q, message %q; want the fingerprint and at most %d characters", i, c.Alias, c.Message, maxMessage)
					}
				}
				notifytest.Golden(t, filepath.Join("testdata", fmt.Sprintf("%s-%d.json", tt.golden, i)), req.Body, *update)
			}
		})
	}
}

func TestPriority(t *testing.T) {
	tests := []struct {
		level rule.Level
		want  string
	}{
		{rule.Critical, "P1"}, {rule.High, "P2"}, {rule.Medium, "P3"}, {rule.Low, "P4"},
		{rule.Informational, "P5"}, {rule.LevelUnknown, "P3"},
	}
	for _, tt := range tests {
		if got := Priority(tt.level); got != tt.want {
			t.Errorf("Priority(%v) = %q, want %q", tt.level, got, tt.want)
		}
	}
}

func TestMessageTruncated(t *testing.T) {
	r := notifytest.NewReceiver(t)
	n := newNotifier(t, r, Config{Message: strings.Repeat("x", 500)})
	reqs, err := n.Requests(notifytest.Notification())
	if err != nil {
		t.Fatal(err)
	}
	var c createBody
	if err := json.Unmarshal(reqs[0].Body, &c); err != nil {
		t.Fatal(err)
	}
	if got := len([]rune(c.Message)); got != maxMessage {
		t.Errorf("message length = %d, want %d", got, maxMessage)
	}
}

func TestRegionURL(t *testing.T) {
	tests := []struct {
		cfg  Config
		want string
	}{
		{Config{Region: "us"}, USURL},
		{Config{Region: "eu"}, EUURL},
		{Config{Region: "eu", APIURL: "http://proxy"}, "http://proxy"},
	}
	for _, tt := range tests {
		if got := tt.cfg.baseURL(); got != tt.want {
			t.Errorf("%+v.baseURL() = %q, want %q", tt.cfg, got, tt.want)
		}
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
	}, apiKey)
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want []string
	}{
		{"ok", Config{Region: "us", APIKey: "k"}, nil},
		{"eu file", Config{Region: "eu", APIKeyFile: "/k"}, nil},
		{"defaults need a key", DefaultConfig(), []string{"api_key is required"}},
		{"every problem", Config{Region: "asia", APIKey: "k", APIKeyFile: "/f", APIURL: "api.opsgenie.com", Message: "{{"},
			[]string{"api_key and api_key_file", `region: "asia"`, "api_url: the scheme", "parsing message template"}},
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
	notifytest.DecodeStrict(t, Sample(), &c, map[string]string{"OPSGENIE_API_KEY": "k"})
	if err := c.Validate(); err != nil {
		t.Errorf("sample.yaml: Validate() = %v", err)
	}
}
