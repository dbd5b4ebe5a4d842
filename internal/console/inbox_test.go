package console

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"picket/internal/alert"
	"picket/internal/rule"
)

// rowTitles returns the alert titles of an inbox page, in order.
func rowTitles(body string) []string {
	var out []string
	re := regexp.MustCompile(`<td class="title">\s*<a href="[^"]*">([^<]*)</a>`)
	for _, m := range re.FindAllStringSubmatch(body, -1) {
		out = append(out, m[1])
	}
	return out
}

func TestInboxOrderAndFilters(t *testing.T) {
	f := newFixture(t, nil)
	f.seed()
	// A second stop-logging alert (other ARN), seen most recently of all.
	f.ingest(detection("ct-stop-logging", "e5", -time.Minute, cloudtrail("StopLogging", "arn:aws:iam::123456789012:user/eve")))
	if _, err := f.mgr.Acknowledge(context.Background(), f.alertOf("iam-user-created").ID, "x", ""); err != nil {
		t.Fatal(err)
	}
	const (
		root = "Root account console login"
		stop = "CloudTrail logging stopped"
		iam  = "IAM user created"
	)
	tests := []struct {
		query string
		want  []string
	}{
		{"", []string{root, stop, stop}}, // open only; level first, then most recent
		{"status=active", []string{root, stop, stop, iam}},
		{"status=acknowledged", []string{iam}},
		{"status=resolved", nil},
		{"status=all&level=high", []string{stop, stop}},
		{"level=critical", []string{root}},
		{"rule=root-login", []string{root}},
		{"source=elsewhere", nil},
		{"q=eve", []string{stop}},
		{"q=LOGGING", []string{stop, stop}},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			code, body := f.get("/alerts?" + tt.query)
			if code != http.StatusOK {
				t.Fatalf("GET /alerts?%s = %d", tt.query, code)
			}
			if diff := cmp.Diff(tt.want, rowTitles(body)); diff != "" {
				t.Errorf("GET /alerts?%s rows (-want +got):\n%s", tt.query, diff)
			}
		})
	}
	// The two stop-logging alerts: the one seen last (eve) comes first.
	_, body := f.get("/alerts?level=high")
	eve, mallory := strings.Index(body, "user/eve"), strings.Index(body, "user/mallory")
	if eve < 0 || mallory < 0 || eve > mallory {
		t.Errorf("GET /alerts?level=high: eve at %d, mallory at %d; want eve (more recent) first", eve, mallory)
	}
}

func TestInboxCountsPerLevel(t *testing.T) {
	f := newFixture(t, nil)
	f.seed()
	_, body := f.get("/alerts?status=all")
	re := regexp.MustCompile(`<a class="count lvl-([a-z]+)" href="[^"]*"[^>]*><span class="n">(\d+)</span>`)
	got := map[string]string{}
	for _, m := range re.FindAllStringSubmatch(body, -1) {
		got[m[1]] = m[2]
	}
	want := map[string]string{"critical": "1", "high": "1", "medium": "1", "low": "0", "informational": "0"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("level counts (-want +got):\n%s", diff)
	}
}

func TestInboxPagination(t *testing.T) {
	f := newFixture(t, nil)
	levels := []rule.Level{rule.Critical, rule.High, rule.Low}
	var ds []alert.Detection
	const n = 130
	for i := range n {
		d := detection("ct-stop-logging", fmt.Sprintf("ev%03d", i), -time.Duration(i)*time.Minute,
			cloudtrail("StopLogging", fmt.Sprintf("arn:aws:iam::1:user/u%03d", i)))
		d.RuleID = fmt.Sprintf("rule-%d", i%3) // three rules, three levels
		d.Level = levels[i%3]
		d.RuleTitle = fmt.Sprintf("alert %03d", i)
		ds = append(ds, d)
	}
	f.ingest(ds...)
	var (
		seen  []string
		pages int
	)
	next := "/alerts"
	for next != "" {
		pages++
		if pages > 10 {
			t.Fatal("pagination does not end")
		}
		code, body := f.get(next)
		if code != http.StatusOK {
			t.Fatalf("GET %s = %d", next, code)
		}
		rows := rowTitles(body)
		if len(rows) > inboxPageSize {
			t.Fatalf("GET %s: %d rows, want at most %d", next, len(rows), inboxPageSize)
		}
		seen = append(seen, rows...)
		next = ""
		if m := regexp.MustCompile(`<a href="([^"]*)" rel="next">`).FindStringSubmatch(body); m != nil {
			next = strings.ReplaceAll(m[1], "&amp;", "&")
		}
	}
	if pages != 3 {
		t.Errorf("got %d pages, want 3", pages)
	}
	// Expected: critical (i%3==0) newest first (smallest i first), then high, then low.
	var want []string
	for lv := range 3 {
		for i := range n {
			if i%3 == lv {
				want = append(want, fmt.Sprintf("alert %03d", i))
			}
		}
	}
	if diff := cmp.Diff(want, seen); diff != "" {
		t.Errorf("alerts over every page (-want +got):\n%s", diff)
	}
}

func TestBulkAcknowledge(t *testing.T) {
	f := newFixture(t, nil)
	f.seed()
	root, stop, iam := f.alertOf("root-login"), f.alertOf("ct-stop-logging"), f.alertOf("iam-user-created")
	if _, err := f.mgr.Resolve(context.Background(), iam.ID, "x", ""); err != nil {
		t.Fatal(err)
	}
	form := url.Values{
		testCSRFField: {testCSRFToken},
		"id":          {root.ID, stop.ID, iam.ID, "missing"},
		"comment":     {"looking into it"},
		"back":        {"status=open&level=high&evil=1"},
	}
	rec := f.post("/alerts/acknowledge", form, "alice")
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("POST /alerts/acknowledge = %d, want 303; body %s", rec.Code, rec.Body)
	}
	loc, err := url.Parse(rec.Header().Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	wantQ := url.Values{"level": {"high"}, "ok": {"bulk"}, "n": {"2"}, "skipped": {"2"}}
	if diff := cmp.Diff(wantQ, loc.Query()); loc.Path != "/alerts" || diff != "" {
		t.Errorf("redirect to %s, want /alerts with (-want +got):\n%s", loc, diff)
	}
	for _, tt := range []struct {
		id   string
		want alert.Status
	}{{root.ID, alert.StatusAcknowledged}, {stop.ID, alert.StatusAcknowledged}, {iam.ID, alert.StatusResolved}} {
		a, err := f.mgr.Get(context.Background(), tt.id)
		if err != nil {
			t.Fatal(err)
		}
		if a.Status != tt.want {
			t.Errorf("alert %s status = %s, want %s", a.RuleID, a.Status, tt.want)
		}
		if tt.want == alert.StatusAcknowledged {
			last := a.History[len(a.History)-1]
			if last.Actor != "alice" || last.Comment != "looking into it" || last.Action != alert.ActionAcknowledged {
				t.Errorf("alert %s last change = %+v, want acknowledged by alice with the comment", a.RuleID, last)
			}
		}
	}
	_, body := f.get(loc.String())
	if !strings.Contains(body, "Acknowledged 2 alerts. 2 skipped") {
		t.Errorf("the inbox after a bulk acknowledge does not confirm it")
	}
}

func TestInboxCursorRoundTrip(t *testing.T) {
	a := &alert.Alert{ID: "abc", Level: rule.High, LastSeen: t0}
	pos, err := parseInboxCursor(inboxCursor(a))
	if err != nil {
		t.Fatalf("parseInboxCursor(inboxCursor(a)): %v", err)
	}
	tests := []struct {
		name string
		b    *alert.Alert
		want bool
	}{
		{"same alert", a, false},
		{"lower level", &alert.Alert{ID: "zzz", Level: rule.Low, LastSeen: t0.Add(time.Hour)}, true},
		{"higher level", &alert.Alert{ID: "aaa", Level: rule.Critical, LastSeen: t0.Add(-time.Hour)}, false},
		{"same level, older", &alert.Alert{ID: "zzz", Level: rule.High, LastSeen: t0.Add(-time.Second)}, true},
		{"same level, newer", &alert.Alert{ID: "aaa", Level: rule.High, LastSeen: t0.Add(time.Second)}, false},
	}
	for _, tt := range tests {
		if got := pos.before(tt.b); got != tt.want {
			t.Errorf("%s: after cursor = %v, want %v", tt.name, got, tt.want)
		}
	}
	for _, bad := range []string{"", "x", "9.abc", "3", "3.!!!"} {
		if _, err := parseInboxCursor(bad); err == nil {
			t.Errorf("parseInboxCursor(%q) = nil error, want one", bad)
		}
	}
}
