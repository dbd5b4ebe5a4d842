package console

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"picket/internal/audit"
)

func TestActionsAreAudited(t *testing.T) {
	tests := []struct {
		name   string
		do     func(f *fixture) // performs the action
		action string
		target func(f *fixture) string
		detail string
	}{
		{
			name: "acknowledge",
			do: func(f *fixture) {
				postOK(f, "/alerts/"+f.alertOf("root-login").ID+"/acknowledge", url.Values{"comment": {"mine"}})
			},
			action: "alert.ack", target: func(f *fixture) string { return f.alertOf("root-login").ID }, detail: "mine",
		},
		{
			name: "bulk acknowledge",
			do: func(f *fixture) {
				postOK(f, "/alerts/acknowledge", url.Values{"id": {f.alertOf("root-login").ID}, "comment": {"bulk"}})
			},
			action: "alert.ack", target: func(f *fixture) string { return f.alertOf("root-login").ID }, detail: "bulk",
		},
		{
			name: "resolve",
			do: func(f *fixture) {
				postOK(f, "/alerts/"+f.alertOf("root-login").ID+"/resolve", nil)
			},
			action: "alert.resolve", target: func(f *fixture) string { return f.alertOf("root-login").ID },
		},
		{
			name: "silence",
			do: func(f *fixture) {
				postOK(f, "/alerts/"+f.alertOf("root-login").ID+"/silence", url.Values{"hours": {"2"}, "reason": {"noisy"}})
			},
			action: "silence.create",
			target: func(f *fixture) string {
				ss, _ := f.mgr.Silences(context.Background(), false)
				return ss[0].ID
			},
			detail: `rule_id="root-login", group.userIdentity.arn="arn:aws:iam::123456789012:root": noisy`,
		},
		{
			name:   "disable rule",
			do:     func(f *fixture) { postOK(f, "/rules/root-login/disable", nil) },
			action: "rule.disable", target: func(*fixture) string { return "root-login" },
		},
		{
			name:   "enable rule",
			do:     func(f *fixture) { postOK(f, "/rules/iam-user-created/enable", nil) },
			action: "rule.enable", target: func(*fixture) string { return "iam-user-created" },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, nil)
			f.seed()
			tt.do(f)
			es, err := f.audit.List(context.Background(), audit.Query{})
			if err != nil {
				t.Fatal(err)
			}
			want := []audit.Entry{{Time: t0, Actor: "gina", Action: tt.action, Target: tt.target(f), Detail: tt.detail}}
			if diff := cmp.Diff(want, es, cmpopts.IgnoreFields(audit.Entry{}, "RemoteAddr")); diff != "" {
				t.Errorf("audit entries (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSilenceExpiryIsAudited(t *testing.T) {
	f := newFixture(t, nil)
	f.seed()
	postOK(f, "/alerts/"+f.alertOf("root-login").ID+"/silence", url.Values{"hours": {"2"}, "reason": {"noisy"}})
	ss, err := f.mgr.Silences(context.Background(), false)
	if err != nil || len(ss) != 1 {
		t.Fatalf("Silences = %v, %v", ss, err)
	}
	postOK(f, "/silences/"+ss[0].ID+"/expire", nil)
	es, err := f.audit.List(context.Background(), audit.Query{Action: "silence.expire"})
	if err != nil {
		t.Fatal(err)
	}
	if len(es) != 1 || es[0].Target != ss[0].ID || es[0].Actor != "gina" {
		t.Errorf("silence.expire entries = %+v, want one for %s by gina", es, ss[0].ID)
	}
}

func TestAuditShownOnPages(t *testing.T) {
	f := newFixture(t, nil)
	f.seed()
	a := f.alertOf("root-login")
	ctx := context.Background()
	for _, e := range []audit.Entry{
		{Time: t0, Actor: "hank", Action: "alert.comment", Target: a.ID, Detail: "called the <i>owner</i>"},
		{Time: t0, Actor: "ivy", Action: "rule.disable", Target: "root-login", Detail: "too noisy"},
		{Time: t0, Actor: "ivy", Action: "alert.ack", Target: "root-login"}, // not a rule change
	} {
		if err := f.audit.Record(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		path    string
		want    []string
		notWant []string
	}{
		{"/alerts/" + a.ID, []string{`id="comments"`, "called the &lt;i&gt;owner&lt;/i&gt;", "hank"}, nil},
		{"/rules/root-login", []string{`id="rule-changes"`, "too noisy", "rule.disable"}, []string{"alert.ack"}},
		{"/rules/ct-stop-logging", nil, []string{`id="rule-changes"`}},
	}
	for _, tt := range tests {
		_, body := f.get(tt.path)
		for _, w := range tt.want {
			if !strings.Contains(body, w) {
				t.Errorf("GET %s lacks %q", tt.path, w)
			}
		}
		for _, w := range tt.notWant {
			if strings.Contains(body, w) {
				t.Errorf("GET %s shows %q", tt.path, w)
			}
		}
	}
}

// postOK submits a form with the CSRF field as user gina and requires a redirect.
func postOK(f *fixture, path string, form url.Values) {
	f.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	form.Set(testCSRFField, testCSRFToken)
	if rec := f.post(path, form, "gina"); rec.Code != http.StatusSeeOther {
		f.t.Fatalf("POST %s = %d, want 303; body:\n%s", path, rec.Code, rec.Body)
	}
}
