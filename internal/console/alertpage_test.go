package console

import (
	"context"
	"errors"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"picket/internal/alert"
	"picket/internal/catalog"
	"picket/internal/rule"
)

func TestAlertLifecycleActions(t *testing.T) {
	tests := []struct {
		name     string
		prepare  func(*fixture, string) // puts the alert in its starting state
		action   string
		wantCode int
		want     alert.Status
	}{
		{"acknowledge open", nil, "acknowledge", http.StatusSeeOther, alert.StatusAcknowledged},
		{"resolve open", nil, "resolve", http.StatusSeeOther, alert.StatusResolved},
		{"resolve acknowledged", ack, "resolve", http.StatusSeeOther, alert.StatusResolved},
		{"reopen resolved", resolve, "reopen", http.StatusSeeOther, alert.StatusOpen},
		{"acknowledge resolved", resolve, "acknowledge", http.StatusConflict, alert.StatusResolved},
		{"reopen open", nil, "reopen", http.StatusConflict, alert.StatusOpen},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, nil)
			f.seed()
			id := f.alertOf("root-login").ID
			if tt.prepare != nil {
				tt.prepare(f, id)
			}
			before, _ := f.mgr.Get(context.Background(), id)
			form := url.Values{testCSRFField: {testCSRFToken}, "comment": {"checked <b>it</b>"}}
			rec := f.post("/alerts/"+id+"/"+tt.action, form, "bob")
			if rec.Code != tt.wantCode {
				t.Fatalf("POST %s = %d, want %d; body:\n%s", tt.action, rec.Code, tt.wantCode, rec.Body)
			}
			a, err := f.mgr.Get(context.Background(), id)
			if err != nil {
				t.Fatal(err)
			}
			if a.Status != tt.want {
				t.Errorf("status after %s = %s, want %s", tt.action, a.Status, tt.want)
			}
			if tt.wantCode != http.StatusSeeOther {
				if len(a.History) != len(before.History) {
					t.Errorf("a refused %s changed the history: %+v", tt.action, a.History)
				}
				return
			}
			if got, want := rec.Header().Get("Location"), "/alerts/"+id+"?ok="+pastTense(tt.action); got != want {
				t.Errorf("redirect = %q, want %q", got, want)
			}
			last := a.History[len(a.History)-1]
			if last.Actor != "bob" || last.Comment != "checked <b>it</b>" {
				t.Errorf("last change = %+v, want actor bob with the comment", last)
			}
			_, body := f.get(rec.Header().Get("Location"))
			if !strings.Contains(body, `class="flash"`) || !strings.Contains(body, "checked &lt;b&gt;it&lt;/b&gt;") {
				t.Errorf("the alert page after %s shows no confirmation or no escaped comment in the audit trail", tt.action)
			}
		})
	}
}

func ack(f *fixture, id string) {
	if _, err := f.mgr.Acknowledge(context.Background(), id, "x", ""); err != nil {
		f.t.Fatal(err)
	}
}

func resolve(f *fixture, id string) {
	if _, err := f.mgr.Resolve(context.Background(), id, "x", ""); err != nil {
		f.t.Fatal(err)
	}
}

func pastTense(action string) string {
	return map[string]string{"acknowledge": "acknowledged", "resolve": "resolved", "reopen": "reopened", "silence": "silenced"}[action]
}

func TestSilenceFromAlert(t *testing.T) {
	tests := []struct {
		name     string
		form     url.Values
		wantCode int
	}{
		{"valid", url.Values{"hours": {"8"}, "reason": {"maintenance window"}}, http.StatusSeeOther},
		{"zero hours", url.Values{"hours": {"0"}, "reason": {"r"}}, http.StatusBadRequest},
		{"too long", url.Values{"hours": {"721"}, "reason": {"r"}}, http.StatusBadRequest},
		{"not a number", url.Values{"hours": {"soon"}, "reason": {"r"}}, http.StatusBadRequest},
		{"no reason", url.Values{"hours": {"1"}, "reason": {"  "}}, http.StatusBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, nil)
			f.seed()
			a := f.alertOf("ct-stop-logging")
			tt.form.Set(testCSRFField, testCSRFToken)
			rec := f.post("/alerts/"+a.ID+"/silence", tt.form, "carol")
			if rec.Code != tt.wantCode {
				t.Fatalf("POST silence = %d, want %d; body:\n%s", rec.Code, tt.wantCode, rec.Body)
			}
			ss, err := f.mgr.Silences(context.Background(), false)
			if err != nil {
				t.Fatal(err)
			}
			if tt.wantCode != http.StatusSeeOther {
				if len(ss) != 0 {
					t.Errorf("a refused silence was stored: %+v", ss)
				}
				return
			}
			want := []alert.Silence{{
				Matchers: []alert.Matcher{
					{Field: alert.FieldRuleID, Op: alert.OpEqual, Value: "ct-stop-logging"},
					{Field: "group.userIdentity.arn", Op: alert.OpEqual, Value: "arn:aws:iam::123456789012:user/mallory"},
				},
				Author: "carol", Comment: "maintenance window", StartsAt: t0, EndsAt: t0.Add(8 * time.Hour),
			}}
			if diff := cmp.Diff(want, ss, cmpopts.IgnoreFields(alert.Silence{}, "ID", "CreatedAt")); diff != "" {
				t.Errorf("silences (-want +got):\n%s", diff)
			}
			got, err := f.mgr.Get(context.Background(), a.ID)
			if err != nil {
				t.Fatal(err)
			}
			if !got.Silenced {
				t.Errorf("the alert is not silenced by the new silence")
			}
		})
	}
}

func TestAlertPageContent(t *testing.T) {
	f := newFixture(t, stopLoggingExplain)
	f.seed()
	a := f.alertOf("ct-stop-logging")
	code, body := f.get("/alerts/" + a.ID)
	if code != http.StatusOK {
		t.Fatalf("GET alert = %d", code)
	}
	for _, want := range []string{
		"Someone stopped a CloudTrail trail.",                                                  // rule description
		`href="https://attack.mitre.org/techniques/T1562/008/"`,                                // ATT&CK link
		`<th scope="row">userIdentity.arn</th><td>arn:aws:iam::123456789012:user/mallory</td>`, // group values
		`eventName equals &#34;StopLogging&#34;`,                                               // why it fired
		`<span class="ln hit">  <span class="k">&#34;eventName&#34;</span>`,                    // highlighted matched field
		`<span class="ln grp">    <span class="k">&#34;arn&#34;</span>`,                        // group field marked
		`id="ack"`, `id="resolve"`, `id="silence"`, // actions of an open alert
		"Event <code>e1</code>", "Event <code>e2</code>", // evidence and timeline
		"<td>created</td>", // audit trail
	} {
		if !strings.Contains(body, want) {
			t.Errorf("alert page lacks %s", want)
		}
	}
	if strings.Contains(body, `id="reopen"`) {
		t.Errorf("an open alert offers reopen")
	}
}

func TestAlertPageWithoutRuleOrExplanation(t *testing.T) {
	f := newFixture(t, func(context.Context, string, []byte) (*Explanation, error) {
		return nil, errors.New("no such rule")
	})
	d := detection("ct-stop-logging", "x1", -time.Minute, `"a plain text event"`)
	d.RuleID, d.RuleTitle, d.Level = "gone-rule", "A rule that was removed", rule.Low
	f.ingest(d)
	a := f.alertOf("gone-rule")
	code, body := f.get("/alerts/" + a.ID)
	if code != http.StatusOK {
		t.Fatalf("GET alert = %d; body:\n%s", code, body)
	}
	for _, want := range []string{"This rule is no longer loaded", "No explanation is available", "&#34;a plain text event&#34;"} {
		if !strings.Contains(body, want) {
			t.Errorf("alert page lacks %q", want)
		}
	}
}

// TestXSSIsEscaped puts script into every attacker-controlled place: an event field, a user
// rule's title and description, a group value and a tag.
func TestXSSIsEscaped(t *testing.T) {
	const payload = `<script>alert(1)</script>`
	f := newFixture(t, func(context.Context, string, []byte) (*Explanation, error) {
		return &Explanation{Summary: payload, Selections: []ExplainSelection{{
			Name: payload, Matched: true,
			Items: []ExplainItem{{Field: "requestParameters.name", Test: payload, Matched: true, Present: true, Values: []string{payload}}},
		}}}, nil
	})
	f.cat.rules["evil"] = catalog.Rule{
		ID: "evil", Title: "Evil " + payload, Description: payload, Level: rule.High, Enabled: true,
		Tags: []string{"attack.t1078", payload}, YAML: "title: " + payload, References: []string{"javascript:alert(1)"},
	}
	d := detection("ct-stop-logging", "evil-1", -time.Minute,
		`{"eventName":"CreateUser","requestParameters":{"name":"`+payload+`"},"userIdentity":{"arn":"`+payload+`"}}`)
	d.RuleID, d.RuleTitle = "evil", "Evil "+payload
	f.ingest(d)
	a := f.alertOf("evil")
	for _, p := range []string{"/alerts", "/alerts/" + a.ID, "/rules", "/rules/evil", "/coverage", "/overview"} {
		t.Run(p, func(t *testing.T) {
			code, body := f.get(p)
			if code != http.StatusOK {
				t.Fatalf("GET %s = %d", p, code)
			}
			if strings.Contains(body, payload) || strings.Contains(body, "<script>alert") {
				t.Errorf("GET %s contains the raw script", p)
			}
			if strings.Contains(body, `href="javascript:`) {
				t.Errorf("GET %s links a javascript: URL", p)
			}
			if !strings.Contains(html.UnescapeString(body), payload) && p != "/coverage" && p != "/overview" {
				t.Errorf("GET %s does not show the payload as text", p)
			}
		})
	}
	_, body := f.get("/alerts/" + a.ID)
	if !strings.Contains(body, `<span class="ln hit">    <span class="k">&#34;name&#34;</span>: <span class="v str">&#34;&lt;script&gt;alert(1)&lt;/script&gt;&#34;</span>`) {
		t.Errorf("the evidence does not show the escaped, highlighted field")
	}
}
