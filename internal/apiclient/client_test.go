package apiclient_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"picket/internal/alert"
	"picket/internal/apiclient"
	"picket/internal/audit"
	"picket/internal/catalog"
	"picket/internal/config"
	"picket/internal/notify"
	"picket/internal/rule"
	"picket/internal/rule/sigma"
	"picket/internal/server"
	"picket/internal/source"
)

const token = "s3cret-token"

type kv map[string][]byte

func (m kv) Checkpoint(_ context.Context, k string) ([]byte, bool, error) {
	v, ok := m[k]
	return v, ok, nil
}
func (m kv) SetCheckpoint(_ context.Context, k string, v []byte) error { m[k] = v; return nil }

// start serves an API over in-memory backends with one open alert, and returns a client
// with the right token and the alert's id.
func start(t *testing.T) (*apiclient.Client, string, *httptest.Server) {
	t.Helper()
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	repo := alert.NewMemoryRepository()
	mgr, err := alert.NewManager(repo, alert.Options{Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	due, err := mgr.Ingest(t.Context(), []alert.Detection{{
		RuleID: "r1", RuleTitle: "rule one", Level: rule.High, Kind: "detection", EventID: "e1",
		EventTime: now.Add(-time.Minute), Source: "trail", Raw: []byte(`{"a":1}`), DetectedAt: now,
	}})
	if err != nil {
		t.Fatal(err)
	}
	l := sigma.NewLoader(sigma.Options{})
	l.AddFile("r.yml", []byte("title: rule one\nid: r1\nlogsource: {category: x}\ndetection:\n  s: {a: 1}\n  condition: s\nlevel: high\n"), false)
	set, diags := l.Finish()
	if err := diags.Err(); err != nil {
		t.Fatal(err)
	}
	cat, err := catalog.New(t.Context(), catalog.Options{Set: set, Store: kv{}, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	outbox := notify.NewMemoryOutbox(clock)
	srv, err := server.New(server.Deps{
		Config: config.Server{Tokens: []config.Token{{Name: "ci", SHA256: server.HashToken(token)}}},
		Clock:  clock,
		Alerts: mgr, Detections: repo, Catalog: cat, Audit: audit.NewMemoryLog(), Outbox: outbox,
		Sources:      func() []source.Status { return []source.Status{{Name: "trail", Type: "file"}} },
		Receivers:    func() []string { return []string{"slack"} },
		TestReceiver: func(context.Context, string) error { return nil },
	})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	c, err := apiclient.New(hs.URL, token, hs.Client())
	if err != nil {
		t.Fatal(err)
	}
	return c, due[0].ID, hs
}

func TestClientAlerts(t *testing.T) {
	c, id, _ := start(t)
	ctx := t.Context()
	page, err := c.Alerts(ctx, apiclient.AlertQuery{Status: []alert.Status{alert.StatusOpen}, MinLevel: "high", Limit: 10})
	if err != nil || len(page.Items) != 1 || page.Items[0].ID != id || page.NextCursor != "" {
		t.Fatalf("Alerts() = %+v, %v", page, err)
	}
	d, err := c.Alert(ctx, id)
	if err != nil || d.Alert.ID != id || len(d.Evidence) != 1 {
		t.Fatalf("Alert(%s) = %+v, %v", id, d, err)
	}
	a, err := c.Acknowledge(ctx, id, "mine")
	if err != nil || a.Status != alert.StatusAcknowledged {
		t.Fatalf("Acknowledge() = %+v, %v", a, err)
	}
	if _, err := c.Acknowledge(ctx, id, ""); !errors.Is(err, alert.ErrInvalidTransition) {
		t.Errorf("second Acknowledge() = %v, want ErrInvalidTransition", err)
	}
	if _, err := c.Resolve(ctx, "nope", ""); !errors.Is(err, alert.ErrNotFound) {
		t.Errorf("Resolve(nope) = %v, want ErrNotFound", err)
	}
	if a, err = c.Resolve(ctx, id, ""); err != nil || a.Status != alert.StatusResolved {
		t.Errorf("Resolve() = %+v, %v", a, err)
	}
	if a, err = c.Reopen(ctx, id, ""); err != nil || a.Status != alert.StatusOpen {
		t.Errorf("Reopen() = %+v, %v", a, err)
	}
	if _, err = c.Comment(ctx, id, "note"); err != nil {
		t.Errorf("Comment() = %v", err)
	}
	res, err := c.AcknowledgeMany(ctx, []string{id, "nope"}, "")
	if err != nil || len(res) != 2 || res[0].Status != alert.StatusAcknowledged || res[1].Error == "" {
		t.Errorf("AcknowledgeMany() = %+v, %v", res, err)
	}
	ds, err := c.Detections(ctx, alert.DetectionQuery{AlertID: id})
	if err != nil || len(ds) != 1 {
		t.Errorf("Detections() = %v, %v", ds, err)
	}
	es, err := c.Audit(ctx, audit.Query{Actor: "ci"})
	if err != nil || len(es) != 5 {
		t.Errorf("Audit() = %d entries, %v; want 5 by ci", len(es), err)
	}
}

func TestClientOthers(t *testing.T) {
	c, _, _ := start(t)
	ctx := t.Context()
	rs, err := c.Rules(ctx)
	if err != nil || len(rs) != 1 {
		t.Fatalf("Rules() = %v, %v", rs, err)
	}
	if r, err := c.SetRuleEnabled(ctx, "r1", false, "noisy"); err != nil || r.Enabled {
		t.Errorf("SetRuleEnabled(false) = %+v, %v", r, err)
	}
	if _, err := c.Rule(ctx, "nope"); !errors.Is(err, catalog.ErrNotFound) {
		t.Errorf("Rule(nope) = %v, want ErrNotFound", err)
	}
	m := []alert.Matcher{{Field: "rule_id", Op: alert.OpEqual, Value: "r1"}}
	if as, err := c.PreviewSilence(ctx, apiclient.SilenceRequest{Matchers: m}); err != nil || len(as) != 1 {
		t.Errorf("PreviewSilence() = %v, %v", as, err)
	}
	if _, err := c.AddSilence(ctx, apiclient.SilenceRequest{Matchers: m, Duration: "1h"}); !errors.Is(err, alert.ErrInvalid) {
		t.Errorf("AddSilence() without comment = %v, want ErrInvalid", err)
	}
	s, err := c.AddSilence(ctx, apiclient.SilenceRequest{Matchers: m, Comment: "drill", Duration: "1h"})
	if err != nil || s.Author != "ci" {
		t.Fatalf("AddSilence() = %+v, %v", s, err)
	}
	if ss, err := c.Silences(ctx, false); err != nil || len(ss) != 1 {
		t.Errorf("Silences() = %v, %v", ss, err)
	}
	if err := c.ExpireSilence(ctx, s.ID); err != nil {
		t.Errorf("ExpireSilence() = %v", err)
	}
	if names, err := c.Receivers(ctx); err != nil || !cmp.Equal(names, []string{"slack"}) {
		t.Errorf("Receivers() = %v, %v", names, err)
	}
	if err := c.TestReceiver(ctx, "slack"); err != nil {
		t.Errorf("TestReceiver() = %v", err)
	}
	if src, err := c.Sources(ctx); err != nil || len(src) != 1 {
		t.Errorf("Sources() = %v, %v", src, err)
	}
	if ns, err := c.Notifications(ctx, "", nil, 0); err != nil || len(ns) != 0 {
		t.Errorf("Notifications() = %v, %v", ns, err)
	}
	if st, err := c.NotificationStats(ctx); err != nil || len(st) != 0 {
		t.Errorf("NotificationStats() = %v, %v", st, err)
	}
	if err := c.RetryNotification(ctx, "nope"); !apiclient.IsStatus(err, http.StatusNotFound) {
		t.Errorf("RetryNotification(nope) = %v, want 404", err)
	}
	if h, err := c.Health(ctx); err != nil || h.Status != "ok" {
		t.Errorf("Health() = %+v, %v", h, err)
	}
}

func TestClientAuthAndURL(t *testing.T) {
	_, _, hs := start(t)
	bad, err := apiclient.New(hs.URL+"/", "wrong", hs.Client())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bad.Alerts(t.Context(), apiclient.AlertQuery{}); !apiclient.IsStatus(err, http.StatusUnauthorized) {
		t.Errorf("Alerts() with a wrong token = %v, want 401", err)
	}
	for _, u := range []string{"", "127.0.0.1:8089", "ftp://x", "http://"} {
		if _, err := apiclient.New(u, "", nil); err == nil {
			t.Errorf("New(%q) = nil error", u)
		}
	}
}
