package console

import (
	"context"
	"html/template"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"picket/internal/alert"
	"picket/internal/audit"
)

// silenceFormValues returns a valid silence form with the CSRF field, changed by set.
func silenceFormValues(set map[string]string) url.Values {
	v := url.Values{
		testCSRFField: {testCSRFToken},
		"matchers":    {"rule_id=root-login\n\n group.userIdentity.arn =~ \".*:root\" \r\n"},
		"hours":       {"2"},
		"ends":        {""},
		"comment":     {"maintenance window"},
	}
	for k, s := range set {
		v.Set(k, s)
	}
	return v
}

func TestCreateSilenceFromForm(t *testing.T) {
	rootMatchers := []alert.Matcher{
		{Field: alert.FieldRuleID, Op: alert.OpEqual, Value: "root-login"},
		{Field: "group.userIdentity.arn", Op: alert.OpRegexp, Value: ".*:root"},
	}
	tests := []struct {
		name     string
		set      map[string]string
		wantCode int
		wantEnd  time.Time // for a created silence
		want     []string  // in the re-rendered page
	}{
		{name: "hours", wantCode: http.StatusSeeOther, wantEnd: t0.Add(2 * time.Hour)},
		{name: "end time replaces hours", set: map[string]string{"ends": "2026-11-26T09:30", "hours": "junk"},
			wantCode: http.StatusSeeOther, wantEnd: time.Date(2026, 11, 26, 9, 30, 0, 0, time.UTC)},
		{name: "end time with zone", set: map[string]string{"ends": "2026-11-25T14:00:00+01:00"},
			wantCode: http.StatusSeeOther, wantEnd: t0.Add(time.Hour)},
		{name: "longest", set: map[string]string{"hours": "720"}, wantCode: http.StatusSeeOther, wantEnd: t0.Add(720 * time.Hour)},
		{name: "not a matcher", set: map[string]string{"matchers": "rule_id=root-login\nrule_id root-login"},
			wantCode: http.StatusBadRequest, want: []string{"Line 2: matcher &#34;rule_id root-login&#34;: want field=value", `aria-invalid="true"`, `id="s-matchers-err"`}},
		{name: "unknown field", set: map[string]string{"matchers": "colour=red"},
			wantCode: http.StatusBadRequest, want: []string{"Line 1: matcher field &#34;colour&#34;"}},
		{name: "bad regexp", set: map[string]string{"matchers": "tag=~attack.(t1078"},
			wantCode: http.StatusBadRequest, want: []string{"Line 1: matcher tag=~", "missing closing )"}},
		{name: "bad quotes", set: map[string]string{"matchers": `rule_id="root-login`},
			wantCode: http.StatusBadRequest, want: []string{"bad quoted value"}},
		{name: "no matchers", set: map[string]string{"matchers": " \n "},
			wantCode: http.StatusBadRequest, want: []string{"Add at least one matcher"}},
		{name: "no comment", set: map[string]string{"comment": "   "},
			wantCode: http.StatusBadRequest, want: []string{`id="s-comment-err"`, "Write a comment"}},
		{name: "zero hours", set: map[string]string{"hours": "0"},
			wantCode: http.StatusBadRequest, want: []string{`id="s-duration-err"`, "between 1 and 720"}},
		{name: "too many hours", set: map[string]string{"hours": "721"},
			wantCode: http.StatusBadRequest, want: []string{"between 1 and 720"}},
		{name: "hours not a number", set: map[string]string{"hours": "soon"},
			wantCode: http.StatusBadRequest, want: []string{"between 1 and 720"}},
		{name: "end passed", set: map[string]string{"ends": "2026-11-25T11:00"},
			wantCode: http.StatusBadRequest, want: []string{"The end time has passed"}},
		{name: "end too far", set: map[string]string{"ends": "2027-01-01T00:00"},
			wantCode: http.StatusBadRequest, want: []string{"too far ahead"}},
		{name: "end garbage", set: map[string]string{"ends": "tomorrow"},
			wantCode: http.StatusBadRequest, want: []string{"such as 2026-12-01T18:00"}},
		{name: "every problem at once", set: map[string]string{"matchers": "nope", "hours": "", "comment": ""},
			wantCode: http.StatusBadRequest, want: []string{`id="s-matchers-err"`, `id="s-duration-err"`, `id="s-comment-err"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, nil)
			f.seed()
			form := silenceFormValues(tt.set)
			rec := f.post("/silences", form, "gina")
			if rec.Code != tt.wantCode {
				t.Fatalf("POST /silences = %d, want %d; body:\n%s", rec.Code, tt.wantCode, rec.Body)
			}
			ctx := context.Background()
			ss, err := f.mgr.Silences(ctx, false)
			if err != nil {
				t.Fatal(err)
			}
			es, err := f.audit.List(ctx, audit.Query{})
			if err != nil {
				t.Fatal(err)
			}
			if tt.wantCode != http.StatusSeeOther {
				if len(ss) != 0 || len(es) != 0 {
					t.Errorf("a refused silence was stored (%+v) or audited (%+v)", ss, es)
				}
				body := rec.Body.String()
				for _, w := range append(tt.want, `id="silence-errors"`, `role="alert"`) {
					if !strings.Contains(body, w) {
						t.Errorf("the re-rendered page lacks %q", w)
					}
				}
				// The values typed are kept, and the form still carries the CSRF field.
				if c := form.Get("comment"); strings.TrimSpace(c) != "" && !strings.Contains(body, `value="`+c+`"`) {
					t.Errorf("the re-rendered form lost the comment %q", c)
				}
				if !strings.Contains(silenceFormHTML(t, body), `name="`+testCSRFField+`" value="`+testCSRFToken+`"`) {
					t.Errorf("the re-rendered form lacks the CSRF field")
				}
				return
			}
			if got, want := rec.Header().Get("Location"), "/silences?ok=silenced"; got != want {
				t.Errorf("redirect = %q, want %q", got, want)
			}
			want := []alert.Silence{{Matchers: rootMatchers, Author: "gina", Comment: "maintenance window", StartsAt: t0, EndsAt: tt.wantEnd}}
			if diff := cmp.Diff(want, ss, cmpopts.IgnoreFields(alert.Silence{}, "ID", "CreatedAt")); diff != "" {
				t.Errorf("silences (-want +got):\n%s", diff)
			}
			wantAudit := []audit.Entry{{
				Time: t0, Actor: "gina", Action: "silence.create", Target: ss[0].ID,
				Detail: `rule_id="root-login", group.userIdentity.arn=~".*:root": maintenance window`,
			}}
			if diff := cmp.Diff(wantAudit, es, cmpopts.IgnoreFields(audit.Entry{}, "RemoteAddr")); diff != "" {
				t.Errorf("audit entries (-want +got):\n%s", diff)
			}
			if a := f.alertOf("root-login"); !a.Silenced {
				t.Errorf("the root-login alert is not silenced by the new silence")
			}
			if _, body := f.get("/silences?ok=silenced"); !strings.Contains(body, "Silence created.") || !strings.Contains(body, "maintenance window") {
				t.Errorf("the page after the redirect does not confirm and list the silence")
			}
		})
	}
}

// silenceFormHTML returns the silence form of a silences page.
func silenceFormHTML(t *testing.T, body string) string {
	t.Helper()
	m := regexp.MustCompile(`(?s)<form[^>]*id="silence-form".*?</form>`).FindString(body)
	if m == "" {
		t.Fatalf("the page has no silence form:\n%s", body)
	}
	return m
}

func TestSilenceFormKeepsValuesEscaped(t *testing.T) {
	f := newFixture(t, nil)
	const evil = `</textarea><script>alert(1)</script>`
	rec := f.post("/silences", silenceFormValues(map[string]string{"matchers": evil, "comment": `"><script>alert(2)</script>`}), "gina")
	if rec.Code != http.StatusBadRequest {
		t.Fatalf("POST /silences = %d, want 400", rec.Code)
	}
	body := rec.Body.String()
	if strings.Contains(body, "<script>alert") {
		t.Errorf("the page echoes a script unescaped:\n%s", body)
	}
	for _, w := range []string{"&lt;/textarea&gt;&lt;script&gt;alert(1)&lt;/script&gt;", "&#34;&gt;&lt;script&gt;alert(2)&lt;/script&gt;"} {
		if !strings.Contains(body, w) {
			t.Errorf("the page does not keep the value escaped as %q", w)
		}
	}
}

func TestSilenceFormOnPage(t *testing.T) {
	f := newFixture(t, nil)
	code, body := f.get("/silences")
	if code != http.StatusOK {
		t.Fatalf("GET /silences = %d", code)
	}
	form := silenceFormHTML(t, body)
	for _, w := range []string{
		`<input type="hidden" name="` + testCSRFField + `" value="` + testCSRFToken + `">`,
		`action="/silences"`, `<label for="s-matchers">`, `<label for="s-hours">`, `<label for="s-ends">`, `<label for="s-comment">`,
		`<legend>Duration</legend>`, `value="4"`, `id="silence-preview" formaction="/silences/preview#preview" formnovalidate`,
	} {
		if !strings.Contains(form, w) {
			t.Errorf("the silence form lacks %q", w)
		}
	}
	if strings.Contains(body, `id="silence-errors"`) {
		t.Errorf("the empty form shows errors")
	}
}

func TestSilencePreview(t *testing.T) {
	tests := []struct {
		name     string
		matchers string
		wantCode int
		want     []string // rule ids of the previewed alerts, in order
		wantText string
	}{
		{"one rule", "rule_id=ct-stop-logging", http.StatusOK, []string{"ct-stop-logging"}, "1 open alert matches"},
		{"regexp", "rule_id=~\"(root|iam).*\"", http.StatusOK, []string{"iam-user-created"}, "1 open alert matches"}, // root-login is acknowledged
		{"negation", "rule_id!=nothing", http.StatusOK, []string{"iam-user-created", "ct-stop-logging"}, "2 open alerts match"},
		{"none", "level=low", http.StatusOK, nil, "0 open alerts match"},
		{"bad matcher", "rule_id", http.StatusBadRequest, nil, "No preview"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, nil)
			f.seed()
			ack(f, f.alertOf("root-login").ID)
			// The preview needs no comment nor duration: only matchers.
			form := url.Values{testCSRFField: {testCSRFToken}, "matchers": {tt.matchers}, "comment": {""}, "hours": {""}}
			rec := f.post("/silences/preview", form, "gina")
			if rec.Code != tt.wantCode {
				t.Fatalf("POST /silences/preview = %d, want %d; body:\n%s", rec.Code, tt.wantCode, rec.Body)
			}
			body := rec.Body.String()
			if !strings.Contains(body, tt.wantText) {
				t.Errorf("the preview page lacks %q", tt.wantText)
			}
			var got []string
			for _, m := range regexp.MustCompile(`<tr id="preview-([^"]+)">`).FindAllStringSubmatch(body, -1) {
				a, err := f.mgr.Get(context.Background(), m[1])
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, a.RuleID)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("previewed alerts (-want +got):\n%s", diff)
			}
			if !strings.Contains(body, `>`+template.HTMLEscapeString(tt.matchers)+`</textarea>`) {
				t.Errorf("the preview lost the matchers typed")
			}
			ss, _ := f.mgr.Silences(context.Background(), false)
			es, _ := f.audit.List(context.Background(), audit.Query{Action: "silence.create"})
			if len(ss) != 0 || len(es) != 0 {
				t.Errorf("a preview created a silence (%+v) or an audit entry (%+v)", ss, es)
			}
		})
	}
}

// plainAlerts hides every method of the manager but AlertManager's: no SilencePreviewer.
type plainAlerts struct{ AlertManager }

func TestSilencePreviewUnavailable(t *testing.T) {
	f := newFixture(t, nil)
	h, err := New(Deps{
		Alerts: plainAlerts{f.mgr}, Detections: f.repo, Catalog: f.cat,
		User: func(*http.Request) string { return "tester" }, CSRFToken: func(*http.Request) string { return testCSRFToken },
		CSRFField: testCSRFField, Clock: func() time.Time { return t0 },
	})
	if err != nil {
		t.Fatal(err)
	}
	f.h = h
	_, body := f.get("/silences")
	if strings.Contains(body, `id="silence-preview"`) || !strings.Contains(body, `id="silence-create"`) {
		t.Errorf("without a SilencePreviewer the page should offer creation only")
	}
	if rec := f.post("/silences/preview", silenceFormValues(nil), ""); rec.Code != http.StatusNotFound {
		t.Errorf("POST /silences/preview = %d, want 404", rec.Code)
	}
	if rec := f.post("/silences", silenceFormValues(nil), ""); rec.Code != http.StatusSeeOther {
		t.Errorf("POST /silences = %d, want 303", rec.Code)
	}
}
