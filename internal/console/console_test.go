package console

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"picket/internal/alert"
)

func TestNewRequiresDependencies(t *testing.T) {
	full := func() Deps {
		f := newFixture(t, nil)
		return Deps{
			Alerts: f.mgr, Detections: f.repo, Catalog: f.cat,
			User: func(*http.Request) string { return "u" }, CSRFToken: func(*http.Request) string { return "t" },
			CSRFField: "csrf",
		}
	}
	tests := []struct {
		name   string
		change func(*Deps)
		want   []string // substrings of the error; none means no error
	}{
		{"complete", func(*Deps) {}, nil},
		{"root base path", func(d *Deps) { d.BasePath = "/" }, nil},
		{"nested base path", func(d *Deps) { d.BasePath = "/console" }, nil},
		{"nothing", func(d *Deps) { *d = Deps{} }, []string{"Alerts", "Detections", "Catalog", "User", "CSRFToken", "CSRFField"}},
		{"no csrf field", func(d *Deps) { d.CSRFField = "" }, []string{"CSRFField"}},
		{"trailing slash", func(d *Deps) { d.BasePath = "/console/" }, []string{"BasePath"}},
		{"relative base", func(d *Deps) { d.BasePath = "console" }, []string{"BasePath"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := full()
			tt.change(&d)
			h, err := New(d)
			if len(tt.want) == 0 {
				if err != nil || h == nil {
					t.Fatalf("New() = %v, %v; want a handler", h, err)
				}
				return
			}
			if err == nil {
				t.Fatalf("New() = nil error, want one mentioning %q", tt.want)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("New() error %q does not mention %q", err, w)
				}
			}
		})
	}
}

// pagePaths returns every GET page of a seeded fixture with a string it must show.
func pagePaths(f *fixture) []struct{ path, want string } {
	a := f.alertOf("ct-stop-logging")
	return []struct{ path, want string }{
		{"/", "CloudTrail logging stopped"},
		{"/alerts", "Root account console login"},
		{"/alerts?status=all&level=high", "CloudTrail logging stopped"},
		{"/alerts/" + a.ID, "Audit trail"},
		{"/sources", "gcp-audit"},
		{"/rules", "IAM user created"},
		{"/rules/ct-stop-logging", "eventName: StopLogging"},
		{"/coverage", "T1562.008"},
		{"/overview", "Alerts over the last 14 days"},
		{"/silences", "No silences."},
		{"/audit", "Audit log"},
	}
}

func TestPagesRenderWithSecurityHeaders(t *testing.T) {
	f := newFixture(t, stopLoggingExplain)
	f.seed()
	for _, p := range pagePaths(f) {
		t.Run(p.path, func(t *testing.T) {
			rec := httptest.NewRecorder()
			f.h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, p.path, nil))
			if rec.Code != http.StatusOK {
				t.Fatalf("GET %s = %d, want 200; body:\n%s", p.path, rec.Code, rec.Body)
			}
			body := rec.Body.String()
			if !strings.Contains(body, p.want) {
				t.Errorf("GET %s does not show %q", p.path, p.want)
			}
			h := rec.Header()
			csp := h.Get("Content-Security-Policy")
			for _, d := range []string{"default-src 'none'", "script-src 'self'", "frame-ancestors 'none'"} {
				if !strings.Contains(csp, d) {
					t.Errorf("GET %s: CSP %q lacks %q", p.path, csp, d)
				}
			}
			if strings.Contains(csp, "unsafe-inline") {
				t.Errorf("GET %s: CSP %q allows inline code", p.path, csp)
			}
			if got := h.Get("X-Content-Type-Options"); got != "nosniff" {
				t.Errorf("GET %s: X-Content-Type-Options = %q, want nosniff", p.path, got)
			}
			if got := h.Get("Content-Type"); got != "text/html; charset=utf-8" {
				t.Errorf("GET %s: Content-Type = %q", p.path, got)
			}
			// No inline script or style, no external resources.
			if m := regexp.MustCompile(`<script(?:\s[^>]*)?>\s*[^<\s]|<style|\sstyle="|\son[a-z]+="`).FindString(body); m != "" {
				t.Errorf("GET %s has inline code or style: %q", p.path, m)
			}
			if m := regexp.MustCompile(`src="(?:https?:)?//[^"]*"|<link[^>]*href="(?:https?:)?//[^"]*"`).FindString(body); m != "" {
				t.Errorf("GET %s loads an external resource: %q", p.path, m)
			}
		})
	}
}

func TestFormsCarryCSRFToken(t *testing.T) {
	f := newFixture(t, nil)
	f.seed()
	if _, err := f.mgr.AddSilence(context.Background(), alert.Silence{
		Matchers: []alert.Matcher{{Field: "rule_id", Op: alert.OpEqual, Value: "root-login"}},
		Author:   "a", Comment: "c", EndsAt: t0.Add(time.Hour),
	}); err != nil {
		t.Fatal(err)
	}
	formRE := regexp.MustCompile(`(?s)<form[^>]*method="post".*?</form>`)
	token := `<input type="hidden" name="` + testCSRFField + `" value="` + testCSRFToken + `">`
	posts := 0
	for _, p := range pagePaths(f) {
		_, body := f.get(p.path)
		for _, form := range formRE.FindAllString(body, -1) {
			posts++
			if !strings.Contains(form, token) {
				t.Errorf("GET %s: a POST form lacks the CSRF field:\n%s", p.path, form)
			}
		}
	}
	if posts < 6 {
		t.Errorf("found %d POST forms over every page, want at least 6", posts)
	}
}

func TestNotFound(t *testing.T) {
	f := newFixture(t, nil)
	tests := []struct {
		method, path string
		want         int
	}{
		{http.MethodGet, "/alerts/nope", http.StatusNotFound},
		{http.MethodGet, "/rules/nope", http.StatusNotFound},
		{http.MethodGet, "/no/such/page", http.StatusNotFound},
		{http.MethodGet, "/static/missing.css", http.StatusNotFound},
		{http.MethodPost, "/alerts/nope/acknowledge", http.StatusNotFound},
		{http.MethodPost, "/alerts/nope/dance", http.StatusNotFound},
		{http.MethodPost, "/rules/nope/enable", http.StatusNotFound},
		{http.MethodPost, "/silences/nope/expire", http.StatusNotFound},
		{http.MethodGet, "/alerts?status=bogus", http.StatusBadRequest},
		{http.MethodGet, "/alerts?level=bogus", http.StatusBadRequest},
		{http.MethodGet, "/alerts?after=garbage", http.StatusBadRequest},
		{http.MethodGet, "/rules?state=bogus", http.StatusBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			req := httptest.NewRequest(tt.method, tt.path, strings.NewReader(""))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			rec := httptest.NewRecorder()
			f.h.ServeHTTP(rec, req)
			if rec.Code != tt.want {
				t.Errorf("%s %s = %d, want %d", tt.method, tt.path, rec.Code, tt.want)
			}
			if rec.Header().Get("Content-Security-Policy") == "" {
				t.Errorf("%s %s: error page without CSP", tt.method, tt.path)
			}
		})
	}
}

func TestStaticAssets(t *testing.T) {
	f := newFixture(t, nil)
	_, page := f.get("/alerts")
	tests := []struct{ name, ctype string }{
		{"app.css", "text/css; charset=utf-8"},
		{"app.js", "text/javascript; charset=utf-8"},
		{"icon.svg", "image/svg+xml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := regexp.MustCompile(`"(/static/` + regexp.QuoteMeta(tt.name) + `\?v=[0-9a-f]+)"`).FindStringSubmatch(page)
			if m == nil {
				t.Fatalf("the layout does not link %s with a version", tt.name)
			}
			rec := httptest.NewRecorder()
			f.h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, m[1], nil))
			if rec.Code != http.StatusOK || rec.Body.Len() == 0 {
				t.Fatalf("GET %s = %d with %d bytes", m[1], rec.Code, rec.Body.Len())
			}
			if got := rec.Header().Get("Content-Type"); got != tt.ctype {
				t.Errorf("GET %s Content-Type = %q, want %q", m[1], got, tt.ctype)
			}
			if got := rec.Header().Get("Cache-Control"); !strings.Contains(got, "immutable") {
				t.Errorf("GET %s Cache-Control = %q, want immutable", m[1], got)
			}
		})
	}
}

func TestBasePath(t *testing.T) {
	f := newFixture(t, nil)
	f.seed()
	h, err := New(Deps{
		Alerts: f.mgr, Detections: f.repo, Catalog: f.cat, BasePath: "/console",
		User: func(*http.Request) string { return "tester" }, CSRFToken: func(*http.Request) string { return "t" },
		CSRFField: "csrf", Clock: func() time.Time { return t0 },
	})
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/console/alerts", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("GET /console/alerts = %d", rec.Code)
	}
	a := f.alertOf("root-login")
	for _, want := range []string{`href="/console/alerts/` + a.ID + `"`, `href="/console/static/app.css?v=`, `action="/console/alerts/acknowledge"`} {
		if !strings.Contains(rec.Body.String(), want) {
			t.Errorf("GET /console/alerts lacks %s", want)
		}
	}
	rec = httptest.NewRecorder()
	form := url.Values{"comment": {"x"}}
	req := httptest.NewRequest(http.MethodPost, "/console/alerts/"+a.ID+"/acknowledge", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	h.ServeHTTP(rec, req)
	if got, want := rec.Header().Get("Location"), "/console/alerts/"+a.ID+"?ok=acknowledged"; rec.Code != http.StatusSeeOther || got != want {
		t.Errorf("POST acknowledge = %d to %q, want 303 to %q", rec.Code, got, want)
	}
}

// TestNoTrustedHTMLFromData keeps the package from bypassing html/template's escaping.
func TestNoTrustedHTMLFromData(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	banned := regexp.MustCompile(`template\.(HTML|JS|URL|CSS|HTMLAttr|Srcset)\(`)
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		if m := banned.FindAllString(string(b), -1); len(m) > 0 {
			t.Errorf("%s converts to trusted content: %v", name, m)
		}
	}
}

func TestFlashMessages(t *testing.T) {
	tests := []struct{ query, want string }{
		{"ok=acknowledged", "Alert acknowledged."},
		{"ok=bulk&n=3&skipped=1", "Acknowledged 3 alerts. 1 skipped (no longer open)."},
		{"ok=bulk&n=1", "Acknowledged 1 alert."},
		{"ok=<script>", ""},
		{"", ""},
	}
	for _, tt := range tests {
		r := httptest.NewRequest(http.MethodGet, "/alerts?"+tt.query, nil)
		if diff := cmp.Diff(tt.want, flash(r)); diff != "" {
			t.Errorf("flash(%q) (-want +got):\n%s", tt.query, diff)
		}
	}
}
