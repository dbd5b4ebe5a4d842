package daemon

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"picket/internal/alert"
	"picket/internal/config"
	"picket/internal/notify"
	"picket/internal/rule"
	"picket/internal/source"
)

func TestDigestSummary(t *testing.T) {
	a := func(title string, lvl rule.Level, account string) *alert.Alert {
		return &alert.Alert{RuleTitle: title, Level: lvl, Account: account}
	}
	cur := []*alert.Alert{a("Root login", rule.Critical, "111"), a("Root login", rule.Critical, "222"), a("Bucket public", rule.High, "111")}
	prev := []*alert.Alert{a("Root login", rule.Critical, "111"), a("Key created", rule.Low, "111")}
	got := DigestSummary(cur, prev, 24*time.Hour)
	for _, want := range []string{
		"3 alerts in the last 1 day(s) (+50% against the period before).",
		"By level:\n  critical", "(+100%)", // critical 2 vs 1
		"high", "(new)",
		"By rule:\n  Root login", "By account:\n  111",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("summary lacks %q:\n%s", want, got)
		}
	}
	if got := DigestSummary(nil, nil, 7*24*time.Hour); !strings.Contains(got, "0 alerts in the last 1 week(s) (no change") {
		t.Errorf("empty weekly summary: %q", got)
	}
}

func TestProblem(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		st   source.Status
		now  time.Time
		want string
	}{
		{"healthy", source.Status{LastSuccess: t0.Add(9 * time.Minute)}, t0.Add(10 * time.Minute), ""},
		{"never polled, within grace", source.Status{}, t0.Add(4 * time.Minute), ""},
		{"never polled, silent", source.Status{}, t0.Add(6 * time.Minute), "no successful poll for 6m0s"},
		{"failing", source.Status{LastSuccess: t0, LastError: "AccessDenied"}, t0.Add(20 * time.Minute), "no successful poll for 20m0s: AccessDenied"},
	}
	for _, tt := range tests {
		if got := Problem(tt.st, tt.now, t0, 5*time.Minute); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
}

// newTestDaemon builds a daemon from YAML in a temporary directory.
func newTestDaemon(t *testing.T, yml string, now *time.Time) (*Daemon, *bytes.Buffer) {
	t.Helper()
	dir := t.TempDir()
	p := filepath.Join(dir, "picket.yaml")
	if err := os.WriteFile(p, []byte(yml), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(p)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	d, err := New(context.Background(), cfg, Options{Stdout: &out, Clock: func() time.Time { return *now }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d, &out
}

func TestDigestJobIsIdempotent(t *testing.T) {
	now := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	d, _ := newTestDaemon(t, `
storage: {path: p.db}
receivers: [{name: mail, type: stdout}]
route: {receiver: mail}
jobs:
  - {name: daily, type: digest, cron: "0 8 * * *", receivers: [mail], period: 24h}
`, &now)
	g := d.current()
	ctx := context.Background()
	_, err := g.manager.Ingest(ctx, []alert.Detection{{RuleID: "r1", RuleTitle: "Root login", Level: rule.Critical,
		EventID: "e1", EventTime: now.Add(-time.Hour), Raw: []byte(`{}`)}})
	if err != nil {
		t.Fatal(err)
	}
	c := DigestConfig{Receivers: []string{"mail"}, Period: 24 * time.Hour, MaxAlerts: 10}
	for range 2 { // a run repeated (crash, second instance) enqueues nothing new
		if err := d.digest(ctx, g, "daily", c, rule.Informational); err != nil {
			t.Fatal(err)
		}
	}
	es, err := d.store.Outbox().List(ctx, notify.OutboxQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if len(es) != 1 {
		t.Fatalf("%d digest entries, want 1", len(es))
	}
	n := es[0].Notification
	if len(n.Alerts) != 1 || !strings.Contains(n.Summary, "1 alerts in the last 1 day(s)") || n.GroupLabels["digest"] != "daily" {
		t.Errorf("digest: %d alerts, labels %v, summary:\n%s", len(n.Alerts), n.GroupLabels, n.Summary)
	}
}

func TestCheckReportsEveryProblem(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "bad.yaml")
	os.WriteFile(p, []byte(`
receivers: [{name: hook, type: webhook, url: "http://127.0.0.1:1/"}]
sources:
  - {name: s, type: nosuch}
  - {name: f, type: file, paths: [logs], every: 10ms}
jobs:
  - {name: j, type: digest, every: 1h, receivers: [nobody]}
`), 0o644)
	cfg, err := config.Load(p)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Check(context.Background(), cfg)
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{
		"bad.yaml: receivers are defined but there is no route",
		`bad.yaml:4: source "s": unknown type "nosuch"`,
		`bad.yaml:5: source "f"`,
		`bad.yaml:7: job "j" (digest): receivers: unknown receiver "nobody"`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
}

func TestDefaultsAreValid(t *testing.T) {
	cfg, err := Defaults([]string{"samples"})
	if err != nil {
		t.Fatal(err)
	}
	sum, err := Check(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Sources != 1 || sum.Receivers != 1 || sum.Rules < 100 {
		t.Errorf("defaults: %+v", sum)
	}
}

func TestRetentionPrunesNotificationRecords(t *testing.T) {
	now := time.Now()
	d, _ := newTestDaemon(t, "storage: {path: p.db}\n", &now)
	ctx := context.Background()
	for _, k := range []string{"notify/slack/chat/sent/n1", "notify/slack/chat/thread/g1", "source/file/f/x"} {
		if err := d.store.SetCheckpoint(ctx, k, []byte("{}")); err != nil {
			t.Fatal(err)
		}
	}
	now = now.Add(8 * 24 * time.Hour) // past ledger_keep (7 days), within keep (30 days)
	if err := d.retention(ctx, RetentionConfig{Keep: 30 * 24 * time.Hour, LedgerKeep: 7 * 24 * time.Hour}); err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]bool{"notify/slack/chat/sent/n1": false, "notify/slack/chat/thread/g1": true, "source/file/f/x": true} {
		if _, ok, _ := d.store.Checkpoint(ctx, k); ok != want {
			t.Errorf("%s present: %v, want %v", k, ok, want)
		}
	}
}

func TestConsoleURL(t *testing.T) {
	tests := []struct {
		name string
		cfg  config.Config
		want string
	}{
		{"configured", config.Config{ConsoleURL: "https://picket.example.com", Server: config.Server{Listen: "0.0.0.0:8089"}}, "https://picket.example.com"},
		{"default loopback listen", config.Config{}, "http://127.0.0.1:8089"},
		{"loopback listen", config.Config{Server: config.Server{Listen: "[::1]:9000"}}, "http://[::1]:9000"},
		{"not loopback: no guess", config.Config{Server: config.Server{Listen: "0.0.0.0:8089"}}, ""},
		{"server off", config.Config{Server: config.Server{Disabled: true}}, ""},
		{"any port", config.Config{Server: config.Server{Listen: "127.0.0.1:0"}}, ""},
	}
	for _, tt := range tests {
		if got := consoleURL(&tt.cfg); got != tt.want {
			t.Errorf("%s: consoleURL = %q, want %q", tt.name, got, tt.want)
		}
	}
}
