package console

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"picket/internal/alert"
	"picket/internal/audit"
	"picket/internal/catalog"
	"picket/internal/event"
	"picket/internal/rule"
	"picket/internal/source"
)

// t0 is the fixture's "now".
var t0 = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

const (
	testCSRFField = "csrf_token"
	testCSRFToken = "tok-123"
)

// fakeCatalog is an in-memory catalog.Catalog.
type fakeCatalog struct {
	mu    sync.Mutex
	rules map[string]catalog.Rule
	sets  []setCall
}

// setCall records one SetEnabled call.
type setCall struct {
	ID      string
	Enabled bool
	Actor   string
}

func newFakeCatalog(rules ...catalog.Rule) *fakeCatalog {
	c := &fakeCatalog{rules: map[string]catalog.Rule{}}
	for _, r := range rules {
		c.rules[r.ID] = r
	}
	return c
}

func (c *fakeCatalog) List(context.Context) ([]catalog.Rule, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []catalog.Rule
	for _, r := range c.rules {
		r.YAML = ""
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b catalog.Rule) int {
		return cmp.Or(cmp.Compare(b.Level, a.Level), strings.Compare(a.Title, b.Title))
	})
	return out, nil
}

func (c *fakeCatalog) Get(_ context.Context, id string) (catalog.Rule, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	r, ok := c.rules[id]
	if !ok {
		return catalog.Rule{}, fmt.Errorf("rule %q: %w", id, catalog.ErrNotFound)
	}
	return r, nil
}

func (c *fakeCatalog) SetEnabled(_ context.Context, id string, enabled bool, actor string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	r, ok := c.rules[id]
	if !ok {
		return fmt.Errorf("rule %q: %w", id, catalog.ErrNotFound)
	}
	r.Enabled = enabled
	c.rules[id] = r
	c.sets = append(c.sets, setCall{id, enabled, actor})
	return nil
}

// testRules are the fixture's rules.
func testRules() []catalog.Rule {
	return []catalog.Rule{
		{
			ID: "ct-stop-logging", Title: "CloudTrail logging stopped", Level: rule.High, Kind: "detection",
			Description: "Someone stopped a CloudTrail trail.", Enabled: true, Builtin: true, Path: "aws/cloudtrail_stop.yml",
			Tags:      []string{"attack.defense-evasion", "attack.t1562.008"},
			LogSource: event.LogSource{Product: "aws", Service: "cloudtrail"}, Hits24h: 2, Hits7d: 5,
			YAML: "title: CloudTrail logging stopped\ndetection:\n  selection:\n    eventName: StopLogging\n  condition: selection\n",
		},
		{
			ID: "root-login", Title: "Root account console login", Level: rule.Critical, Kind: "detection",
			Enabled: true, Builtin: true, Tags: []string{"attack.initial-access", "attack.t1078.004"}, Hits7d: 0,
		},
		{
			ID: "iam-user-created", Title: "IAM user created", Level: rule.Medium, Kind: "detection",
			Enabled: false, Tags: []string{"attack.persistence", "attack.t1136.003"},
		},
	}
}

// fixture is a console over a memory repository, a fake catalog and fake sources.
type fixture struct {
	t       *testing.T
	mgr     *alert.Manager
	repo    *alert.MemoryRepository
	cat     *fakeCatalog
	audit   *audit.MemoryLog
	sources []source.Status
	h       http.Handler
}

// newFixture builds the console; explain may be nil.
func newFixture(t *testing.T, explain ExplainFunc) *fixture {
	t.Helper()
	f := &fixture{t: t, repo: alert.NewMemoryRepository(), cat: newFakeCatalog(testRules()...), audit: audit.NewMemoryLog()}
	mgr, err := alert.NewManager(f.repo, alert.Options{
		Clock:   func() time.Time { return t0 },
		GroupBy: map[string][]string{alert.AnyRule: {"userIdentity.arn"}},
	})
	if err != nil {
		t.Fatalf("NewManager: %v", err)
	}
	f.mgr = mgr
	f.sources = []source.Status{
		{
			Name: "trail", Type: "s3sqs", LastPoll: t0.Add(-time.Minute), LastSuccess: t0.Add(-time.Minute),
			Checkpoint: "2026-11-25T11:55:00Z", CheckpointTime: t0.Add(-5 * time.Minute), Records: 1200,
			PerMinute: []int64{3, 5, 0, 8, 13, 2},
		},
		{
			Name: "gcp-audit", Type: "gcplogging", LastPoll: t0.Add(-time.Minute), LastSuccess: t0.Add(-2 * time.Hour),
			LastError: "permission denied <b>", LastErrorAt: t0.Add(-time.Minute),
		},
	}
	h, err := New(Deps{
		Alerts: mgr, Detections: f.repo, Catalog: f.cat,
		Sources: func() []source.Status { return f.sources },
		Explain: explain,
		Audit:   f.audit,
		User: func(r *http.Request) string {
			if u := r.Header.Get("X-Test-User"); u != "" {
				return u
			}
			return "tester"
		},
		CSRFToken: func(*http.Request) string { return testCSRFToken },
		CSRFField: testCSRFField,
		Clock:     func() time.Time { return t0 },
	})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	f.h = h
	return f
}

// detection builds a detection of one of testRules on a CloudTrail-like event.
func detection(ruleID, eventID string, at time.Duration, raw string) alert.Detection {
	var r catalog.Rule
	for _, x := range testRules() {
		if x.ID == ruleID {
			r = x
		}
	}
	return alert.Detection{
		RuleID: ruleID, RuleTitle: r.Title, Level: r.Level, Tags: r.Tags, Kind: "detection",
		EventID: eventID, EventTime: t0.Add(at), Source: "trail",
		LogSource: event.LogSource{Product: "aws", Service: "cloudtrail"}, Raw: []byte(raw), DetectedAt: t0,
	}
}

// cloudtrail returns a small CloudTrail record.
func cloudtrail(name, arn string) string {
	return fmt.Sprintf(`{"eventName":%q,"eventSource":"cloudtrail.amazonaws.com","userIdentity":{"arn":%q,"accountId":"123456789012"},"sourceIPAddress":"198.51.100.7","resources":[{"ARN":"arn:aws:cloudtrail:eu-west-1:123456789012:trail/main"}]}`, name, arn)
}

// ingest stores detections and returns the alerts as listed afterwards.
func (f *fixture) ingest(ds ...alert.Detection) {
	f.t.Helper()
	if _, err := f.mgr.Ingest(context.Background(), ds); err != nil {
		f.t.Fatalf("Ingest: %v", err)
	}
}

// alertOf returns the only alert of a rule.
func (f *fixture) alertOf(ruleID string) *alert.Alert {
	f.t.Helper()
	as, err := f.mgr.List(context.Background(), alert.Query{RuleID: ruleID, Limit: alert.MaxLimit})
	if err != nil || len(as) != 1 {
		f.t.Fatalf("List(rule %s) = %d alerts, %v; want 1", ruleID, len(as), err)
	}
	return as[0]
}

// get requests a page and returns status and body.
func (f *fixture) get(path string) (int, string) {
	f.t.Helper()
	rec := httptest.NewRecorder()
	f.h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	b, _ := io.ReadAll(rec.Result().Body)
	return rec.Code, string(b)
}

// post submits a form as user (the default user when "").
func (f *fixture) post(path string, form url.Values, user string) *httptest.ResponseRecorder {
	f.t.Helper()
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if user != "" {
		req.Header.Set("X-Test-User", user)
	}
	rec := httptest.NewRecorder()
	f.h.ServeHTTP(rec, req)
	return rec
}

// seed ingests one alert per rule: stop-logging (2 events, two ARNs → 2 alerts), root login,
// IAM user.
func (f *fixture) seed() {
	f.t.Helper()
	f.ingest(
		detection("ct-stop-logging", "e1", -2*time.Hour, cloudtrail("StopLogging", "arn:aws:iam::123456789012:user/mallory")),
		detection("ct-stop-logging", "e2", -time.Hour, cloudtrail("StopLogging", "arn:aws:iam::123456789012:user/mallory")),
		detection("root-login", "e3", -30*time.Minute, cloudtrail("ConsoleLogin", "arn:aws:iam::123456789012:root")),
		detection("iam-user-created", "e4", -10*time.Minute, cloudtrail("CreateUser", "arn:aws:iam::123456789012:user/bob")),
	)
}

// stopLoggingExplain is an ExplainFunc saying the eventName test matched.
func stopLoggingExplain(_ context.Context, ruleID string, raw []byte) (*Explanation, error) {
	if ruleID != "ct-stop-logging" {
		return nil, fmt.Errorf("rule %s: no explanation", ruleID)
	}
	return &Explanation{
		Matched: true, Summary: "matched selection",
		Conditions: []ExplainCondition{{Text: "selection", Matched: true}},
		Selections: []ExplainSelection{{Name: "selection", Matched: true, Items: []ExplainItem{
			{Field: "eventName", Test: `eventName equals "StopLogging"`, Matched: true, Present: true, Values: []string{`"StopLogging"`}},
		}}},
	}, nil
}
