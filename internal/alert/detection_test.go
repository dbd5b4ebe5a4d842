package alert_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"picket/internal/alert"
	"picket/internal/correlate"
	"picket/internal/event"
	"picket/internal/rule"
	"picket/internal/rule/sigma"
)

func TestNewDetection(t *testing.T) {
	r := &sigma.Rule{Meta: rule.Meta{ID: "r1", Title: "Root login", Level: rule.Critical, Tags: []string{"cloud.aws"}, Author: "me"}}
	ev := event.New([]byte("{ \"user\": \"root\",\n \"n\": 1 }"))
	ev.ID, ev.Time, ev.Source = "e1", t0, "trail"
	ev.LogSource = event.LogSource{Product: "aws", Service: "cloudtrail"}
	got := alert.NewDetection(r, ev, t0.Add(time.Minute))
	want := alert.Detection{
		ID: alert.DetectionID("r1", "e1"), RuleID: "r1", RuleTitle: "Root login", Level: rule.Critical,
		Tags: []string{"cloud.aws"}, Author: "me", Kind: "detection", EventID: "e1", EventTime: t0,
		Source: "trail", LogSource: ev.LogSource, Raw: []byte(`{"user":"root","n":1}`), DetectedAt: t0.Add(time.Minute),
	}
	if diff := cmp.Diff(want, got, cmpOpts); diff != "" {
		t.Errorf("NewDetection (-want +got):\n%s", diff)
	}
	text := event.NewText([]byte(`login "root"`))
	text.ID = "e2"
	if got := alert.NewDetection(r, text, t0); string(got.Raw) != `"login \"root\""` {
		t.Errorf("NewDetection(text).Raw = %s, want a JSON string", got.Raw)
	}
	if alert.DetectionID("r1", "e1") == alert.DetectionID("r1e", "1") {
		t.Error("DetectionID collides on concatenation")
	}
}

func TestHitDetection(t *testing.T) {
	r := &sigma.Rule{
		Meta: rule.Meta{ID: "c1", Title: "Brute force", Level: rule.High},
		Kind: sigma.KindCorrelation, Correlation: &sigma.Correlation{Type: "event_count"},
	}
	h := &correlate.Hit{
		ID: "hit1", Rule: r, Group: map[string]string{"user": "bob"}, Value: 5, First: t0, Last: t0.Add(time.Minute),
		Events: []correlate.EventRef{{RuleID: "r", EventID: "e1", Time: t0, Source: "trail"}}, Omitted: 4,
	}
	got := alert.HitDetection(h, t0.Add(time.Hour))
	want := alert.Detection{
		ID: alert.DetectionID("c1", "hit1"), RuleID: "c1", RuleTitle: "Brute force", Level: rule.High, Kind: "correlation",
		EventID: "hit1", EventTime: t0.Add(time.Minute), Source: "trail", GroupValues: map[string]string{"user": "bob"},
		Correlation: &alert.Correlation{Type: "event_count", Group: map[string]string{"user": "bob"}, Value: 5,
			First: t0, Last: t0.Add(time.Minute), Events: h.Events, Omitted: 4},
		DetectedAt: t0.Add(time.Hour),
	}
	if diff := cmp.Diff(want, got, cmpOpts); diff != "" {
		t.Errorf("HitDetection (-want +got):\n%s", diff)
	}
	m, _ := newManager(t, alert.Options{GroupBy: map[string][]string{alert.AnyRule: {"ignored"}}})
	due := ingest(t, m, got)
	if len(due) != 1 || due[0].Kind != "correlation" || due[0].Group["user"] != "bob" {
		t.Errorf("correlation alert = %+v, want kind correlation grouped by the hit's group", due)
	}
}

func TestAccountFromEvent(t *testing.T) {
	tests := []struct{ raw, want string }{
		{`{"recipientAccountId":"111"}`, "111"},
		{`{"userIdentity":{"accountId":"222"}}`, "222"},
		{`{"resource":{"labels":{"project_id":"proj"}}}`, "proj"},
		{`{"subscriptionId":"sub"}`, "sub"},
		{`{}`, ""},
	}
	for _, tt := range tests {
		m, _ := newManager(t, alert.Options{})
		due := ingest(t, m, ev("r", "1", 0, tt.raw))
		if due[0].Account != tt.want {
			t.Errorf("account of %s = %q, want %q", tt.raw, due[0].Account, tt.want)
		}
	}
}
