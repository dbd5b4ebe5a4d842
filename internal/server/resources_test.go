package server

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"picket/internal/alert"
	"picket/internal/audit"
	"picket/internal/catalog"
	"picket/internal/config"
	"picket/internal/notify"
)

func TestDetections(t *testing.T) {
	e := newEnv(t, config.Server{}, nil)
	id := e.ingest("rule-stop", "ana", "", 1, 2, 3)[0].ID
	e.ingest("rule-login", "bob", "", 5)
	tests := []struct {
		query string
		want  int
	}{
		{"", 4},
		{"?rule=rule-stop", 3},
		{"?alert=" + id, 3},
		{"?source=other", 0},
		{"?since=2026-11-25T11:57:30Z", 2},
		{"?limit=1", 1},
	}
	for _, tt := range tests {
		var out struct{ Items []*alert.Detection }
		e.json(req{method: "GET", path: "/api/v1/detections" + tt.query}, http.StatusOK, &out)
		if len(out.Items) != tt.want {
			t.Errorf("GET /api/v1/detections%s = %d items, want %d", tt.query, len(out.Items), tt.want)
		}
	}
	e.json(req{method: "GET", path: "/api/v1/detections?until=x"}, http.StatusBadRequest, nil)
}

func TestRules(t *testing.T) {
	e := newEnv(t, config.Server{}, nil)
	var rs struct{ Items []catalog.Rule }
	e.json(req{method: "GET", path: "/api/v1/rules"}, http.StatusOK, &rs)
	if len(rs.Items) != 2 || rs.Items[0].ID != "rule-stop" || rs.Items[0].YAML != "" {
		t.Fatalf("GET rules = %+v, want two rules, highest first, without YAML", rs.Items)
	}
	var r catalog.Rule
	e.json(req{method: "GET", path: "/api/v1/rules/rule-login"}, http.StatusOK, &r)
	if !strings.HasPrefix(r.YAML, "title: console login") {
		t.Errorf("GET rule YAML = %q", r.YAML)
	}
	e.json(req{method: "POST", path: "/api/v1/rules/rule-login/disable", body: `{"comment":"noisy"}`}, http.StatusOK, &r)
	if r.Enabled {
		t.Error("rule still enabled after disable")
	}
	if diff := cmp.Diff(map[string]bool{"rule-login": true}, e.cat.Disabled()); diff != "" {
		t.Errorf("catalog switches mismatch (-want +got):\n%s", diff)
	}
	e.json(req{method: "POST", path: "/api/v1/rules/rule-login/enable"}, http.StatusOK, &r)
	if !r.Enabled {
		t.Error("rule disabled after enable")
	}
	e.json(req{method: "GET", path: "/api/v1/rules/nope"}, http.StatusNotFound, nil)
	e.json(req{method: "POST", path: "/api/v1/rules/nope/disable"}, http.StatusNotFound, nil)

	var ex map[string]any
	e.json(req{method: "POST", path: "/api/v1/rules/rule-stop/explain", body: `{"event":{"eventName":"StopLogging"}}`}, http.StatusOK, &ex)
	if ex["matched"] != true || ex["rule"] != "rule-stop" {
		t.Errorf("explain = %v", ex)
	}
	e.json(req{method: "POST", path: "/api/v1/rules/rule-stop/explain", body: `{}`}, http.StatusBadRequest, nil)
	e.json(req{method: "POST", path: "/api/v1/rules/nope/explain", body: `{"event":{}}`}, http.StatusNotFound, nil)
	want := []string{"local rule.disable rule-login", "local rule.enable rule-login"}
	if diff := cmp.Diff(want, e.auditActions()); diff != "" {
		t.Errorf("audit mismatch (-want +got):\n%s", diff)
	}
}

func TestSources(t *testing.T) {
	e := newEnv(t, config.Server{}, nil)
	var out struct{ Items []sourceView }
	e.json(req{method: "GET", path: "/api/v1/sources"}, http.StatusOK, &out)
	if len(out.Items) != 2 || out.Items[0].LagSeconds != 60 || out.Items[1].LastError != "permission denied" {
		t.Errorf("GET sources = %+v, want trail 60s behind and gcp failing", out.Items)
	}
}

func TestSilences(t *testing.T) {
	e := newEnv(t, config.Server{}, nil)
	e.ingest("rule-stop", "ana", "", 1)
	e.ingest("rule-login", "bob", "", 1)
	const m = `"matchers":[{"field":"rule_id","op":"=","value":"rule-stop"}]`

	var prev struct{ Items []*alert.Alert }
	e.json(req{method: "POST", path: "/api/v1/silences/preview", body: `{` + m + `}`}, http.StatusOK, &prev)
	if len(prev.Items) != 1 || prev.Items[0].RuleID != "rule-stop" {
		t.Errorf("preview = %+v, want the rule-stop alert", prev.Items)
	}
	for _, bad := range []string{
		`{` + m + `,"duration":"2h"}`, // no comment
		`{` + m + `,"comment":"x"}`,   // no end
		`{` + m + `,"comment":"x","duration":"2h","ends_at":"2026-11-26T00:00:00Z"}`, // both
		`{` + m + `,"comment":"x","duration":"-1h"}`,
		`{"matchers":[{"field":"rule_id","op":"=~","value":"("}],"comment":"x","duration":"1h"}`,
		`{` + m + `,"comment":"x","duration":"1h","since":"2026-11-20T00:00:00Z"}`,
	} {
		e.json(req{method: "POST", path: "/api/v1/silences", body: bad}, http.StatusBadRequest, nil)
	}
	var s alert.Silence
	e.json(req{method: "POST", path: "/api/v1/silences", body: `{` + m + `,"comment":"maintenance","duration":"2h"}`}, http.StatusCreated, &s)
	if s.Author != LocalActor || !s.EndsAt.Equal(t0.Add(2*time.Hour)) {
		t.Errorf("created silence = %+v, want author local until t0+2h", s)
	}
	var list struct{ Items []alert.Silence }
	e.json(req{method: "GET", path: "/api/v1/silences"}, http.StatusOK, &list)
	if len(list.Items) != 1 || list.Items[0].ID != s.ID {
		t.Errorf("GET silences = %+v", list.Items)
	}
	e.json(req{method: "POST", path: "/api/v1/silences/" + s.ID + "/expire"}, http.StatusNoContent, nil)
	e.json(req{method: "POST", path: "/api/v1/silences/" + s.ID + "/expire"}, http.StatusConflict, nil)
	e.json(req{method: "POST", path: "/api/v1/silences/nope/expire"}, http.StatusNotFound, nil)
	e.json(req{method: "GET", path: "/api/v1/silences"}, http.StatusOK, &list)
	if len(list.Items) != 0 {
		t.Errorf("active silences after expiry = %+v", list.Items)
	}
	e.json(req{method: "GET", path: "/api/v1/silences?all=true"}, http.StatusOK, &list)
	if len(list.Items) != 1 {
		t.Errorf("all silences = %+v, want the expired one", list.Items)
	}
	e.json(req{method: "GET", path: "/api/v1/silences?all=yes"}, http.StatusBadRequest, nil)
	want := []string{"local silence.create " + s.ID, "local silence.expire " + s.ID}
	if diff := cmp.Diff(want, e.auditActions()); diff != "" {
		t.Errorf("audit mismatch (-want +got):\n%s", diff)
	}
}

func TestReceivers(t *testing.T) {
	e := newEnv(t, config.Server{}, nil)
	var names struct{ Items []string }
	e.json(req{method: "GET", path: "/api/v1/receivers"}, http.StatusOK, &names)
	if diff := cmp.Diff([]string{"pager", "slack"}, names.Items); diff != "" {
		t.Errorf("receivers mismatch (-want +got):\n%s", diff)
	}
	e.json(req{method: "POST", path: "/api/v1/receivers/slack/test"}, http.StatusOK, nil)
	w := e.do(req{method: "POST", path: "/api/v1/receivers/pager/test"})
	if w.Code != http.StatusBadGateway || !strings.Contains(w.Body.String(), "HTTP 403 from provider") {
		t.Errorf("failing test = %d %s, want 502 with the notifier's error", w.Code, w.Body)
	}
	e.json(req{method: "POST", path: "/api/v1/receivers/nope/test"}, http.StatusNotFound, nil)
	if diff := cmp.Diff([]string{"slack", "pager"}, e.tested); diff != "" {
		t.Errorf("tested receivers mismatch (-want +got):\n%s", diff)
	}
}

func TestNotifications(t *testing.T) {
	e := newEnv(t, config.Server{}, nil)
	ctx := t.Context()
	ns := []notify.Notification{
		{ID: "n1", Receiver: "slack", Status: notify.StatusFiring, GroupKey: "g", Alerts: []notify.AlertView{{Alert: alert.Alert{ID: "a1"}}}},
		{ID: "n2", Receiver: "pager", Status: notify.StatusFiring, GroupKey: "g"},
	}
	if err := e.outbox.Enqueue(ctx, ns); err != nil {
		t.Fatal(err)
	}
	if _, err := e.outbox.Claim(ctx, "pager", t0, 1, time.Minute); err != nil {
		t.Fatal(err)
	}
	if err := e.outbox.Fail(ctx, "n2", t0, t0, "HTTP 400", true); err != nil {
		t.Fatal(err)
	}
	var list struct{ Items []outboxEntry }
	e.json(req{method: "GET", path: "/api/v1/notifications"}, http.StatusOK, &list)
	if len(list.Items) != 2 || list.Items[0].ID != "n1" || list.Items[0].AlertIDs[0] != "a1" {
		t.Errorf("GET notifications = %+v", list.Items)
	}
	e.json(req{method: "GET", path: "/api/v1/notifications?state=dead"}, http.StatusOK, &list)
	if len(list.Items) != 1 || list.Items[0].LastError != "HTTP 400" {
		t.Errorf("dead notifications = %+v", list.Items)
	}
	e.json(req{method: "GET", path: "/api/v1/notifications?state=lost"}, http.StatusBadRequest, nil)
	var stats struct{ Items []receiverStats }
	e.json(req{method: "GET", path: "/api/v1/notifications/stats"}, http.StatusOK, &stats)
	want := []receiverStats{{Receiver: "pager", Dead: 1}, {Receiver: "slack", Pending: 1, OldestPending: t0}}
	if diff := cmp.Diff(want, stats.Items); diff != "" {
		t.Errorf("stats mismatch (-want +got):\n%s", diff)
	}
	e.json(req{method: "POST", path: "/api/v1/notifications/n2/retry"}, http.StatusNoContent, nil)
	e.json(req{method: "POST", path: "/api/v1/notifications/n2/retry"}, http.StatusConflict, nil)
	e.json(req{method: "POST", path: "/api/v1/notifications/nope/retry"}, http.StatusNotFound, nil)
	if diff := cmp.Diff([]string{"local notification.retry n2"}, e.auditActions()); diff != "" {
		t.Errorf("audit mismatch (-want +got):\n%s", diff)
	}
}

func TestAuditEndpoint(t *testing.T) {
	e := newEnv(t, config.Server{}, nil)
	for i, a := range []string{"alert.ack", "rule.disable", "alert.ack"} {
		if err := e.audit.Record(t.Context(), audit.Entry{Time: t0.Add(time.Duration(i) * time.Minute), Actor: "ana", Action: a, Target: "x"}); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		query string
		want  int
	}{
		{"", 3}, {"?action=alert.ack", 2}, {"?actor=bob", 0}, {"?target=x&limit=1", 1}, {"?since=2026-11-25T12:01:00Z", 2},
	}
	for _, tt := range tests {
		var out struct{ Items []audit.Entry }
		e.json(req{method: "GET", path: "/api/v1/audit" + tt.query}, http.StatusOK, &out)
		if len(out.Items) != tt.want {
			t.Errorf("GET /api/v1/audit%s = %d entries, want %d", tt.query, len(out.Items), tt.want)
		}
	}
	e.json(req{method: "GET", path: "/api/v1/audit?limit=x"}, http.StatusBadRequest, nil)
}

func TestOperations(t *testing.T) {
	e := newEnv(t, config.Server{}, nil)
	if w := e.do(req{method: "GET", path: "/healthz"}); w.Code != http.StatusOK {
		t.Errorf("/healthz = %d", w.Code)
	}
	if w := e.do(req{method: "GET", path: "/readyz"}); w.Code != http.StatusOK {
		t.Errorf("/readyz = %d", w.Code)
	}
	var h health
	e.json(req{method: "GET", path: "/api/v1/health"}, http.StatusOK, &h)
	if h.Status != "ok" || h.SourceErrors != 1 {
		t.Errorf("health = %+v", h)
	}
	e.ready = errors.New("store unreachable at /var/lib/picket")
	w := e.do(req{method: "GET", path: "/readyz"})
	if w.Code != http.StatusServiceUnavailable || strings.Contains(w.Body.String(), "/var/lib") {
		t.Errorf("/readyz not ready = %d %q, want 503 without the reason", w.Code, w.Body)
	}
	e.json(req{method: "GET", path: "/api/v1/health"}, http.StatusServiceUnavailable, &h)
	if h.Status != "unready" || h.Error == "" {
		t.Errorf("health not ready = %+v", h)
	}
	if w := e.do(req{method: "GET", path: "/metrics"}); w.Code != http.StatusOK || w.Body.String() != "picket_up 1\n" {
		t.Errorf("/metrics = %d %q", w.Code, w.Body)
	}
	e.json(req{method: "POST", path: "/-/reload"}, http.StatusOK, nil)
	if e.reloaded != 1 {
		t.Errorf("reloaded %d times, want 1", e.reloaded)
	}
	e.json(req{method: "GET", path: "/api/v1/nothing"}, http.StatusNotFound, nil)
	if w := e.do(req{method: "GET", path: "/"}); w.Code != http.StatusNotFound {
		t.Errorf("GET / without a console = %d, want 404", w.Code)
	}
}

func TestNotImplemented(t *testing.T) {
	e := newEnv(t, config.Server{}, func(d *Deps) {
		d.Outbox, d.Explain, d.TestReceiver, d.Metrics, d.Reload = nil, nil, nil, nil, nil
	})
	for _, r := range []req{
		{method: "GET", path: "/api/v1/notifications"},
		{method: "GET", path: "/api/v1/notifications/stats"},
		{method: "POST", path: "/api/v1/notifications/x/retry"},
		{method: "POST", path: "/api/v1/rules/rule-stop/explain", body: `{"event":{}}`},
		{method: "POST", path: "/api/v1/receivers/slack/test"},
		{method: "GET", path: "/metrics"},
		{method: "POST", path: "/-/reload"},
	} {
		e.json(r, http.StatusNotImplemented, nil)
	}
}

func TestStrictBodies(t *testing.T) {
	e := newEnv(t, config.Server{}, nil)
	id := e.ingest("rule-stop", "ana", "", 1)[0].ID
	path := "/api/v1/alerts/" + id + "/ack"
	tests := []struct {
		name   string
		r      req
		status int
	}{
		{"unknown field", req{method: "POST", path: path, body: `{"comment":"x","actor":"mallory"}`}, http.StatusBadRequest},
		{"two values", req{method: "POST", path: path, body: `{"comment":"x"} {}`}, http.StatusBadRequest},
		{"not JSON", req{method: "POST", path: path, body: `comment=x`, header: map[string]string{"Content-Type": "text/plain"}}, http.StatusBadRequest},
		{"wrong type", req{method: "POST", path: path, body: `{"comment":1}`}, http.StatusBadRequest},
		{"too large", req{method: "POST", path: path, body: `{"comment":"` + strings.Repeat("x", maxBody) + `"}`}, http.StatusRequestEntityTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := e.do(tt.r)
			if w.Code != tt.status || !strings.Contains(w.Body.String(), `"error"`) {
				t.Errorf("%s = %d %s, want %d with a JSON error", tt.name, w.Code, w.Body, tt.status)
			}
		})
	}
	if got := e.auditActions(); len(got) != 0 {
		t.Errorf("rejected requests were audited: %q", got)
	}
}

// failingAlerts fails List as a broken store would: the client sees a generic 500, not the detail.
type failingAlerts struct{ Alerts }

func (failingAlerts) List(context.Context, alert.Query) ([]*alert.Alert, error) {
	return nil, errors.New("sqlite /var/lib/picket/picket.db: disk I/O error")
}

func TestInternalErrorsHidden(t *testing.T) {
	e := newEnv(t, config.Server{}, func(d *Deps) { d.Alerts = failingAlerts{d.Alerts} })
	w := e.do(req{method: "GET", path: "/api/v1/alerts"})
	if w.Code != http.StatusInternalServerError || strings.Contains(w.Body.String(), "/var/lib") {
		t.Errorf("GET alerts with a failing store = %d %s, want 500 without the detail", w.Code, w.Body)
	}
}
