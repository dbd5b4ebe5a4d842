package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"picket/internal/alert"
	"picket/internal/audit"
	"picket/internal/catalog"
	"picket/internal/config"
	"picket/internal/notify"
	"picket/internal/rule"
	"picket/internal/rule/sigma"
	"picket/internal/source"
)

var t0 = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

// testClock is a settable clock.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// checkpoints is an in-memory catalog.Store.
type checkpoints struct {
	mu sync.Mutex
	kv map[string][]byte
}

func (c *checkpoints) Checkpoint(_ context.Context, k string) ([]byte, bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.kv[k]
	return v, ok, nil
}

func (c *checkpoints) SetCheckpoint(_ context.Context, k string, v []byte) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.kv[k] = v
	return nil
}

const testRules = `title: CloudTrail logging stopped
id: rule-stop
logsource: {product: aws, service: cloudtrail}
detection:
    sel:
        eventName: StopLogging
    condition: sel
level: high
---
title: console login
id: rule-login
logsource: {product: aws, service: cloudtrail}
detection:
    sel:
        eventName: ConsoleLogin
    condition: sel
level: low
`

// env is a server over in-memory backends.
type env struct {
	t        *testing.T
	srv      *Server
	h        http.Handler
	clock    *testClock
	mgr      *alert.Manager
	audit    *audit.MemoryLog
	outbox   *notify.MemoryOutbox
	cat      *catalog.Rules
	tested   []string
	sources  []source.Status
	ready    error
	reloaded int
}

// newEnv builds a server with cfg; mod may change the dependencies.
func newEnv(t *testing.T, cfg config.Server, mod func(*Deps)) *env {
	t.Helper()
	e := &env{t: t, clock: &testClock{t: t0}, audit: audit.NewMemoryLog()}
	repo := alert.NewMemoryRepository()
	var err error
	e.mgr, err = alert.NewManager(repo, alert.Options{Clock: e.clock.Now, GroupBy: map[string][]string{alert.AnyRule: {"user"}}})
	if err != nil {
		t.Fatal(err)
	}
	e.outbox = notify.NewMemoryOutbox(e.clock.Now)
	l := sigma.NewLoader(sigma.Options{})
	l.AddFile("rules.yml", []byte(testRules), false)
	set, diags := l.Finish()
	if err := diags.Err(); err != nil {
		t.Fatal(err)
	}
	e.cat, err = catalog.New(t.Context(), catalog.Options{
		Set: set, Store: &checkpoints{kv: map[string][]byte{}}, Clock: e.clock.Now,
		ReadFile: func(string) ([]byte, error) { return []byte(testRules), nil },
	})
	if err != nil {
		t.Fatal(err)
	}
	e.sources = []source.Status{
		{Name: "trail", Type: "s3sqs", Checkpoint: "2026-11-25T11:59:00Z", CheckpointTime: t0.Add(-time.Minute), Records: 10},
		{Name: "gcp", Type: "gcplogging", LastError: "permission denied", LastErrorAt: t0},
	}
	d := Deps{
		Config: cfg, Clock: e.clock.Now, Alerts: e.mgr, Detections: repo, Outbox: e.outbox, Catalog: e.cat, Audit: e.audit,
		Sources:   func() []source.Status { return e.sources },
		Receivers: func() []string { return []string{"slack", "pager"} },
		TestReceiver: func(_ context.Context, name string) error {
			e.tested = append(e.tested, name)
			if name == "pager" {
				return errors.New("HTTP 403 from provider")
			}
			return nil
		},
		Explain: func(_ context.Context, id string, ev []byte) (any, error) {
			return map[string]any{"rule": id, "matched": strings.Contains(string(ev), "StopLogging")}, nil
		},
		Metrics: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "picket_up 1\n") }),
		Ready:   func(context.Context) error { return e.ready },
		Reload:  func(context.Context) error { e.reloaded++; return nil },
	}
	if mod != nil {
		mod(&d)
	}
	e.srv, err = New(d)
	if err != nil {
		t.Fatalf("New() = %v", err)
	}
	e.h = e.srv.Handler()
	return e
}

// ingest stores detections of rule at the given minutes before t0, one per (user, minute).
func (e *env) ingest(ruleID, user, account string, minutesAgo ...int) []*alert.Alert {
	e.t.Helper()
	var ds []alert.Detection
	for _, m := range minutesAgo {
		raw, _ := json.Marshal(map[string]any{"eventName": "StopLogging", "user": user, "n": m})
		ds = append(ds, alert.Detection{
			RuleID: ruleID, RuleTitle: "title of " + ruleID, Level: rule.High, Kind: "detection",
			EventID: ruleID + user + time.Duration(m).String(), EventTime: t0.Add(-time.Duration(m) * time.Minute),
			Source: "trail", Account: account, Raw: raw, DetectedAt: t0,
		})
	}
	due, err := e.mgr.Ingest(e.t.Context(), ds)
	if err != nil {
		e.t.Fatalf("Ingest() = %v", err)
	}
	return due
}

// req is one request in a test.
type req struct {
	method, path string
	body         string
	header       map[string]string
	cookies      []*http.Cookie
}

// do serves r and returns the recorder. Requests come from loopback with a loopback Host.
func (e *env) do(r req) *httptest.ResponseRecorder {
	e.t.Helper()
	var body io.Reader
	if r.body != "" {
		body = strings.NewReader(r.body)
	}
	hr := httptest.NewRequest(r.method, r.path, body)
	hr.Host = "127.0.0.1:8089"
	hr.RemoteAddr = "127.0.0.1:40000"
	if r.body != "" && !strings.HasPrefix(r.body, "user=") {
		hr.Header.Set("Content-Type", "application/json")
	}
	for k, v := range r.header {
		if k == "Host" {
			hr.Host = v
			continue
		}
		hr.Header.Set(k, v)
	}
	for _, c := range r.cookies {
		hr.AddCookie(c)
	}
	w := httptest.NewRecorder()
	e.h.ServeHTTP(w, hr)
	return w
}

// json serves r, checks the status and decodes the body into out (unless nil).
func (e *env) json(r req, wantStatus int, out any) {
	e.t.Helper()
	w := e.do(r)
	if w.Code != wantStatus {
		e.t.Fatalf("%s %s = %d %s, want %d", r.method, r.path, w.Code, w.Body.String(), wantStatus)
	}
	if out != nil {
		if err := json.NewDecoder(bytes.NewReader(w.Body.Bytes())).Decode(out); err != nil {
			e.t.Fatalf("%s %s: decoding %q: %v", r.method, r.path, w.Body.String(), err)
		}
	}
}

// auditActions returns "actor action target" of every audit entry, oldest first.
func (e *env) auditActions() []string {
	e.t.Helper()
	es, err := e.audit.List(e.t.Context(), audit.Query{Limit: audit.MaxLimit})
	if err != nil {
		e.t.Fatal(err)
	}
	var out []string
	for i := len(es) - 1; i >= 0; i-- {
		out = append(out, es[i].Actor+" "+es[i].Action+" "+es[i].Target)
	}
	return out
}

func mustHash(t *testing.T, pw string) string {
	t.Helper()
	h, err := bcrypt.GenerateFromPassword([]byte(pw), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	return string(h)
}

// httptestRequest builds the request of r as do would, for tests that adjust it.
func httptestRequest(r req) *http.Request {
	var body io.Reader
	if r.body != "" {
		body = strings.NewReader(r.body)
	}
	hr := httptest.NewRequest(r.method, r.path, body)
	hr.Host = "127.0.0.1:8089"
	hr.RemoteAddr = "127.0.0.1:40000"
	for k, v := range r.header {
		if k == "Host" {
			hr.Host = v
			continue
		}
		hr.Header.Set(k, v)
	}
	return hr
}

// serve serves hr and returns the response.
func serve(e *env, hr *http.Request) *http.Response {
	w := httptest.NewRecorder()
	e.h.ServeHTTP(w, hr)
	return w.Result()
}
