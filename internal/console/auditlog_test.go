package console

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"picket/internal/audit"
)

// auditDetails returns the Detail cells of the audit table, in order, unescaped.
func auditDetails(body string) []string {
	var out []string
	for _, m := range regexp.MustCompile(`<td data-label="Detail" class="detail">([^<]*)</td>`).FindAllStringSubmatch(body, -1) {
		out = append(out, html.UnescapeString(m[1]))
	}
	return out
}

// olderLink returns the href of the "Older entries" link, unescaped, or "".
func olderLink(body string) string {
	m := regexp.MustCompile(`<a href="([^"]*)" rel="next">Older entries</a>`).FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return html.UnescapeString(m[1])
}

// recordAll writes entries to the fixture's audit log.
func recordAll(t *testing.T, f *fixture, es ...audit.Entry) {
	t.Helper()
	for _, e := range es {
		if err := f.audit.Record(context.Background(), e); err != nil {
			t.Fatal(err)
		}
	}
}

func TestAuditLogPage(t *testing.T) {
	f := newFixture(t, nil)
	f.seed()
	a := f.alertOf("root-login")
	recordAll(t, f,
		audit.Entry{Time: t0.Add(-3 * time.Hour), Actor: "ivy", Action: "rule.disable", Target: "root-login", Detail: "too noisy"},
		audit.Entry{Time: t0.Add(-2 * time.Hour), Actor: "hank", Action: "alert.ack", Target: a.ID, Detail: "mine", RemoteAddr: "192.0.2.1:5000"},
		audit.Entry{Time: t0.Add(-time.Hour), Actor: "ivy", Action: "alert.comment", Target: a.ID, Detail: `<script>alert("x")</script>`},
		audit.Entry{Time: t0, Actor: "hank", Action: "silence.create", Target: "s-1", Detail: `rule_id="root-login": quiet`},
	)
	tests := []struct {
		query string
		want  []string // details, newest first
	}{
		{"", []string{`rule_id="root-login": quiet`, `<script>alert("x")</script>`, "mine", "too noisy"}},
		{"actor=ivy", []string{`<script>alert("x")</script>`, "too noisy"}},
		{"action=alert.ack", []string{"mine"}},
		{"target=" + a.ID, []string{`<script>alert("x")</script>`, "mine"}},
		{"actor=hank&action=alert.ack&target=" + a.ID, []string{"mine"}},
		{"actor=+ivy+&target=root-login", []string{"too noisy"}},
		{"actor=nobody", nil},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			code, body := f.get("/audit?" + tt.query)
			if code != http.StatusOK {
				t.Fatalf("GET /audit?%s = %d; body:\n%s", tt.query, code, body)
			}
			if diff := cmp.Diff(tt.want, auditDetails(body)); diff != "" {
				t.Errorf("GET /audit?%s details (-want +got):\n%s", tt.query, diff)
			}
			if tt.want == nil && !strings.Contains(body, "No audit entries match this filter.") {
				t.Errorf("GET /audit?%s does not say nothing matched", tt.query)
			}
			if olderLink(body) != "" {
				t.Errorf("GET /audit?%s links older entries, but every entry is shown", tt.query)
			}
		})
	}

	_, body := f.get("/audit")
	if strings.Contains(body, `<script>alert("x")`) || !strings.Contains(body, "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;") {
		t.Errorf("the audit page does not escape the script in a detail")
	}
	for _, w := range []string{
		`<a href="/alerts/` + a.ID + `">` + a.ID + `</a>`, // targets link to their pages
		`<a href="/rules/root-login">root-login</a>`,
		`<a href="/silences#silence-s-1">s-1</a>`,
		"192.0.2.1:5000", `<label for="a-actor">Actor</label>`, `<label for="a-action">Action</label>`,
		`<label for="a-target">Target</label>`, `<option value="silence.create">`,
		`<li><a href="/audit" aria-current="page">Audit log</a></li>`,
	} {
		if !strings.Contains(body, w) {
			t.Errorf("GET /audit lacks %s", w)
		}
	}
	if _, body := f.get("/audit?actor=ivy"); !strings.Contains(body, `value="ivy"`) || !strings.Contains(body, "Clear filters") {
		t.Errorf("the filtered page does not keep the filter or offer to clear it")
	}
}

func TestAuditLogPagination(t *testing.T) {
	tests := []struct {
		name  string
		times func(i int) time.Time // time of the i-th entry recorded
		n     int
	}{
		{"distinct times", func(i int) time.Time { return t0.Add(time.Duration(i) * time.Second) }, 2*auditPageSize + 7},
		// A fixed clock (tests, a bulk action within one clock tick) records many entries at one
		// time: the pages must neither repeat nor skip any.
		{"one time", func(int) time.Time { return t0 }, 2*auditPageSize + 7},
		{"pairs", func(i int) time.Time { return t0.Add(time.Duration(i/2) * time.Second) }, 3 * auditPageSize},
		{"exactly one page", func(i int) time.Time { return t0.Add(time.Duration(i) * time.Second) }, auditPageSize},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, nil)
			var want []string
			for i := range tt.n {
				recordAll(t, f, audit.Entry{Time: tt.times(i), Actor: "bot", Action: "alert.ack", Detail: fmt.Sprint("entry ", i)})
				want = append([]string{fmt.Sprint("entry ", i)}, want...) // newest first
				// Entries of another actor, filtered out.
				recordAll(t, f, audit.Entry{Time: tt.times(i), Actor: "other", Action: "alert.ack", Detail: "other"})
			}
			var got []string
			next, pages := "/audit?actor=bot", 0
			for next != "" {
				pages++
				if pages > 10 {
					t.Fatalf("more than 10 pages; last link %s", next)
				}
				code, body := f.get(next)
				if code != http.StatusOK {
					t.Fatalf("GET %s = %d", next, code)
				}
				ds := auditDetails(body)
				if len(ds) > auditPageSize {
					t.Errorf("GET %s shows %d entries, want at most %d", next, len(ds), auditPageSize)
				}
				got = append(got, ds...)
				if pages > 1 && !strings.Contains(body, `<a href="/audit?actor=bot">Newest entries</a>`) {
					t.Errorf("GET %s has no link to the newest entries", next)
				}
				next = olderLink(body)
				if next != "" && !strings.Contains(next, "actor=bot") {
					t.Errorf("the older link %s drops the filter", next)
				}
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("entries over every page (-want +got):\n%s", diff)
			}
			if wantPages := (tt.n + auditPageSize - 1) / auditPageSize; pages != wantPages {
				t.Errorf("pages = %d, want %d", pages, wantPages)
			}
		})
	}
}

func TestAuditLogBadCursor(t *testing.T) {
	f := newFixture(t, nil)
	for _, q := range []string{"until=yesterday", "skip=3", "until=2026-11-25T12:00:00Z&skip=-1", "until=2026-11-25T12:00:00Z&skip=x",
		"until=2026-11-25T12:00:00Z&skip=" + fmt.Sprint(maxAuditSkip+1)} {
		if code, _ := f.get("/audit?" + q); code != http.StatusBadRequest {
			t.Errorf("GET /audit?%s = %d, want 400", q, code)
		}
	}
}

func TestAuditLogNotConfigured(t *testing.T) {
	f := newFixture(t, nil)
	h, err := New(Deps{
		Alerts: f.mgr, Detections: f.repo, Catalog: f.cat,
		User: func(*http.Request) string { return "tester" }, CSRFToken: func(*http.Request) string { return testCSRFToken },
		CSRFField: testCSRFField, Clock: func() time.Time { return t0 },
	})
	if err != nil {
		t.Fatal(err)
	}
	f.h = h
	for _, p := range []string{"/audit", "/audit?actor=x&until=garbage"} {
		code, body := f.get(p)
		if code != http.StatusOK {
			t.Fatalf("GET %s = %d, want 200", p, code)
		}
		if !strings.Contains(body, "The audit log is not configured") || strings.Contains(body, `id="audit-table"`) || strings.Contains(body, "<form") {
			t.Errorf("GET %s without an audit log should only say it is not configured", p)
		}
	}
}

func TestAuditLogBasePath(t *testing.T) {
	f := newFixture(t, nil)
	recordAll(t, f, audit.Entry{Time: t0, Actor: "a", Action: "rule.enable", Target: "r/1"})
	h, err := New(Deps{
		Alerts: f.mgr, Detections: f.repo, Catalog: f.cat, Audit: f.audit, BasePath: "/console",
		User: func(*http.Request) string { return "tester" }, CSRFToken: func(*http.Request) string { return "t" },
		CSRFField: "csrf", Clock: func() time.Time { return t0 },
	})
	if err != nil {
		t.Fatal(err)
	}
	f.h = h
	code, body := f.get("/console/audit?" + url.Values{"target": {"r/1"}}.Encode())
	if code != http.StatusOK {
		t.Fatalf("GET /console/audit = %d", code)
	}
	for _, w := range []string{`action="/console/audit"`, `href="/console/rules/r%2F1"`, `href="/console/audit" aria-current="page"`} {
		if !strings.Contains(body, w) {
			t.Errorf("GET /console/audit lacks %s", w)
		}
	}
}
