package server

import (
	"net/http"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"picket/internal/alert"
	"picket/internal/config"
)

func TestListAlertsFilters(t *testing.T) {
	e := newEnv(t, config.Server{}, nil)
	e.ingest("rule-stop", "ana", "111", 10)
	e.ingest("rule-stop", "bob", "222", 20)
	e.ingest("rule-login", "cy", "111", 30)
	tests := []struct {
		query string
		want  []string // rule/user of the alerts, in order
	}{
		{"", []string{"rule-stop/ana", "rule-stop/bob", "rule-login/cy"}},
		{"?rule=rule-login", []string{"rule-login/cy"}},
		{"?account=111", []string{"rule-stop/ana", "rule-login/cy"}},
		{"?q=BOB", []string{"rule-stop/bob"}},
		{"?status=acknowledged", nil},
		{"?status=open,resolved&source=trail&limit=2", []string{"rule-stop/ana", "rule-stop/bob"}},
		{"?since=2026-11-25T11:45:00Z", []string{"rule-stop/ana"}},
		{"?until=2026-11-25T11:45:00Z", []string{"rule-stop/bob", "rule-login/cy"}},
		{"?level=critical", nil},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			var page struct{ Items []*alert.Alert }
			e.json(req{method: "GET", path: "/api/v1/alerts" + tt.query}, http.StatusOK, &page)
			var got []string
			for _, a := range page.Items {
				got = append(got, a.RuleID+"/"+a.Group["user"])
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("GET /api/v1/alerts%s mismatch (-want +got):\n%s", tt.query, diff)
			}
		})
	}
	for _, bad := range []string{"?status=firing", "?level=huge", "?since=yesterday", "?limit=0", "?limit=5000", "?cursor=garbage"} {
		if w := e.do(req{method: "GET", path: "/api/v1/alerts" + bad}); w.Code != http.StatusBadRequest {
			t.Errorf("GET /api/v1/alerts%s = %d %s, want 400", bad, w.Code, w.Body)
		}
	}
}

func TestListAlertsPages(t *testing.T) {
	e := newEnv(t, config.Server{}, nil)
	for i, u := range []string{"a", "b", "c", "d", "e"} {
		acct := "1"
		if i%2 == 1 {
			acct = "2"
		}
		e.ingest("rule-stop", u, acct, i+1)
	}
	for _, tt := range []struct {
		filter string
		want   []string
	}{
		{"", []string{"a", "b", "c", "d", "e"}},
		{"&account=1", []string{"a", "c", "e"}},
	} {
		var got []string
		cursor := ""
		for pages := 0; ; pages++ {
			if pages > 5 {
				t.Fatal("too many pages")
			}
			var page struct {
				Items      []*alert.Alert
				NextCursor string `json:"next_cursor"`
			}
			e.json(req{method: "GET", path: "/api/v1/alerts?limit=2&cursor=" + cursor + tt.filter}, http.StatusOK, &page)
			for _, a := range page.Items {
				got = append(got, a.Group["user"])
			}
			if page.NextCursor == "" {
				break
			}
			cursor = page.NextCursor
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("pages with %q mismatch (-want +got):\n%s", tt.filter, diff)
		}
	}
}

func TestAlertLifecycle(t *testing.T) {
	e := newEnv(t, config.Server{}, nil)
	id := e.ingest("rule-stop", "ana", "111", 1, 2)[0].ID

	var detail alertDetail
	e.json(req{method: "GET", path: "/api/v1/alerts/" + id}, http.StatusOK, &detail)
	if detail.Alert.ID != id || len(detail.Evidence) != 2 || len(detail.Evidence[0].Raw) == 0 || len(detail.Alert.History) == 0 {
		t.Errorf("GET alert = %+v, want the alert with history and two evidence detections with raw events", detail)
	}

	steps := []struct {
		path, body string
		status     int
		want       alert.Status
	}{
		{"/ack", `{"comment":"looking"}`, http.StatusOK, alert.StatusAcknowledged},
		{"/ack", ``, http.StatusConflict, ""},
		{"/resolve", ``, http.StatusOK, alert.StatusResolved},
		{"/resolve", `{"comment":"again"}`, http.StatusConflict, ""},
		{"/reopen", `{}`, http.StatusOK, alert.StatusOpen},
		{"/comment", `{"comment":"<b>note</b>"}`, http.StatusOK, alert.StatusOpen},
		{"/comment", `{"comment":" "}`, http.StatusBadRequest, ""},
		{"/comment", ``, http.StatusBadRequest, ""},
	}
	for _, s := range steps {
		var a alert.Alert
		var out any = &a
		if s.status != http.StatusOK {
			out = nil
		}
		e.json(req{method: "POST", path: "/api/v1/alerts/" + id + s.path, body: s.body}, s.status, out)
		if s.status == http.StatusOK && a.Status != s.want {
			t.Errorf("POST %s = status %s, want %s", s.path, a.Status, s.want)
		}
	}
	e.json(req{method: "POST", path: "/api/v1/alerts/nope/ack"}, http.StatusNotFound, nil)
	e.json(req{method: "GET", path: "/api/v1/alerts/nope"}, http.StatusNotFound, nil)

	e.json(req{method: "GET", path: "/api/v1/alerts/" + id}, http.StatusOK, &detail)
	if len(detail.Comments) != 1 || detail.Comments[0].Detail != "<b>note</b>" || detail.Comments[0].Actor != LocalActor {
		t.Errorf("comments = %+v, want the one comment by %s", detail.Comments, LocalActor)
	}
	var hist []string
	for _, c := range detail.Alert.History {
		hist = append(hist, c.Actor+" "+string(c.Action)+" "+c.Comment)
	}
	if !slices.Contains(hist, "local acknowledged looking") {
		t.Errorf("history %q lacks the acknowledgement by local", hist)
	}
	want := []string{"local alert.ack " + id, "local alert.resolve " + id, "local alert.reopen " + id, "local alert.comment " + id}
	if diff := cmp.Diff(want, e.auditActions()); diff != "" {
		t.Errorf("audit mismatch (-want +got):\n%s", diff)
	}
}

func TestBulkAck(t *testing.T) {
	e := newEnv(t, config.Server{}, nil)
	a := e.ingest("rule-stop", "ana", "", 1)[0].ID
	b := e.ingest("rule-stop", "bob", "", 1)[0].ID
	var out struct{ Items []bulkResult }
	e.json(req{method: "POST", path: "/api/v1/alerts/ack", body: `{"ids":["` + a + `","nope","` + b + `"],"comment":"bulk"}`}, http.StatusOK, &out)
	want := []bulkResult{
		{ID: a, Status: alert.StatusAcknowledged},
		{ID: "nope", Error: `acknowledging alert "nope": not found`},
		{ID: b, Status: alert.StatusAcknowledged},
	}
	// The error text is the manager's; check its presence, not its words.
	if len(out.Items) == 3 && out.Items[1].Error != "" {
		want[1].Error = out.Items[1].Error
	}
	if diff := cmp.Diff(want, out.Items); diff != "" {
		t.Errorf("bulk ack mismatch (-want +got):\n%s", diff)
	}
	e.json(req{method: "POST", path: "/api/v1/alerts/ack", body: `{"ids":[]}`}, http.StatusBadRequest, nil)
	if got := e.auditActions(); len(got) != 2 {
		t.Errorf("audit = %q, want two acknowledgements", got)
	}
}
